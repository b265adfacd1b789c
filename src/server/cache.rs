//! Rendered feeds kept in memory, re-rendered only when the store's generation for that scope
//! changes (a refresh that wrote items). A poll that changes nothing costs no rendering, and a
//! reader polling often costs a map lookup. Each entry holds the plain and the gzip body with
//! their own ETags.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use bytes::Bytes;

use crate::export::Format;

/// At most this many renderings are kept (scopes × formats × public base URLs); past it the
/// cache starts over, so arbitrary Host headers cannot grow it without bound.
const MAX_ENTRIES: usize = 512;

/// One rendering, ready to send.
#[derive(Debug)]
pub struct Rendered {
    pub generation: u64,
    pub body: Bytes,
    pub etag: String,
    pub gzip: Bytes,
    pub etag_gzip: String,
    pub last_modified: SystemTime,
}

impl Rendered {
    /// `changed`: when the items rendered last changed (the store's `Generation::changed`),
    /// the Last-Modified; else now. Every node of a shared database answers the same.
    pub fn new(generation: u64, text: String, changed: Option<SystemTime>) -> Rendered {
        let hash = blake3::hash(text.as_bytes()).to_hex();
        let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(text.len() / 4), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).expect("writing to a Vec cannot fail");
        let gzip = gz.finish().expect("writing to a Vec cannot fail");
        Rendered {
            generation,
            etag: format!("\"{}\"", &hash[..24]),
            etag_gzip: format!("\"{}-gz\"", &hash[..24]),
            body: Bytes::from(text),
            gzip: Bytes::from(gzip),
            // HTTP dates have whole seconds; truncating keeps If-Modified-Since comparisons exact.
            last_modified: truncate_to_secs(changed.unwrap_or_else(SystemTime::now)),
        }
    }
}

fn truncate_to_secs(t: SystemTime) -> SystemTime {
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs)
}

/// What a rendering depends on: the scope (a feed name, or `None` for all), the format and the
/// base URL the output names itself with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub feed: Option<String>,
    pub format: Format,
    pub base: String,
}

#[derive(Default)]
pub struct RenderCache {
    entries: Mutex<HashMap<Key, Arc<Rendered>>>,
    /// One lock per key: requests that miss together wait for one rendering instead of each
    /// rendering (a merged feed of a big store takes seconds and reads the whole store).
    rendering: Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>,
}

impl RenderCache {
    /// The cached rendering for `key` if it is of `generation`.
    pub fn get(&self, key: &Key, generation: u64) -> Option<Arc<Rendered>> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key).filter(|r| r.generation == generation).cloned()
    }

    /// The lock a rendering of `key` holds; whoever waited for it looks in the cache again.
    pub fn render_lock(&self, key: &Key) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.rendering.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, lock| Arc::strong_count(lock) > 1); // keep the ones in use
        }
        map.entry(key.clone()).or_default().clone()
    }

    pub fn put(&self, key: Key, rendered: Arc<Rendered>) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES && !map.contains_key(&key) {
            map.clear();
        }
        map.insert(key, rendered);
    }
}
