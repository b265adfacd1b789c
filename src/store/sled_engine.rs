//! The sled engine (sled 0.34): one tree, the log file `db` and snapshots in the store folder.
//!
//! sled's flush writes with `sync_file_range`, which neither syncs the file's metadata nor the
//! device cache: an `fdatasync` on its log file after each flush makes "stored" mean durable
//! (`scripts/check/fsync.sh`).

use std::path::Path;

use super::engine::{Engine, EngineError, Op, OpenError};
use super::StoreError;

pub struct SledEngine {
    db: sled::Db,
    /// sled's log, for the `fdatasync` after each flush.
    log: Option<std::fs::File>,
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError::Io(EngineError::caused(e.to_string(), e))
    }
}

impl SledEngine {
    /// Does `folder` hold a sled store (its `conf` or `db` file)?
    pub fn holds_store(folder: &Path) -> bool {
        folder.join("conf").exists() || folder.join("db").exists()
    }

    /// Opens the store in `folder`. sled releases its file lock lazily, once its I/O worker is
    /// done, after the last handle is dropped (spacejam/sled#1234), so a store this process
    /// has just closed may still be locked for a moment: a locked store is tried again for up
    /// to `LOCK_WAIT` before it counts as locked (by another process).
    pub fn open(folder: &Path, cache: u64) -> Result<SledEngine, OpenError> {
        const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(1);
        const RETRY_EVERY: std::time::Duration = std::time::Duration::from_millis(20);
        remove_interrupted_snapshots(folder);
        let start = std::time::Instant::now();
        loop {
            match Self::open_once(folder, cache) {
                Err(OpenError::Locked) if start.elapsed() < LOCK_WAIT => std::thread::sleep(RETRY_EVERY),
                done => return done,
            }
        }
    }

    fn open_once(folder: &Path, cache: u64) -> Result<SledEngine, OpenError> {
        let db = sled::Config::new()
            .path(folder)
            .cache_capacity(cache)
            .mode(sled::Mode::HighThroughput)
            .flush_every_ms(None)
            .open()
            .map_err(|e| match &e {
                sled::Error::Corruption { .. } | sled::Error::Unsupported(_) | sled::Error::ReportableBug(_) => {
                    OpenError::Unreadable(e.to_string())
                }
                sled::Error::Io(io)
                    if io.kind() == std::io::ErrorKind::WouldBlock || io.to_string().contains("lock") =>
                {
                    OpenError::Locked
                }
                _ => OpenError::Other(e.to_string()),
            })?;
        let log = std::fs::File::open(folder.join("db")).ok();
        Ok(SledEngine { db, log })
    }
}

impl Engine for SledEngine {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.db.get(key)?.map(|v| v.to_vec()))
    }

    fn scan_prefix(&self, prefix: &[u8], each: &mut dyn FnMut(&[u8], &[u8]) -> bool) -> Result<(), StoreError> {
        for kv in self.db.scan_prefix(prefix) {
            let (k, v) = kv?;
            if !each(&k, &v) {
                break;
            }
        }
        Ok(())
    }

    fn apply(&self, group: Vec<Vec<Op>>, durable: bool) -> Vec<Result<(), EngineError>> {
        let applied: Vec<Result<(), EngineError>> = group
            .into_iter()
            .map(|ops| {
                let mut batch = sled::Batch::default();
                for op in ops {
                    match op {
                        Op::Put(k, v) => batch.insert(k, v),
                        Op::Remove(k) => batch.remove(k),
                    }
                }
                self.db.apply_batch(batch).map_err(|e| EngineError::caused(e.to_string(), e))
            })
            .collect();
        let flushed = if durable { self.sync() } else { Ok(()) };
        applied.into_iter().map(|a| a.and(flushed.clone())).collect()
    }

    fn sync(&self) -> Result<(), EngineError> {
        self.db.flush().map(|_| ()).map_err(|e| EngineError::caused(format!("flush failed: {e}"), e)).and_then(|()| {
            match &self.log {
                Some(f) => f.sync_data().map_err(|e| EngineError::caused(format!("fdatasync failed: {e}"), e)),
                None => Ok(()),
            }
        })
    }

    fn size_on_disk(&self) -> Result<u64, StoreError> {
        Ok(self.db.size_on_disk()?)
    }
}

/// sled writes a snapshot as `snap.N.generating` and renames it when complete. A process
/// killed in between leaves the temporary behind, and sled 0.34 then refuses to open the store
/// ("empty/corrupt snapshot file found", `Corruption`; sled issues #1527 and #1533, open). The
/// unfinished temporary was never a snapshot: removing it lets sled open the store from the
/// previous snapshot and its log, with everything acknowledged (found by
/// `scripts/check/crash-loop.sh`; a store that failed this way opened with all 4,285 items after).
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
