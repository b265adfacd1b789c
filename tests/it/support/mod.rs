//! Test support: a local origin server on 127.0.0.1 (plain HTTP, hostile, or HTTPS with bad
//! certificates), a temporary workspace with a config, and a runner for the real `feedscrub`
//! binary. Tests never touch the public internet.

pub mod daemon;
pub mod fault;
pub mod fleet;
pub mod origin;
pub mod pg;
pub mod tls;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use daemon::Daemon;
pub use origin::{Origin, Route};

/// Listens on an ephemeral port of 127.0.0.1 and answers every connection on a thread of its
/// own with `handle` and the server's shared `state`, until the test process exits (the
/// local servers the tests start: `Origin`, `FaultServer`).
pub fn serve_forever<S: Send + 'static>(
    state: std::sync::Arc<std::sync::Mutex<S>>,
    handle: fn(std::net::TcpStream, &std::sync::Mutex<S>) -> std::io::Result<()>,
) -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local addr");
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let st = state.clone();
            std::thread::spawn(move || {
                let _ = handle(conn, &st);
            });
        }
    });
    addr
}

/// Path of a fixture file.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}

pub fn read_fixture(rel: &str) -> Vec<u8> {
    std::fs::read(fixture(rel)).unwrap_or_else(|e| panic!("fixture {rel}: {e}"))
}

/// A temporary folder holding `feeds.toml` and the store.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    /// A workspace whose config has the given `[[feed]]` entries (name, url) and a store in `db`.
    pub fn with_feeds(feeds: &[(&str, &str)]) -> Workspace {
        Workspace::with_feeds_on(None, feeds)
    }

    /// `with_feeds`, with `[settings] store` set when `store` is given ("sled" or "redb").
    pub fn with_feeds_on(store: Option<&str>, feeds: &[(&str, &str)]) -> Workspace {
        let mut toml = String::from("[settings]\ndb = \"db\"\ntimeout = \"5s\"\n");
        if let Some(s) = store {
            toml.push_str(&format!("store = \"{s}\"\n"));
        }
        for (name, url) in feeds {
            toml.push_str(&format!("\n[[feed]]\nname = \"{name}\"\nurl = \"{url}\"\n"));
        }
        Workspace::with_config(&toml)
    }

    /// A workspace with this config; on a test binary whose `STORE` is "postgres", a config
    /// that names no store gets a database of its own (`pg::database`).
    pub fn with_config(toml: &str) -> Workspace {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut toml = toml.to_string();
        if crate::STORE == "postgres" && !toml.contains("\nstore = ") {
            let db = pg::database("ws");
            let settings = format!("store = \"postgres\"\ndatabase_url = \"{db}\"\n");
            toml = match toml.find("[settings]\n") {
                Some(at) => format!("{}{settings}{}", &toml[..at + 11], &toml[at + 11..]),
                None => format!("[settings]\n{settings}\n{toml}"),
            };
        }
        std::fs::write(dir.path().join("feeds.toml"), toml).expect("write config");
        Workspace { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("feeds.toml")
    }

    /// Runs `feedscrub --config <this config> ARGS`.
    pub fn run(&self, args: &[&str]) -> Run {
        let config = self.config();
        let mut full = vec!["--config", config.to_str().expect("utf-8 path")];
        full.extend_from_slice(args);
        feedscrub(&full, self.path())
    }

    /// `fetch`, asserting the exit code.
    pub fn fetch(&self, expect_code: i32) -> Run {
        let r = self.run(&["fetch"]);
        assert_eq!(r.code, expect_code, "fetch exit code\nstdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
        r
    }

    /// `export` of one feed (or all when `feed` is None) in `format`, which must succeed.
    pub fn export(&self, feed: Option<&str>, format: &str) -> String {
        let mut args = vec!["export", "--format", format];
        if let Some(f) = feed {
            args.extend_from_slice(&["--feed", f]);
        }
        let r = self.run(&args);
        assert_eq!(r.code, 0, "export failed: {}", r.stderr);
        r.stdout
    }
}

/// The outcome of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the real binary with `args` in `cwd`, without inheriting FEEDSCRUB_CONFIG.
pub fn feedscrub(args: &[&str], cwd: &Path) -> Run {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_feedscrub"))
        .args(args)
        .current_dir(cwd)
        .env_remove("FEEDSCRUB_CONFIG")
        .env_remove("RUST_LOG")
        .output()
        .expect("run feedscrub");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Parses a feed document (any format) with feed-rs, as a reader would.
pub fn parse_back(text: &str) -> feed_rs::model::Feed {
    feed_rs::parser::parse(text.as_bytes()).unwrap_or_else(|e| panic!("exported feed does not parse: {e}\n{text}"))
}

/// The row of `feed` in a fetch summary table, split into columns.
pub fn summary_row(stdout: &str, feed: &str) -> Vec<String> {
    stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(feed))
        .unwrap_or_else(|| panic!("no row for {feed} in\n{stdout}"))
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// (status, new, updated, unchanged, ads dropped, blocks removed) of a successful feed's row.
pub fn counts(stdout: &str, feed: &str) -> (String, usize, usize, usize, usize, usize) {
    let r = summary_row(stdout, feed);
    assert!(r.len() >= 7, "row {r:?} is not a success row");
    let n = |i: usize| r[i].parse::<usize>().unwrap_or_else(|_| panic!("column {i} of {r:?}"));
    (r[1].clone(), n(2), n(3), n(4), n(5), n(6))
}

/// Item titles of one feed's export, sorted.
pub fn exported_titles(ws: &Workspace, feed: &str) -> Vec<String> {
    let mut t: Vec<String> = parse_back(&ws.export(Some(feed), "json"))
        .entries
        .iter()
        .map(|e| e.title.as_ref().map(|t| t.content.clone()).unwrap_or_default())
        .collect();
    t.sort();
    t
}
