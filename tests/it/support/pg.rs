//! A throw-away PostgreSQL cluster for the tests: `initdb` into a temporary folder, one
//! `postgres` on a free port of 127.0.0.1, trust authentication, superuser `feedscrub`. The
//! server binaries come from Debian's `postgresql` package (`.ci/run` installs it); a test
//! that needs PostgreSQL and finds none fails and says so.
//!
//! As root (CI), the server runs as the `postgres` user (it refuses to run as root). It dies
//! with the thread that started it (PR_SET_PDEATHSIG): `shared()` starts it from a thread
//! that lives as long as the test process, so no server outlives the tests.
//!
//! Used by the integration tests (`tests/it/`) and, through `#[path]`, by the store's unit
//! tests: one file, two test crates.

#![allow(dead_code)]

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A running cluster.
pub struct Cluster {
    pub port: u16,
    dir: PathBuf,
    bin: PathBuf,
    child: Mutex<Option<Child>>,
}

/// The cluster every test of this process shares (each test takes its own database).
pub fn shared() -> &'static Cluster {
    static SHARED: OnceLock<Cluster> = OnceLock::new();
    SHARED.get_or_init(|| {
        // started from a thread that never ends: the server's parent-death signal fires when
        // the thread that spawned it exits, and test threads come and go
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(Cluster::start());
            loop {
                std::thread::park();
            }
        });
        rx.recv().expect("the cluster thread answers").unwrap_or_else(|e| panic!("{e}"))
    })
}

/// A new database in the shared cluster, named after `name` (made unique), and its URL.
pub fn database(name: &str) -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let db: String = format!("t{}_{n}_{name}", std::process::id())
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .take(60)
        .collect();
    shared().create_database(&db)
}

impl Cluster {
    /// initdb + postgres on a free port; waits until it takes connections.
    pub fn start() -> Result<Cluster, String> {
        let bin = server_bin_dir()?;
        remove_stale_clusters();
        let dir = std::env::temp_dir().join(format!("feedscrub-pg-{}-{}", std::process::id(), nanos()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let user = run_as();
        if let Some((uid, gid)) = user {
            chown(&dir, uid, gid)?;
        }
        let data = dir.join("data");
        let out = as_user(Command::new(bin.join("initdb")), user)
            .args(["-A", "trust", "-U", "feedscrub", "-E", "UTF8", "--no-sync", "--no-instructions", "-D"])
            .arg(&data)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", bin.join("initdb").display()))?;
        if !out.status.success() {
            return Err(format!("initdb failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        let port = free_port();
        let cluster = Cluster { port, dir, bin, child: Mutex::new(None) };
        cluster.launch()?;
        Ok(cluster)
    }

    /// Starts the server on the cluster's folder and port (again, after `stop`).
    pub fn launch(&self) -> Result<(), String> {
        let user = run_as();
        let log = std::fs::File::create(self.dir.join("server.log")).map_err(|e| e.to_string())?;
        if let Some((uid, gid)) = user {
            chown(&self.dir.join("server.log"), uid, gid)?;
        }
        let mut cmd = as_user(Command::new(self.bin.join("postgres")), user);
        cmd.arg("-D")
            .arg(self.dir.join("data"))
            .args(["-p", &self.port.to_string(), "-k"])
            .arg(&self.dir)
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=400", "-c", "shared_buffers=32MB"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        unsafe {
            cmd.pre_exec(|| {
                // after the uid change, which clears it
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGQUIT);
                Ok(())
            });
        }
        let child = cmd.spawn().map_err(|e| format!("cannot start postgres: {e}"))?;
        *self.child.lock().unwrap() = Some(child);
        let until = Instant::now() + Duration::from_secs(30);
        while Instant::now() < until {
            if self.psql("postgres", "SELECT 1").is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!("postgres did not accept connections within 30 s: {}", self.log()))
    }

    /// Stops the server: `fast` (SIGINT: ends sessions, checkpoints) or at once (SIGKILL).
    pub fn stop(&self, fast: bool) {
        if let Some(mut child) = self.child.lock().unwrap().take() {
            unsafe {
                libc::kill(child.id() as i32, if fast { libc::SIGINT } else { libc::SIGKILL });
            }
            let _ = child.wait();
            // its backends notice the postmaster is gone and end; give them a moment
            let until = Instant::now() + Duration::from_secs(10);
            while self.dir.join("data/postmaster.pid").exists() && Instant::now() < until && fast {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    pub fn url(&self, db: &str) -> String {
        format!("postgres://feedscrub@127.0.0.1:{}/{db}", self.port)
    }

    pub fn create_database(&self, db: &str) -> String {
        self.psql("postgres", &format!("CREATE DATABASE {db}")).unwrap_or_else(|e| panic!("{e}"));
        self.url(db)
    }

    /// Runs `sql` with psql; its output (unaligned, tuples only).
    pub fn psql(&self, db: &str, sql: &str) -> Result<String, String> {
        let out = Command::new(self.bin.join("psql"))
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "feedscrub"])
            .args(["-p", &self.port.to_string(), "-d", db, "-c", sql])
            .output()
            .map_err(|e| format!("cannot run psql: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(format!("psql {sql:?}: {}", String::from_utf8_lossy(&out.stderr)))
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop(false);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The newest installed PostgreSQL server's bin folder.
fn server_bin_dir() -> Result<PathBuf, String> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("postgres").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, b)| b).ok_or_else(|| {
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres): `apt-get install postgresql`, \
         as .ci/run does"
            .to_string()
    })
}

/// As root, the `postgres` user's ids (the server refuses to run as root).
fn run_as() -> Option<(u32, u32)> {
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    let name = std::ffi::CString::new("postgres").unwrap();
    let pw = unsafe { libc::getpwnam(name.as_ptr()) };
    if pw.is_null() {
        return None;
    }
    Some(unsafe { ((*pw).pw_uid, (*pw).pw_gid) })
}

fn as_user(mut cmd: Command, user: Option<(u32, u32)>) -> Command {
    if let Some((uid, gid)) = user {
        cmd.uid(uid).gid(gid);
        cmd.env("HOME", "/tmp");
    }
    cmd.current_dir("/tmp");
    cmd
}

fn chown(path: &Path, uid: u32, gid: u32) -> Result<(), String> {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).map_err(|e| format!("chown {}: {e}", path.display()))
}

/// The folders of clusters whose test process is gone (killed before it could remove them).
fn remove_stale_clusters() {
    for e in std::fs::read_dir(std::env::temp_dir()).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("feedscrub-pg-").and_then(|r| r.split('-').next()?.parse::<i32>().ok())
        else {
            continue;
        };
        let alive =
            unsafe { libc::kill(pid, 0) } == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
        if !alive {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn nanos() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}
