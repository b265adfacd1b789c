//! The listener: how `serve` accepts connections, and what it does when there are more than
//! it serves at once (RELIABILITY rows 46 and 47).
//!
//! - **Backlog.** `bind` listens with a backlog of `LISTEN_BACKLOG` (std and tokio use 128).
//! - **Slots.** At most `Limits::max_connections` connections are served at once. Each holds
//!   a slot (a semaphore permit) until it closes. The cap lives here, in the accept loop, and
//!   not in a tower layer: a concurrency limit added with `Router::layer` wraps each route
//!   separately and counts requests in flight, not connections, so idle keep-alive
//!   connections and clients trickling their headers would not count.
//! - **The accept loop never waits for a slot.** A connection that finds every slot taken is
//!   still accepted, so it does not sit in the kernel's backlog for as long as others hold
//!   their slots. It holds one of `Limits::max_shedding` spare permits (so these cannot
//!   exhaust memory or file descriptors) while its request head arrives (`SHED_LINGER` at
//!   most; it is looked at, not read). Then:
//!   1. If a slot is free by now, it is served.
//!   2. If a served connection has waited at least `Limits::reclaim_after` for a request head
//!      (an idle keep-alive connection, or a client trickling its headers), the one that has
//!      waited longest is closed and the new connection takes its slot. This is what nginx
//!      does with its "reusable" connections when `worker_connections` run out. A connection
//!      that has answered a request closes gracefully: a response still being sent is
//!      finished first. Only a connection whose head has arrived may reclaim: clients that
//!      trickle their headers, however fast they reconnect, cannot take the slots freed for
//!      clients with a request to make.
//!   3. Otherwise it is shed: answered with `SHED_RESPONSE` (`503`, `Retry-After: 1`,
//!      `Connection: close`), its request head is read and dropped, and it is closed. A
//!      connection whose head did not arrive in time is shed too.
//!
//!   While all spare permits are held, accepting pauses until one is given back (at most
//!   `SHED_LINGER`), and new connections wait in the backlog. (Closing them unanswered
//!   instead makes clients that reconnect at once, like wrk, spin: most of a flood then gets
//!   no answer at all.)
//! - **Taking turns.** The `keepalive_requests`th response on a connection carries
//!   `Connection: close` (nginx's `keepalive_requests`), so a busy client cannot hold its slot
//!   for ever. Under pressure, keep-alive yields altogether (as Apache's event MPM closes
//!   keep-alive connections when it is saturated): for `PRESSURE` after a connection found
//!   every slot taken, every response closes its connection, so the slots go round all
//!   clients, one request each, instead of staying with the first `max_connections` for
//!   `keepalive_requests` requests. An idle connection is closed after
//!   `header_read_timeout`: hyper starts that timer again whenever a connection waits for its
//!   next request head.
//! - **Graceful shutdown.** Accepting stops, connections that wait for their first request
//!   are closed, the others finish the response they are sending. `serve` waits for them for
//!   up to `SHUTDOWN_GRACE`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::http::{header, HeaderValue, Request};
use axum::Router;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt;

/// The listen backlog: connections the kernel completes before the server accepts them. The
/// kernel caps it at `net.core.somaxconn` (4096 on current Linux).
pub const LISTEN_BACKLOG: u32 = 1024;

/// The answer to a connection shed for lack of a slot. It is sent without parsing the request,
/// so it cannot depend on it; a HEAD client ignores the body (it closes anyway).
pub const SHED_RESPONSE: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
    Retry-After: 1\r\n\
    Connection: close\r\n\
    Cache-Control: no-store\r\n\
    Content-Type: text/plain; charset=utf-8\r\n\
    Content-Length: 40\r\n\
    \r\n\
    too many connections, retry in a second\n";

/// How long a connection that found every slot taken may take to send its request head. The
/// head must have arrived before the 503 is sent and the socket closed: closing a socket with
/// unread request bytes, or with bytes still to come, makes the kernel send a reset, which can
/// destroy the 503 at the client before it reads it (the reason for nginx's lingering close).
const SHED_LINGER: Duration = Duration::from_secs(1);

/// A request head is looked for in at most this many bytes (more counts as arrived).
const HEAD_PEEK: usize = 2048;

/// At most this much of a shed connection's request is read and dropped before it is closed.
const SHED_DRAIN: usize = 64 * 1024;

/// How long a connection waits for the slot of the connection it reclaimed (which closes at
/// once unless it is still sending a response) before it is shed after all.
const RECLAIM_WAIT: Duration = Duration::from_secs(1);

/// How long `serve` waits for open connections at shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// For this long after a connection found every slot taken, keep-alive yields: every
/// response closes its connection.
const PRESSURE: Duration = Duration::from_secs(1);

/// While connections are shed or reclaimed, one log line at most this often.
const REPORT_EVERY: Duration = Duration::from_secs(10);

/// Limits of the listener.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections served at once (their slots).
    pub max_connections: usize,
    /// A client must send a request head within this time: from the connection's start, and
    /// again after every response, so this is also the keep-alive idle timeout.
    pub header_read_timeout: Duration,
    /// The response to this many requests on one connection closes it.
    pub keepalive_requests: u32,
    /// With every slot taken, a connection that has waited this long for a request head may be
    /// closed to make room for a new one.
    pub reclaim_after: Duration,
    /// Connections that found every slot taken and are being served a 503 (or wait for a
    /// reclaimed slot); while this many are, accepting pauses. With `max_connections`, this
    /// bounds the file descriptors the listener uses (512 + 256 by default, under the usual
    /// soft limit of 1,024).
    pub max_shedding: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 512,
            header_read_timeout: Duration::from_secs(10),
            keepalive_requests: 100,
            reclaim_after: Duration::from_secs(1),
            max_shedding: 256,
        }
    }
}

impl Limits {
    /// The defaults, with the connection settings of `[settings]` (`max_connections`,
    /// `keepalive_requests`, `reclaim_idle_after`).
    pub fn from_settings(settings: &crate::config::Settings) -> Limits {
        Limits {
            max_connections: settings.max_connections.get(),
            keepalive_requests: u32::try_from(settings.keepalive_requests.get()).unwrap_or(u32::MAX),
            reclaim_after: settings.reclaim_idle_after,
            ..Limits::default()
        }
    }
}

/// A listening socket on `addr` with a backlog of `LISTEN_BACKLOG`, and `SO_REUSEADDR` as
/// std and tokio set it.
pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Serves `app` on `listener` until `shutdown` turns true; see the module documentation.
pub async fn serve(listener: TcpListener, app: Router, mut shutdown: watch::Receiver<bool>, limits: Limits) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let spares = Arc::new(Semaphore::new(limits.max_shedding));
    let registry = Arc::new(Registry::new());
    let counts = Arc::new(SheddingCounts::default());
    let mut report = Report::default();
    loop {
        let stream = tokio::select! {
            a = listener.accept() => match a {
                Ok((stream, _peer)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = stopping(&mut shutdown) => break,
        };
        let conn = Connection { app: app.clone(), limits, registry: registry.clone(), shutdown: shutdown.clone() };
        if let Ok(slot) = slots.clone().try_acquire_owned() {
            tokio::spawn(conn.run(stream, slot));
            continue;
        }
        // Every slot is taken.
        registry.full();
        // While every spare permit is held, accepting pauses until one is given back.
        let spare = match spares.clone().try_acquire_owned() {
            Ok(spare) => spare,
            Err(_) => {
                counts.paused.fetch_add(1, Ordering::Relaxed);
                tokio::select! {
                    spare = spares.clone().acquire_owned() => spare.expect("never closed"),
                    _ = stopping(&mut shutdown) => break,
                }
            }
        };
        tokio::spawn(overflow(stream, spare, conn, slots.clone(), counts.clone()));
        report.log(limits, &counts);
    }
    // New connections are refused from here on; open ones finish (all slots come back).
    drop(listener);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(SHUTDOWN_GRACE, slots.acquire_many(all)).await.is_err() {
        tracing::warn!("open connections did not finish within {SHUTDOWN_GRACE:?}");
    }
}

/// Resolves once `shutdown` is true (or its sender is gone: then nothing can stop us later).
async fn stopping(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// A connection that found every slot taken, holding `spare`: once its request head has
/// arrived, it is served if a slot is free or can be reclaimed, else shed.
async fn overflow(
    stream: TcpStream,
    spare: OwnedSemaphorePermit,
    conn: Connection,
    slots: Arc<Semaphore>,
    counts: Arc<SheddingCounts>,
) {
    if head_arrived(&stream).await {
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => Some(slot),
            Err(_) if conn.registry.reclaim(conn.limits.reclaim_after) => {
                counts.reclaimed.fetch_add(1, Ordering::Relaxed);
                tokio::time::timeout(RECLAIM_WAIT, slots.acquire_owned()).await.ok().and_then(Result::ok)
            }
            Err(_) => None,
        };
        if let Some(slot) = slot {
            drop(spare);
            return conn.run(stream, slot).await;
        }
    }
    counts.shed.fetch_add(1, Ordering::Relaxed);
    shed(stream).await;
    drop(spare);
}

/// Waits until `stream` holds a whole request head, without reading it: true once it does
/// (or `HEAD_PEEK` bytes without the end of one), false when the client closes first or
/// `SHED_LINGER` passes.
async fn head_arrived(stream: &TcpStream) -> bool {
    let deadline = tokio::time::Instant::now() + SHED_LINGER;
    let mut buf = [0u8; HEAD_PEEK];
    // Bytes that are looked at stay readable, so a part of a head is looked at again after a
    // pause (growing up to 160 ms), not as soon as it is readable.
    let mut pause = Duration::from_millis(5);
    loop {
        let n = match tokio::time::timeout_at(deadline, stream.peek(&mut buf)).await {
            Ok(Ok(n)) => n,
            _ => return false,
        };
        if n == 0 {
            return false;
        }
        if n == buf.len() || buf[..n].windows(4).any(|w| w == b"\r\n\r\n") {
            return true;
        }
        if tokio::time::Instant::now() + pause >= deadline {
            return false;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(160));
    }
}

/// Sheds a connection: `SHED_RESPONSE`, then the end of sending, then what has arrived of the
/// request (its head, when `head_arrived`; `SHED_DRAIN` at most) is read and dropped and the
/// socket is closed.
async fn shed(mut stream: TcpStream) {
    let _ = tokio::time::timeout(SHED_LINGER, async {
        stream.write_all(SHED_RESPONSE).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; HEAD_PEEK];
        let mut drained = 0;
        while drained < SHED_DRAIN {
            match stream.try_read(&mut sink) {
                Ok(n) if n > 0 => drained += n,
                _ => break,
            }
        }
        Ok::<_, io::Error>(())
    })
    .await;
}

/// Connections that found every slot taken, by outcome (from the spawned tasks).
#[derive(Default)]
struct SheddingCounts {
    shed: AtomicU64,
    reclaimed: AtomicU64,
    paused: AtomicU64,
}

/// Logs while slots run out: that they do, the first time at once; then `SheddingCounts` at most
/// every `REPORT_EVERY`.
#[derive(Default)]
struct Report {
    last: Option<Instant>,
}

impl Report {
    fn log(&mut self, limits: Limits, counts: &SheddingCounts) {
        match self.last {
            Some(t) if t.elapsed() < REPORT_EVERY => return,
            Some(_) => tracing::warn!(
                shed_with_503 = counts.shed.swap(0, Ordering::Relaxed),
                reclaimed_idle = counts.reclaimed.swap(0, Ordering::Relaxed),
                accepting_paused = counts.paused.swap(0, Ordering::Relaxed),
                "all {} connection slots taken (counts since the last such line)",
                limits.max_connections
            ),
            None => tracing::warn!(
                "all {} connection slots taken: new connections are shed with 503 or reclaim idle ones",
                limits.max_connections
            ),
        }
        self.last = Some(Instant::now());
    }
}

/// `Conn::waiting_since` while a request is in progress.
const BUSY: u64 = 0;
/// `Conn::waiting_since` once the accept loop has chosen the connection to make room.
const RECLAIMED: u64 = u64::MAX;

/// What the accept loop knows about one served connection.
struct Conn {
    /// Since when the connection has waited for a request head, in milliseconds from
    /// `Registry::epoch` plus one; or `BUSY`, or `RECLAIMED`.
    waiting_since: AtomicU64,
    /// Whether a request has arrived (a reclaimed connection then closes gracefully).
    served: AtomicBool,
    /// Requests so far, for `Limits::keepalive_requests`.
    requests: AtomicU32,
    /// Notified when the connection is reclaimed.
    reclaim: Notify,
}

impl Conn {
    /// A request head has arrived.
    fn busy(&self) {
        self.served.store(true, Ordering::Relaxed);
        let _ =
            self.waiting_since.fetch_update(Ordering::AcqRel, Ordering::Acquire, |s| (s != RECLAIMED).then_some(BUSY));
    }

    /// The response is sent (hyper dropped its body): waiting for the next request head.
    fn waiting(&self, now: u64) {
        let _ =
            self.waiting_since.fetch_update(Ordering::AcqRel, Ordering::Acquire, |s| (s != RECLAIMED).then_some(now));
    }

    /// Waiting for its first request head (nothing to finish before closing).
    fn fresh(&self) -> bool {
        !self.served.load(Ordering::Relaxed)
    }
}

/// The served connections, for `reclaim`.
struct Registry {
    epoch: Instant,
    next_id: AtomicU64,
    conns: Mutex<HashMap<u64, Arc<Conn>>>,
    /// `now()` when a connection last found every slot taken (0: never).
    full_at: AtomicU64,
}

impl Registry {
    fn new() -> Registry {
        Registry {
            epoch: Instant::now(),
            next_id: AtomicU64::new(0),
            conns: Mutex::new(HashMap::new()),
            full_at: AtomicU64::new(0),
        }
    }

    /// A connection found every slot taken.
    fn full(&self) {
        self.full_at.store(self.now(), Ordering::Relaxed);
    }

    /// Whether a connection found every slot taken within `PRESSURE`.
    fn under_pressure(&self) -> bool {
        let full_at = self.full_at.load(Ordering::Relaxed);
        full_at != 0 && u128::from(self.now().saturating_sub(full_at)) < PRESSURE.as_millis()
    }

    /// Milliseconds since `epoch`, plus one (never `BUSY`).
    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(RECLAIMED - 1).saturating_add(1).min(RECLAIMED - 1)
    }

    /// A new connection, waiting for its first request head; removed when `Registered` drops.
    fn register(self: &Arc<Self>) -> Registered {
        let conn = Arc::new(Conn {
            waiting_since: AtomicU64::new(self.now()),
            served: AtomicBool::new(false),
            requests: AtomicU32::new(0),
            reclaim: Notify::new(),
        });
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.conns.lock().unwrap_or_else(|e| e.into_inner()).insert(id, conn.clone());
        Registered { registry: self.clone(), id, conn }
    }

    /// Tells the connection that has waited longest for a request head, at least `min_wait`,
    /// to close. False when there is none.
    fn reclaim(&self, min_wait: Duration) -> bool {
        let min_wait = u64::try_from(min_wait.as_millis()).unwrap_or(u64::MAX);
        let Some(latest) = self.now().checked_sub(min_wait) else { return false };
        let conns = self.conns.lock().unwrap_or_else(|e| e.into_inner());
        // A connection can turn busy between the search and the swap: then search again.
        for _ in 0..8 {
            let oldest = conns
                .values()
                .map(|c| (c.waiting_since.load(Ordering::Acquire), c))
                .filter(|(since, _)| *since != BUSY && *since != RECLAIMED && *since <= latest)
                .min_by_key(|(since, _)| *since);
            let Some((since, conn)) = oldest else { return false };
            if conn.waiting_since.compare_exchange(since, RECLAIMED, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                conn.reclaim.notify_one();
                return true;
            }
        }
        false
    }
}

/// A connection's entry in the registry, removed on drop.
struct Registered {
    registry: Arc<Registry>,
    id: u64,
    conn: Arc<Conn>,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.registry.conns.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.id);
    }
}

/// One accepted connection that is to be served.
struct Connection {
    app: Router,
    limits: Limits,
    registry: Arc<Registry>,
    shutdown: watch::Receiver<bool>,
}

impl Connection {
    /// Serves HTTP/1.1 on `stream` until it closes, is reclaimed or the server shuts down;
    /// `_slot` is given back at the end.
    async fn run(self, stream: TcpStream, _slot: OwnedSemaphorePermit) {
        let Connection { app, limits, registry, mut shutdown } = self;
        // Responses go out whole; without this, Nagle's algorithm holds the last segment of a
        // large body until the client's delayed ACK, a tail latency of up to 40 ms.
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        let entry = registry.register();
        let conn = entry.conn.clone();
        let service = {
            let conn = conn.clone();
            let registry = registry.clone();
            hyper::service::service_fn(move |req: Request<Incoming>| {
                conn.busy();
                let last = conn.requests.fetch_add(1, Ordering::Relaxed) + 1 >= limits.keepalive_requests
                    || registry.under_pressure();
                let app = app.clone();
                let conn = conn.clone();
                let registry = registry.clone();
                async move {
                    let Ok(mut res) = app.oneshot(req).await;
                    if last {
                        res.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
                    }
                    Ok::<_, Infallible>(res.map(|body| Tracked { body, conn, registry }))
                }
            })
        };
        let http = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .serve_connection(TokioIo::new(stream), service);
        tokio::pin!(http);
        let reclaimed = conn.reclaim.notified();
        tokio::pin!(reclaimed);
        let mut closing = false;
        loop {
            tokio::select! {
                _ = http.as_mut() => break,
                _ = reclaimed.as_mut(), if !closing => {
                    if conn.fresh() {
                        break;
                    }
                    closing = true;
                    http.as_mut().graceful_shutdown();
                }
                _ = stopping(&mut shutdown), if !closing => {
                    if conn.fresh() {
                        break;
                    }
                    closing = true;
                    http.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// A response body that marks its connection as waiting for the next request head once hyper
/// is done with it (drops it).
struct Tracked {
    body: Body,
    conn: Arc<Conn>,
    registry: Arc<Registry>,
}

impl HttpBody for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.conn.waiting(self.registry.now());
    }
}
