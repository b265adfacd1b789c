//! Several daemons on one PostgreSQL (`store = "postgres"`, `serve --role worker|web`): every
//! feed polled once per interval by whichever worker leased it, `per_host` held over all
//! workers, a killed or stalled worker's feeds taken over without a lost or doubled item,
//! web nodes that answer the same bytes and follow the workers' commits, and a database
//! restart that the nodes ride out. Each test takes a database of its own in the cluster the
//! tests start (`support::pg`); the feeds come from `support::fleet` on 127.0.0.2 and up.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::fleet::Fleet;
use crate::support::{pg, read_fixture, Daemon, Origin, Route, Workspace};

const MINUTE: Duration = Duration::from_secs(60);

fn config(db: &str, feeds: &[(String, String)], settings: &str) -> String {
    let mut t = format!(
        "[settings]\nstore = \"postgres\"\ndatabase_url = \"{db}\"\ntimeout = \"30s\"\n\
         public_url = \"http://feeds.example\"\ninterval = \"1m\"\n{settings}\n"
    );
    for (name, url) in feeds {
        t.push_str(&format!("\n[[feed]]\nname = \"{name}\"\nurl = \"{url}\"\n"));
    }
    t
}

fn node(ws: &Workspace, role: &str) -> Daemon {
    Daemon::start_with(ws, &["--role", role], &[])
}

/// A GET with extra headers: (status, headers with lowercase names, body).
fn get(addr: &str, path: &str, extra: &[(&str, &str)]) -> (u16, HashMap<String, String>, Vec<u8>) {
    let mut s = TcpStream::connect(addr).expect("connect");
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: feeds.example\r\nConnection: close\r\n");
    for (k, v) in extra {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).unwrap();
    let split = resp.windows(4).position(|w| w == b"\r\n\r\n").expect("a response head");
    let head = String::from_utf8_lossy(&resp[..split]).into_owned();
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, resp[split + 4..].to_vec())
}

fn sql(db: &str, query: &str) -> String {
    let name = db.rsplit('/').next().unwrap();
    pg::shared().psql(name, query).unwrap_or_else(|e| panic!("{e}"))
}

/// 3 workers + 2 web nodes, 2,000 feeds on 20 hosts, two intervals: each feed polled once
/// per interval (never again within 0.9 interval, never a gap above 1.1 interval + 3 s),
/// never more than `per_host` requests in flight to a host over all workers; both web nodes
/// answer the same bytes, ETag and Last-Modified, honour each other's ETag, and serve a
/// worker's commit within 2 s.
#[test]
fn workers_share_the_schedule_and_web_nodes_agree() {
    let fleet = Fleet::start(20, Duration::from_millis(300));
    let feeds = fleet.feeds(2000);
    let db = pg::database("fleet");
    let ws = Workspace::with_config(&config(&db, &feeds, "per_host = 2\nconcurrency = 16\nlease = \"10s\""));
    let t0 = Instant::now();
    let workers: Vec<Daemon> = (0..3).map(|_| node(&ws, "worker")).collect();
    let webs: Vec<Daemon> = (0..2).map(|_| node(&ws, "web")).collect();

    // A change at the origin, once every feed had its first poll: both web nodes serve it
    // within 2 s of the worker's commit (at most the origin's answer + a commit after it).
    std::thread::sleep(MINUTE + Duration::from_secs(10));
    fleet.set_version("f0007", 2);
    let want = "f0007 version 2";
    let deadline = Instant::now() + MINUTE + Duration::from_secs(15);
    let (mut seen_a, mut seen_b) = (None, None);
    while (seen_a.is_none() || seen_b.is_none()) && Instant::now() < deadline {
        for (web, seen) in webs.iter().zip([&mut seen_a, &mut seen_b]) {
            if seen.is_none() && String::from_utf8_lossy(&get(&web.addr, "/feeds/f0007.atom", &[]).2).contains(want) {
                *seen = Some(Instant::now());
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let served = fleet.served("f0007", 2).expect("the origin served version 2");
    for (n, seen) in [seen_a, seen_b].into_iter().enumerate() {
        let seen = seen.unwrap_or_else(|| panic!("web node {n} never served {want:?}"));
        let after = seen.saturating_duration_since(served);
        assert!(after <= Duration::from_secs(2), "web node {n} served the change {after:?} after the origin sent it");
    }

    // two intervals and the first round's spread: every feed polled at least twice, and the
    // gap between two polls measured on every feed
    let end = t0 + 2 * MINUTE + Duration::from_secs(15);
    std::thread::sleep(end.saturating_duration_since(Instant::now()));
    let requests = fleet.all_requests();
    drop(workers);

    let interval = MINUTE.as_secs_f64();
    let mut problems = Vec::new();
    for (name, _) in &feeds {
        let times = requests.get(name).cloned().unwrap_or_default();
        let first = times.first().map(|t| t.duration_since(t0).as_secs_f64());
        if first.is_none_or(|f| f > interval + 3.0) {
            problems.push(format!("{name}: first poll at {first:?} s"));
            continue;
        }
        for w in times.windows(2) {
            let gap = w[1].duration_since(w[0]).as_secs_f64();
            if gap < 0.9 * interval || gap > 1.1 * interval + 3.0 {
                problems.push(format!("{name}: polls {gap:.1} s apart"));
            }
        }
        let last = times.last().unwrap().duration_since(t0).as_secs_f64();
        let end_s = end.duration_since(t0).as_secs_f64();
        if end_s - last > 1.1 * interval + 3.0 {
            problems.push(format!("{name}: no poll in the last {:.1} s", end_s - last));
        }
        // from its first poll (spread over the first interval) to the end, once per interval
        // at the latest: a feed first polled late with long jitters may have only two
        let first_s = first.unwrap_or_default();
        let least = ((end_s - first_s) / (1.1 * interval + 3.0)).floor() as usize + 1;
        if times.len() < least {
            problems.push(format!("{name}: {} polls from {first_s:.1} s to {end_s:.1} s", times.len()));
        }
    }
    assert!(problems.is_empty(), "{} problems, e.g. {:?}", problems.len(), &problems[..problems.len().min(10)]);
    let per_host: Vec<usize> = fleet.hosts.iter().map(|h| fleet.max_in_flight(h)).collect();
    assert!(per_host.iter().all(|&n| n <= 2), "requests in flight per host over all workers: {per_host:?}");
    assert!(per_host.contains(&2), "the limit was reached somewhere: {per_host:?}");

    // every node answers the same, and each other's validators
    for path in ["/feeds/f0001.atom", "/feeds/f0007.rss", "/feeds/f1234.json", "/all.atom", "/all.json"] {
        let (sa, ha, ba) = get(&webs[0].addr, path, &[]);
        let (sb, hb, bb) = get(&webs[1].addr, path, &[]);
        assert_eq!((sa, sb), (200, 200), "{path}");
        assert!(ba == bb, "{path}: the two web nodes answer different bytes");
        assert_eq!(ha.get("etag"), hb.get("etag"), "{path}");
        assert_eq!(ha.get("last-modified"), hb.get("last-modified"), "{path}");
        for (web, etag) in [(&webs[1], &ha["etag"]), (&webs[0], &hb["etag"])] {
            assert_eq!(get(&web.addr, path, &[("If-None-Match", etag)]).0, 304, "{path}: the other node's ETag");
        }
    }
    assert_eq!(sql(&db, "SELECT count(*) FROM items"), (2000 * 3 + 1).to_string(), "every item once");
}

/// A worker killed (kill -9) in the middle of its refreshes: every feed it had leased is
/// polled again by the other within lease + 5 s, and every feed ends with its items once.
#[test]
fn a_killed_workers_feeds_are_taken_over_when_their_leases_run_out() {
    let fleet = Fleet::start(2, Duration::from_secs(4));
    let feeds = fleet.feeds(40);
    let db = pg::database("kill");
    let lease = Duration::from_secs(3);
    let ws = Workspace::with_config(&config(&db, &feeds, "per_host = 64\nconcurrency = 64\nlease = \"3s\""));
    let victim = node(&ws, "worker");
    let _other = node(&ws, "worker");
    // a worker answers its health and metrics, and sends readers to the web nodes
    assert_eq!(get(&victim.addr, "/healthz", &[]).0, 200);
    assert!(String::from_utf8_lossy(&get(&victim.addr, "/metrics", &[]).2).contains("feedscrub_polls_total"));
    assert_eq!(get(&victim.addr, "/all.atom", &[]).0, 404);
    let owner = format!("%/{}/%", victim.pid());
    let deadline = Instant::now() + Duration::from_secs(30);
    let leased = loop {
        let held = sql(&db, &format!("SELECT string_agg(name, ' ') FROM feeds WHERE lease_owner LIKE '{owner}'"));
        if held.split_whitespace().count() >= 3 {
            break held;
        }
        assert!(Instant::now() < deadline, "the worker never held three leases");
        std::thread::sleep(Duration::from_millis(100));
    };
    victim.signal("KILL");
    let killed = Instant::now();
    let leased: Vec<&str> = leased.split_whitespace().collect();
    std::thread::sleep(lease + Duration::from_secs(5) + fleet.default_delay());
    for feed in &leased {
        let again = fleet.requests(feed).into_iter().find(|t| *t > killed);
        let after = again.map(|t| t.duration_since(killed));
        assert!(
            after.is_some_and(|a| a <= lease + Duration::from_secs(5)),
            "{feed}: polled again {after:?} after the kill"
        );
    }
    // every feed stored once its refresh went through: 3 items each, none twice
    let deadline = Instant::now() + Duration::from_secs(30);
    while sql(&db, "SELECT count(DISTINCT feed) FROM items") != "40" {
        assert!(Instant::now() < deadline, "not every feed was stored");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(sql(&db, "SELECT count(*) FROM items"), "120");
    assert_eq!(
        sql(&db, "SELECT count(*) FROM (SELECT feed, title FROM items GROUP BY feed, title HAVING count(*) > 1) d"),
        "0"
    );
}

/// A worker stopped (SIGSTOP) past its lease while it fetches: the other worker polls the feed
/// and stores the newer version; resumed, the first one's commit is refused and logged, and
/// the newer refresh stands.
#[test]
fn a_stalled_workers_commit_is_refused_and_the_newer_refresh_stands() {
    let fleet = Fleet::start(1, Duration::ZERO);
    let feeds = fleet.feeds(1);
    let feed = feeds[0].0.clone();
    fleet.set_delay(&feed, Duration::from_secs(2));
    let db = pg::database("stall");
    let ws = Workspace::with_config(&config(&db, &feeds, "lease = \"2s\""));
    let mut stalled = node(&ws, "worker");
    let deadline = Instant::now() + Duration::from_secs(20);
    while fleet.requests(&feed).is_empty() {
        assert!(Instant::now() < deadline, "the first worker never polled");
        std::thread::sleep(Duration::from_millis(20));
    }
    stalled.signal("STOP");
    // what the origin sends from now on is version 2, at once
    fleet.set_version(&feed, 2);
    fleet.set_delay(&feed, Duration::ZERO);
    let _newer = node(&ws, "worker");
    let deadline = Instant::now() + Duration::from_secs(20);
    while sql(&db, "SELECT count(*) FROM items WHERE title LIKE '% version 2'") != "1" {
        assert!(Instant::now() < deadline, "the second worker never stored version 2");
        std::thread::sleep(Duration::from_millis(100));
    }
    let state = sql(&db, &format!("SELECT claim_seq, state::text FROM feeds WHERE name = '{feed}'"));
    stalled.signal("CONT");
    let refused = stalled.wait_line("no longer this worker's", Duration::from_secs(20));
    assert!(refused.contains(&feed), "{refused}");
    assert_eq!(sql(&db, "SELECT count(*) FROM items WHERE title LIKE '% version 2'"), "1", "the newer refresh stands");
    assert_eq!(sql(&db, "SELECT count(*) FROM items"), "4");
    assert_eq!(
        sql(&db, &format!("SELECT claim_seq, state::text FROM feeds WHERE name = '{feed}'")),
        state,
        "nothing of the stalled refresh was written"
    );
}

/// PostgreSQL restarts while a worker polls: the worker reconnects, what it stored before
/// is still there, and the polls go on (the first round of 60 feeds spans 30 s).
#[test]
fn a_database_restart_mid_run_is_ridden_out() {
    let cluster = pg::Cluster::start().unwrap_or_else(|e| panic!("{e}"));
    let db = cluster.create_database("restart");
    let fleet = Fleet::start(3, Duration::from_millis(50));
    let feeds = fleet.feeds(60);
    let ws = Workspace::with_config(&config(&db, &feeds, ""));
    let d = node(&ws, "all");
    let count = |q: &str| cluster.psql("restart", q);
    let deadline = Instant::now() + Duration::from_secs(30);
    while count("SELECT count(DISTINCT feed) FROM items").unwrap_or_default().parse::<usize>().unwrap_or(0) < 5 {
        assert!(Instant::now() < deadline, "nothing stored before the restart");
        std::thread::sleep(Duration::from_millis(100));
    }
    let before = count("SELECT count(DISTINCT feed) FROM items").unwrap();
    cluster.stop(true);
    std::thread::sleep(Duration::from_secs(2));
    let restarted = Instant::now();
    cluster.launch().unwrap_or_else(|e| panic!("{e}"));
    let deadline = Instant::now() + Duration::from_secs(60);
    while count("SELECT count(DISTINCT feed) FROM items").unwrap_or_default() != "60" {
        assert!(Instant::now() < deadline, "the first round did not finish after the restart");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(before.parse::<usize>().unwrap() < 60, "some feeds were left for after the restart");
    assert_eq!(count("SELECT count(*) FROM items").unwrap(), "180", "what was stored before is kept, nothing twice");
    let polled_after = feeds.iter().filter(|(n, _)| fleet.requests(n).iter().any(|t| *t > restarted)).count();
    assert!(polled_after > 0, "polls went on after the restart");
    // and the node serves what the database has
    let (status, _, body) = get(&d.addr, "/all.atom", &[]);
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).matches("<entry").count() >= 50);
}

/// `migrate --to postgres://…` copies a redb store feed by feed; the exports before and after
/// are byte-identical, a second copy into the now full database is refused, and the commands
/// work on the database.
#[test]
fn a_local_store_migrates_to_postgres_with_identical_exports() {
    let o = Origin::start();
    o.serve("/rss2.xml", Route::feed(read_fixture("feeds/rss2.xml"), "application/rss+xml"));
    o.serve("/atom.xml", Route::feed(read_fixture("feeds/atom.xml"), "application/atom+xml"));
    o.serve("/feed.json", Route::feed(read_fixture("feeds/jsonfeed.json"), "application/feed+json"));
    let ws = Workspace::with_feeds(&[
        ("news", &o.url("/rss2.xml")),
        ("culture", &o.url("/atom.xml")),
        ("json", &o.url("/feed.json")),
    ]);
    ws.fetch(0);
    let exports = |ws: &Workspace| -> Vec<String> {
        let mut out = Vec::new();
        for format in ["rss", "atom", "json"] {
            for feed in [None, Some("news"), Some("culture"), Some("json")] {
                out.push(ws.export(feed, format));
            }
        }
        out
    };
    let before = exports(&ws);
    let db = pg::database("migrate");
    let r = ws.run(&["migrate", "--to", &db]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("copied 3 feeds"), "{}", r.stdout);
    let again = ws.run(&["migrate", "--to", &db]);
    assert_ne!(again.code, 0);
    assert!(again.stderr.contains("already holds 3 feeds"), "{}", again.stderr);

    let config = std::fs::read_to_string(ws.config()).unwrap();
    let config =
        config.replacen("[settings]\n", &format!("[settings]\nstore = \"postgres\"\ndatabase_url = \"{db}\"\n"), 1);
    std::fs::write(ws.config(), config).unwrap();
    let after = exports(&ws);
    for (n, (a, b)) in before.iter().zip(&after).enumerate() {
        assert!(a == b, "export {n} differs after the migration:\n{a}\n---\n{b}");
    }
    assert!(before.iter().all(|e| e.contains("<item") || e.contains("<entry") || e.contains("\"items\"")));
    let stats = ws.run(&["stats"]);
    assert_eq!(stats.code, 0, "{}", stats.stderr);
    assert!(stats.stdout.contains("news") && stats.stdout.contains("culture"), "{}", stats.stdout);
    // a fetch on the database: every source unchanged (304), nothing new
    ws.fetch(0);
    assert_eq!(exports(&ws), before);
}
