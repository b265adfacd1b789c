//! A running `feedscrub serve` for tests: started on 127.0.0.1:0, its address read from
//! its stderr, plain HTTP GETs, signals, and a kill on drop.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::Workspace;

pub struct Daemon {
    child: Child,
    pub addr: String,
    /// Lines the daemon writes to stderr, as they come.
    lines: mpsc::Receiver<String>,
}

impl Daemon {
    pub fn start(ws: &Workspace) -> Daemon {
        Daemon::start_with(ws, &[], &[])
    }

    /// `serve` with extra arguments (e.g. `--role worker`) and environment variables.
    pub fn start_with(ws: &Workspace, args: &[&str], env: &[(&str, &str)]) -> Daemon {
        let mut child = Command::new(env!("CARGO_BIN_EXE_feedscrub"))
            .args(["--config", ws.config().to_str().unwrap(), "serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .current_dir(ws.path())
            .env_remove("FEEDSCRUB_CONFIG")
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start serve");
        let (tx, lines) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut d = Daemon { child, addr: String::new(), lines };
        let line = d.wait_line("serving", Duration::from_secs(20));
        d.addr = line.rsplit("http://").next().unwrap().trim_end_matches('/').to_string();
        d
    }

    pub fn wait_line(&mut self, needle: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(l) if l.contains(needle) => return l,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("no line with {needle:?} from serve within {within:?}");
    }

    /// A plain HTTP/1.1 GET: (status, body).
    pub fn get(&self, path: &str) -> (u16, String) {
        let mut s = TcpStream::connect(&self.addr).expect("connect");
        write!(s, "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", self.addr).unwrap();
        let mut resp = Vec::new();
        s.read_to_end(&mut resp).unwrap();
        let resp = String::from_utf8_lossy(&resp).into_owned();
        let status = resp.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        let body = resp.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        (status, body)
    }

    /// Waits until `path` serves a feed with at least `n` entries.
    pub fn wait_entries(&self, path: &str, n: usize) -> feed_rs::model::Feed {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (status, body) = self.get(path);
            if status == 200 {
                if let Ok(f) = feed_rs::parser::parse(body.as_bytes()) {
                    if f.entries.len() >= n {
                        return f;
                    }
                }
            }
            assert!(Instant::now() < deadline, "{path} never had {n} entries (last: {status})");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn signal(&self, sig: &str) {
        let ok =
            Command::new("kill").args([&format!("-{sig}"), &self.child.id().to_string()]).status().unwrap().success();
        assert!(ok, "kill -{sig}");
    }

    pub fn wait_exit(&mut self, within: Duration) -> i32 {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "serve did not exit within {within:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
