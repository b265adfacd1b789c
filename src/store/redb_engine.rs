//! The redb engine: one table in the file `store.redb` inside the store folder.
//!
//! redb is a copy-on-write B-tree with checksummed pages: a commit with the default
//! `Durability::Immediate` returns after an fsync, a killed process leaves the last committed
//! tree, and with the integrity check at open damaged files are reported (`Corrupted`)
//! instead of read as an empty store or panicking. Each
//! group of batches is one write transaction, so it is atomic as a whole (more than each batch
//! alone, which is what `Engine` asks).
//!
//! After a failed write (a full disk) redb refuses every later one ("Previous I/O error
//! occurred") until the database is opened again: the engine reopens it before the next
//! write, so a daemon stores again once there is space (`scripts/check/disk-full.sh`).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

use redb::{ReadableDatabase, TableDefinition};

use super::engine::{Engine, EngineError, Op, OpenError};
use super::StoreError;

/// The database file inside the store folder.
pub const FILE: &str = "store.redb";
const TABLE: TableDefinition<&[u8], &[u8]> = TableDefinition::new("feedscrub");

pub struct RedbEngine {
    /// `None` between a failed write and a successful reopen.
    db: RwLock<Option<Db>>,
    file: PathBuf,
    /// The page cache's size in bytes.
    cache: usize,
    /// Set by a failed write: reopen before the next one.
    reopen: Mutex<bool>,
}

/// A store on a read-only filesystem (or a file the process may not write) is opened for
/// reading: `export` and `serve` still show the last good state, and every commit fails with
/// a clear error instead of the whole command.
enum Db {
    ReadWrite(redb::Database),
    ReadOnly(redb::ReadOnlyDatabase),
}

/// A redb or file error as a store error, kept as its source.
fn io(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Io(EngineError::caused(e.to_string(), e))
}

/// A store error that no other error caused.
fn failed(what: impl Into<String>) -> StoreError {
    StoreError::Io(EngineError::new(what))
}

impl RedbEngine {
    /// Does `folder` hold a redb store?
    pub fn holds_store(folder: &Path) -> bool {
        folder.join(FILE).exists()
    }

    pub fn open(folder: &Path, cache: u64) -> Result<RedbEngine, OpenError> {
        std::fs::create_dir_all(folder).map_err(|e| OpenError::Other(e.to_string()))?;
        let file = folder.join(FILE);
        let cache = usize::try_from(cache).unwrap_or(usize::MAX);
        let db = open_file(&file, cache)?;
        if matches!(db, Db::ReadOnly(_)) {
            tracing::warn!(store = %folder.display(), "the store cannot be written: opened read-only");
        }
        Ok(RedbEngine { db: RwLock::new(Some(db)), file, cache, reopen: Mutex::new(false) })
    }

    /// A read transaction on the current database.
    fn read(&self) -> Result<redb::ReadTransaction, StoreError> {
        let db = self.db.read().unwrap_or_else(|e| e.into_inner());
        match db.as_ref() {
            Some(Db::ReadWrite(db)) => db.begin_read().map_err(io),
            Some(Db::ReadOnly(db)) => db.begin_read().map_err(io),
            None => Err(failed(format!("{} could not be reopened after a failed write", self.file.display()))),
        }
    }

    /// Opens the file again after a failed write (the old handle is closed first: it holds
    /// the file's lock).
    fn reopen_if_needed(&self) -> Result<(), StoreError> {
        let mut pending = self.reopen.lock().unwrap_or_else(|e| e.into_inner());
        if !*pending {
            return Ok(());
        }
        let mut db = self.db.write().unwrap_or_else(|e| e.into_inner());
        drop(db.take());
        *db = Some(open_file(&self.file, self.cache).map_err(|e| match e {
            OpenError::Unreadable(d) | OpenError::Other(d) => failed(format!("reopening after a failed write: {d}")),
            OpenError::Locked => failed("reopening after a failed write: locked"),
        })?);
        *pending = false;
        tracing::info!(store = %self.file.display(), "store reopened after a failed write");
        Ok(())
    }

    fn write(&self, group: Vec<Vec<Op>>, durable: bool) -> Result<(), StoreError> {
        self.reopen_if_needed()?;
        let db = self.db.read().unwrap_or_else(|e| e.into_inner());
        let db = match db.as_ref() {
            Some(Db::ReadWrite(db)) => db,
            Some(Db::ReadOnly(_)) => {
                return Err(failed(format!("{} is read-only: nothing can be stored", self.file.display())))
            }
            None => return Err(failed(format!("{} could not be reopened", self.file.display()))),
        };
        let mut txn = db.begin_write().map_err(io)?;
        if !durable {
            txn.set_durability(redb::Durability::None).map_err(io)?;
        }
        {
            let mut table = txn.open_table(TABLE).map_err(io)?;
            for op in group.into_iter().flatten() {
                match op {
                    Op::Put(k, v) => table.insert(k.as_slice(), v.as_slice()).map(drop),
                    Op::Remove(k) => table.remove(k.as_slice()).map(drop),
                }
                .map_err(io)?;
            }
        }
        txn.commit().map_err(|e| StoreError::Io(EngineError::caused(format!("commit failed: {e}"), e)))
    }
}

/// Opens (or creates) the database file, read-only when it cannot be written.
fn open_file(file: &Path, cache: usize) -> Result<Db, OpenError> {
    // Every page's checksum is verified at open: a file altered outside redb then fails to
    // open as `Corrupted` (moved aside by `Store::open`), where a plain open trusts a cleanly
    // closed file and may panic on a damaged page (`scripts/check/damage.sh`).
    let db = match redb::Builder::new().set_cache_size(cache).set_check_integrity_on_open(true).create(file) {
        Err(redb::DatabaseError::Storage(redb::StorageError::Io(e)))
            if matches!(e.kind(), std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied)
                && file.exists() =>
        {
            let db = redb::Builder::new()
                .set_cache_size(cache)
                .open_read_only(file)
                .map_err(|e| OpenError::Other(format!("{e} (opening read-only)")))?;
            return Ok(Db::ReadOnly(db));
        }
        other => other,
    }
    .map_err(|e| match e {
        redb::DatabaseError::DatabaseAlreadyOpen => OpenError::Locked,
        redb::DatabaseError::Storage(redb::StorageError::Corrupted(detail)) => OpenError::Unreadable(detail),
        // "Not a redb database: magic number mismatch"
        redb::DatabaseError::Storage(redb::StorageError::Io(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
            OpenError::Unreadable(e.to_string())
        }
        e @ (redb::DatabaseError::UpgradeRequired(_) | redb::DatabaseError::RepairAborted) => {
            OpenError::Unreadable(e.to_string())
        }
        e => OpenError::Other(e.to_string()),
    })?;
    // The table exists from the start, so readers never meet a store without it.
    let created = db.begin_write().map_err(io).and_then(|txn| {
        txn.open_table(TABLE).map_err(io)?;
        txn.commit().map_err(io)
    });
    created.map_err(|e| OpenError::Other(e.to_string()))?;
    Ok(Db::ReadWrite(db))
}

impl Engine for RedbEngine {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let table = self.read()?.open_table(TABLE).map_err(io)?;
        Ok(table.get(key).map_err(io)?.map(|v| v.value().to_vec()))
    }

    fn scan_prefix(&self, prefix: &[u8], each: &mut dyn FnMut(&[u8], &[u8]) -> bool) -> Result<(), StoreError> {
        let table = self.read()?.open_table(TABLE).map_err(io)?;
        for kv in table.range(prefix..).map_err(io)? {
            let (k, v) = kv.map_err(io)?;
            if !k.value().starts_with(prefix) || !each(k.value(), v.value()) {
                break;
            }
        }
        Ok(())
    }

    fn apply(&self, group: Vec<Vec<Op>>, durable: bool) -> Vec<Result<(), EngineError>> {
        let n = group.len();
        let verdict = self.write(group, durable).map_err(|e| {
            *self.reopen.lock().unwrap_or_else(|e| e.into_inner()) = true;
            match e {
                StoreError::Io(e) => e,
                other => EngineError::new(other.to_string()),
            }
        });
        vec![verdict; n]
    }

    fn sync(&self) -> Result<(), EngineError> {
        // An empty durable commit puts the non-durable ones before it on disk.
        self.apply(vec![Vec::new()], true).pop().unwrap_or(Ok(()))
    }

    fn size_on_disk(&self) -> Result<u64, StoreError> {
        Ok(std::fs::metadata(&self.file).map_err(io)?.len())
    }
}
