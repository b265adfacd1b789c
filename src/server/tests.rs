//! Router tests without a socket (the axum router called as a service): every route and
//! status, conditional GET, gzip, HEAD, the render cache and self URLs. The store is filled through the real refresh path
//! from a fixture file.

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use super::*;
use crate::context::Context;
use crate::fetch::Fetcher;
use crate::refresh::refresh_feed;

struct Fixture {
    state: Arc<AppState>,
    ctx: Context,
    _dir: tempfile::TempDir,
}

async fn fixture(public_url: Option<&str>) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let feeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feeds");
    let feed_file = dir.path().join("news.xml");
    std::fs::copy(feeds.join("rss2.xml"), &feed_file).unwrap();
    let settings = public_url.map(|u| format!("public_url = \"{u}\"\n")).unwrap_or_default();
    let toml = format!(
        "[settings]\ndb = \"db\"\n{settings}[[feed]]\nname = \"news\"\nurl = \"{}\"\n[[feed]]\nname = \"culture\"\nurl = \"{}\"\n",
        feed_file.display(),
        feeds.join("atom.xml").display()
    );
    let cfg = Arc::new(Config::parse(&toml, Path::new("feeds.toml"), dir.path()).unwrap());
    let store = Store::open(&cfg.settings.db).unwrap();
    let ctx = Context::new(Fetcher::new(&cfg.settings).unwrap(), store.clone()).unwrap();
    for f in &cfg.feeds {
        assert!(refresh_feed(&ctx, f).await.ok());
    }
    let state = AppState::new(store, crate::daemon::Live::new(cfg, Arc::default()));
    Fixture { state, ctx, _dir: dir }
}

async fn send(
    state: &Arc<AppState>,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(uri).header(header::HOST, "feeds.example:8080");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = router(state.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, body)
}

async fn get(state: &Arc<AppState>, uri: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    send(state, Method::GET, uri, &[]).await
}

fn h(headers: &HeaderMap, name: header::HeaderName) -> &str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn every_feed_route_serves_its_format() {
    let f = fixture(None).await;
    for (uri, ct, entries) in [
        ("/feeds/news.rss", "application/rss+xml; charset=utf-8", 3),
        ("/feeds/news.atom", "application/atom+xml; charset=utf-8", 3),
        ("/feeds/news.json", "application/feed+json", 3),
        ("/feeds/culture.atom", "application/atom+xml; charset=utf-8", 2),
        ("/all.rss", "application/rss+xml; charset=utf-8", 5),
        ("/all.atom", "application/atom+xml; charset=utf-8", 5),
        ("/all.json", "application/feed+json", 5),
    ] {
        let (status, headers, body) = get(&f.state, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(h(&headers, header::CONTENT_TYPE), ct, "{uri}");
        assert!(h(&headers, header::ETAG).starts_with('"'), "{uri}");
        assert!(httpdate::parse_http_date(h(&headers, header::LAST_MODIFIED)).is_ok(), "{uri}");
        let feed = feed_rs::parser::parse(&body[..]).unwrap_or_else(|e| panic!("{uri}: {e}"));
        assert_eq!(feed.entries.len(), entries, "{uri}");
        let text = String::from_utf8(body).unwrap();
        assert!(!text.contains("Anzeige") && !text.contains("<script"), "{uri} is cleaned");
    }
}

#[tokio::test]
async fn feeds_name_their_own_url_from_host_or_public_url() {
    let f = fixture(None).await;
    let (_, _, body) = get(&f.state, "/feeds/news.atom").await;
    assert!(String::from_utf8(body).unwrap().contains("href=\"http://feeds.example:8080/feeds/news.atom\""));
    let (_, _, body) = get(&f.state, "/all.json").await;
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["feed_url"], "http://feeds.example:8080/all.json");
    let (_, _, body) = send(&f.state, Method::GET, "/feeds/news.rss", &[("host", "evil\"><script>")]).await;
    assert!(!String::from_utf8(body).unwrap().contains("<script>"), "a hostile Host is not echoed");

    let p = fixture(Some("https://clean.example/fs/")).await;
    let (_, _, body) = get(&p.state, "/feeds/news.rss").await;
    assert!(String::from_utf8(body).unwrap().contains("<atom:link href=\"https://clean.example/fs/feeds/news.rss\""));
}

#[tokio::test]
async fn conditional_requests_get_304_without_body() {
    let f = fixture(None).await;
    let (_, headers, body) = get(&f.state, "/feeds/news.rss").await;
    let etag = h(&headers, header::ETAG).to_string();
    let lm = h(&headers, header::LAST_MODIFIED).to_string();
    let (_, again, body2) = get(&f.state, "/feeds/news.rss").await;
    assert_eq!(h(&again, header::ETAG), etag, "ETag is stable across requests");
    assert_eq!(body, body2);

    for hdrs in [
        vec![("if-none-match", etag.as_str())],
        vec![("if-none-match", "\"x\", W/".to_string().as_str())],
        vec![("if-modified-since", lm.as_str())],
    ] {
        let (status, h304, b) = send(&f.state, Method::GET, "/feeds/news.rss", &hdrs).await;
        if hdrs[0].1.starts_with("\"x\"") {
            assert_eq!(status, StatusCode::OK, "{hdrs:?}");
            continue;
        }
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{hdrs:?}");
        assert!(b.is_empty());
        assert_eq!(h(&h304, header::ETAG), etag);
    }
    let (status, _, _) =
        send(&f.state, Method::GET, "/feeds/news.rss", &[("if-none-match", &format!("W/{etag}"))]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED, "weak comparison");
    let (status, _, _) =
        send(&f.state, Method::GET, "/feeds/news.rss", &[("if-none-match", "\"other\""), ("if-modified-since", &lm)])
            .await;
    assert_eq!(status, StatusCode::OK, "If-None-Match wins over If-Modified-Since");
    let (status, _, _) =
        send(&f.state, Method::GET, "/feeds/news.rss", &[("if-modified-since", "Mon, 01 Jan 2001 00:00:00 GMT")]).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn gzip_when_accepted_with_its_own_etag() {
    let f = fixture(None).await;
    let (_, plain_h, plain) = get(&f.state, "/all.atom").await;
    let (status, gz_h, gz) = send(&f.state, Method::GET, "/all.atom", &[("accept-encoding", "br, gzip;q=0.8")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h(&gz_h, header::CONTENT_ENCODING), "gzip");
    assert_eq!(h(&gz_h, header::VARY), "Accept-Encoding");
    assert_ne!(h(&gz_h, header::ETAG), h(&plain_h, header::ETAG));
    let mut inflated = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut inflated).unwrap();
    assert_eq!(inflated, plain);
    let (_, no_h, _) = send(&f.state, Method::GET, "/all.atom", &[("accept-encoding", "gzip;q=0")]).await;
    assert_eq!(h(&no_h, header::CONTENT_ENCODING), "", "q=0 refuses gzip");
    let (status, _, _) = send(
        &f.state,
        Method::GET,
        "/all.atom",
        &[("accept-encoding", "gzip"), ("if-none-match", h(&gz_h, header::ETAG))],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn head_gets_headers_only() {
    let f = fixture(None).await;
    let (_, get_h, _) = get(&f.state, "/feeds/news.json").await;
    let (status, head_h, body) = send(&f.state, Method::HEAD, "/feeds/news.json", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.is_empty());
    assert_eq!(h(&head_h, header::ETAG), h(&get_h, header::ETAG));
    assert_eq!(h(&head_h, header::CONTENT_TYPE), "application/feed+json");
}

#[tokio::test]
async fn unknown_names_404_and_other_methods_405() {
    let f = fixture(None).await;
    for uri in [
        "/feeds/nope.rss",
        "/feeds/news.xml",
        "/feeds/nope",
        "/feeds/news/items/nope",
        "/feeds/nope/items/x",
        "/all.xml",
        "/nothing",
        "/feeds/../../etc/passwd",
        "/feeds/%2e%2e%2fx.rss",
        "/feeds/NEWS.rss",
    ] {
        let (status, _, _) = get(&f.state, uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
    }
    let long = format!("/feeds/{}.rss", "a".repeat(10_000));
    assert_eq!(get(&f.state, &long).await.0, StatusCode::NOT_FOUND);
    for m in [Method::POST, Method::PUT, Method::DELETE] {
        assert_eq!(send(&f.state, m.clone(), "/all.rss", &[]).await.0, StatusCode::METHOD_NOT_ALLOWED, "{m}");
        assert_eq!(send(&f.state, m.clone(), "/feeds/news.rss", &[]).await.0, StatusCode::METHOD_NOT_ALLOWED, "{m}");
    }
}

#[tokio::test]
async fn renderings_are_cached_until_the_feeds_items_change() {
    let f = fixture(None).await;
    let (_, first_h, _) = get(&f.state, "/feeds/news.rss").await;
    let (_, all_h, _) = get(&f.state, "/all.rss").await;
    let cached = f.state.cache.get(
        &Key { feed: Some("news".into()), format: Format::Rss, base: "http://feeds.example:8080".into() },
        f.state.store.generation(Some("news")),
    );
    assert!(cached.is_some(), "the rendering is kept");
    // A refresh that changes nothing (the file is unchanged) keeps the cached rendering.
    let cfg = f.state.config();
    let news = cfg.feed("news").unwrap();
    let report = refresh_feed(&f.ctx, news).await;
    assert!(report.not_modified);
    assert!(Arc::ptr_eq(
        &cached.clone().unwrap(),
        &f.state
            .cache
            .get(
                &Key { feed: Some("news".into()), format: Format::Rss, base: "http://feeds.example:8080".into() },
                f.state.store.generation(Some("news"))
            )
            .unwrap()
    ));
    // A refresh that changes an item invalidates this feed's and the merged rendering.
    let crate::config::Source::File(path) = &news.source else { panic!() };
    let text = std::fs::read_to_string(path).unwrap().replace("Weekend fares remain unchanged", "Weekend fares rise");
    std::fs::write(path, text).unwrap();
    assert_eq!(refresh_feed(&f.ctx, news).await.outcome.unwrap().updated, 1);
    let (_, second_h, body) = get(&f.state, "/feeds/news.rss").await;
    assert_ne!(h(&second_h, header::ETAG), h(&first_h, header::ETAG));
    assert!(String::from_utf8(body).unwrap().contains("Weekend fares rise"));
    let (_, all2_h, _) = get(&f.state, "/all.rss").await;
    assert_ne!(h(&all2_h, header::ETAG), h(&all_h, header::ETAG));
}

#[tokio::test]
async fn index_opml_health_and_metrics() {
    let f = fixture(None).await;
    let (status, headers, body) = get(&f.state, "/").await;
    let html = String::from_utf8(body).unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h(&headers, header::CONTENT_TYPE), "text/html; charset=utf-8");
    for want in [
        "<strong>news</strong>",
        "Example News – Culture",
        "http://feeds.example:8080/feeds/news.atom",
        "/feeds.opml",
        "<td>3</td><td>2 (",
    ] {
        assert!(html.contains(want), "{want} missing in index:\n{html}");
    }
    assert!(!html.contains("<script"));

    let (_, _, body) = get(&f.state, "/feeds.opml").await;
    let opml = String::from_utf8(body).unwrap();
    assert!(opml.contains("<opml version=\"2.0\">"));
    assert!(opml.contains("xmlUrl=\"http://feeds.example:8080/feeds/news.rss\""), "{opml}");
    assert!(opml.contains("xmlUrl=\"http://feeds.example:8080/feeds/culture.rss\""), "{opml}");

    assert_eq!(get(&f.state, "/healthz").await.2, b"ok\n");

    let report = refresh_feed(&f.ctx, f.state.config().feed("news").unwrap()).await;
    f.state.live.metrics.record(&report);
    let (_, headers, body) = get(&f.state, "/metrics").await;
    let m = String::from_utf8(body).unwrap();
    assert!(h(&headers, header::CONTENT_TYPE).starts_with("text/plain; version=0.0.4"));
    for want in [
        "feedscrub_polls_total 1",
        "feedscrub_not_modified_total 1",
        "feedscrub_items_stored 5",
        "feedscrub_failures_total{kind=\"fetch\"} 0",
        "feedscrub_fetch_duration_seconds_count 1",
    ] {
        assert!(m.contains(want), "{want} missing:\n{m}");
    }
}

/// A plain HTTP/1.1 GET over a socket: the status code (0 when the server closed first).
async fn socket_get(addr: std::net::SocketAddr, path: &str) -> u16 {
    let head = socket_get_head(addr, path).await;
    head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0)
}

/// A plain HTTP/1.1 GET over a socket, read until the server closes: the head of the answer,
/// lower-cased ("" when the server closed first).
async fn socket_get_head(addr: std::net::SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf).await;
    let text = String::from_utf8_lossy(&buf).to_lowercase();
    text.split("\r\n\r\n").next().unwrap_or("").to_string()
}

/// Starts `serve` with `limits` on 127.0.0.1: its address, the stop switch and its task.
async fn start_server(
    f: &Fixture,
    limits: Limits,
) -> (std::net::SocketAddr, tokio::sync::watch::Sender<bool>, tokio::task::JoinHandle<()>) {
    let listener = bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let server = tokio::spawn(serve(listener, router(f.state.clone()), stopped, limits));
    (addr, stop, server)
}

#[tokio::test]
async fn slow_clients_are_cut_off_and_cannot_hold_the_server() {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let f = fixture(None).await;
    let limits = Limits { max_connections: 4, header_read_timeout: Duration::from_millis(300), ..Limits::default() };
    let (addr, stop, server) = start_server(&f, limits).await;

    // Three clients trickle half a request line and stall.
    let mut slow = Vec::new();
    for _ in 0..3 {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /all.rss HTTP/1.1\r\nHo").await.unwrap();
        slow.push(s);
    }
    // Normal requests are answered meanwhile (one slot is still free).
    assert_eq!(socket_get(addr, "/healthz").await, 200);
    // The slow ones are cut off after the header-read timeout.
    let started = Instant::now();
    for mut s in slow {
        let mut buf = [0u8; 64];
        let n =
            tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf)).await.expect("closed in time").unwrap_or(0);
        let text = String::from_utf8_lossy(&buf[..n]);
        assert!(n == 0 || text.starts_with("HTTP/1.1 408"), "{text}");
    }
    assert!(started.elapsed() < Duration::from_secs(3));
    // So is an idle keep-alive connection: the timeout starts again after each response.
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = idle.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let started = Instant::now();
    let n =
        tokio::time::timeout(Duration::from_secs(5), idle.read(&mut buf)).await.expect("closed in time").unwrap_or(0);
    assert_eq!(n, 0, "closed without another answer");
    assert!(started.elapsed() < Duration::from_secs(3));
    // And every slot is free again.
    for _ in 0..4 {
        assert_eq!(socket_get(addr, "/healthz").await, 200);
    }
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(15), server).await.expect("server stops").unwrap();
}

/// RELIABILITY rows 46 and 47: with every slot taken, a new connection is answered at once
/// with a 503 (not left in the backlog); a connection that has waited `reclaim_after` for a
/// request head gives its slot to a new one, the one that waited longest first (an idle
/// keep-alive connection closes gracefully); under that pressure, keep-alive yields.
#[tokio::test]
async fn a_full_server_sheds_at_once_and_reclaims_waiting_connections() {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let f = fixture(None).await;
    let limits = Limits {
        max_connections: 2,
        header_read_timeout: Duration::from_secs(20),
        reclaim_after: Duration::from_secs(2),
        ..Limits::default()
    };
    let (addr, stop, server) = start_server(&f, limits).await;
    // Sends a GET on a keep-alive connection and reads the answer's head (bodies here are
    // small); "" when the server closed the connection.
    async fn ask(s: &mut tokio::net::TcpStream) -> String {
        let _ = s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
        answer(s).await
    }
    async fn answer(s: &mut tokio::net::TcpStream) -> String {
        let mut buf = vec![0u8; 8192];
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf)).await.expect("an answer").unwrap_or(0);
        String::from_utf8_lossy(&buf[..n]).to_lowercase()
    }

    // `stalled` stops in its request head; `idle` is a keep-alive client between requests.
    let t0 = Instant::now();
    let mut stalled = tokio::net::TcpStream::connect(addr).await.unwrap();
    stalled.write_all(b"GET /all.rss HTTP/1.1\r\nHo").await.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    let first = ask(&mut idle).await;
    assert!(first.starts_with("http/1.1 200") && !first.contains("connection: close"), "{first}");

    // Both slots are taken and nobody has waited 2 s: a new client is shed at once.
    let started = Instant::now();
    let head = socket_get_head(addr, "/healthz").await;
    assert!(t0.elapsed() < Duration::from_secs(2), "the test itself was too slow: {:?}", t0.elapsed());
    assert!(head.starts_with("http/1.1 503"), "{head}");
    assert!(head.contains("\r\nretry-after: 1\r\n") && head.contains("\r\nconnection: close\r\n"), "{head}");
    assert!(started.elapsed() < Duration::from_millis(500), "{:?}", started.elapsed());

    // Once `stalled` has waited 2 s (and `idle` not yet), a new client takes its slot; but
    // only one whose request head has arrived: one that trickles its own cannot.
    tokio::time::sleep(Duration::from_millis(2_500).saturating_sub(t0.elapsed())).await;
    let trickler = tokio::spawn(async move {
        let started = Instant::now();
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHo").await.unwrap();
        let mut buf = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf)).await;
        (String::from_utf8_lossy(&buf).to_lowercase(), started.elapsed())
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(socket_get(addr, "/healthz").await, 200);
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(2), stalled.read(&mut buf)).await.expect("reclaimed").unwrap_or(0);
    assert_eq!(n, 0, "closed without an answer");
    // `idle` is still open, but under this pressure keep-alive yields: its next answer
    // closes it.
    let second = ask(&mut idle).await;
    assert!(second.starts_with("http/1.1 200") && second.contains("\r\nconnection: close\r\n"), "{second}");
    assert_eq!(answer(&mut idle).await, "", "closed after the answer");
    // The trickler got its 503 once its time for a head was over.
    let (text, took) = trickler.await.unwrap();
    assert!(text.starts_with("http/1.1 503"), "{text}");
    assert!(took >= Duration::from_millis(800) && took < Duration::from_secs(3), "{took:?}");

    // Without pressure (1 s later), keep-alive is kept; a keep-alive client idle for 2 s is
    // closed gracefully to make room, before a younger stalled one.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    let first = ask(&mut idle).await;
    assert!(first.starts_with("http/1.1 200") && !first.contains("connection: close"), "{first}");
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut other = tokio::net::TcpStream::connect(addr).await.unwrap(); // the second slot
    other.write_all(b"GET /all.rss HTTP/1.1\r\nHo").await.unwrap();
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    assert_eq!(socket_get(addr, "/healthz").await, 200);
    assert_eq!(answer(&mut idle).await, "", "the idle one, reclaimed first, closed");

    // Shutdown closes the connection still waiting for its first request at once.
    let started = Instant::now();
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(15), server).await.expect("server stops").unwrap();
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    drop(other);
}

/// The canned 503 is a well-formed HTTP/1.1 response whose Content-Length is its body's.
#[test]
fn the_shed_response_is_well_formed() {
    let text = std::str::from_utf8(SHED_RESPONSE).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let mut lines = head.split("\r\n");
    assert_eq!(lines.next(), Some("HTTP/1.1 503 Service Unavailable"));
    let headers: Vec<(&str, &str)> = lines.map(|l| l.split_once(": ").unwrap()).collect();
    let get = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v);
    assert_eq!(get("Content-Length"), Some(body.len().to_string().as_str()));
    assert_eq!(get("Retry-After"), Some("1"));
    assert_eq!(get("Connection"), Some("close"));
}

/// `settings.page_images = false`: the pages' CSP loads no image or media from elsewhere.
#[test]
fn pages_without_images_say_so_in_their_csp() {
    for (images, csp) in [(true, PAGE_CSP), (false, PAGE_CSP_NO_IMAGES)] {
        let r = page_response(images, Ok(Ok(Some("<p>x</p>".into()))));
        assert_eq!(r.headers()[header::CONTENT_SECURITY_POLICY], csp);
        assert_eq!(r.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    }
    assert!(PAGE_CSP.contains("img-src http: https: data:"));
    assert!(PAGE_CSP_NO_IMAGES.contains("img-src 'self' data:") && !PAGE_CSP_NO_IMAGES.contains("http:"));
    assert_eq!(page_response(true, Ok(Ok(None))).status(), StatusCode::NOT_FOUND);
}
