//! A small HTTP/1.1 origin on 127.0.0.1 for tests: serves configurable routes with ETag and
//! Last-Modified, answers conditional requests with 304, and counts requests per path.
//! Blocking std networking, one thread per connection, `Connection: close`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the origin answers on one path.
#[derive(Clone, Debug)]
pub struct Route {
    pub status: u16,
    pub body: Vec<u8>,
    pub content_type: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub extra_headers: Vec<(String, String)>,
    /// Wait this long before answering.
    pub delay: Option<Duration>,
}

impl Route {
    /// 200 with the body, a content type, and an ETag derived from the body.
    pub fn feed(body: impl Into<Vec<u8>>, content_type: &str) -> Route {
        let body = body.into();
        let etag = format!(
            "\"{:x}-{}\"",
            body.iter().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(*b as u64)),
            body.len()
        );
        Route {
            status: 200,
            body,
            content_type: content_type.to_string(),
            etag: Some(etag),
            last_modified: Some("Wed, 18 Mar 2026 09:30:00 GMT".into()),
            extra_headers: vec![],
            delay: None,
        }
    }

    pub fn status(status: u16) -> Route {
        Route {
            status,
            body: format!("status {status}").into_bytes(),
            content_type: "text/plain".into(),
            etag: None,
            last_modified: None,
            extra_headers: vec![],
            delay: None,
        }
    }

    pub fn without_validators(mut self) -> Route {
        self.etag = None;
        self.last_modified = None;
        self
    }
}

#[derive(Default)]
struct State {
    routes: HashMap<String, Route>,
    hits: HashMap<String, usize>,
    not_modified: HashMap<String, usize>,
}

pub struct Origin {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl Origin {
    /// Starts the origin on an ephemeral port; it lives until the test process exits.
    pub fn start() -> Origin {
        let state = Arc::new(Mutex::new(State::default()));
        let addr = super::serve_forever(state.clone(), handle);
        Origin { addr, state }
    }

    pub fn serve(&self, path: &str, route: Route) {
        self.state.lock().unwrap().routes.insert(path.to_string(), route);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Requests received for `path` (any answer).
    pub fn hits(&self, path: &str) -> usize {
        self.state.lock().unwrap().hits.get(path).copied().unwrap_or(0)
    }

    /// Requests for `path` answered 304.
    pub fn not_modified(&self, path: &str) -> usize {
        self.state.lock().unwrap().not_modified.get(path).copied().unwrap_or(0)
    }
}

/// Reads a request head (10 s at most): its target (`/` when missing) and its headers, names
/// lowercased. Shared with `fault`.
pub fn read_request_head(stream: &TcpStream) -> std::io::Result<(String, HashMap<String, String>)> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let target = request_line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    Ok((target, headers))
}

fn handle(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let (path, headers) = read_request_head(&stream)?;
    let route = {
        let mut st = state.lock().unwrap();
        *st.hits.entry(path.clone()).or_default() += 1;
        st.routes.get(&path).cloned()
    };
    let mut stream = stream;
    let Some(route) = route else {
        return write_response(&mut stream, 404, "text/plain", &[], b"not found");
    };
    if let Some(d) = route.delay {
        std::thread::sleep(d);
    }
    let etag_hit = route.etag.is_some() && headers.get("if-none-match") == route.etag.as_ref();
    let date_hit = route.etag.is_none()
        && route.last_modified.is_some()
        && headers.get("if-modified-since") == route.last_modified.as_ref();
    let mut extra: Vec<(String, String)> = route.extra_headers.clone();
    if let Some(e) = &route.etag {
        extra.push(("ETag".into(), e.clone()));
    }
    if let Some(lm) = &route.last_modified {
        extra.push(("Last-Modified".into(), lm.clone()));
    }
    if route.status == 200 && (etag_hit || date_hit) {
        *state.lock().unwrap().not_modified.entry(path).or_default() += 1;
        return write_response(&mut stream, 304, &route.content_type, &extra, b"");
    }
    write_response(&mut stream, route.status, &route.content_type, &extra, &route.body)
}

fn write_response(
    s: &mut TcpStream,
    status: u16,
    ct: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {status} X\r\nContent-Type: {ct}\r\nConnection: close\r\n");
    if status != 304 {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())?;
    if status != 304 {
        s.write_all(body)?;
    }
    s.flush()
}
