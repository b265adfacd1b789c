//! The store: the ONLY module that touches sled.
//!
//! Layout, one sled tree, keys by prefix:
//! - `f/{feed}` → `records::FeedRecord` (validators, last success/error, item count)
//! - `i/{feed}/{storage key}` → `records::ItemRecord`
//! - `c/{feed}/{storage key of the canonical URL key}` → the identity of the item with that
//!   canonical URL (finds an item again when its guid changes)
//! - `t/{feed}/{storage key}` → `records::Tombstone` of a pruned item
//!
//! Writes go through `Changes`: one feed's refresh is one `sled::Batch`, applied atomically.
//! `Store::commit` hands the batch to a single writer thread that applies every batch waiting
//! in its queue, flushes ONCE (group commit) and only then acknowledges each of them, so a
//! refresh is reported stored only after its bytes are on disk, while a run of 1,000 feeds
//! costs a few flushes instead of 1,000. Reads go straight to sled from any thread.

pub mod records;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::dedup::storage_key;
use crate::model::{FeedState, Item};
pub use records::Tombstone;
use records::{FeedRecord, FEED_VERSION};

const CACHE_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open store {path}: {detail}")]
    Open { path: PathBuf, detail: String },
    #[error("store {path} is in use by another feedscrub process")]
    Locked { path: PathBuf },
    #[error("store I/O error: {0}")]
    Io(String),
    #[error("store record {key} is unreadable: {detail}")]
    Corrupt { key: String, detail: String },
    #[error("store record {key} has format version {version}; this feedscrub is too old to read it")]
    NewerFormat { key: String, version: u32 },
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError::Io(e.to_string())
    }
}

/// One write job for the writer thread: a batch and where to send the verdict.
struct WriteJob {
    batch: sled::Batch,
    done: tokio::sync::oneshot::Sender<Result<(), String>>,
}

/// Handle to the store. Cheap to clone; all clones share one database and one writer thread.
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    writer: Arc<Writer>,
    /// Per feed, a counter bumped by every commit that wrote items of that feed (in memory;
    /// starts at 0). Readers that cache renderings compare it to know when to re-render.
    generations: Arc<Mutex<HashMap<String, u64>>>,
}

/// The writer thread and the way to it. Dropped with the last `Store` clone: the channel
/// closes, the thread drains what is queued, and the drop waits for it, so the database is
/// closed (lock released, everything flushed) when the last handle is gone.
struct Writer {
    /// To the writer thread. Senders: every `commit`. Receiver: `writer_loop`, which ends when
    /// this sender is dropped.
    tx: Mutex<Option<mpsc::Sender<WriteJob>>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.tx.lock().map(|mut t| t.take()).ok();
        if let Some(t) = self.thread.lock().ok().and_then(|mut t| t.take()) {
            let _ = t.join();
        }
    }
}

impl Store {
    /// Opens (or creates) the store folder.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| StoreError::Open { path: path.to_path_buf(), detail: e.to_string() })?;
        }
        remove_interrupted_snapshots(path);
        let open = || {
            sled::Config::new()
                .path(path)
                .cache_capacity(CACHE_BYTES)
                .mode(sled::Mode::HighThroughput)
                .flush_every_ms(None)
                .open()
        };
        let db = match open() {
            // A store sled calls corrupt is kept for inspection, never deleted, and a new one
            // is started: the next refresh fills it again (loudly, not a silent empty store).
            Err(e @ (sled::Error::Corruption { .. } | sled::Error::Unsupported(_) | sled::Error::ReportableBug(_))) => {
                let aside = moved_aside_name(path);
                std::fs::rename(path, &aside).map_err(|re| StoreError::Open {
                    path: path.to_path_buf(),
                    detail: format!("{e}; and it cannot be moved aside: {re}"),
                })?;
                tracing::error!(
                    store = %path.display(),
                    moved_to = %aside.display(),
                    error = %e,
                    "the store cannot be opened: moved aside; starting an empty store that the next refresh fills"
                );
                open()
            }
            other => other,
        }
        .map_err(|e| match &e {
            sled::Error::Io(io) if io.kind() == std::io::ErrorKind::WouldBlock || io.to_string().contains("lock") => {
                StoreError::Locked { path: path.to_path_buf() }
            }
            _ => StoreError::Open { path: path.to_path_buf(), detail: e.to_string() },
        })?;
        let (tx, rx) = mpsc::channel::<WriteJob>();
        let wdb = db.clone();
        let thread = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn({
                // sled's flush writes with sync_file_range, which neither syncs the file's
                // metadata nor the device cache: an fdatasync on its log file after each flush
                // makes "stored" mean durable.
                let log = std::fs::File::open(path.join("db")).ok();
                move || writer_loop(wdb, log, rx)
            })
            .map_err(|e| StoreError::Open { path: path.to_path_buf(), detail: e.to_string() })?;
        let writer = Writer { tx: Mutex::new(Some(tx)), thread: Mutex::new(Some(thread)) };
        Ok(Store { db, writer: Arc::new(writer), generations: Arc::default() })
    }

    pub fn feed_state(&self, feed: &str) -> Result<Option<FeedState>, StoreError> {
        let key = feed_key(feed);
        self.db.get(&key)?.map(|v| decode::<FeedRecord>(&key, &v).map(FeedState::from)).transpose()
    }

    pub fn item(&self, feed: &str, id: &str) -> Result<Option<Item>, StoreError> {
        let key = item_key(feed, id);
        self.db.get(&key)?.map(|v| decode_item_at(&key, &v)).transpose()
    }

    /// Every stored item of one feed, in key order.
    pub fn items(&self, feed: &str) -> Result<Vec<Item>, StoreError> {
        self.scan(format!("i/{feed}/").as_bytes())
    }

    /// Every stored item of every feed.
    pub fn all_items(&self) -> Result<Vec<Item>, StoreError> {
        self.scan(b"i/")
    }

    /// Every stored item of one feed without its HTML (empty): for retention and statistics.
    pub fn item_metas(&self, feed: &str) -> Result<Vec<Item>, StoreError> {
        self.scan_metas(format!("i/{feed}/").as_bytes())
    }

    /// Every stored item of every feed without its HTML.
    pub fn all_item_metas(&self) -> Result<Vec<Item>, StoreError> {
        self.scan_metas(b"i/")
    }

    fn scan_metas(&self, prefix: &[u8]) -> Result<Vec<Item>, StoreError> {
        self.db
            .scan_prefix(prefix)
            .map(|kv| {
                let (k, v) = kv?;
                records::decode_item_meta(&v).map_err(|e| decode_error(&k, e))
            })
            .collect()
    }

    fn scan(&self, prefix: &[u8]) -> Result<Vec<Item>, StoreError> {
        self.db
            .scan_prefix(prefix)
            .map(|kv| {
                let (k, v) = kv?;
                decode_item_at(&k, &v)
            })
            .collect()
    }

    /// The stored item of `feed` whose canonical URL key is `canonical`, if any.
    pub fn item_by_canonical(&self, feed: &str, canonical: &str) -> Result<Option<Item>, StoreError> {
        let Some(id) = self.db.get(canonical_index_key(feed, canonical))? else { return Ok(None) };
        self.item(feed, &String::from_utf8_lossy(&id))
    }

    /// Does `feed` have any stored item (`i/`) or tombstone (`t/`)? (`prefix` is `'i'` or `'t'`.)
    pub fn has_any(&self, prefix: char, feed: &str) -> Result<bool, StoreError> {
        Ok(self.db.scan_prefix(format!("{prefix}/{feed}/").as_bytes()).next().transpose()?.is_some())
    }

    /// The tombstone of a pruned item of `feed`, if any.
    pub fn tombstone(&self, feed: &str, id: &str) -> Result<Option<Tombstone>, StoreError> {
        let key = tombstone_key(feed, id);
        self.db.get(&key)?.map(|v| decode::<Tombstone>(&key, &v)).transpose()
    }

    /// Every tombstone of `feed`.
    pub fn tombstones(&self, feed: &str) -> Result<Vec<Tombstone>, StoreError> {
        self.db
            .scan_prefix(format!("t/{feed}/").as_bytes())
            .map(|kv| {
                let (k, v) = kv?;
                decode::<Tombstone>(&k, &v)
            })
            .collect()
    }

    /// Bytes the store's files take on disk.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        Ok(self.db.size_on_disk()?)
    }

    /// Starts the changes of one feed's refresh.
    pub fn changes(&self) -> Changes {
        Changes { batch: sled::Batch::default(), item_feeds: Vec::new() }
    }

    /// The generation of one feed's items, or of all items (`None`): it changes whenever a
    /// commit writes items of that feed (of any feed).
    pub fn generation(&self, feed: Option<&str>) -> u64 {
        let g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        match feed {
            Some(f) => g.get(f).copied().unwrap_or(0),
            None => g.get("").copied().unwrap_or(0),
        }
    }

    /// Applies `changes` atomically and returns once they are flushed to disk.
    pub async fn commit(&self, mut changes: Changes) -> Result<(), StoreError> {
        let item_feeds = std::mem::take(&mut changes.item_feeds);
        let (done, verdict) = tokio::sync::oneshot::channel();
        let stopped = || StoreError::Io("store writer has stopped".into());
        let tx = self.writer.tx.lock().map_err(|_| stopped())?.clone().ok_or_else(stopped)?;
        tx.send(WriteJob { batch: changes.batch, done }).map_err(|_| stopped())?;
        verdict.await.map_err(|_| stopped())?.map_err(StoreError::Io)?;
        if !item_feeds.is_empty() {
            let mut g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
            for f in item_feeds.into_iter().chain([String::new()]) {
                *g.entry(f).or_default() += 1;
            }
        }
        Ok(())
    }
}

/// The writer thread: group commit. Applies each waiting batch atomically, flushes once, then
/// acknowledges every batch of the group.
fn writer_loop(db: sled::Db, log: Option<std::fs::File>, rx: mpsc::Receiver<WriteJob>) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        while group.len() < 1024 {
            match rx.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let mut verdicts = Vec::with_capacity(group.len());
        let mut senders = Vec::with_capacity(group.len());
        for job in group {
            verdicts.push(db.apply_batch(job.batch).map_err(|e| e.to_string()));
            senders.push(job.done);
        }
        let flushed = db.flush().map(|_| ()).map_err(|e| format!("flush failed: {e}")).and_then(|()| match &log {
            Some(f) => f.sync_data().map_err(|e| format!("fdatasync failed: {e}")),
            None => Ok(()),
        });
        for (done, applied) in senders.into_iter().zip(verdicts) {
            let _ = done.send(applied.and(flushed.clone()));
        }
    }
}

/// The writes of one refresh, applied together by `Store::commit`.
pub struct Changes {
    batch: sled::Batch,
    /// Feeds whose items this batch writes (for `Store::generation`).
    item_feeds: Vec<String>,
}

impl Changes {
    pub fn put_item(&mut self, item: &Item) {
        self.batch.insert(item_key(&item.feed, &item.id), records::encode_item(item));
        if let Some(c) = &item.canonical {
            self.batch.insert(canonical_index_key(&item.feed, c), item.id.as_bytes());
        }
        self.touch(&item.feed);
    }

    /// Removes an item and its canonical-URL entry.
    pub fn remove_item(&mut self, item: &Item) {
        self.batch.remove(item_key(&item.feed, &item.id));
        if let Some(c) = &item.canonical {
            self.batch.remove(canonical_index_key(&item.feed, c));
        }
        self.touch(&item.feed);
    }

    pub fn put_tombstone(&mut self, feed: &str, t: &Tombstone) {
        self.put(tombstone_key(feed, &t.id), t);
    }

    pub fn remove_tombstone(&mut self, feed: &str, id: &str) {
        self.batch.remove(tombstone_key(feed, id));
    }

    fn touch(&mut self, feed: &str) {
        if !self.item_feeds.iter().any(|f| f == feed) {
            self.item_feeds.push(feed.to_string());
        }
    }

    pub fn put_state(&mut self, feed: &str, state: &FeedState) {
        self.put(feed_key(feed), &FeedRecord::from(state));
    }

    fn put<T: Serialize>(&mut self, key: Vec<u8>, value: &T) {
        let bytes = serde_json::to_vec(value).expect("records serialize to JSON");
        self.batch.insert(key, bytes);
    }
}

/// sled writes a snapshot as `snap.N.generating` and renames it when complete. A process
/// killed in between leaves the temporary behind, and sled 0.34 then refuses to open the store
/// ("empty/corrupt snapshot file found", `Corruption`; sled issues #1527 and #1533, open). The
/// unfinished temporary was never a snapshot: removing it lets sled open the store from the
/// previous snapshot and its log, with everything acknowledged (found by
/// `scripts/crash-loop.sh`; a store that failed this way opened with all 4,285 items after).
fn remove_interrupted_snapshots(path: &Path) {
    let Ok(entries) = std::fs::read_dir(path) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            match std::fs::remove_file(e.path()) {
                Ok(()) => tracing::warn!(file = %e.path().display(), "removed an interrupted sled snapshot"),
                Err(err) => {
                    tracing::warn!(file = %e.path().display(), error = %err, "cannot remove an interrupted sled snapshot")
                }
            }
        }
    }
}

/// `{path}.corrupt-{unix seconds}` (with a counter when that exists too).
fn moved_aside_name(path: &Path) -> PathBuf {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let name = path.file_name().map_or_else(|| "store".into(), |n| n.to_string_lossy().into_owned());
    (0..)
        .map(|i| {
            let suffix = if i == 0 { String::new() } else { format!("-{i}") };
            path.with_file_name(format!("{name}.corrupt-{secs}{suffix}"))
        })
        .find(|p| !p.exists())
        .expect("an unused name")
}

fn feed_key(feed: &str) -> Vec<u8> {
    format!("f/{feed}").into_bytes()
}

fn item_key(feed: &str, id: &str) -> Vec<u8> {
    format!("i/{feed}/{}", storage_key(id)).into_bytes()
}

fn canonical_index_key(feed: &str, canonical: &str) -> Vec<u8> {
    format!("c/{feed}/{}", storage_key(canonical)).into_bytes()
}

fn tombstone_key(feed: &str, id: &str) -> Vec<u8> {
    format!("t/{feed}/{}", storage_key(id)).into_bytes()
}

fn decode_item_at(key: &[u8], bytes: &[u8]) -> Result<Item, StoreError> {
    records::decode_item(bytes).map_err(|e| decode_error(key, e))
}

fn decode_error(key: &[u8], e: records::DecodeError) -> StoreError {
    let key = String::from_utf8_lossy(key).into_owned();
    match e {
        records::DecodeError::Newer(version) => StoreError::NewerFormat { key, version },
        records::DecodeError::Corrupt(detail) => StoreError::Corrupt { key, detail },
    }
}

fn decode<T: DeserializeOwned>(key: &[u8], bytes: &[u8]) -> Result<T, StoreError> {
    let key_s = || String::from_utf8_lossy(key).into_owned();
    #[derive(serde::Deserialize)]
    struct Version {
        v: u32,
    }
    let v: Version =
        serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt { key: key_s(), detail: e.to_string() })?;
    if v.v > FEED_VERSION {
        return Err(StoreError::NewerFormat { key: key_s(), version: v.v });
    }
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt { key: key_s(), detail: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CleanHtml;
    use chrono::Utc;

    fn item(feed: &str, id: &str) -> Item {
        Item {
            feed: feed.into(),
            id: id.into(),
            title: "t".into(),
            link: None,
            html: CleanHtml::from_sanitized("<p>x</p>".into()),
            authors: vec![],
            categories: vec![],
            published: None,
            updated: None,
            first_seen: Utc::now(),
            content_hash: "h".into(),
            removed: 0,
            canonical: None,
            signature: None,
        }
    }

    #[tokio::test]
    async fn commit_is_durable_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        {
            let store = Store::open(&path).unwrap();
            let mut c = store.changes();
            c.put_item(&item("a", "1"));
            c.put_item(&item("a", "2"));
            c.put_item(&item("b", "1"));
            c.put_state("a", &FeedState { url: "u".into(), item_count: 2, ..Default::default() });
            store.commit(c).await.unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.items("a").unwrap().len(), 2);
        assert_eq!(store.all_items().unwrap().len(), 3);
        assert_eq!(store.feed_state("a").unwrap().unwrap().item_count, 2);
        assert!(store.item("a", "1").unwrap().is_some());
        assert!(store.feed_state("zzz").unwrap().is_none());
    }

    #[tokio::test]
    async fn generations_change_only_with_items() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        assert_eq!((store.generation(Some("a")), store.generation(None)), (0, 0));
        let mut c = store.changes();
        c.put_state("a", &FeedState::default());
        store.commit(c).await.unwrap();
        assert_eq!(store.generation(Some("a")), 0, "state alone (a 304) changes no rendering");
        let mut c = store.changes();
        c.put_item(&item("a", "1"));
        c.put_item(&item("a", "2"));
        store.commit(c).await.unwrap();
        assert_eq!((store.generation(Some("a")), store.generation(Some("b")), store.generation(None)), (1, 0, 1));
    }

    #[test]
    fn newer_record_versions_are_refused() {
        let e = decode::<FeedRecord>(b"f/a", br#"{"v":99}"#).unwrap_err();
        assert!(matches!(e, StoreError::NewerFormat { version: 99, .. }), "{e}");
        assert!(matches!(decode::<FeedRecord>(b"f/a", b"garbage"), Err(StoreError::Corrupt { .. })));
    }
}
