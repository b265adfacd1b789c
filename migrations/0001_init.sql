-- feedscrub's PostgreSQL store (src/store/postgres.rs). Applied once, in a transaction, by the
-- first node that opens the database; schema_migrations records it.
--
-- Only SQL that a distributed engine speaking the same protocol also runs (CockroachDB): no
-- advisory locks, no triggers, no LISTEN in the schema; claims use FOR UPDATE SKIP LOCKED.

-- One row per feed: feeds.toml's list (upserted by every node at start and on reload), the
-- polling schedule every worker shares, the lease of the worker polling it now, and the
-- feed's state (validators, counts, what the cleaner learned) as the refresh wrote it.
CREATE TABLE feeds (
    name             text COLLATE "C" PRIMARY KEY,
    -- from feeds.toml
    url              text NOT NULL,
    host             text NOT NULL,
    configured       boolean NOT NULL DEFAULT false, -- listed in feeds.toml: workers poll it
    -- the schedule: due when next_poll <= now() and no live lease
    next_poll        timestamptz NOT NULL DEFAULT now(),
    failures         integer NOT NULL DEFAULT 0,
    gone             boolean NOT NULL DEFAULT false,
    -- the lease: who polls it now, until when; claim_seq fences a stale writer
    lease_owner      text,
    lease_until      timestamptz,
    claim_seq        bigint NOT NULL DEFAULT 0,
    -- changes of its items: web nodes re-render when generation moves
    generation       bigint NOT NULL DEFAULT 0,
    items_changed_at timestamptz,
    -- the refresh's view of the feed (records::FeedRecord); NULL until the first refresh
    state            json, -- json, not jsonb: a feed's text may hold \u0000
    last_success     timestamptz,
    last_error       text,
    item_count       bigint NOT NULL DEFAULT 0
);
CREATE INDEX feeds_due ON feeds (next_poll) WHERE configured AND NOT gone;
CREATE INDEX feeds_host_due ON feeds (host, next_poll) WHERE configured AND NOT gone;
CREATE INDEX feeds_host_lease ON feeds (host, lease_until);
CREATE INDEX feeds_changed ON feeds (items_changed_at);

-- One row per host: claims lock the hosts they take feeds from (FOR UPDATE SKIP LOCKED), so
-- that per_host holds across every worker without a lock outside the database.
CREATE TABLE hosts (
    host text PRIMARY KEY
);

-- The stored items. The record (records::encode_item: the clean HTML and everything else the
-- item carries, versioned, compressed) is the source of truth; the columns beside it are what
-- queries select and sort by.
CREATE TABLE items (
    feed       text COLLATE "C" NOT NULL,
    skey       text COLLATE "C" NOT NULL, -- dedup::storage_key(id): the order items are read in
    id         text COLLATE "C" NOT NULL,
    canonical  text,
    title      text NOT NULL,
    link       text,
    published  timestamptz,
    first_seen timestamptz NOT NULL,
    sort_date  timestamptz NOT NULL, -- Item::sort_date
    record     bytea NOT NULL,
    PRIMARY KEY (feed, skey)
);
CREATE INDEX items_canonical ON items (feed, canonical) WHERE canonical IS NOT NULL;
CREATE INDEX items_newest ON items (sort_date DESC, id);

-- What is left of a pruned item, so it does not come back (records::Tombstone).
CREATE TABLE tombstones (
    feed   text COLLATE "C" NOT NULL,
    skey   text COLLATE "C" NOT NULL,
    id     text NOT NULL,
    record json NOT NULL,
    PRIMARY KEY (feed, skey)
);
