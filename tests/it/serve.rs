//! `feedscrub serve` on a real socket: first poll, every output, the store lock, SIGHUP
//! reload (good and broken), SIGTERM with the store intact.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::*;

struct Daemon {
    child: Child,
    addr: String,
    /// Lines the daemon writes to stderr, as they come.
    lines: mpsc::Receiver<String>,
}

impl Daemon {
    fn start(ws: &Workspace) -> Daemon {
        let mut child = Command::new(env!("CARGO_BIN_EXE_feedscrub"))
            .args(["--config", ws.config().to_str().unwrap(), "serve", "--listen", "127.0.0.1:0"])
            .current_dir(ws.path())
            .env_remove("FEEDSCRUB_CONFIG")
            .env("RUST_LOG", "warn")
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

    fn wait_line(&mut self, needle: &str, within: Duration) -> String {
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
    fn get(&self, path: &str) -> (u16, String) {
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
    fn wait_entries(&self, path: &str, n: usize) -> feed_rs::model::Feed {
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

    fn signal(&self, sig: &str) {
        let ok =
            Command::new("kill").args([&format!("-{sig}"), &self.child.id().to_string()]).status().unwrap().success();
        assert!(ok, "kill -{sig}");
    }

    fn wait_exit(&mut self, within: Duration) -> i32 {
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

#[test]
fn serve_polls_serves_reloads_and_stops_cleanly() {
    let o = Origin::start();
    o.serve("/rss2.xml", Route::feed(read_fixture("feeds/rss2.xml"), "application/rss+xml"));
    o.serve("/atom.xml", Route::feed(read_fixture("feeds/atom.xml"), "application/atom+xml"));
    o.serve("/feed.json", Route::feed(read_fixture("feeds/jsonfeed.json"), "application/feed+json"));
    let base = format!("[settings]\ndb = \"db\"\n[[feed]]\nname = \"news\"\nurl = \"{}\"\n[[feed]]\nname = \"culture\"\nurl = \"{}\"\n", o.url("/rss2.xml"), o.url("/atom.xml"));
    let ws = Workspace::with_config(&base);
    let mut d = Daemon::start(&ws);

    // The first poll happens soon after start, and every output has the cleaned items.
    let all = d.wait_entries("/all.atom", 5);
    assert!(all.entries.iter().all(|e| e
        .content
        .as_ref()
        .and_then(|c| c.body.as_deref())
        .is_none_or(|b| !b.contains("Anzeige"))));
    for path in ["/feeds/news.rss", "/feeds/news.atom", "/feeds/news.json"] {
        let (status, body) = d.get(path);
        assert_eq!(status, 200, "{path}");
        let f = feed_rs::parser::parse(body.as_bytes()).unwrap();
        assert_eq!(f.entries.len(), 3, "{path}");
        assert!(!body.contains("shop.example.com") && !body.contains("<script"), "{path} is cleaned");
    }
    assert_eq!(d.get("/feeds/nope.rss").0, 404);
    assert!(d.get("/").1.contains("<strong>culture</strong>"));
    assert!(d.get("/metrics").1.contains("feedscrub_polls_total"));

    // The store is held by serve: fetch says so in one line and exits 2.
    let r = ws.run(&["fetch"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("in use by another feedscrub process"), "{}", r.stderr);

    // SIGHUP with a new feed: it is polled and served.
    std::fs::write(ws.config(), format!("{base}[[feed]]\nname = \"weather\"\nurl = \"{}\"\n", o.url("/feed.json")))
        .unwrap();
    d.signal("HUP");
    d.wait_line("reloaded", Duration::from_secs(10));
    d.wait_entries("/feeds/weather.json", 2);

    // SIGHUP with a broken file: rejected, the running config stays.
    std::fs::write(ws.config(), "[[feed]]\nname = \"Broken Name\"\n").unwrap();
    d.signal("HUP");
    let line = d.wait_line("reload rejected", Duration::from_secs(10));
    assert!(!line.is_empty());
    assert_eq!(d.get("/feeds/weather.json").0, 200, "the old config keeps running");

    // SIGTERM: exit 0, store intact.
    d.signal("TERM");
    assert_eq!(d.wait_exit(Duration::from_secs(20)), 0);
    std::fs::write(ws.config(), format!("{base}[[feed]]\nname = \"weather\"\nurl = \"{}\"\n", o.url("/feed.json")))
        .unwrap();
    assert_eq!(parse_back(&ws.export(None, "json")).entries.len(), 7, "everything polled is in the store");
}
