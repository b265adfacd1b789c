//! A fault server for tests: a hostile origin on 127.0.0.1 that answers with bombs, stalls,
//! lies, redirect traps and awkward statuses, the fault chosen by the request path
//! (`f.url("/gzip-bomb")`). Raw bytes on std sockets, one thread per connection, so every
//! header and every byte is exactly what the mode writes. Counts requests per path and keeps
//! each request's headers. Unlike `origin`, nothing here is configured per test: the modes are
//! fixed, and each one is a small function below.
//!
//! Modes (a path may carry a query, see each function):
//!
//! | path | answer |
//! |---|---|
//! | `/ok`, anything unknown under `/ok/` | a valid RSS feed with 2 items (ETag, Last-Modified) |
//! | `/gzip-bomb` | 1 GiB of zeros gzip-compressed (about 1 MB), `Content-Encoding: gzip` |
//! | `/brotli-bomb` | 1 GiB of zeros as a hand-made brotli stream (625 bytes), `br` |
//! | `/zstd-bomb` | 1 GiB of zeros as a zstd frame of RLE blocks (32 KiB), `zstd` (never advertised) |
//! | `/gzip-lie` | the plain feed, labelled `Content-Encoding: gzip` |
//! | `/slow-drip` | headers, then one byte per second |
//! | `/silence` | headers, then nothing; the connection held open |
//! | `/no-answer` | the request is read, nothing is ever written |
//! | `/lying-length` | `Content-Length: 100000`, 100 bytes, close |
//! | `/endless-chunked` | chunked RSS items, forever |
//! | `/redirect-chain/N[?codes=301,302]` | N hops (302 unless `codes` says, front first), then the feed |
//! | `/slow-redirect/N` | N hops of 302, each after 2 s, then the feed |
//! | `/endless-headers` | a status line, then headers forever |
//! | `/redirect-loop` | 302 to `/redirect-loop?b`, which 302s back |
//! | `/redirect-file` | 302 to `file:///etc/passwd` |
//! | `/status/NNN[?retry=V or ?retry-in=S]` | status NNN; `Retry-After: V`, or an HTTP date S s ahead |
//! | `/expires-0` | the feed with `Expires: 0` (always 200) |
//! | `/html-page` | 200 `text/html`, an HTML error page |
//! | `/empty` | 200, empty body |
//! | `/cut-off` | the feed cut off inside its second item (a true `Content-Length`: the document is short, not the transfer) |
//! | `/gone-after-first` | the feed on the first request, 410 Gone afterwards |
//! | `/revalidate` | the feed with ETag `"v1"`; a conditional request gets 304 with new validators `"v2"` |
//!
//! Only 127.0.0.1: the server binds there, and every Location it sends is relative or a
//! `file:` URL.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

/// Size of every bomb once inflated.
pub const BOMB_SIZE: u64 = 1 << 30;
/// How long a stalling mode holds a connection at most (the client normally leaves first).
const HOLD: Duration = Duration::from_secs(60);
const LAST_MODIFIED: &str = "Wed, 18 Mar 2026 09:30:00 GMT";

/// One request as received: its headers (names lowercased).
#[derive(Clone, Debug)]
pub struct Request {
    pub headers: HashMap<String, String>,
}

#[derive(Default)]
struct State {
    /// Requests per target, in arrival order.
    requests: HashMap<String, Vec<Request>>,
}

pub struct FaultServer {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl FaultServer {
    /// Starts the server on an ephemeral port of 127.0.0.1; it lives until the test process
    /// exits. The bombs are built on the first start of the process (about 2 s for gzip).
    pub fn start() -> FaultServer {
        gzip_bomb();
        let state = Arc::new(Mutex::new(State::default()));
        let addr = super::serve_forever(state.clone(), handle);
        FaultServer { addr, state }
    }

    /// `http://127.0.0.1:PORT{target}`.
    pub fn url(&self, target: &str) -> String {
        format!("http://{}{}", self.addr, target)
    }

    /// Requests received for `target` (path and query, exactly as requested).
    pub fn hits(&self, target: &str) -> usize {
        self.state.lock().unwrap().requests.get(target).map_or(0, Vec::len)
    }

    /// The requests received for `target`, oldest first.
    pub fn requests(&self, target: &str) -> Vec<Request> {
        self.state.lock().unwrap().requests.get(target).cloned().unwrap_or_default()
    }
}

/// The titles of the items of the feed served for `target` (see `feed`).
pub fn item_titles(target: &str) -> [String; 2] {
    [format!("Fault server item 1 of {target}"), format!("Fault server item 2 of {target}")]
}

fn handle(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let (target, headers) = super::origin::read_request_head(&stream)?;
    let req = Request { headers };
    let nth = {
        let mut st = state.lock().unwrap();
        let seen = st.requests.entry(target.clone()).or_default();
        seen.push(req.clone());
        seen.len()
    };
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut s = stream;
    match path {
        "/gzip-bomb" => bomb(&mut s, "gzip", gzip_bomb()),
        "/brotli-bomb" => bomb(&mut s, "br", brotli_bomb()),
        "/zstd-bomb" => bomb(&mut s, "zstd", zstd_bomb()),
        "/gzip-lie" => respond(&mut s, "200 OK", &[("Content-Encoding", "gzip".into())], &feed(&target)),
        "/slow-drip" => slow_drip(&mut s, &feed(&target)),
        "/silence" => {
            head(
                &mut s,
                "200 OK",
                &[("Content-Type", "application/rss+xml".into()), ("Content-Length", "1000".into())],
            )?;
            hold(&mut s)
        }
        "/no-answer" => hold(&mut s),
        "/lying-length" => lying_length(&mut s, &feed(&target)),
        "/endless-chunked" => endless_chunked(&mut s),
        "/endless-headers" => endless_headers(&mut s),
        "/redirect-loop" => redirect(&mut s, 302, if query == "b" { "/redirect-loop" } else { "/redirect-loop?b" }),
        "/redirect-file" => redirect(&mut s, 302, "file:///etc/passwd"),
        "/expires-0" => respond(&mut s, "200 OK", &[("Expires", "0".into())], &feed(&target)),
        "/html-page" => html_page(&mut s),
        "/empty" => respond(&mut s, "200 OK", &[], b""),
        "/cut-off" => {
            let whole = feed(&target);
            let cut = whole.windows(7).rposition(|w| w == b"<title>").expect("a second item") + 20;
            respond(&mut s, "200 OK", &[], &whole[..cut])
        }
        "/gone-after-first" if nth == 1 => respond(&mut s, "200 OK", &[], &feed(&target)),
        "/gone-after-first" => status(&mut s, 410, ""),
        "/revalidate" => revalidate(&mut s, &req, &target),
        "/ok" => respond(&mut s, "200 OK", &[], &feed(&target)),
        _ => {
            if let Some(n) = path.strip_prefix("/redirect-chain/") {
                redirect_chain(&mut s, n, query, &target)
            } else if let Some(n) = path.strip_prefix("/slow-redirect/") {
                slow_redirect(&mut s, n, &target)
            } else if let Some(code) = path.strip_prefix("/status/") {
                status(&mut s, code.parse().unwrap_or(500), query)
            } else if path.starts_with("/ok/") {
                respond(&mut s, "200 OK", &[], &feed(&target))
            } else {
                status(&mut s, 404, "")
            }
        }
    }
}

/// A valid RSS 2.0 feed with two items whose titles name `target` (see `item_titles`).
pub fn feed(target: &str) -> Vec<u8> {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
    let [t1, t2] = item_titles(target);
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Fault server</title>\
         <link>http://127.0.0.1/</link><description>A feed from the fault server</description>\n",
    );
    for (i, t) in [t1, t2].iter().enumerate() {
        x.push_str(&format!(
            "<item><title>{}</title><guid isPermaLink=\"false\">fault-{i}-{}</guid>\
             <pubDate>Wed, 18 Mar 2026 0{i}:00:00 GMT</pubDate>\
             <description>&lt;p&gt;Body of item {i}, served intact.&lt;/p&gt;</description></item>\n",
            esc(t),
            esc(target)
        ));
    }
    x.push_str("</channel></rss>\n");
    x.into_bytes()
}

/// The head of a response: status line, `Connection: close`, the given headers.
fn head(s: &mut TcpStream, status: &str, headers: &[(&str, String)]) -> std::io::Result<()> {
    let mut h = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (k, v) in headers {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.push_str("\r\n");
    s.write_all(h.as_bytes())?;
    s.flush()
}

/// A complete RSS response with a Content-Length, validators and `extra` headers.
fn respond(s: &mut TcpStream, status: &str, extra: &[(&str, String)], body: &[u8]) -> std::io::Result<()> {
    let mut headers = vec![
        ("Content-Type", "application/rss+xml; charset=utf-8".to_string()),
        ("Content-Length", body.len().to_string()),
        ("ETag", "\"fault-feed\"".to_string()),
        ("Last-Modified", LAST_MODIFIED.to_string()),
    ];
    headers.extend(extra.iter().cloned());
    head(s, status, &headers)?;
    s.write_all(body)?;
    s.flush()
}

/// Holds the connection open without writing, until the client leaves or `HOLD` passes.
fn hold(s: &mut TcpStream) -> std::io::Result<()> {
    s.set_read_timeout(Some(Duration::from_millis(200)))?;
    let until = Instant::now() + HOLD;
    let mut buf = [0u8; 512];
    while Instant::now() < until {
        match s.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A compressed body that inflates to `BOMB_SIZE` zeros; the write fails when the client
/// hangs up, which ends the connection.
fn bomb(s: &mut TcpStream, encoding: &str, body: &[u8]) -> std::io::Result<()> {
    respond(s, "200 OK", &[("Content-Encoding", encoding.to_string())], body)
}

fn slow_drip(s: &mut TcpStream, body: &[u8]) -> std::io::Result<()> {
    head(s, "200 OK", &[("Content-Type", "application/rss+xml".into()), ("Content-Length", body.len().to_string())])?;
    for b in body {
        s.write_all(&[*b])?;
        s.flush()?;
        std::thread::sleep(Duration::from_secs(1));
    }
    Ok(())
}

/// Promises 100000 bytes, sends 100, and closes.
fn lying_length(s: &mut TcpStream, body: &[u8]) -> std::io::Result<()> {
    head(s, "200 OK", &[("Content-Type", "application/rss+xml".into()), ("Content-Length", "100000".into())])?;
    s.write_all(&body[..100])?;
    s.flush()?;
    s.shutdown(Shutdown::Both)
}

/// An RSS document that never ends: 64 KiB chunks of items as fast as the client reads.
fn endless_chunked(s: &mut TcpStream) -> std::io::Result<()> {
    head(s, "200 OK", &[("Content-Type", "application/rss+xml".into()), ("Transfer-Encoding", "chunked".into())])?;
    let start = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>endless</title>";
    write!(s, "{:x}\r\n{start}\r\n", start.len())?;
    let item = "<item><title>again</title><description>and again</description></item>\n";
    let chunk = item.repeat((64 << 10) / item.len());
    loop {
        write!(s, "{:x}\r\n{chunk}\r\n", chunk.len())?;
    }
}

/// A status line, then 1 KiB headers as fast as the client reads, never a blank line.
fn endless_headers(s: &mut TcpStream) -> std::io::Result<()> {
    s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n")?;
    let filler = "x".repeat(1000);
    for i in 0.. {
        write!(s, "X-Filler-{i}: {filler}\r\n")?;
    }
    Ok(())
}

fn redirect(s: &mut TcpStream, code: u16, location: &str) -> std::io::Result<()> {
    let reason = if code == 301 { "Moved Permanently" } else { "Found" };
    head(s, &format!("{code} {reason}"), &[("Location", location.to_string()), ("Content-Length", "0".into())])
}

/// `/redirect-chain/N?codes=C1,C2…`: a redirect to `/redirect-chain/N-1` with the first code
/// (302 when none is left) and the rest of the codes; `/redirect-chain/0` is the feed.
fn redirect_chain(s: &mut TcpStream, n: &str, query: &str, target: &str) -> std::io::Result<()> {
    let Ok(n) = n.parse::<u32>() else { return status(s, 404, "") };
    if n == 0 {
        return respond(s, "200 OK", &[], &feed(target));
    }
    let codes: Vec<&str> =
        query.strip_prefix("codes=").map(|c| c.split(',').filter(|c| !c.is_empty()).collect()).unwrap_or_default();
    let code = codes.first().and_then(|c| c.parse().ok()).unwrap_or(302);
    let rest = codes.get(1..).unwrap_or_default().join(",");
    let next = if rest.is_empty() {
        format!("/redirect-chain/{}", n - 1)
    } else {
        format!("/redirect-chain/{}?codes={rest}", n - 1)
    };
    redirect(s, code, &next)
}

/// `/slow-redirect/N`: after 2 s, a 302 to `/slow-redirect/N-1`; `/slow-redirect/0` is the
/// feed, at once.
fn slow_redirect(s: &mut TcpStream, n: &str, target: &str) -> std::io::Result<()> {
    match n.parse::<u32>() {
        Ok(0) => respond(s, "200 OK", &[], &feed(target)),
        Ok(n) => {
            std::thread::sleep(Duration::from_secs(2));
            redirect(s, 302, &format!("/slow-redirect/{}", n - 1))
        }
        Err(_) => status(s, 404, ""),
    }
}

/// `/status/NNN?retry=V` (Retry-After verbatim) or `?retry-in=S` (an HTTP date S s ahead).
fn status(s: &mut TcpStream, code: u16, query: &str) -> std::io::Result<()> {
    let reason = match code {
        304 => "Not Modified",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let mut headers = vec![("Content-Type", "text/plain".to_string())];
    if let Some(v) = query.strip_prefix("retry=") {
        headers.push(("Retry-After", v.to_string()));
    } else if let Some(secs) = query.strip_prefix("retry-in=").and_then(|v| v.parse().ok()) {
        headers.push(("Retry-After", httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(secs))));
    }
    let body = if code == 304 { String::new() } else { format!("{code} {reason}\n") };
    if code != 304 {
        headers.push(("Content-Length", body.len().to_string()));
    }
    head(s, &format!("{code} {reason}"), &headers)?;
    s.write_all(body.as_bytes())?;
    s.flush()
}

fn html_page(s: &mut TcpStream) -> std::io::Result<()> {
    let body = "<!DOCTYPE html>\n<html><head><title>Service unavailable</title></head>\
                <body><h1>Oops</h1><p>Something went wrong. Please try again later.</p></body></html>\n";
    head(
        s,
        "200 OK",
        &[("Content-Type", "text/html; charset=utf-8".into()), ("Content-Length", body.len().to_string())],
    )?;
    s.write_all(body.as_bytes())?;
    s.flush()
}

/// The feed with validators `"v1"` (unconditional request) or a 304 carrying new validators
/// `"v2"` (conditional request, whatever it asked for).
fn revalidate(s: &mut TcpStream, req: &Request, target: &str) -> std::io::Result<()> {
    if req.headers.contains_key("if-none-match") || req.headers.contains_key("if-modified-since") {
        head(
            s,
            "304 Not Modified",
            &[("ETag", "\"v2\"".into()), ("Last-Modified", "Thu, 19 Mar 2026 10:00:00 GMT".into())],
        )
    } else {
        let body = feed(target);
        head(
            s,
            "200 OK",
            &[
                ("Content-Type", "application/rss+xml".into()),
                ("Content-Length", body.len().to_string()),
                ("ETag", "\"v1\"".into()),
                ("Last-Modified", LAST_MODIFIED.into()),
            ],
        )?;
        s.write_all(&body)?;
        s.flush()
    }
}

/// `BOMB_SIZE` zeros, gzip-compressed by streaming 1 MiB chunks through flate2 (built once per
/// process, about 1 MB).
pub fn gzip_bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..BOMB_SIZE >> 20 {
            gz.write_all(&zeros).expect("compress into memory");
        }
        gz.finish().expect("compress into memory")
    })
}

/// `BOMB_SIZE` zeros (less 384 bytes) as a brotli stream written bit by bit (RFC 7932), since
/// no brotli encoder is a dependency: 64 meta-blocks of 16777210 bytes, in each of which every
/// prefix code has a single symbol (zero bits per symbol), so the whole block is one command
/// "insert one literal 0, copy 9 bytes from distance 1" repeated at no cost. 625 bytes.
pub fn brotli_bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| {
        const MLEN: u64 = 16_777_210; // a multiple of the 10 bytes each command makes
        let mut b = Bits::default();
        b.put(0, 1); // WBITS = 16
        let blocks = BOMB_SIZE / MLEN;
        for i in 0..blocks {
            let last = i + 1 == blocks;
            b.put(u64::from(last), 1); // ISLAST
            if last {
                b.put(0, 1); // ISLASTEMPTY
            }
            b.put(2, 2); // MNIBBLES = 6
            b.put(MLEN - 1, 24);
            if !last {
                b.put(0, 1); // ISUNCOMPRESSED
            }
            b.put(0, 3); // NBLTYPESL, NBLTYPESI, NBLTYPESD = 1
            b.put(0, 2); // NPOSTFIX = 0
            b.put(1, 4); // NDIRECT = 1: distance code 16 is distance 1, without extra bits
            b.put(0, 2); // context mode of the one literal block type
            b.put(0, 2); // NTREESL, NTREESD = 1
            for (symbol, alphabet_bits) in [(0, 8), (143, 10), (16, 7)] {
                // A simple prefix code (HSKIP = 1) with one symbol. Literal: 0. Insert-and-copy
                // 143: insert code 1 (one literal), copy code 7 (9 bytes), explicit distance.
                // Distance (alphabet 16 + NDIRECT + 48): 16.
                b.put(1, 2);
                b.put(0, 2);
                b.put(symbol, alphabet_bits);
            }
        }
        b.finish()
    })
}

/// `BOMB_SIZE` zeros as one zstd frame of 8192 RLE blocks of 128 KiB (4 bytes each).
pub fn zstd_bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| {
        const BLOCK: u32 = 128 << 10;
        // Magic; frame header descriptor (no content size, no checksum); window 2^17 bytes.
        let mut out = vec![0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x38];
        let blocks = (BOMB_SIZE / u64::from(BLOCK)) as u32;
        for i in 0..blocks {
            let header = (BLOCK << 3) | (1 << 1) | u32::from(i + 1 == blocks); // size, RLE, last
            out.extend_from_slice(&header.to_le_bytes()[..3]);
            out.push(0);
        }
        out
    })
}

/// An LSB-first bit writer, as brotli packs its bits.
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, v: u64, bits: u32) {
        self.acc |= v << self.n;
        self.n += bits;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}
