//! `feedscrub serve` on a real socket: first poll, every output, the store lock, SIGHUP
//! reload (good and broken), SIGTERM with the store intact; abusive clients, and a full server
//! that sheds with 503.

use std::time::Duration;

use crate::support::*;

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

    // A restart resumes the stored schedule: nothing is polled again right away.
    let polled = o.hits("/rss2.xml");
    std::fs::write(ws.config(), &base).unwrap();
    let mut d = Daemon::start(&ws);
    assert_eq!(d.get("/feeds/news.rss").0, 200);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(o.hits("/rss2.xml"), polled, "no poll before the stored next poll time");
    d.signal("TERM");
    assert_eq!(d.wait_exit(Duration::from_secs(20)), 0);
    std::fs::write(ws.config(), format!("{base}[[feed]]\nname = \"weather\"\nurl = \"{}\"\n", o.url("/feed.json")))
        .unwrap();
    assert_eq!(parse_back(&ws.export(None, "json")).entries.len(), 7, "everything polled is in the store");
}

/// Regression: a feed that answered 410 stayed unpolled after a reload gave it a new URL
/// (the daemon remembered "gone" by name only).
#[test]
fn a_gone_feed_polls_again_once_the_config_gives_it_a_new_url() {
    let o = Origin::start();
    o.serve("/gone", Route::status(410));
    o.serve("/rss2.xml", Route::feed(read_fixture("feeds/rss2.xml"), "application/rss+xml"));
    let config =
        |path: &str| format!("[settings]\ndb = \"db\"\n[[feed]]\nname = \"news\"\nurl = \"{}\"\n", o.url(path));
    let ws = Workspace::with_config(&config("/gone"));
    let mut d = Daemon::start(&ws);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while o.hits("/gone") == 0 {
        assert!(std::time::Instant::now() < deadline, "the feed was never polled");
        std::thread::sleep(Duration::from_millis(50));
    }
    // the origin saw the request before the daemon recorded the answer: wait for it
    while !d.get("/").1.contains("410 Gone") {
        assert!(std::time::Instant::now() < deadline, "the index never showed the error");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::write(ws.config(), config("/rss2.xml")).unwrap();
    d.signal("HUP");
    d.wait_line("reloaded", Duration::from_secs(10));
    d.wait_entries("/feeds/news.rss", 3);
    assert_eq!(o.hits("/gone"), 1, "the old URL is not polled again");
    d.signal("TERM");
    assert_eq!(d.wait_exit(Duration::from_secs(20)), 0);
}

/// Sends `request` as is and returns the status of the answer (0 when the server closed the
/// connection without one).
fn raw_status(addr: &str, request: &[u8]) -> u16 {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.write_all(request);
    let mut head = [0u8; 64];
    let n = s.read(&mut head).unwrap_or(0);
    String::from_utf8_lossy(&head[..n]).split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0)
}

/// RELIABILITY rows 46, 48, 49: oversized and odd requests get the right refusal, slow clients
/// trickling headers do not hold the server, and normal requests are served throughout.
#[test]
fn the_server_refuses_abuse_and_keeps_serving() {
    let o = Origin::start();
    o.serve("/rss2.xml", Route::feed(read_fixture("feeds/rss2.xml"), "application/rss+xml"));
    let ws = Workspace::with_config(&format!(
        "[settings]\ndb = \"db\"\n[[feed]]\nname = \"news\"\nurl = \"{}\"\n",
        o.url("/rss2.xml")
    ));
    let d = Daemon::start(&ws);
    d.wait_entries("/feeds/news.rss", 3);
    let get = |path: &str| format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").into_bytes();

    // slow clients: 200 connections that send half a request line and stop
    let mut slow: Vec<std::net::TcpStream> = (0..200)
        .map(|_| {
            use std::io::Write;
            let mut s = std::net::TcpStream::connect(&d.addr).unwrap();
            s.write_all(b"GET /feeds/news.rss HT").unwrap();
            s
        })
        .collect();
    let started = std::time::Instant::now();
    assert_eq!(d.get("/feeds/news.rss").0, 200, "served while slow clients wait");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());

    for (path, want) in [
        ("/feeds/../../etc/passwd", &[404][..]),
        ("/feeds/%2e%2e/%2e%2e/etc/passwd", &[404]),
        ("/feeds/..%2f..%2fetc%2fpasswd.rss", &[404]),
        ("/%2e%2e/%2e%2e/etc/passwd", &[404]),
        ("/feeds/%ff%fe.rss", &[400, 404]),
    ] {
        let got = raw_status(&d.addr, &get(path));
        assert!(want.contains(&got), "{path}: {got}");
    }
    let long_name = format!("/feeds/{}.rss", "a".repeat(10_000));
    assert_eq!(raw_status(&d.addr, &get(&long_name)), 404);
    let huge_uri = format!("/feeds/{}", "a".repeat(1_000_000));
    assert!([414, 431].contains(&raw_status(&d.addr, &get(&huge_uri))), "1 MB URI");
    let mut many = b"GET /feeds/news.rss HTTP/1.1\r\nHost: x\r\n".to_vec();
    for i in 0..300 {
        many.extend(format!("X-Header-{i}: {}\r\n", "b".repeat(100)).as_bytes());
    }
    many.extend(b"\r\n");
    assert_eq!(raw_status(&d.addr, &many), 431, "300 headers");
    let post =
        b"POST /feeds/news.rss HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello world";
    assert_eq!(raw_status(&d.addr, post), 405);

    // and the server still answers normally
    assert_eq!(d.get("/feeds/news.rss").0, 200);
    slow.clear();
}

/// Sends `request` as is and reads until the server closes: the head of the answer,
/// lower-cased ("" when the server closed without one).
fn raw_head(addr: &str, request: &[u8]) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.write_all(request);
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).to_lowercase();
    answer.split("\r\n\r\n").next().unwrap_or("").to_string()
}

/// One HTTP/1.1 connection that is kept alive, request after request.
struct KeepAlive {
    conn: std::io::BufReader<std::net::TcpStream>,
}

impl KeepAlive {
    fn connect(addr: &str) -> KeepAlive {
        let s = std::net::TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        KeepAlive { conn: std::io::BufReader::new(s) }
    }

    /// A GET on this connection: the status and the lower-cased head of the answer (its body is
    /// read by its Content-Length and dropped).
    fn get(&mut self, path: &str) -> (u16, String) {
        use std::io::{BufRead, Read, Write};
        write!(self.conn.get_mut(), "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut head = String::new();
        loop {
            let mut line = String::new();
            assert!(self.conn.read_line(&mut line).unwrap() > 0, "closed in the head of the answer");
            if line == "\r\n" {
                break;
            }
            head.push_str(&line.to_lowercase());
        }
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |n| n.trim().parse::<usize>().unwrap());
        self.conn.read_exact(&mut vec![0; length]).unwrap();
        let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        (status, head)
    }

    /// Whether the server closes the connection (end of file, within the read timeout).
    fn closed(&mut self) -> bool {
        use std::io::Read;
        matches!(self.conn.read(&mut [0; 1]), Ok(0))
    }
}

/// RELIABILITY row 47 on the real daemon, with 4 connection slots (`max_connections`;
/// reclaiming idle connections is put off for 10 minutes here, it is tested in
/// `server::tests`): with every slot held by an idle keep-alive client, a new
/// connection is answered at once with 503, `Retry-After` and `Connection: close` instead of
/// waiting in the backlog; under that pressure, keep-alive yields, and the slot it frees
/// serves the next client; without pressure, the third answer on a connection closes it.
#[test]
fn a_full_server_sheds_with_503_and_keep_alive_clients_take_turns() {
    use std::time::Instant;
    let o = Origin::start();
    o.serve("/rss2.xml", Route::feed(read_fixture("feeds/rss2.xml"), "application/rss+xml"));
    let ws = Workspace::with_config(&format!(
        "[settings]\ndb = \"db\"\nmax_connections = 4\nkeepalive_requests = 3\nreclaim_idle_after = \"10m\"\n\
         [[feed]]\nname = \"news\"\nurl = \"{}\"\n",
        o.url("/rss2.xml")
    ));
    let d = Daemon::start(&ws);
    d.wait_entries("/feeds/news.rss", 3);
    let request = b"GET /feeds/news.rss HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

    // Four keep-alive clients, each served once and then idle, hold every slot.
    let mut held: Vec<KeepAlive> = (0..4)
        .map(|_| {
            let mut c = KeepAlive::connect(&d.addr);
            let (status, head) = c.get("/feeds/news.rss");
            assert!(status == 200 && !head.contains("connection: close"), "{head}");
            c
        })
        .collect();
    for _ in 0..3 {
        let started = Instant::now();
        let head = raw_head(&d.addr, request);
        assert!(head.starts_with("http/1.1 503 "), "{head}");
        assert!(head.contains("\r\nretry-after: 1\r\n"), "{head}");
        assert!(head.contains("\r\nconnection: close\r\n"), "{head}");
        assert!(started.elapsed() < Duration::from_secs(2), "answered at once: {:?}", started.elapsed());
    }

    // Under this pressure (a connection was shed within the last second), keep-alive yields:
    // a holder's next answer closes its connection.
    let (status, head) = held[0].get("/feeds/news.rss");
    assert!(status == 200 && head.contains("\r\nconnection: close\r\n"), "{head}");
    assert!(held[0].closed(), "the server closed the connection after the answer");
    // Its slot serves the next client (shed meanwhile, for the moment the slot takes to come
    // back, but never left waiting).
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut last_shed = Instant::now();
    loop {
        let head = raw_head(&d.addr, request);
        if head.starts_with("http/1.1 200 ") {
            break;
        }
        assert!(head.starts_with("http/1.1 503 "), "{head}");
        last_shed = Instant::now();
        assert!(last_shed < deadline, "the freed slot never served a new client");
        std::thread::sleep(Duration::from_millis(50));
    }

    // A second after the last shed, keep-alive is kept again, up to 3 answers a connection.
    std::thread::sleep((last_shed + Duration::from_millis(1_200)).saturating_duration_since(Instant::now()));
    let (status, head) = held[1].get("/feeds/news.rss");
    assert!(status == 200 && !head.contains("connection: close"), "{head}");
    let (status, head) = held[1].get("/feeds/news.rss");
    assert!(status == 200 && head.contains("\r\nconnection: close\r\n"), "{head}");
    assert!(held[1].closed(), "the server closed the connection after its third answer");
    assert_eq!(held[2].get("/feeds/news.rss").0, 200, "the other holders are still served");
}
