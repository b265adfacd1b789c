//! The HTTP server that feed readers poll: clean feeds, an index page, OPML, health and
//! metrics. `router(state)` builds the axum router (tests call it without a socket);
//! `serve(listener, app, shutdown, limits)` runs it on a listener made by `bind`: a
//! header-read timeout, a cap on concurrent connections, 503s for the excess and keep-alive
//! connections that take turns, none of which `axum::serve` sets (see `listener`).
//!
//! Routes: `GET /` (the dashboard), `/feeds/{name}` (a feed's page),
//! `/feeds/{name}/items/{id}` (an item with its removals), `/feeds/{name}/ads`, `/style.css`
//! (the pages are in `pages`), `/feeds/{name}.{rss,atom,json}`, `/all.{rss,atom,json}`,
//! `/feeds.opml`, `/healthz`, `/metrics`. GET routes answer HEAD too; other methods get 405, unknown paths 404.
//! Feed responses carry ETag and Last-Modified, answer If-None-Match / If-Modified-Since with
//! 304, and are gzipped (with their own ETag) when the client accepts it. Renderings come
//! from `cache`, so this module never renders a feed whose items did not change.

pub mod cache;
mod listener;
mod pages;

pub use listener::{bind, serve, Limits, LISTEN_BACKLOG, SHED_RESPONSE};

use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::config::Config;
use crate::daemon::Live;
use crate::export::Format;
use crate::publish::{self, PublishError, Scope};
use crate::store::Store;
use cache::{Key, RenderCache, Rendered};

/// What every request handler shares.
pub struct AppState {
    pub store: Store,
    /// The running config and the poll metrics, shared with the scheduler.
    pub live: Arc<Live>,
    pub cache: RenderCache,
    /// `/metrics`' stored-items count, with the (store generation, config) it was counted at.
    items_counted: std::sync::Mutex<Option<(u64, Arc<Config>, u64)>>,
}

impl AppState {
    pub fn new(store: Store, live: Arc<Live>) -> Arc<AppState> {
        Arc::new(AppState { store, live, cache: RenderCache::default(), items_counted: std::sync::Mutex::new(None) })
    }

    pub fn config(&self) -> Arc<Config> {
        self.live.config()
    }

    /// `settings.public_url` of the running config, else `http://{Host}` (a Host with
    /// unexpected characters is not echoed).
    fn base_url(&self, headers: &HeaderMap) -> String {
        if let Some(p) = &self.config().settings.public_url {
            return p.as_str().trim_end_matches('/').to_string();
        }
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
        let safe = !host.is_empty()
            && host.len() <= 255
            && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
        format!("http://{}", if safe { host } else { "localhost" })
    }
}

/// A worker's routes (`serve --role worker`): its health and metrics. It follows no other
/// node's commits, so it serves no feeds: the web nodes do.
pub fn worker_router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics_page))
        .fallback(|| async {
            (StatusCode::NOT_FOUND, "a worker serves /healthz and /metrics; feeds are on the web nodes\n")
        })
        .with_state(state)
}

/// The routes, without a socket.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics_page))
        .route("/feeds.opml", get(opml))
        .route("/all.rss", get(|s: State<Arc<AppState>>, h: HeaderMap| feed(s, h, None, Format::Rss)))
        .route("/all.atom", get(|s: State<Arc<AppState>>, h: HeaderMap| feed(s, h, None, Format::Atom)))
        .route("/all.json", get(|s: State<Arc<AppState>>, h: HeaderMap| feed(s, h, None, Format::Json)))
        .route("/feeds/{file}", get(feed_file))
        .route("/feeds/{name}/items/{id}", get(item_page))
        .route("/feeds/{name}/ads", get(ads_page))
        .route(
            "/style.css",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")],
                    pages::STYLE,
                )
            }),
        )
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found\n") })
        .with_state(state)
}

/// `?page=N` of a feed's page.
#[derive(Debug, serde::Deserialize)]
struct PageQuery {
    page: Option<usize>,
}

/// `/feeds/{name}.rss|atom|json`: the clean feed; `/feeds/{name}`: its page for a browser.
async fn feed_file(
    state: State<Arc<AppState>>,
    headers: HeaderMap,
    Path(file): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let Some((name, ext)) = file.rsplit_once('.') else {
        if !crate::config::is_slug(&file) {
            return not_found();
        }
        let page = q.page.unwrap_or(1);
        return render_page(&state, &headers, move |cfg, store, base| pages::feed_page(cfg, store, base, &file, page))
            .await;
    };
    let format = match ext {
        "rss" => Format::Rss,
        "atom" => Format::Atom,
        "json" => Format::Json,
        _ => return not_found(),
    };
    if !crate::config::is_slug(name) {
        return not_found();
    }
    feed(state, headers, Some(name.to_string()), format).await
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

fn content_type(format: Format) -> &'static str {
    match format {
        Format::Rss => "application/rss+xml; charset=utf-8",
        Format::Atom => "application/atom+xml; charset=utf-8",
        Format::Json => "application/feed+json",
    }
}

fn extension(format: Format) -> &'static str {
    match format {
        Format::Rss => "rss",
        Format::Atom => "atom",
        Format::Json => "json",
    }
}

/// One clean feed (`feed = Some(name)`) or all merged, with caching and conditional GET.
async fn feed(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    feed: Option<String>,
    format: Format,
) -> Response {
    let cfg = state.config();
    if feed.as_deref().is_some_and(|f| cfg.feed(f).is_none()) {
        return not_found();
    }
    let base = state.base_url(&headers);
    let key = Key { feed: feed.clone(), format, base: base.clone() };
    let at = state.store.generation_at(feed.as_deref());
    let generation = at.number;
    let mut rendered = state.cache.get(&key, generation);
    let _rendering = match rendered {
        Some(_) => None,
        None => {
            let guard = state.cache.render_lock(&key).lock_owned().await;
            rendered = state.cache.get(&key, generation); // another request's rendering
            Some(guard)
        }
    };
    let rendered = match rendered {
        Some(r) => r,
        None => {
            let self_url = match &feed {
                Some(f) => format!("{base}/feeds/{f}.{}", extension(format)),
                None => format!("{base}/all.{}", extension(format)),
            };
            let store = state.store.clone();
            let job = tokio::task::spawn_blocking(move || {
                let scope = feed.as_deref().map_or(Scope::All, Scope::Feed);
                let limit = Some(cfg.settings.output_items.get());
                let r = publish::render(&cfg, &store, scope, format, Some(self_url), limit)
                    .map(|text| Rendered::new(generation, text, at.changed));
                if scope == Scope::All {
                    crate::memory::release_freed(); // it read the newest of every feed
                }
                r
            });
            match job.await {
                Ok(Ok(r)) => {
                    let r = Arc::new(r);
                    state.cache.put(key, r.clone());
                    r
                }
                Ok(Err(PublishError::UnknownFeed(_))) => return not_found(),
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "cannot render a feed");
                    return (StatusCode::INTERNAL_SERVER_ERROR, "store error\n").into_response();
                }
                Err(e) => {
                    tracing::error!(error = %e, "rendering failed");
                    return (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response();
                }
            }
        }
    };
    respond(&headers, &rendered, content_type(format))
}

/// Picks the encoding, answers 304 when the client's copy is current, else sends the body.
fn respond(req: &HeaderMap, r: &Rendered, content_type: &'static str) -> Response {
    let gzip = accepts_gzip(req);
    let (etag, body) = if gzip { (&r.etag_gzip, &r.gzip) } else { (&r.etag, &r.body) };
    let mut h = HeaderMap::new();
    h.insert(header::ETAG, HeaderValue::from_str(etag).expect("hex ETag"));
    h.insert(
        header::LAST_MODIFIED,
        HeaderValue::from_str(&httpdate::fmt_http_date(r.last_modified)).expect("HTTP date"),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if not_modified(req, etag, r.last_modified) {
        return (StatusCode::NOT_MODIFIED, h).into_response();
    }
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if gzip {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    (StatusCode::OK, h, Body::from(body.clone())).into_response()
}

/// RFC 9110: If-None-Match wins when present (weak comparison); else If-Modified-Since.
fn not_modified(req: &HeaderMap, etag: &str, last_modified: SystemTime) -> bool {
    if let Some(inm) = req.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
        return inm.split(',').any(|t| t.trim() == "*" || bare(t) == bare(etag));
    }
    req.get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
        .is_some_and(|since| last_modified <= since)
}

/// Does `Accept-Encoding` allow gzip (not with q=0)?
fn accepts_gzip(req: &HeaderMap) -> bool {
    req.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|c| {
        let mut parts = c.split(';');
        let name = parts.next().unwrap_or("").trim();
        let q =
            parts.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.trim().parse::<f32>().ok()).unwrap_or(1.0);
        (name.eq_ignore_ascii_case("gzip") || name == "*") && q > 0.0
    })
}

async fn index(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    render_page(&state, &headers, |cfg, store, base| pages::index(cfg, store, base).map(Some)).await
}

/// A page rendered off the async threads from the running config and the store, sent with
/// its safety headers (`page_response`).
async fn render_page(
    state: &Arc<AppState>,
    headers: &HeaderMap,
    render: impl FnOnce(&Config, &Store, &str) -> Result<Option<String>, crate::store::StoreError> + Send + 'static,
) -> Response {
    let base = state.base_url(headers);
    let cfg = state.config();
    let st = state.clone();
    let images = cfg.settings.page_images;
    page_response(images, tokio::task::spawn_blocking(move || render(&cfg, &st.store, &base)).await)
}

/// `/feeds/{name}/items/{id}`: one item and what was removed from it.
async fn item_page(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path((name, id)): Path<(String, String)>,
) -> Response {
    if !crate::config::is_slug(&name) {
        return not_found();
    }
    render_page(&state, &headers, move |cfg, store, base| pages::item_page(cfg, store, base, &name, &id)).await
}

/// `/feeds/{name}/ads`: the feed's whole-ad items and why.
async fn ads_page(State(state): State<Arc<AppState>>, headers: HeaderMap, Path(name): Path<String>) -> Response {
    if !crate::config::is_slug(&name) {
        return not_found();
    }
    render_page(&state, &headers, move |cfg, store, base| pages::ads_page(cfg, store, base, &name)).await
}

/// Feed content shown in our own origin: the browser may run no script, load styles only from
/// feedscrub, and load images and media from anywhere (the items' own, as a feed reader
/// would; `settings.page_images = false`: none); no framing, no form posts, no sniffing, no
/// referrer to the sites items link to.
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src http: https: data:; media-src http: https:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/// `PAGE_CSP` with `page_images = false`.
pub const PAGE_CSP_NO_IMAGES: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// An HTML page's response with the safety headers (`PAGE_CSP` or `PAGE_CSP_NO_IMAGES`,
/// nosniff, no referrer); 404 for `None`, 500 when the store failed.
fn page_response(
    images: bool,
    r: Result<Result<Option<String>, crate::store::StoreError>, tokio::task::JoinError>,
) -> Response {
    match r {
        Ok(Ok(Some(html))) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CONTENT_SECURITY_POLICY, if images { PAGE_CSP } else { PAGE_CSP_NO_IMAGES }),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                (header::REFERRER_POLICY, "no-referrer"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            html,
        )
            .into_response(),
        Ok(Ok(None)) => not_found(),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "store error\n").into_response(),
    }
}

async fn opml(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let base = state.base_url(&headers);
    match pages::opml(&state.config(), &state.store, &base) {
        Ok(x) => ([(header::CONTENT_TYPE, "text/x-opml; charset=utf-8")], x).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "store error\n").into_response(),
    }
}

async fn metrics_page(State(state): State<Arc<AppState>>) -> Response {
    let s = state.clone();
    // Reads every feed's state when items were written since the last scrape: off the
    // async workers.
    let items = tokio::task::spawn_blocking(move || stored_items(&s)).await.unwrap_or(0);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.live.metrics.render(items))
        .into_response()
}

/// The items stored for the configured feeds, summed over their states; counted again only
/// when a commit wrote items or the config changed (a daemon of 100,000 feeds whose polls
/// answer 304 does not read 100,000 states per scrape).
fn stored_items(state: &AppState) -> u64 {
    let cfg = state.config();
    let generation = state.store.generation(None);
    let mut cached = state.items_counted.lock().unwrap_or_else(|e| e.into_inner());
    match &*cached {
        Some((g, c, n)) if *g == generation && Arc::ptr_eq(c, &cfg) => *n,
        _ => {
            let n = match state.store.postgres() {
                // one query, not one per feed
                Some(pg) => pg.item_count(cfg.feeds.iter().map(|f| f.name.clone()).collect()).unwrap_or(0),
                None => cfg
                    .feeds
                    .iter()
                    .filter_map(|f| state.store.feed_state(&f.name).ok().flatten())
                    .map(|s| s.item_count)
                    .sum(),
            };
            *cached = Some((generation, cfg, n));
            n
        }
    }
}

#[cfg(test)]
mod tests;
