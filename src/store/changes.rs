//! The writes of one refresh (`Changes`), as typed changes that either backend applies: the
//! key-value engines turn them into key/value puts and removes (`kv_ops`), PostgreSQL into
//! rows (`postgres`). A refresh computes its batch purely from the snapshot it read; the
//! backend commits it atomically, and, for a worker of a shared database, only while its lease
//! on the feed still holds (`Fence`).

use chrono::{DateTime, Utc};

use super::engine::Op;
use super::records::{self, FeedRecord, Tombstone};
use crate::dedup::storage_key;
use crate::model::{FeedState, Item};

/// One typed write.
pub(crate) enum Change {
    Item(ItemRow),
    RemoveItem { feed: String, skey: String, canonical: Option<String> },
    Tombstone { feed: String, skey: String, id: String, json: Vec<u8> },
    RemoveTombstone { feed: String, skey: String },
    State(StateRow),
}

/// An item as stored: its encoded record and the columns a relational store selects by.
pub(crate) struct ItemRow {
    pub feed: String,
    pub skey: String,
    pub id: String,
    pub canonical: Option<String>,
    pub title: String,
    pub link: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub first_seen: DateTime<Utc>,
    pub sort_date: DateTime<Utc>,
    pub record: Vec<u8>,
}

/// A feed's state as stored: its JSON record and the columns the schedule reads.
pub(crate) struct StateRow {
    pub feed: String,
    pub url: String,
    pub json: Vec<u8>,
    pub next_poll: Option<DateTime<Utc>>,
    pub failures: u32,
    pub gone: bool,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub item_count: u64,
}

/// A worker's lease on a feed (a shared database): the commit holds only if the feed is
/// still leased to `owner` under claim `seq`, and it releases the lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fence {
    pub feed: String,
    pub owner: String,
    pub seq: i64,
}

/// The writes of one refresh, applied together by `Store::commit`.
pub struct Changes {
    pub(crate) changes: Vec<Change>,
    /// Feeds whose items this batch writes (for `Store::generation`).
    pub(crate) item_feeds: Vec<String>,
    /// Only feeds' states: the commit need not wait for the disk.
    pub(crate) only_state: bool,
    pub(crate) fence: Option<Fence>,
    /// The next poll, as a delay from the commit: a shared database stamps it with its own
    /// clock (the state's `next_poll` is the worker's).
    pub(crate) poll_in: Option<std::time::Duration>,
}

impl Changes {
    pub(crate) fn new() -> Changes {
        Changes { changes: Vec::new(), item_feeds: Vec::new(), only_state: true, fence: None, poll_in: None }
    }

    /// The feed's next poll is `delay` after this commit (see `poll_in`).
    pub fn poll_in(&mut self, delay: Option<std::time::Duration>) {
        if delay.is_some() {
            self.poll_in = delay;
        }
    }

    pub fn put_item(&mut self, item: &Item) {
        self.changes.push(Change::Item(ItemRow {
            feed: item.feed.clone(),
            skey: storage_key(&item.id),
            id: item.id.clone(),
            canonical: item.canonical.clone(),
            title: item.title.clone(),
            link: item.link.clone(),
            published: item.published,
            first_seen: item.first_seen,
            sort_date: item.sort_date(),
            record: records::encode_item(item),
        }));
        self.touch(&item.feed);
    }

    /// Removes an item and its canonical-URL entry.
    pub fn remove_item(&mut self, item: &Item) {
        self.changes.push(Change::RemoveItem {
            feed: item.feed.clone(),
            skey: storage_key(&item.id),
            canonical: item.canonical.clone(),
        });
        self.touch(&item.feed);
    }

    pub fn put_tombstone(&mut self, feed: &str, t: &Tombstone) {
        let json = serde_json::to_vec(t).expect("records serialize to JSON");
        self.changes.push(Change::Tombstone { feed: feed.into(), skey: storage_key(&t.id), id: t.id.clone(), json });
        self.only_state = false;
    }

    pub fn remove_tombstone(&mut self, feed: &str, id: &str) {
        self.changes.push(Change::RemoveTombstone { feed: feed.into(), skey: storage_key(id) });
        self.only_state = false;
    }

    pub fn put_state(&mut self, feed: &str, state: &FeedState) {
        let json = serde_json::to_vec(&FeedRecord::from(state)).expect("records serialize to JSON");
        self.changes.push(Change::State(StateRow {
            feed: feed.into(),
            url: state.url.clone(),
            json,
            next_poll: state.next_poll,
            failures: state.failures,
            gone: state.gone,
            last_success: state.last_success,
            last_error: state.last_error.clone(),
            item_count: state.item_count,
        }));
    }

    /// Commits only while `fence` holds (a worker's lease on a shared database; the local
    /// stores have one process and no leases, and ignore it).
    pub fn fence(&mut self, fence: Option<&Fence>) {
        self.fence = fence.cloned();
    }

    /// Nothing to write.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    fn touch(&mut self, feed: &str) {
        self.only_state = false;
        if !self.item_feeds.iter().any(|f| f == feed) {
            self.item_feeds.push(feed.to_string());
        }
    }
}

/// The key-value writes of `changes` (the layout is in `store`'s module doc).
pub(crate) fn kv_ops(changes: Vec<Change>) -> Vec<Op> {
    let mut ops = Vec::with_capacity(changes.len() + 4);
    for c in changes {
        match c {
            Change::Item(row) => {
                if let Some(canonical) = &row.canonical {
                    ops.push(Op::Put(canonical_index_key(&row.feed, canonical), row.id.into_bytes()));
                }
                ops.push(Op::Put(key('i', &row.feed, &row.skey), row.record));
            }
            Change::RemoveItem { feed, skey, canonical } => {
                ops.push(Op::Remove(key('i', &feed, &skey)));
                if let Some(c) = canonical {
                    ops.push(Op::Remove(canonical_index_key(&feed, &c)));
                }
            }
            Change::Tombstone { feed, skey, json, .. } => ops.push(Op::Put(key('t', &feed, &skey), json)),
            Change::RemoveTombstone { feed, skey } => ops.push(Op::Remove(key('t', &feed, &skey))),
            Change::State(row) => ops.push(Op::Put(feed_key(&row.feed), row.json)),
        }
    }
    ops
}

pub(crate) fn feed_key(feed: &str) -> Vec<u8> {
    format!("f/{feed}").into_bytes()
}

/// `{prefix}/{feed}/{skey}`: an item (`i`) or a tombstone (`t`).
pub(crate) fn key(prefix: char, feed: &str, skey: &str) -> Vec<u8> {
    format!("{prefix}/{feed}/{skey}").into_bytes()
}

pub(crate) fn canonical_index_key(feed: &str, canonical: &str) -> Vec<u8> {
    key('c', feed, &storage_key(canonical))
}
