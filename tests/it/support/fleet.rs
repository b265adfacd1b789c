//! Many feeds on many loopback hosts, for the tests of several daemons on one database: one
//! listener per host (127.0.0.2, 127.0.0.3, … all on one port), `/f/NAME.xml` a small RSS
//! feed with an ETag (answered 304 when unchanged). It records every request (feed, host,
//! when) and the most requests ever in flight at once per host; each answer takes `delay`
//! (per feed it can be changed), so that requests overlap as real ones do.

use std::collections::HashMap;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::origin::read_request_head;

#[derive(Default)]
struct State {
    /// per feed: (when the request came, which host)
    requests: HashMap<String, Vec<Instant>>,
    in_flight: HashMap<String, usize>,
    max_in_flight: HashMap<String, usize>,
    /// per feed: the content version (items are titled after it) and a delay of its own
    version: HashMap<String, u32>,
    delay: HashMap<String, Duration>,
    /// per feed: when a body of each version was last sent
    served: HashMap<(String, u32), Instant>,
}

pub struct Fleet {
    pub hosts: Vec<String>,
    pub port: u16,
    delay: Duration,
    state: Arc<Mutex<State>>,
}

impl Fleet {
    /// Listens on 127.0.0.2 … 127.0.0.(1 + hosts), one port for all.
    pub fn start(hosts: usize, delay: Duration) -> Fleet {
        let state = Arc::new(Mutex::new(State::default()));
        let first = TcpListener::bind("127.0.0.2:0").expect("bind 127.0.0.2");
        let port = first.local_addr().unwrap().port();
        let mut listeners = vec![first];
        for n in 3..2 + hosts {
            listeners.push(TcpListener::bind(format!("127.0.0.{n}:{port}")).expect("bind a loopback host"));
        }
        let names: Vec<String> = (2..2 + hosts).map(|n| format!("127.0.0.{n}")).collect();
        for (listener, host) in listeners.into_iter().zip(names.clone()) {
            let st = state.clone();
            std::thread::spawn(move || {
                for conn in listener.incoming().flatten() {
                    let (st, host) = (st.clone(), host.clone());
                    std::thread::spawn(move || handle(conn, &host, delay, &st));
                }
            });
        }
        Fleet { hosts: names, port, delay, state }
    }

    /// `n` feeds spread over the hosts: (name, url).
    pub fn feeds(&self, n: usize) -> Vec<(String, String)> {
        (0..n)
            .map(|i| {
                let name = format!("f{i:04}");
                let url = format!("http://{}:{}/f/{name}.xml", self.hosts[i % self.hosts.len()], self.port);
                (name, url)
            })
            .collect()
    }

    /// When each request for `feed` came, in order.
    pub fn requests(&self, feed: &str) -> Vec<Instant> {
        self.state.lock().unwrap().requests.get(feed).cloned().unwrap_or_default()
    }

    /// Every feed's requests.
    pub fn all_requests(&self) -> HashMap<String, Vec<Instant>> {
        self.state.lock().unwrap().requests.clone()
    }

    /// The most requests in flight at once to `host`, ever.
    pub fn max_in_flight(&self, host: &str) -> usize {
        self.state.lock().unwrap().max_in_flight.get(host).copied().unwrap_or(0)
    }

    /// Changes `feed`'s content: a new item titled after `version`.
    pub fn set_version(&self, feed: &str, version: u32) {
        self.state.lock().unwrap().version.insert(feed.to_string(), version);
    }

    pub fn set_delay(&self, feed: &str, delay: Duration) {
        self.state.lock().unwrap().delay.insert(feed.to_string(), delay);
    }

    /// When a body of `feed` at `version` was last sent, if ever.
    pub fn served(&self, feed: &str, version: u32) -> Option<Instant> {
        self.state.lock().unwrap().served.get(&(feed.to_string(), version)).copied()
    }

    pub fn default_delay(&self) -> Duration {
        self.delay
    }
}

/// The titles of a feed's items at `version`: three that never change, and one per version
/// above 1.
fn titles(feed: &str, version: u32) -> Vec<String> {
    let mut t: Vec<String> = (1..=3).map(|i| format!("{feed} item {i}")).collect();
    t.extend((2..=version).map(|v| format!("{feed} version {v}")));
    t
}

fn body(feed: &str, version: u32) -> String {
    let items: String = titles(feed, version)
        .iter()
        .enumerate()
        .map(|(i, t)| {
            format!(
                "<item><title>{t}</title><link>http://example.org/{feed}/{i}</link><guid>{feed}-{i}</guid>\
                 <pubDate>Mon, 0{} Jan 2024 10:00:00 GMT</pubDate><description>&lt;p&gt;{t}: text.&lt;/p&gt;</description></item>",
                1 + i % 9
            )
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{feed}</title><link>http://example.org/{feed}</link>{items}</channel></rss>")
}

fn handle(mut conn: TcpStream, host: &str, default_delay: Duration, st: &Mutex<State>) {
    let Ok((target, headers)) = read_request_head(&conn) else { return };
    let feed = target.trim_start_matches("/f/").trim_end_matches(".xml").to_string();
    let (version, delay) = {
        let mut s = st.lock().unwrap();
        s.requests.entry(feed.clone()).or_default().push(Instant::now());
        let n = s.in_flight.entry(host.to_string()).or_default();
        *n += 1;
        let n = *n;
        let max = s.max_in_flight.entry(host.to_string()).or_default();
        *max = (*max).max(n);
        (s.version.get(&feed).copied().unwrap_or(1), s.delay.get(&feed).copied().unwrap_or(default_delay))
    };
    std::thread::sleep(delay);
    let etag = format!("\"{feed}-v{version}\"");
    let response = if headers.get("if-none-match").is_some_and(|v| v == &etag) {
        format!("HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n").into_bytes()
    } else {
        let b = body(&feed, version);
        st.lock().unwrap().served.insert((feed.clone(), version), Instant::now());
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: {etag}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{b}",
            b.len()
        )
        .into_bytes()
    };
    let _ = conn.write_all(&response);
    let _ = conn.flush();
    let mut s = st.lock().unwrap();
    if let Some(n) = s.in_flight.get_mut(host) {
        *n -= 1;
    }
}
