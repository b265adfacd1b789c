//! What a refresh needs, shared by every feed of a run (or of the daemon's lifetime): the
//! fetcher, the store, the pool of threads for the CPU-heavy work (parse, clean, extract), and
//! per-host gates for full-text page fetches. `refresh` and `fulltext` both take it; it knows
//! neither.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;

use crate::fetch::Fetcher;
use crate::store::Store;

/// Shared by all feeds of a run; cheap to clone.
#[derive(Clone)]
pub struct Context {
    pub fetcher: Fetcher,
    pub store: Store,
    /// One thread per core, fed by `on_cpu`. Its queue holds at most `concurrency` jobs, since
    /// each feed in flight submits one at a time. Threads end when the last clone is dropped.
    cpu: Arc<rayon::ThreadPool>,
    /// Per-host limits on full-text page fetches, shared by every feed.
    gates: Arc<HostGates>,
}

/// A job on the CPU pool panicked: its message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Panicked(pub String);

impl Context {
    pub fn new(fetcher: Fetcher, store: Store) -> Result<Context, std::io::Error> {
        let cpu = rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("clean-{i}"))
            .build()
            .map_err(|e| std::io::Error::other(format!("cannot start the worker threads: {e}")))?;
        Ok(Context { fetcher, store, cpu: Arc::new(cpu), gates: Arc::default() })
    }

    /// The same context with another fetcher (a reload changed timeout, body cap or agent).
    pub fn with_fetcher(&self, fetcher: Fetcher) -> Context {
        Context { fetcher, store: self.store.clone(), cpu: self.cpu.clone(), gates: self.gates.clone() }
    }

    /// Runs `job` on the CPU pool and waits for its result without blocking the runtime. A
    /// panic in it is caught there (one bad item never takes a thread or the process down) and
    /// comes back as `Panicked`.
    pub async fn on_cpu<T: Send + 'static>(&self, job: impl FnOnce() -> T + Send + 'static) -> Result<T, Panicked> {
        let (done, result) = tokio::sync::oneshot::channel();
        self.cpu.spawn(move || {
            let _ = done.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)));
        });
        match result.await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(panic)) => Err(Panicked(panic_message(&*panic))),
            Err(_) => Err(Panicked("worker thread stopped".into())),
        }
    }

    /// The gate of `host` for page fetches: at most `permits` at once, across all feeds.
    pub fn host_gate(&self, host: &str, permits: usize) -> Arc<Semaphore> {
        self.gates.of(host, permits)
    }
}

/// Per-host semaphores, made on first use.
#[derive(Default)]
struct HostGates {
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl HostGates {
    fn of(&self, host: &str, permits: usize) -> Arc<Semaphore> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        hosts.entry(host.to_string()).or_insert_with(|| Arc::new(Semaphore::new(permits))).clone()
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_job_comes_back_as_its_message_and_the_pool_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = crate::config::Config::parse("", std::path::Path::new("t.toml"), dir.path()).unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let ctx = Context::new(Fetcher::new(&cfg.settings).unwrap(), store).unwrap();
        assert_eq!(ctx.on_cpu(|| panic!("bad item")).await, Err::<(), _>(Panicked("bad item".into())));
        assert_eq!(ctx.on_cpu(|| 2 + 2).await, Ok(4));
    }
}
