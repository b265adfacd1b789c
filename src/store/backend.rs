//! The key-value engines under `Store`: what the store needs of one, and which one a store
//! folder uses.
//!
//! `Store` speaks only this interface: byte keys and values, point reads, ordered prefix scans,
//! and groups of write batches that are applied (each batch atomically) and made durable before
//! the call returns. Two engines implement it, `sled_engine` and `redb_engine`; both pass the
//! same conformance suite (`store::tests`) and `scripts/crash-loop.sh`.

use std::path::Path;

use super::StoreError;

/// One write of a batch.
pub enum Op {
    Put(Vec<u8>, Vec<u8>),
    Remove(Vec<u8>),
}

/// A key-value engine.
pub trait Engine: Send + Sync {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;

    /// Calls `each` with every key starting with `prefix` and its value, in key order, until it
    /// returns `false`.
    fn scan_prefix(&self, prefix: &[u8], each: &mut dyn FnMut(&[u8], &[u8]) -> bool) -> Result<(), StoreError>;

    /// Applies every batch of `group`, each atomically: one verdict per batch. With `durable`
    /// it returns once all of them are on disk (synced); without, they are visible to reads at
    /// once and reach the disk with the next durable apply or `sync`.
    fn apply(&self, group: Vec<Vec<Op>>, durable: bool) -> Vec<Result<(), String>>;

    /// Puts every batch applied without `durable` on disk.
    fn sync(&self) -> Result<(), String>;

    /// Bytes the engine's files take.
    fn size_on_disk(&self) -> Result<u64, StoreError>;
}

/// Why an engine could not open a store folder.
pub enum OpenError {
    /// The files are damaged or not a store: the folder is moved aside and a new store started.
    Unreadable(String),
    /// Another process holds the store.
    Locked,
    /// Anything else (permissions, I/O): reported, nothing moved.
    Other(String),
}

/// The engine of a store (`[settings] store`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sled,
    Redb,
    /// Not a folder's engine: a PostgreSQL database (`store::postgres`), shared by processes.
    Postgres,
}

impl Backend {
    /// The engine a new store gets when `store` is not set (see README, "Storage").
    pub const DEFAULT: Backend = Backend::Redb;

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sled => "sled",
            Backend::Redb => "redb",
            Backend::Postgres => "postgres",
        }
    }

    pub fn parse(s: &str) -> Option<Backend> {
        match s {
            "sled" => Some(Backend::Sled),
            "redb" => Some(Backend::Redb),
            "postgres" => Some(Backend::Postgres),
            _ => None,
        }
    }

    /// The engine whose files `folder` holds, if any.
    pub fn of_folder(folder: &Path) -> Option<Backend> {
        if folder.join(super::redb_engine::FILE).exists() {
            Some(Backend::Redb)
        } else if folder.join("conf").exists() || folder.join("db").exists() {
            Some(Backend::Sled)
        } else {
            None
        }
    }

    /// Opens the engine in `folder` with a page cache of at most `cache` bytes.
    pub(crate) fn open(self, folder: &Path, cache: u64) -> Result<Box<dyn Engine>, OpenError> {
        match self {
            Backend::Sled => {
                super::sled_engine::SledEngine::open(folder, cache).map(|e| Box::new(e) as Box<dyn Engine>)
            }
            Backend::Redb => {
                super::redb_engine::RedbEngine::open(folder, cache).map(|e| Box::new(e) as Box<dyn Engine>)
            }
            Backend::Postgres => Err(OpenError::Other("a PostgreSQL store is a database, not a folder".into())),
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
