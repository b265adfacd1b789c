//! The PostgreSQL store (`[settings] store = "postgres"`): one database that several feedscrub
//! processes share, so that many workers poll and many web nodes serve (docs/SCALING.md).
//!
//! - **Tables** (`migrations/`): `feeds` (the list from feeds.toml, the shared schedule, the
//!   lease of the worker polling a feed, its item generation and its state), `hosts`, `items`
//!   (the encoded record beside the columns queries use) and `tombstones`. A migration is
//!   applied once, by whichever node opens the database first.
//! - **Writes**: a refresh's `Changes` become one transaction. A worker's commit is fenced: it
//!   holds only while the feed is still leased to it under the claim it polled with, so a
//!   worker that stalled past its lease cannot overwrite a newer refresh.
//! - **Claims** (`claim`): due feeds are leased in one short transaction that locks the hosts
//!   it takes feeds from (`FOR UPDATE SKIP LOCKED`) and counts their live leases, so
//!   `per_host` holds across every worker. All times are the database's (`now()`).
//! - **Following** (`follow`): a web node learns of items other processes committed through
//!   LISTEN/NOTIFY and, as the safety net that also suffices alone, a poll of recently changed
//!   feeds.
//!
//! The rest of feedscrub calls it through `Store`, whose reads are synchronous: this module
//! runs its own small tokio runtime, so a read can block on it from any thread, inside another
//! runtime or outside one, and `commit` is awaited from any runtime.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use super::changes::{Change, Changes};
use super::{EngineError, Generation, StoreError};

/// The migrations, in order; `schema_migrations` records which were applied.
const MIGRATIONS: &[(i32, &str)] = &[(1, include_str!("../../migrations/0001_init.sql"))];

/// The channel commits notify with the name of a feed whose items changed.
const CHANNEL: &str = "feedscrub_items";

/// Connections a process opens at most.
const POOL_SIZE: usize = 24;

/// A PostgreSQL database opened as a store.
pub struct PgStore {
    rt: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
    pool: Pool,
    config: tokio_postgres::Config,
    /// Where, for messages: host and database, never the password.
    place: String,
    /// The server takes `pg_notify` (PostgreSQL does, CockroachDB does not).
    notify: bool,
    following: std::sync::atomic::AtomicBool,
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // may run inside another runtime, where blocking on this one's shutdown is not allowed
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

/// A feed a worker leased: it polls it and commits with `Fence { seq, .. }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub feed: String,
    pub seq: i64,
}

/// A feed as feeds.toml lists it, for `sync_feeds`.
pub struct ListedFeed {
    pub name: String,
    pub url: String,
    pub host: String,
}

impl PgStore {
    /// Connects, checks the database answers, and applies the migrations it lacks.
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        let config: tokio_postgres::Config = url.parse().map_err(|e| StoreError::Open {
            path: "database_url".into(),
            detail: format!("not a PostgreSQL URL: {e}"),
        })?;
        let place = describe(&config);
        let open_err = |detail: String| StoreError::Open { path: place.clone().into(), detail };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("postgres")
            .enable_all()
            .build()
            .map_err(|e| open_err(e.to_string()))?;
        let manager =
            Manager::from_config(config.clone(), NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .create_timeout(Some(Duration::from_secs(10)))
            .wait_timeout(Some(Duration::from_secs(60)))
            .build()
            .map_err(|e| open_err(e.to_string()))?;
        let handle = rt.handle().clone();
        let mut store =
            PgStore { rt: Some(rt), handle, pool, config, place: place.clone(), notify: true, following: false.into() };
        let pool = store.pool.clone();
        let notify = store
            .block(async move {
                let mut client = pool.get().await.map_err(pool_error)?;
                migrate(&mut client).await?;
                let version: String = client.query_one("SELECT version()", &[]).await.map_err(db)?.get(0);
                Ok::<_, EngineError>(!version.contains("CockroachDB"))
            })
            .and_then(|r| r.map_err(StoreError::Io))
            .map_err(|e| open_err(e.to_string()))?;
        store.notify = notify;
        Ok(store)
    }

    /// Runs `fut` on this store's runtime and waits for it, from any thread.
    fn block<T: Send + 'static>(&self, fut: impl Future<Output = T> + Send + 'static) -> Result<T, StoreError> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.handle.spawn(async move {
            let _ = tx.send(fut.await);
        });
        rx.recv().map_err(|_| {
            StoreError::Io(EngineError::new(format!("PostgreSQL store {}: its runtime has stopped", self.place)))
        })
    }

    /// Runs a database job on this store's runtime and awaits it from any runtime.
    async fn run<T: Send + 'static>(
        &self,
        job: impl Future<Output = Result<T, EngineError>> + Send + 'static,
    ) -> Result<T, StoreError> {
        match self.handle.spawn(job).await {
            Ok(r) => r.map_err(StoreError::Io),
            Err(e) => Err(StoreError::Io(EngineError::caused(format!("PostgreSQL job did not finish: {e}"), e))),
        }
    }

    /// One query's rows, read from any thread.
    fn rows(
        &self,
        sql: &'static str,
        params: Vec<Box<dyn tokio_postgres::types::ToSql + Send + Sync>>,
    ) -> Result<Vec<tokio_postgres::Row>, StoreError> {
        let pool = self.pool.clone();
        self.block(async move {
            let client = pool.get().await.map_err(pool_error)?;
            let stmt = client.prepare_cached(sql).await.map_err(db)?;
            let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                params.iter().map(|p| p.as_ref() as &(dyn tokio_postgres::types::ToSql + Sync)).collect();
            client.query(&stmt, &refs).await.map_err(db)
        })?
        .map_err(StoreError::Io)
    }

    /// The feed's state record (JSON), if a refresh wrote one.
    pub(crate) fn feed_state(&self, feed: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let rows = self.rows("SELECT state::text FROM feeds WHERE name = $1", vec![Box::new(feed.to_string())])?;
        Ok(rows.first().and_then(|r| r.get::<_, Option<String>>(0)).map(String::into_bytes))
    }

    pub(crate) fn item(&self, feed: &str, skey: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let rows = self.rows(
            "SELECT record FROM items WHERE feed = $1 AND skey = $2",
            vec![Box::new(feed.to_string()), Box::new(skey.to_string())],
        )?;
        Ok(rows.first().map(|r| r.get(0)))
    }

    /// Calls `each(feed, skey, record)` for every item of `feed` (of every feed), in the key
    /// order of the local engines, a page at a time, until it returns `false`.
    pub(crate) fn each_item(
        &self,
        feed: Option<&str>,
        each: &mut dyn FnMut(&str, &str, &[u8]) -> bool,
    ) -> Result<(), StoreError> {
        const PAGE: i64 = 500;
        let mut after: (String, String) = (feed.unwrap_or("").to_string(), String::new());
        loop {
            let rows = match feed {
                Some(f) => self.rows(
                    "SELECT feed, skey, record FROM items WHERE feed = $1 AND skey > $2 ORDER BY skey LIMIT $3",
                    vec![Box::new(f.to_string()), Box::new(after.1.clone()), Box::new(PAGE)],
                )?,
                None => self.rows(
                    "SELECT feed, skey, record FROM items WHERE (feed, skey) > ($1, $2) ORDER BY feed, skey LIMIT $3",
                    vec![Box::new(after.0.clone()), Box::new(after.1.clone()), Box::new(PAGE)],
                )?,
            };
            for r in &rows {
                let (f, skey, record): (&str, &str, &[u8]) = (r.get(0), r.get(1), r.get(2));
                if !each(f, skey, record) {
                    return Ok(());
                }
            }
            match rows.last() {
                Some(last) if rows.len() as i64 == PAGE => after = (last.get(0), last.get(1)),
                _ => return Ok(()),
            }
        }
    }

    /// Calls `each(feed, skey, record)` for every item, newest first (`Item::sort_date`, then
    /// id), a page at a time, until it returns `false`: the merged feed reads only as far as
    /// it shows.
    pub(crate) fn each_newest(&self, each: &mut dyn FnMut(&str, &str, &[u8]) -> bool) -> Result<(), StoreError> {
        const PAGE: i64 = 500;
        let mut offset = 0i64;
        loop {
            let rows = self.rows(
                "SELECT feed, skey, record FROM items ORDER BY sort_date DESC, id LIMIT $1 OFFSET $2",
                vec![Box::new(PAGE), Box::new(offset)],
            )?;
            for r in &rows {
                if !each(r.get(0), r.get(1), r.get(2)) {
                    return Ok(());
                }
            }
            if (rows.len() as i64) < PAGE {
                return Ok(());
            }
            offset += PAGE;
        }
    }

    /// The item of `feed` with this canonical URL key: its storage key and record.
    pub(crate) fn item_by_canonical(
        &self,
        feed: &str,
        canonical: &str,
    ) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let rows = self.rows(
            "SELECT skey, record FROM items WHERE feed = $1 AND canonical = $2 LIMIT 1",
            vec![Box::new(feed.to_string()), Box::new(column(canonical))],
        )?;
        Ok(rows.first().map(|r| (r.get(0), r.get(1))))
    }

    pub(crate) fn has_any(&self, tombstones: bool, feed: &str) -> Result<bool, StoreError> {
        let sql = if tombstones {
            "SELECT EXISTS (SELECT 1 FROM tombstones WHERE feed = $1)"
        } else {
            "SELECT EXISTS (SELECT 1 FROM items WHERE feed = $1)"
        };
        Ok(self.rows(sql, vec![Box::new(feed.to_string())])?.first().is_some_and(|r| r.get(0)))
    }

    pub(crate) fn tombstone(&self, feed: &str, skey: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let rows = self.rows(
            "SELECT record::text FROM tombstones WHERE feed = $1 AND skey = $2",
            vec![Box::new(feed.to_string()), Box::new(skey.to_string())],
        )?;
        Ok(rows.first().map(|r| r.get::<_, String>(0).into_bytes()))
    }

    pub(crate) fn each_tombstone(
        &self,
        feed: &str,
        each: &mut dyn FnMut(&str, &[u8]) -> bool,
    ) -> Result<(), StoreError> {
        let rows = self.rows(
            "SELECT skey, record::text FROM tombstones WHERE feed = $1 ORDER BY skey",
            vec![Box::new(feed.to_string())],
        )?;
        for r in &rows {
            if !each(r.get(0), r.get::<_, &str>(1).as_bytes()) {
                break;
            }
        }
        Ok(())
    }

    /// The items stored for `feeds`, as their states count them.
    pub fn item_count(&self, feeds: Vec<String>) -> Result<u64, StoreError> {
        let rows = self
            .rows("SELECT coalesce(sum(item_count), 0)::int8 FROM feeds WHERE name = ANY($1)", vec![Box::new(feeds)])?;
        Ok(rows.first().map_or(0, |r| r.get::<_, i64>(0)).max(0) as u64)
    }

    /// Feeds with a state, items or tombstones.
    pub(crate) fn feed_names(&self) -> Result<Vec<String>, StoreError> {
        let rows = self.rows(
            "SELECT name FROM feeds WHERE state IS NOT NULL UNION SELECT DISTINCT feed FROM items \
             UNION SELECT DISTINCT feed FROM tombstones",
            vec![],
        )?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    pub(crate) fn size_on_disk(&self) -> Result<u64, StoreError> {
        let rows = self.rows(
            "SELECT pg_total_relation_size('feeds') + pg_total_relation_size('hosts') \
             + pg_total_relation_size('items') + pg_total_relation_size('tombstones')",
            vec![],
        )?;
        Ok(rows.first().map_or(0, |r| r.get::<_, i64>(0)).max(0) as u64)
    }

    /// Every commit is durable when acknowledged (PostgreSQL's own group commit makes that
    /// cheap): nothing waits for a sync.
    pub(crate) async fn sync(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Applies `changes` in one transaction; returns the new generation of each feed in
    /// `item_feeds`. A fenced batch whose lease is gone writes nothing (`Fenced`).
    pub(crate) async fn commit(
        &self,
        changes: Changes,
        item_feeds: Vec<String>,
    ) -> Result<Vec<(String, u64, Option<DateTime<Utc>>)>, StoreError> {
        let (pool, notify) = (self.pool.clone(), self.notify);
        let job = async move {
            let mut client = pool.get().await.map_err(|e| Failed::Db(pool_error(e)))?;
            let tx = client.transaction().await.map_err(|e| Failed::Db(db(e)))?;
            if let Some(f) = &changes.fence {
                // the fence, first: locks the feed's row (a stale worker stops here, before it
                // touches an item) and releases the lease with this transaction's commit
                let held = tx
                    .query_opt(
                        "UPDATE feeds SET lease_owner = NULL, lease_until = NULL \
                         WHERE name = $1 AND lease_owner = $2 AND claim_seq = $3 RETURNING 1",
                        &[&f.feed, &f.owner, &f.seq],
                    )
                    .await
                    .map_err(|e| Failed::Db(db(e)))?;
                if held.is_none() {
                    return Err(Failed::Fenced(f.feed.clone(), f.seq));
                }
            }
            apply(&tx, changes.changes, changes.poll_in).await.map_err(|e| Failed::Db(db(e)))?;
            let mut out = Vec::with_capacity(item_feeds.len());
            for feed in item_feeds {
                let row = tx
                    .query_one(
                        "INSERT INTO feeds (name, url, host, generation, items_changed_at) \
                         VALUES ($1, '', '', 1, date_trunc('second', clock_timestamp())) \
                         ON CONFLICT (name) DO UPDATE SET generation = feeds.generation + 1, \
                         items_changed_at = date_trunc('second', clock_timestamp()) \
                         RETURNING generation, items_changed_at",
                        &[&feed],
                    )
                    .await
                    .map_err(|e| Failed::Db(db(e)))?;
                if notify {
                    tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &feed]).await.map_err(|e| Failed::Db(db(e)))?;
                }
                out.push((feed, row.get::<_, i64>(0).max(0) as u64, row.get(1)));
            }
            tx.commit().await.map_err(|e| Failed::Db(db(e)))?;
            Ok(out)
        };
        match self.handle.spawn(job).await {
            Ok(Ok(out)) => Ok(out),
            Ok(Err(Failed::Fenced(feed, seq))) => Err(StoreError::Fenced { feed, seq }),
            Ok(Err(Failed::Db(e))) => Err(StoreError::Io(e)),
            Err(e) => Err(StoreError::Io(EngineError::caused(format!("PostgreSQL commit did not finish: {e}"), e))),
        }
    }

    /// Makes the database's feed list feeds.toml's: every listed feed is upserted (a new one
    /// due within `spread` from now, a changed URL due at once and no longer gone), every
    /// other feed is no longer polled by anyone (its items stay). Idempotent; every node does
    /// it at start and on reload.
    pub async fn sync_feeds(&self, feeds: Vec<ListedFeed>, spread: Duration) -> Result<(), StoreError> {
        let pool = self.pool.clone();
        let job = async move {
            let mut feeds = feeds;
            feeds.sort_by(|a, b| a.name.cmp(&b.name)); // every node locks rows in one order
            let names: Vec<String> = feeds.iter().map(|f| column(&f.name)).collect();
            let urls: Vec<String> = feeds.iter().map(|f| column(&f.url)).collect();
            let hosts: Vec<String> = feeds.iter().map(|f| column(&f.host)).collect();
            let mut client = pool.get().await.map_err(pool_error)?;
            let tx = client.transaction().await.map_err(db)?;
            tx.execute(
                "INSERT INTO hosts (host) SELECT DISTINCT h FROM unnest($1::text[]) AS t(h) ORDER BY h ON CONFLICT DO NOTHING",
                &[&hosts],
            )
            .await
            .map_err(db)?;
            tx.execute(
                "INSERT INTO feeds (name, url, host, configured, next_poll) \
                 SELECT n, u, h, true, now() + random() * $4 * interval '1 second' \
                 FROM unnest($1::text[], $2::text[], $3::text[]) AS t(n, u, h) ORDER BY n \
                 ON CONFLICT (name) DO UPDATE SET configured = true, url = excluded.url, host = excluded.host, \
                 gone = CASE WHEN feeds.url = excluded.url THEN feeds.gone ELSE false END, \
                 failures = CASE WHEN feeds.url = excluded.url THEN feeds.failures ELSE 0 END, \
                 next_poll = CASE WHEN feeds.url = excluded.url THEN feeds.next_poll ELSE now() END",
                &[&names, &urls, &hosts, &spread.as_secs_f64()],
            )
            .await
            .map_err(db)?;
            tx.execute("UPDATE feeds SET configured = false WHERE configured AND NOT (name = ANY($1))", &[&names])
                .await
                .map_err(db)?;
            tx.commit().await.map_err(db)
        };
        self.run(job).await
    }

    /// Leases up to `limit` due feeds to `owner` for `lease`: at most `per_host` leases live on
    /// any host, counted over every worker. Feeds due longest come first.
    pub async fn claim(
        &self,
        owner: &str,
        limit: usize,
        per_host: usize,
        lease: Duration,
    ) -> Result<Vec<Claim>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let (pool, owner) = (self.pool.clone(), owner.to_string());
        let (limit, per_host) = (limit as i64, per_host as i64);
        let job = async move {
            let mut client = pool.get().await.map_err(pool_error)?;
            let tx = client.transaction().await.map_err(db)?;
            // the hosts of the feeds due longest, locked: another worker claiming now takes
            // other hosts and never counts a host's leases while this one adds to them
            let hosts: Vec<String> = tx
                .query(
                    "SELECT host FROM hosts WHERE host IN (SELECT host FROM feeds \
                       WHERE configured AND NOT gone AND next_poll <= now() \
                       AND (lease_until IS NULL OR lease_until <= now()) ORDER BY next_poll LIMIT $1) \
                     ORDER BY host FOR UPDATE SKIP LOCKED",
                    &[&(limit * 4)],
                )
                .await
                .map_err(db)?
                .iter()
                .map(|r| r.get(0))
                .collect();
            let mut claims = Vec::new();
            for host in hosts {
                let room = limit - claims.len() as i64;
                if room <= 0 {
                    break;
                }
                let busy: i64 = tx
                    .query_one("SELECT count(*) FROM feeds WHERE host = $1 AND lease_until > now()", &[&host])
                    .await
                    .map_err(db)?
                    .get(0);
                let take = room.min(per_host - busy);
                if take <= 0 {
                    continue;
                }
                let rows = tx
                    .query(
                        "UPDATE feeds SET lease_owner = $2, lease_until = now() + $3 * interval '1 second', \
                           claim_seq = claim_seq + 1 \
                         WHERE name IN (SELECT name FROM feeds WHERE host = $1 AND configured AND NOT gone \
                           AND next_poll <= now() AND (lease_until IS NULL OR lease_until <= now()) \
                           ORDER BY next_poll LIMIT $4 FOR UPDATE SKIP LOCKED) \
                         RETURNING name, claim_seq",
                        &[&host, &owner, &lease.as_secs_f64(), &take],
                    )
                    .await
                    .map_err(db)?;
                claims.extend(rows.iter().map(|r| Claim { feed: r.get(0), seq: r.get(1) }));
            }
            tx.commit().await.map_err(db)?;
            Ok(claims)
        };
        self.run(job).await
    }

    /// Extends the leases `owner` still holds on `claims` by `lease` from now; returns how
    /// many it still held (a lease another worker took over is not renewed: that refresh's
    /// commit will be refused).
    pub async fn renew(&self, owner: &str, claims: &[Claim], lease: Duration) -> Result<u64, StoreError> {
        if claims.is_empty() {
            return Ok(0);
        }
        let (pool, owner) = (self.pool.clone(), owner.to_string());
        let names: Vec<String> = claims.iter().map(|c| c.feed.clone()).collect();
        let seqs: Vec<i64> = claims.iter().map(|c| c.seq).collect();
        let job = async move {
            let client = pool.get().await.map_err(pool_error)?;
            client
                .execute(
                    "UPDATE feeds SET lease_until = now() + $2 * interval '1 second' \
                     FROM unnest($3::text[], $4::int8[]) AS c(name, seq) \
                     WHERE feeds.name = c.name AND feeds.claim_seq = c.seq AND feeds.lease_owner = $1",
                    &[&owner, &lease.as_secs_f64(), &names, &seqs],
                )
                .await
                .map_err(db)
        };
        self.run(job).await
    }

    /// Gives a claim back without a refresh (the worker stops, or its task failed): the feed
    /// is due again for anyone at once.
    pub async fn release(&self, owner: &str, claim: &Claim) -> Result<(), StoreError> {
        let (pool, owner, claim) = (self.pool.clone(), owner.to_string(), claim.clone());
        let job = async move {
            let client = pool.get().await.map_err(pool_error)?;
            client
                .execute(
                    "UPDATE feeds SET lease_owner = NULL, lease_until = NULL \
                     WHERE name = $1 AND claim_seq = $2 AND lease_owner = $3",
                    &[&claim.feed, &claim.seq, &owner],
                )
                .await
                .map_err(db)
        };
        self.run(job).await?;
        Ok(())
    }

    /// How long until the next feed without a live lease comes due (by the database's
    /// clock), if any is listed. (A leased feed comes due when its lease runs out: the
    /// caller looks again within a second anyway.)
    pub async fn next_due(&self) -> Result<Option<Duration>, StoreError> {
        let pool = self.pool.clone();
        let job = async move {
            let client = pool.get().await.map_err(pool_error)?;
            let row = client
                .query_one(
                    "SELECT extract(epoch FROM min(next_poll) - now())::float8 FROM feeds \
                     WHERE configured AND NOT gone AND (lease_until IS NULL OR lease_until <= now())",
                    &[],
                )
                .await
                .map_err(db)?;
            Ok(row.get::<_, Option<f64>>(0).map(|s| Duration::from_secs_f64(s.max(0.0))))
        };
        self.run(job).await
    }

    /// Starts following other processes' commits into `generations` (once per store): a
    /// full read now; on every notification, the generations of the feeds it names (gathered
    /// for `GATHER`); and every `poll`, the feeds changed within `WINDOW` of the newest change
    /// seen, which alone suffices when notifications are lost or the server has none.
    pub(crate) fn follow(&self, poll: Duration, generations: Arc<Mutex<HashMap<String, Generation>>>) {
        if self.following.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let (pool, config, notify, place) = (self.pool.clone(), self.config.clone(), self.notify, self.place.clone());
        self.handle.spawn(async move {
            let named = Arc::new(Named::default());
            if notify {
                tokio::spawn(listen(config, named.clone(), place.clone()));
            }
            let mut since: Option<DateTime<Utc>> = None;
            let mut failing = false;
            let mut next_poll = tokio::time::Instant::now();
            loop {
                let names: Vec<String> = {
                    let mut n = named.names.lock().unwrap_or_else(|e| e.into_inner());
                    n.drain().collect()
                };
                let polling = tokio::time::Instant::now() >= next_poll || since.is_none();
                let read = if polling { changed_since(&pool, since).await } else { changed_named(&pool, names).await };
                match read {
                    Ok(rows) => {
                        if failing {
                            tracing::info!(database = %place, "following the database again");
                            failing = false;
                        }
                        since = rows.iter().filter_map(|r| r.2).max().max(since);
                        note_generations(&generations, rows);
                        if polling {
                            next_poll = tokio::time::Instant::now() + poll;
                        }
                    }
                    Err(e) => {
                        if !failing {
                            tracing::warn!(database = %place, error = %e, "cannot read the feeds' changes; retrying");
                            failing = true;
                        }
                        next_poll = tokio::time::Instant::now() + poll;
                    }
                }
                if tokio::time::timeout_at(next_poll, named.wake.notified()).await.is_ok() {
                    tokio::time::sleep(GATHER).await; // a burst of commits, one read
                }
            }
        });
    }
}

/// Feeds named by notifications and not read yet, and the follower's wake-up.
#[derive(Default)]
struct Named {
    names: Mutex<std::collections::HashSet<String>>,
    wake: tokio::sync::Notify,
}

/// How far back the follower's poll reads before the newest change it saw: a commit stamps
/// its time before it commits, and a slow one must not be missed.
const WINDOW: &str = "10 seconds";

/// Notifications that come within this long of each other are read together.
const GATHER: Duration = Duration::from_millis(50);

/// Why a commit job failed.
enum Failed {
    Fenced(String, i64),
    Db(EngineError),
}

/// Records `changed` (feed, generation, when) in `generations`; any feed whose number moved
/// also moves the number of all feeds (key "").
pub(crate) fn note_generations(
    generations: &Mutex<HashMap<String, Generation>>,
    changed: Vec<(String, u64, Option<DateTime<Utc>>)>,
) {
    let mut g = generations.lock().unwrap_or_else(|e| e.into_inner());
    let mut moved = None;
    for (feed, number, at) in changed {
        let at = at.map(std::time::SystemTime::from);
        let e = g.entry(feed).or_default();
        if e.number != number {
            *e = Generation { number, changed: at };
            moved = moved.max(Some(at));
        }
    }
    if let Some(at) = moved {
        let all = g.entry(String::new()).or_default();
        all.number += 1;
        all.changed = all.changed.max(at);
    }
}

/// (feed, generation, items changed at) of the feeds whose items changed since `since` (all
/// that ever changed: `None`), reaching `WINDOW` further back.
async fn changed_since(
    pool: &Pool,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<(String, u64, Option<DateTime<Utc>>)>, EngineError> {
    let client = pool.get().await.map_err(pool_error)?;
    let rows = match since {
        None => client.query("SELECT name, generation, items_changed_at FROM feeds WHERE generation > 0", &[]).await,
        Some(t) => {
            client
                .query(
                    "SELECT name, generation, items_changed_at FROM feeds \
                     WHERE items_changed_at >= $1::timestamptz - $2::text::interval",
                    &[&t, &WINDOW],
                )
                .await
        }
    }
    .map_err(db)?;
    Ok(rows.iter().map(|r| (r.get(0), r.get::<_, i64>(1).max(0) as u64, r.get(2))).collect())
}

/// (feed, generation, items changed at) of the feeds `names` (from notifications).
async fn changed_named(
    pool: &Pool,
    names: Vec<String>,
) -> Result<Vec<(String, u64, Option<DateTime<Utc>>)>, EngineError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let client = pool.get().await.map_err(pool_error)?;
    let rows = client
        .query("SELECT name, generation, items_changed_at FROM feeds WHERE name = ANY($1)", &[&names])
        .await
        .map_err(db)?;
    Ok(rows.iter().map(|r| (r.get(0), r.get::<_, i64>(1).max(0) as u64, r.get(2))).collect())
}

/// LISTENs on the change channel and hands the follower the feed each notification names;
/// reconnects after a lost connection (the follower's poll covers the gap).
async fn listen(config: tokio_postgres::Config, named: Arc<Named>, place: String) {
    loop {
        match config.connect(NoTls).await {
            Ok((client, mut connection)) => {
                let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
                let driver = tokio::spawn(async move {
                    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                    use futures_util::StreamExt;
                    while let Some(m) = messages.next().await {
                        match m {
                            Ok(tokio_postgres::AsyncMessage::Notification(n)) => {
                                let _ = tx.send(n.payload().to_string());
                            }
                            Ok(_) => {}
                            Err(_) => break,
                        }
                    }
                });
                if client.batch_execute(&format!("LISTEN {CHANNEL}")).await.is_ok() {
                    while let Some(feed) = rx.recv().await {
                        named.names.lock().unwrap_or_else(|e| e.into_inner()).insert(feed);
                        named.wake.notify_one();
                    }
                }
                driver.abort();
            }
            Err(e) => tracing::debug!(database = %place, error = %db(e), "cannot listen for changes; retrying"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Applies the typed changes of one batch inside `tx`.
/// `poll_in`: the feed's next poll, from the database's clock (else the state's own).
async fn apply(
    tx: &deadpool_postgres::Transaction<'_>,
    changes: Vec<Change>,
    poll_in: Option<Duration>,
) -> Result<(), tokio_postgres::Error> {
    for c in changes {
        match c {
            Change::Item(r) => {
                let stmt = tx
                    .prepare_cached(
                        "INSERT INTO items (feed, skey, id, canonical, title, link, published, first_seen, sort_date, record) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                         ON CONFLICT (feed, skey) DO UPDATE SET id = excluded.id, canonical = excluded.canonical, \
                         title = excluded.title, link = excluded.link, published = excluded.published, \
                         first_seen = excluded.first_seen, sort_date = excluded.sort_date, record = excluded.record",
                    )
                    .await?;
                let (id, canonical, title) = (column(&r.id), r.canonical.as_deref().map(column), column(&r.title));
                let link = r.link.as_deref().map(column);
                tx.execute(
                    &stmt,
                    &[
                        &r.feed,
                        &r.skey,
                        &id,
                        &canonical,
                        &title,
                        &link,
                        &r.published,
                        &r.first_seen,
                        &r.sort_date,
                        &r.record,
                    ],
                )
                .await?;
            }
            Change::RemoveItem { feed, skey, .. } => {
                let stmt = tx.prepare_cached("DELETE FROM items WHERE feed = $1 AND skey = $2").await?;
                tx.execute(&stmt, &[&feed, &skey]).await?;
            }
            Change::Tombstone { feed, skey, id, json } => {
                let stmt = tx
                    .prepare_cached(
                        "INSERT INTO tombstones (feed, skey, id, record) VALUES ($1, $2, $3, $4::text::json) \
                         ON CONFLICT (feed, skey) DO UPDATE SET id = excluded.id, record = excluded.record",
                    )
                    .await?;
                tx.execute(&stmt, &[&feed, &skey, &column(&id), &String::from_utf8_lossy(&json).as_ref()]).await?;
            }
            Change::RemoveTombstone { feed, skey } => {
                let stmt = tx.prepare_cached("DELETE FROM tombstones WHERE feed = $1 AND skey = $2").await?;
                tx.execute(&stmt, &[&feed, &skey]).await?;
            }
            Change::State(s) => {
                let stmt = tx
                    .prepare_cached(
                        "INSERT INTO feeds (name, url, host, state, next_poll, failures, gone, last_success, last_error, item_count) \
                         VALUES ($1, $2, $3, $4::text::json, coalesce(now() + $11 * interval '1 second', $5, now()), \
                           $6, $7, $8, $9, $10) \
                         ON CONFLICT (name) DO UPDATE SET state = excluded.state, \
                         next_poll = coalesce(now() + $11 * interval '1 second', $5, feeds.next_poll), \
                         failures = excluded.failures, gone = excluded.gone, \
                         last_success = excluded.last_success, last_error = excluded.last_error, \
                         item_count = excluded.item_count",
                    )
                    .await?;
                let failures = i32::try_from(s.failures).unwrap_or(i32::MAX);
                let count = i64::try_from(s.item_count).unwrap_or(i64::MAX);
                let error = s.last_error.as_deref().map(column);
                tx.execute(
                    &stmt,
                    &[
                        &s.feed,
                        &column(&s.url),
                        // a row a refresh creates is not listed (configured) yet: `sync_feeds`
                        // gives it its host when feeds.toml lists it; none is parsed per poll
                        &"",
                        &String::from_utf8_lossy(&s.json).as_ref(),
                        &s.next_poll,
                        &failures,
                        &s.gone,
                        &s.last_success,
                        &error,
                        &count,
                        &poll_in.map(|d| d.as_secs_f64()),
                    ],
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// Applies the migrations the database lacks, each once even when several nodes start
/// together: the first to insert its version applies it, the others wait on that row and
/// then skip it.
async fn migrate(client: &mut deadpool_postgres::Client) -> Result<(), EngineError> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations \
             (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
        )
        .await
        .or_else(|e| {
            // two nodes creating it at once: the loser sees a duplicate; the table is there
            if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
                Ok(())
            } else {
                Err(db(e))
            }
        })?;
    for (version, sql) in MIGRATIONS {
        let tx = client.transaction().await.map_err(db)?;
        let mine = tx
            .query_opt(
                "INSERT INTO schema_migrations (version) VALUES ($1) ON CONFLICT DO NOTHING RETURNING version",
                &[version],
            )
            .await
            .map_err(db)?
            .is_some();
        if mine {
            tx.batch_execute(sql)
                .await
                .map_err(|e| EngineError::caused(format!("migration {version}: {}", db_ref(&e)), e))?;
            tx.commit().await.map_err(db)?;
            tracing::info!(version, "applied a database migration");
        }
    }
    Ok(())
}

/// A text column's value: PostgreSQL text cannot hold NUL (the record keeps the original).
fn column(s: &str) -> String {
    if s.contains('\0') {
        s.replace('\0', "")
    } else {
        s.to_string()
    }
}

/// A database error with what the server said, not just "db error".
fn db(e: tokio_postgres::Error) -> EngineError {
    EngineError::caused(db_ref(&e), e)
}

fn pool_error(e: deadpool_postgres::PoolError) -> EngineError {
    let what = match &e {
        deadpool_postgres::PoolError::Backend(b) => db_ref(b),
        other => format!("PostgreSQL: no connection: {other}"),
    };
    EngineError::caused(what, e)
}

fn db_ref(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => format!("PostgreSQL: {} ({})", d.message(), d.code().code()),
        None => match std::error::Error::source(e) {
            Some(s) => format!("PostgreSQL: {e}: {s}"),
            None => format!("PostgreSQL: {e}"),
        },
    }
}

/// "postgres://user@host:port/db" without the password, for messages.
fn describe(c: &tokio_postgres::Config) -> String {
    let host = c
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(s) => s.clone(),
            tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = c.get_ports().first().copied().unwrap_or(5432);
    format!("postgres://{}@{host}:{port}/{}", c.get_user().unwrap_or(""), c.get_dbname().unwrap_or(""))
}
