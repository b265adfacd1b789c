//! The store: the ONLY module that touches the database: a key-value engine in a folder (sled
//! or redb, see `engine`; `[settings] store` chooses it for a new store), or a PostgreSQL
//! database that several processes share (`postgres`: `store = "postgres"`).
//!
//! Layout of the key-value engines, one keyspace, keys by prefix (PostgreSQL keeps the same
//! records in tables, `migrations/`):
//! - `f/{feed}` → `records::FeedRecord` (validators, last success/error, item count)
//! - `i/{feed}/{storage key}` → `records::ItemRecord`
//! - `c/{feed}/{storage key of the canonical URL key}` → the identity of the item with that
//!   canonical URL (finds an item again when its guid changes)
//! - `t/{feed}/{storage key}` → `records::Tombstone` of a pruned item
//!
//! Writes go through `Changes` (typed, `changes`): one feed's refresh is one batch, applied
//! atomically. On a local engine `Store::commit` hands the batch to a single writer thread that applies every batch waiting
//! in its queue, syncs ONCE (group commit) and only then acknowledges each of them, so a
//! refresh is reported stored only after its bytes are on disk, while a run of 1,000 feeds
//! costs a few syncs instead of 1,000. Reads go straight to the engine from any thread.
//!
//! A store folder the engine cannot read (damaged files) is moved aside with an error in the
//! log and a new store started, which the next refresh fills: never a panic, never a silent
//! empty store.

mod changes;
pub mod engine;
pub mod postgres;
pub mod records;
mod redb_engine;
mod sled_engine;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};

use serde::de::DeserializeOwned;

pub use crate::config::Backend;
use crate::dedup::storage_key;
use crate::model::{FeedState, Item};
pub use changes::{Changes, Fence};
pub use engine::EngineError;
use engine::{Engine, Op, OpenError};
pub use records::Tombstone;
use records::{FeedRecord, FEED_VERSION};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open store {path}: {detail}")]
    Open { path: PathBuf, detail: String },
    #[error("store {path} is in use by another feedscrub process")]
    Locked { path: PathBuf },
    #[error("store {path} is a {found} store, but the settings say store = \"{wanted}\"; set store = \"{found}\" (or point db at another folder)")]
    OtherBackend { path: PathBuf, found: Backend, wanted: Backend },
    #[error("store I/O error: {0}")]
    Io(#[source] EngineError),
    #[error("store record {key} is unreadable: {detail}")]
    Corrupt { key: String, detail: String },
    #[error("store record {key} has format version {version}; this feedscrub is too old to read it")]
    NewerFormat { key: String, version: u32 },
    #[error("the lease on feed {feed} is no longer this worker's (claim {seq}): its refresh was not stored; a newer one stands")]
    Fenced { feed: String, seq: i64 },
}

/// One write job for the writer thread: a batch and where to send the verdict.
struct WriteJob {
    ops: Vec<Op>,
    /// Synced before `done` is told (else within `SYNC_DEFERRED`).
    durable: bool,
    done: tokio::sync::oneshot::Sender<Result<(), EngineError>>,
}

/// Handle to the store. Cheap to clone; all clones share one database (and, for the local
/// engines, one writer thread).
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    kind: Kind,
    /// Per feed, and for all feeds (key ""), a number that changes with every commit that
    /// writes items of that feed, and when that was. Readers that cache renderings compare it
    /// to know when to re-render. Local stores count in memory (from 0 at open); on PostgreSQL
    /// it is the feed's `generation` column, followed from the database (`follow`).
    generations: Arc<Mutex<HashMap<String, Generation>>>,
}

/// A feed's item generation and when its items last changed (Last-Modified of its outputs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Generation {
    pub number: u64,
    pub changed: Option<std::time::SystemTime>,
}

#[derive(Clone)]
enum Kind {
    /// sled or redb in a folder, written by one writer thread.
    Local { engine: Arc<dyn Engine>, writer: Arc<Writer> },
    /// A PostgreSQL database that several processes share.
    Postgres(Arc<postgres::PgStore>),
}
/// The writer thread and the way to it. Dropped with the last `Store` clone: the channel
/// closes, the thread drains what is queued, and the drop waits for it, so the database is
/// closed (lock released, everything synced) when the last handle is gone.
struct Writer {
    /// To the writer thread. Senders: every `commit`. Receiver: `writer_loop`, which ends when
    /// this sender is dropped.
    tx: Mutex<Option<mpsc::Sender<WriteJob>>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// How long (µs) a state-only job waits for others to share its transaction
    /// (`gather_state_commits`).
    gather_us: Arc<std::sync::atomic::AtomicU64>,
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.tx.lock().map(|mut t| t.take()).ok();
        if let Some(t) = self.thread.lock().ok().and_then(|mut t| t.take()) {
            let _ = t.join();
        }
    }
}

pub use crate::config::DEFAULT_CACHE;

impl Store {
    /// Opens (or creates) the store folder, with the engine its files show, else the default.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, None)
    }

    /// Opens the store a config names: its folder, engine and cache size, or its PostgreSQL
    /// database (`store = "postgres"`: `database_url`, else `$FEEDSCRUB_DATABASE_URL`).
    pub fn for_settings(s: &crate::config::Settings) -> Result<Store, StoreError> {
        if s.store == Some(Backend::Postgres) {
            let url = s.database_url.clone().or_else(|| std::env::var(DATABASE_URL_ENV).ok()).ok_or_else(|| {
                StoreError::Open {
                    path: "postgres".into(),
                    detail: format!("store = \"postgres\" needs database_url in [settings] or ${DATABASE_URL_ENV}"),
                }
            })?;
            return Store::open_postgres(&url);
        }
        Store::open_sized(&s.db, s.store, s.store_cache)
    }

    /// Opens the PostgreSQL store at `url` (`postgres://user:password@host:port/db`, or
    /// `host=/run/postgresql dbname=…`), creating its tables on first use.
    pub fn open_postgres(url: &str) -> Result<Store, StoreError> {
        let pg = postgres::PgStore::open(url)?;
        Ok(Store { backend: Backend::Postgres, kind: Kind::Postgres(Arc::new(pg)), generations: Arc::default() })
    }

    /// Opens (or creates) the store folder. `wanted` is `[settings] store`: the engine of a new
    /// store; an existing store of the other engine is an error (`OtherBackend`), never
    /// silently replaced.
    pub fn open_with(path: &Path, wanted: Option<Backend>) -> Result<Store, StoreError> {
        Store::open_sized(path, wanted, DEFAULT_CACHE)
    }

    /// `open_with`, with the engine's page cache at most `cache` bytes (`[settings]
    /// store_cache`): the part of the memory that would otherwise grow with the store.
    pub fn open_sized(path: &Path, wanted: Option<Backend>, cache: u64) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| StoreError::Open { path: path.to_path_buf(), detail: e.to_string() })?;
        }
        let found = folder_backend(path);
        if let (Some(found), Some(wanted)) = (found, wanted) {
            if found != wanted {
                return Err(StoreError::OtherBackend { path: path.to_path_buf(), found, wanted });
            }
        }
        let backend = found.or(wanted).unwrap_or(Backend::DEFAULT);
        let engine: Arc<dyn Engine> = match open_engine(backend, path, cache) {
            // A store the engine calls damaged is kept for inspection, never deleted, and a new
            // one is started: the next refresh fills it again (loudly, not a silent empty store).
            Err(OpenError::Unreadable(detail)) => {
                let aside = moved_aside_name(path);
                std::fs::rename(path, &aside).map_err(|re| StoreError::Open {
                    path: path.to_path_buf(),
                    detail: format!("{detail}; and it cannot be moved aside: {re}"),
                })?;
                tracing::error!(
                    store = %path.display(),
                    moved_to = %aside.display(),
                    engine = %backend,
                    error = %detail,
                    "the store cannot be opened: moved aside; starting an empty store that the next refresh fills"
                );
                open_engine(backend, path, cache)
            }
            other => other,
        }
        .map_err(|e| match e {
            OpenError::Locked => StoreError::Locked { path: path.to_path_buf() },
            OpenError::Unreadable(detail) | OpenError::Other(detail) => {
                StoreError::Open { path: path.to_path_buf(), detail }
            }
        })?
        .into();
        let (tx, rx) = mpsc::channel::<WriteJob>();
        let wengine = Arc::clone(&engine);
        let gather_us = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let wgather = gather_us.clone();
        let thread = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || writer_loop(wengine.as_ref(), rx, &wgather))
            .map_err(|e| StoreError::Open { path: path.to_path_buf(), detail: e.to_string() })?;
        let writer = Writer { tx: Mutex::new(Some(tx)), thread: Mutex::new(Some(thread)), gather_us };
        Ok(Store { backend, kind: Kind::Local { engine, writer: Arc::new(writer) }, generations: Arc::default() })
    }

    /// Puts every commit made so far on disk, those of feeds' states alone included. Commands
    /// call it before they report: the store's last handle may outlive them in a worker
    /// thread, and a process that exits before the writer closes would lose deferred commits.
    pub async fn sync(&self) -> Result<(), StoreError> {
        match &self.kind {
            Kind::Local { .. } => {
                let mut durable = self.changes();
                durable.only_state = false;
                self.commit(durable).await
            }
            // a committed transaction with synchronous_commit off is on disk within
            // wal_writer_delay (200 ms by default); one durable commit flushes the WAL before it
            Kind::Postgres(pg) => pg.sync().await,
        }
    }

    /// Lets a commit of feeds' states alone wait up to `wait` for others to share its
    /// transaction. The daemon sets it: its 304 polls come one by one, and one transaction per
    /// few polls costs much less than one per poll. `fetch` leaves it at zero: each of its
    /// polls waits for its commit, so a wait would cap a warm fetch at concurrency / `wait`.
    /// (PostgreSQL commits each refresh in its own transaction, without a sync for those.)
    pub fn gather_state_commits(&self, wait: std::time::Duration) {
        if let Kind::Local { writer, .. } = &self.kind {
            let us = u64::try_from(wait.as_micros()).unwrap_or(u64::MAX);
            writer.gather_us.store(us, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// The engine this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The PostgreSQL store under this handle, if it is one (leases, feed lists, following).
    pub fn postgres(&self) -> Option<&Arc<postgres::PgStore>> {
        match &self.kind {
            Kind::Postgres(pg) => Some(pg),
            Kind::Local { .. } => None,
        }
    }

    pub fn feed_state(&self, feed: &str) -> Result<Option<FeedState>, StoreError> {
        let bytes = match &self.kind {
            Kind::Local { engine, .. } => engine.get(&changes::feed_key(feed))?,
            Kind::Postgres(pg) => pg.feed_state(feed)?,
        };
        bytes.map(|v| decode::<FeedRecord>(&changes::feed_key(feed), &v).map(FeedState::from)).transpose()
    }

    pub fn item(&self, feed: &str, id: &str) -> Result<Option<Item>, StoreError> {
        let key = changes::key('i', feed, &storage_key(id));
        let bytes = match &self.kind {
            Kind::Local { engine, .. } => engine.get(&key)?,
            Kind::Postgres(pg) => pg.item(feed, &storage_key(id))?,
        };
        bytes.map(|v| decode_item_at(&key, &v)).transpose()
    }

    /// Every stored item of one feed, in key order.
    pub fn items(&self, feed: &str) -> Result<Vec<Item>, StoreError> {
        self.scan_items(Some(feed), decode_item_at)
    }

    /// Every stored item of every feed.
    pub fn all_items(&self) -> Result<Vec<Item>, StoreError> {
        self.scan_items(None, decode_item_at)
    }

    /// Every stored item of one feed without its HTML (empty): for retention and statistics.
    pub fn item_metas(&self, feed: &str) -> Result<Vec<Item>, StoreError> {
        self.scan_items(Some(feed), decode_item_meta_at)
    }

    /// Every stored item of every feed without its HTML.
    pub fn all_item_metas(&self) -> Result<Vec<Item>, StoreError> {
        self.scan_items(None, decode_item_meta_at)
    }

    /// The newest `keep` items (by `Item::sort_date`, then id) of the feeds `wanted` accepts,
    /// without their HTML, newest first. Holds at most twice `keep` items while it scans, so
    /// a merged feed of a store with 100,000 feeds does not hold every item in memory.
    pub fn newest_item_metas(&self, keep: usize, wanted: impl Fn(&str) -> bool) -> Result<Vec<Item>, StoreError> {
        let keep = keep.max(1);
        let newest_first = |a: &Item, b: &Item| b.sort_date().cmp(&a.sort_date()).then_with(|| a.id.cmp(&b.id));
        let mut out: Vec<Item> = Vec::with_capacity(2 * keep);
        let mut failed = None;
        match &self.kind {
            Kind::Local { .. } => self.each_item_record(None, &mut |k, v| match decode_item_meta_at(k, v) {
                Ok(item) => {
                    if wanted(&item.feed) {
                        out.push(item);
                        if out.len() >= 2 * keep {
                            out.select_nth_unstable_by(keep - 1, newest_first);
                            out.truncate(keep);
                        }
                    }
                    true
                }
                Err(e) => {
                    failed = Some(e);
                    false
                }
            })?,
            // newest first from the database (the same order): read only until `keep` are wanted
            Kind::Postgres(pg) => {
                pg.each_newest(&mut |f, skey, record| match decode_item_meta_at(&changes::key('i', f, skey), record) {
                    Ok(item) => {
                        if wanted(&item.feed) {
                            out.push(item);
                        }
                        out.len() < keep
                    }
                    Err(e) => {
                        failed = Some(e);
                        false
                    }
                })?
            }
        }
        if let Some(e) = failed {
            return Err(e);
        }
        out.sort_by(newest_first);
        out.truncate(keep);
        Ok(out)
    }

    /// Calls `each` with the key and record of every item of `feed` (of every feed: `None`),
    /// in key order, until it returns `false`.
    fn each_item_record(
        &self,
        feed: Option<&str>,
        each: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    ) -> Result<(), StoreError> {
        match &self.kind {
            Kind::Local { engine, .. } => {
                let prefix = feed.map_or_else(|| "i/".to_string(), |f| format!("i/{f}/"));
                engine.scan_prefix(prefix.as_bytes(), each)
            }
            Kind::Postgres(pg) => pg.each_item(feed, &mut |f, skey, record| each(&changes::key('i', f, skey), record)),
        }
    }

    /// Every item record of `feed` (of every feed: `None`), decoded; the first failure ends
    /// the scan.
    fn scan_items(
        &self,
        feed: Option<&str>,
        decode: fn(&[u8], &[u8]) -> Result<Item, StoreError>,
    ) -> Result<Vec<Item>, StoreError> {
        collect(decode, |each| self.each_item_record(feed, each))
    }

    /// The stored item of `feed` whose canonical URL key is `canonical`, if any.
    pub fn item_by_canonical(&self, feed: &str, canonical: &str) -> Result<Option<Item>, StoreError> {
        match &self.kind {
            Kind::Local { engine, .. } => {
                let Some(id) = engine.get(&changes::canonical_index_key(feed, canonical))? else { return Ok(None) };
                self.item(feed, &String::from_utf8_lossy(&id))
            }
            Kind::Postgres(pg) => pg
                .item_by_canonical(feed, canonical)?
                .map(|(skey, v)| decode_item_at(&changes::key('i', feed, &skey), &v))
                .transpose(),
        }
    }

    /// Does `feed` have any stored item (`i/`) or tombstone (`t/`)? (`prefix` is `'i'` or `'t'`.)
    pub fn has_any(&self, prefix: char, feed: &str) -> Result<bool, StoreError> {
        match &self.kind {
            Kind::Local { engine, .. } => {
                let mut any = false;
                engine.scan_prefix(format!("{prefix}/{feed}/").as_bytes(), &mut |_, _| {
                    any = true;
                    false
                })?;
                Ok(any)
            }
            Kind::Postgres(pg) => pg.has_any(prefix == 't', feed),
        }
    }

    /// The tombstone of a pruned item of `feed`, if any.
    pub fn tombstone(&self, feed: &str, id: &str) -> Result<Option<Tombstone>, StoreError> {
        let key = changes::key('t', feed, &storage_key(id));
        let bytes = match &self.kind {
            Kind::Local { engine, .. } => engine.get(&key)?,
            Kind::Postgres(pg) => pg.tombstone(feed, &storage_key(id))?,
        };
        bytes.map(|v| decode::<Tombstone>(&key, &v)).transpose()
    }

    /// Every tombstone of `feed`.
    pub fn tombstones(&self, feed: &str) -> Result<Vec<Tombstone>, StoreError> {
        collect(decode::<Tombstone>, |each| match &self.kind {
            Kind::Local { engine, .. } => engine.scan_prefix(format!("t/{feed}/").as_bytes(), each),
            Kind::Postgres(pg) => pg.each_tombstone(feed, &mut |skey, v| each(&changes::key('t', feed, skey), v)),
        })
    }

    /// The names of every feed the store holds anything of (a state, items or tombstones), in
    /// order: what `migrate` copies.
    pub fn feed_names(&self) -> Result<Vec<String>, StoreError> {
        let mut names = std::collections::BTreeSet::new();
        match &self.kind {
            Kind::Local { engine, .. } => {
                for prefix in [b"f/", b"i/", b"t/"] {
                    engine.scan_prefix(prefix, &mut |k, _| {
                        let rest = String::from_utf8_lossy(&k[2..]);
                        let name = if prefix == b"f/" {
                            &rest[..]
                        } else {
                            rest.rsplit_once('/').map_or(&rest[..], |(f, _)| f)
                        };
                        names.insert(name.to_string());
                        true
                    })?;
                }
            }
            Kind::Postgres(pg) => names.extend(pg.feed_names()?),
        }
        Ok(names.into_iter().collect())
    }

    /// Bytes the store's files take on disk (PostgreSQL: its tables and indexes).
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        match &self.kind {
            Kind::Local { engine, .. } => engine.size_on_disk(),
            Kind::Postgres(pg) => pg.size_on_disk(),
        }
    }

    /// Starts the changes of one feed's refresh.
    pub fn changes(&self) -> Changes {
        Changes::new()
    }

    /// The generation of one feed's items, or of all items (`None`): it changes whenever a
    /// commit writes items of that feed (of any feed).
    pub fn generation(&self, feed: Option<&str>) -> u64 {
        self.generation_at(feed).number
    }

    /// `generation`, with when the items last changed (`None`: not since the store opened,
    /// for a local store).
    pub fn generation_at(&self, feed: Option<&str>) -> Generation {
        let g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        g.get(feed.unwrap_or("")).copied().unwrap_or_default()
    }

    /// Keeps the generations of a shared database's feeds current: changes committed by other
    /// processes (PostgreSQL: LISTEN/NOTIFY, and a poll every `poll` as the safety net).
    /// A local store has one writer, this process, and nothing to follow.
    pub fn follow(&self, poll: std::time::Duration) {
        if let Kind::Postgres(pg) = &self.kind {
            pg.follow(poll, self.generations.clone());
        }
    }

    /// Applies `changes` atomically and returns once they are synced to disk, or, when they
    /// only update feeds' states (a poll answered 304), once they are visible: those reach the
    /// disk within `SYNC_DEFERRED`, with the next durable commit, or when the store closes. A
    /// crash can lose at most that second of polling state (validators, next poll), never an
    /// item or a tombstone; the next poll fetches again what it would have skipped.
    ///
    /// On PostgreSQL a fenced commit (`Changes::fence`) is refused with `StoreError::Fenced`
    /// when the lease is no longer the worker's: nothing of it is written.
    pub async fn commit(&self, mut changes: Changes) -> Result<(), StoreError> {
        let item_feeds = std::mem::take(&mut changes.item_feeds);
        match &self.kind {
            Kind::Local { writer, .. } => {
                let (done, verdict) = tokio::sync::oneshot::channel();
                let stopped = || StoreError::Io(EngineError::new("store writer has stopped"));
                let tx = writer.tx.lock().map_err(|_| stopped())?.clone().ok_or_else(stopped)?;
                let job = WriteJob { ops: changes::kv_ops(changes.changes), durable: !changes.only_state, done };
                tx.send(job).map_err(|_| stopped())?;
                verdict.await.map_err(|_| stopped())?.map_err(StoreError::Io)?;
                if !item_feeds.is_empty() {
                    let now = Some(std::time::SystemTime::now());
                    let mut g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
                    for f in item_feeds.into_iter().chain([String::new()]) {
                        let e = g.entry(f).or_default();
                        e.number += 1;
                        e.changed = now;
                    }
                }
            }
            Kind::Postgres(pg) => {
                let changed = pg.commit(changes, item_feeds).await?;
                postgres::note_generations(&self.generations, changed);
            }
        }
        Ok(())
    }
}

/// The environment variable that names the PostgreSQL database when `database_url` is unset.
pub const DATABASE_URL_ENV: &str = "FEEDSCRUB_DATABASE_URL";

/// The writer thread: group commit. Hands every waiting batch to the engine at once, which
/// applies each atomically and syncs once; then acknowledges every batch of the group.
fn writer_loop(engine: &dyn Engine, rx: mpsc::Receiver<WriteJob>, gather_us: &std::sync::atomic::AtomicU64) {
    // Since when batches applied without a sync wait for one.
    let mut unsynced: Option<std::time::Instant> = None;
    let sync = |unsynced: &mut Option<std::time::Instant>| {
        if unsynced.take().is_some() {
            if let Err(e) = engine.sync() {
                tracing::error!(error = %e, "cannot sync the store");
            }
        }
    };
    loop {
        let first = match unsynced {
            None => rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected),
            Some(t) => rx.recv_timeout(SYNC_DEFERRED.saturating_sub(t.elapsed())),
        };
        let first = match first {
            Ok(job) => job,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                sync(&mut unsynced);
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        // Whatever waits beside the first job shares its transaction (and sync); state-only
        // jobs wait for company when the store was told to (`gather_state_commits`).
        let gather = std::time::Duration::from_micros(gather_us.load(std::sync::atomic::Ordering::Relaxed));
        let gather_until = (!first.durable && !gather.is_zero()).then(|| std::time::Instant::now() + gather);
        let mut durable = first.durable;
        let mut group = vec![first];
        while group.len() < 1024 {
            let next = match gather_until {
                Some(t) if !durable => rx.recv_timeout(t.saturating_duration_since(std::time::Instant::now())),
                _ => rx.try_recv().map_err(|_| mpsc::RecvTimeoutError::Timeout),
            };
            match next {
                Ok(job) => {
                    durable |= job.durable;
                    group.push(job);
                }
                Err(_) => break,
            }
        }
        let (batches, senders): (Vec<Vec<Op>>, Vec<_>) = group.into_iter().map(|j| (j.ops, j.done)).unzip();
        for (done, verdict) in senders.into_iter().zip(engine.apply(batches, durable)) {
            let _ = done.send(verdict);
        }
        match unsynced {
            _ if durable => unsynced = None,
            None => unsynced = Some(std::time::Instant::now()),
            // under steady load the timeout above never fires
            Some(t) if t.elapsed() >= SYNC_DEFERRED => sync(&mut unsynced),
            Some(_) => {}
        }
    }
    sync(&mut unsynced); // the store closes
}

/// Commits that only update feeds' states are synced at most this long after they were made.
pub const SYNC_DEFERRED: std::time::Duration = std::time::Duration::from_secs(1);

/// Every record `walk` hands over (key, bytes), decoded; the first failure ends the walk.
fn collect<T>(
    decode: fn(&[u8], &[u8]) -> Result<T, StoreError>,
    walk: impl FnOnce(&mut dyn FnMut(&[u8], &[u8]) -> bool) -> Result<(), StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    let mut failed = None;
    walk(&mut |k, v| match decode(k, v) {
        Ok(t) => {
            out.push(t);
            true
        }
        Err(e) => {
            failed = Some(e);
            false
        }
    })?;
    failed.map_or(Ok(out), Err)
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

fn decode_item_at(key: &[u8], bytes: &[u8]) -> Result<Item, StoreError> {
    records::decode_item(bytes).map_err(|e| decode_error(key, e))
}

fn decode_item_meta_at(key: &[u8], bytes: &[u8]) -> Result<Item, StoreError> {
    records::decode_item_meta(bytes).map_err(|e| decode_error(key, e))
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

/// The engine whose files `folder` holds, if any.
pub fn folder_backend(folder: &Path) -> Option<Backend> {
    if redb_engine::RedbEngine::holds_store(folder) {
        Some(Backend::Redb)
    } else if sled_engine::SledEngine::holds_store(folder) {
        Some(Backend::Sled)
    } else {
        None
    }
}

/// Opens the engine `backend` in `folder` with a page cache of at most `cache` bytes.
fn open_engine(backend: Backend, folder: &Path, cache: u64) -> Result<Box<dyn Engine>, OpenError> {
    match backend {
        Backend::Sled => sled_engine::SledEngine::open(folder, cache).map(|e| Box::new(e) as Box<dyn Engine>),
        Backend::Redb => redb_engine::RedbEngine::open(folder, cache).map(|e| Box::new(e) as Box<dyn Engine>),
        Backend::Postgres => Err(OpenError::Other("a PostgreSQL store is a database, not a folder".into())),
    }
}

#[cfg(test)]
mod tests;
