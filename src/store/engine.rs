//! The key-value engines under `Store`: what the store needs of one. Each engine says itself
//! whether a folder holds its files (`holds_store`); `Store` picks the engine.
//!
//! `Store` speaks only this interface: byte keys and values, point reads, ordered prefix scans,
//! and groups of write batches that are applied (each batch atomically) and made durable before
//! the call returns. Two engines implement it, `sled_engine` and `redb_engine`; both pass the
//! same conformance suite (`store::tests`) and `scripts/check/crash-loop.sh`.

use super::StoreError;

use std::sync::Arc;

/// What went wrong in an engine or the database: a sentence for people, and the error it came
/// from when there was one, kept as the source for a caller that walks the chain.
#[derive(Debug, Clone)]
pub struct EngineError {
    what: String,
    cause: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl EngineError {
    pub fn new(what: impl Into<String>) -> EngineError {
        EngineError { what: what.into(), cause: None }
    }

    /// `what` (which already says what `cause` said, for people), caused by `cause`.
    pub fn caused(what: impl Into<String>, cause: impl std::error::Error + Send + Sync + 'static) -> EngineError {
        EngineError { what: what.into(), cause: Some(Arc::new(cause)) }
    }
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.what)
    }
}

impl std::error::Error for EngineError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_deref().map(|c| c as &(dyn std::error::Error + 'static))
    }
}

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
    fn apply(&self, group: Vec<Vec<Op>>, durable: bool) -> Vec<Result<(), EngineError>>;

    /// Puts every batch applied without `durable` on disk.
    fn sync(&self) -> Result<(), EngineError>;

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
