//! Getting a feed's bytes: HTTP(S) with reqwest, or a local file.
//!
//! Owns: connect and total timeouts, at most 10 redirects, the body cap (enforced while
//! streaming, after decompression, and up front from Content-Length), conditional GET with
//! the stored ETag / Last-Modified, and typed errors. "Not modified" is a value, not an error.
//! A server certificate that does not verify (self-signed, expired, for another host) is its
//! own error, `FetchError::Tls`; only a feed with `tls_insecure = true` accepts it, through a
//! second client built the first time such a feed is fetched.
//! Local files use their modification time and size as the validator, so an unchanged sample
//! costs no parse either. Does not decode charsets (that is `charset`) and does not retry.
//!
//! Trust. A feed URL from feeds.toml is the user's own and is fetched wherever it points
//! (127.0.0.1, a local file). A URL taken from feed content (an item's link, for full text) is
//! not trusted: `Fetcher::fetch_untrusted` fetches only http(s), and unless `[settings]
//! allow_private = true` it never connects to a non-public address, on any hop: each hop's URL
//! is checked (its scheme, and a host that is an IP literal) and names are resolved by the
//! guard (`address.rs`), which drops non-public answers, through a third client built on first use.
//! A refusal is `FetchError::Refused`.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{
    HeaderMap, ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};
use reqwest::StatusCode;

use crate::config::{Settings, Source};
use crate::model::Validators;

mod address;

pub use address::non_public;
use address::{Guard, Refusal};

/// Feed formats first, anything else last (some servers answer 406 without `*/*`).
const ACCEPT_FEEDS: &str = "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5";
/// Pages (URLs from feed content, fetched for their full text): HTML first.
const ACCEPT_PAGES: &str = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5";
const MAX_REDIRECTS: usize = 10;
/// Retry-After and cache lifetimes are clamped to this.
pub const MAX_HINT: Duration = Duration::from_secs(24 * 3600);

/// What a source said about polling it, besides the body.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Hints {
    /// Every redirect on the way was permanent (301/308): the feed lives here now.
    pub moved_to: Option<url::Url>,
    /// `Cache-Control: max-age` or `Expires`: do not poll again before this long.
    pub min_interval: Option<Duration>,
}

/// The outcome of a successful fetch.
#[derive(Debug)]
pub enum Fetched {
    /// New bytes (at most the body cap), with the validators to store for next time.
    Modified { body: Vec<u8>, charset: Option<String>, validators: Validators },
    /// The source answered 304, or the local file is unchanged; with the validators a 304
    /// sent, when it sent new ones (RFC 9111 §4.3.4: they replace the stored ones).
    NotModified { validators: Option<Validators> },
}

/// Why a fetch failed. Each message names the URL or path.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: timed out after {}s", timeout.as_secs_f32())]
    Timeout { url: String, timeout: Duration },
    #[error("{url}: cannot connect: {detail}")]
    Connect { url: String, detail: String },
    /// The server's certificate did not verify (unknown issuer, expired, another host's…);
    /// `detail` is rustls's reason.
    #[error("{url}: TLS certificate rejected: {detail}")]
    Tls { url: String, detail: String },
    #[error("{url}: more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects { url: String },
    #[error("{url}: HTTP {status}{}", retry_after.map(|d| format!(" (retry after {}s)", d.as_secs())).unwrap_or_default())]
    Status { url: String, status: u16, retry_after: Option<Duration> },
    /// 410: the feed is gone for good.
    #[error("{url}: HTTP 410 Gone")]
    Gone { url: String },
    #[error("{url}: body larger than the {limit} byte limit (max_body)")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: {detail}")]
    Http { url: String, detail: String },
    #[error("{path}: {detail}")]
    File { path: String, detail: String },
    /// A URL taken from feed content that the guard does not fetch: not http(s), or (unless
    /// `allow_private`) a hop whose host is, or resolves only to, a non-public address. `url` is
    /// the refused URL, except for a redirect target refused by its URL alone (scheme, literal
    /// address): then it is the URL that redirected, and `reason` names the target. Nothing
    /// was sent to the refused target.
    #[error("{url}: refused: {reason}")]
    Refused { url: String, reason: String },
    /// The HTTP client itself could not be set up (no feed involved).
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

/// One HTTP client shared by every feed of a run (connection reuse), plus the limits.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    /// The client for feeds with `tls_insecure = true`: the same settings, but any server
    /// certificate is accepted. Built on the first fetch of such a feed and shared by clones;
    /// a run without one never builds it.
    insecure: Arc<OnceLock<Result<reqwest::Client, String>>>,
    /// The client for URLs from feed content while `allow_private` is off: the same settings,
    /// no proxy, and the guard as its DNS resolver. Built on the first such fetch.
    guarded: Arc<OnceLock<Result<reqwest::Client, String>>>,
    guard: Guard,
    settings: Settings,
}

impl Fetcher {
    /// The settings this fetcher was built with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn new(settings: &Settings) -> Result<Fetcher, FetchError> {
        Fetcher::with_guard(settings, Guard::system())
    }

    fn with_guard(settings: &Settings, guard: Guard) -> Result<Fetcher, FetchError> {
        Ok(Fetcher {
            client: build_client(settings, false, None)?,
            insecure: Arc::new(OnceLock::new()),
            guarded: Arc::new(OnceLock::new()),
            guard,
            settings: settings.clone(),
        })
    }

    /// Fetches `source`, conditionally when `validators` are known. With `tls_insecure` (the
    /// feed's own opt-in) an invalid server certificate is accepted, on every hop.
    pub async fn fetch(
        &self,
        source: &Source,
        validators: &Validators,
        tls_insecure: bool,
    ) -> Result<(Fetched, Hints), FetchError> {
        let timeout = self.settings.timeout;
        match source {
            // One deadline for the whole fetch, redirects included (the client's own timeout
            // starts again at every hop).
            Source::Http(url) => {
                let client = if tls_insecure { self.insecure_client()? } else { &self.client };
                tokio::time::timeout(
                    timeout,
                    self.fetch_http(client, url, validators, ACCEPT_FEEDS, Checks::Configured),
                )
                .await
                .unwrap_or_else(|_| Err(FetchError::Timeout { url: url.to_string(), timeout }))
            }
            Source::File(path) => Ok((self.fetch_file(path, validators).await?, Hints::default())),
        }
    }

    /// Fetches a URL taken from feed content (an item's link, for its full text), which is not
    /// trusted: only http(s) (else `Refused`), and unless `[settings] allow_private = true`, no
    /// request to a non-public address (loopback, private, link-local, … see `non_public`), on
    /// any hop: each hop's URL is checked before it is requested, and names are resolved by the
    /// guard, which leaves only public addresses to connect to (`Refused` when none is left).
    /// Otherwise as `fetch`: conditional when `validators` are known, the same timeout (for the
    /// whole chain), redirects, body cap and errors; `Accept` asks for HTML; the server
    /// certificate is always verified (a feed's `tls_insecure` does not extend to its links).
    pub async fn fetch_untrusted(&self, url: &str, validators: &Validators) -> Result<(Fetched, Hints), FetchError> {
        let start = url::Url::parse(url.trim())
            .map_err(|e| FetchError::Refused { url: url.to_string(), reason: format!("not a valid URL: {e}") })?;
        let refused = |reason: Refusal| FetchError::Refused { url: start.to_string(), reason: reason.0 };
        let (client, checks) = if self.settings.allow_private {
            (&self.client, Checks::Scheme)
        } else {
            (self.guarded_client()?, Checks::Guarded(&self.guard))
        };
        if let Some(reason) = checks.refusal(&start) {
            return Err(refused(reason));
        }
        let timeout = self.settings.timeout;
        tokio::time::timeout(timeout, self.fetch_http(client, &start, validators, ACCEPT_PAGES, checks))
            .await
            .unwrap_or_else(|_| Err(FetchError::Timeout { url: start.to_string(), timeout }))
    }

    /// The client that accepts invalid certificates, built on first use.
    fn insecure_client(&self) -> Result<&reqwest::Client, FetchError> {
        self.insecure
            .get_or_init(|| build_client(&self.settings, true, None).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| FetchError::Client(e.clone()))
    }

    /// The client whose resolver is the guard, built on first use.
    fn guarded_client(&self) -> Result<&reqwest::Client, FetchError> {
        self.guarded
            .get_or_init(|| build_client(&self.settings, false, Some(&self.guard)).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| FetchError::Client(e.clone()))
    }

    /// Follows redirects by hand, each target checked by `checks` before it is requested (the
    /// caller checks `start`). With `Checks::Guarded`, `client` must be the guarded client.
    async fn fetch_http(
        &self,
        client: &reqwest::Client,
        start: &url::Url,
        validators: &Validators,
        accept: &str,
        checks: Checks<'_>,
    ) -> Result<(Fetched, Hints), FetchError> {
        let mut current = start.clone();
        let mut all_permanent = true;
        let mut hops = 0;
        let resp = loop {
            let url = current.as_str();
            let mut req = client.get(url).header(ACCEPT, accept);
            if let Some(etag) = &validators.etag {
                req = req.header(IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &validators.last_modified {
                req = req.header(IF_MODIFIED_SINCE, lm);
            }
            let resp = req.send().await.map_err(|e| self.classify(url, e))?;
            let status = resp.status();
            if !status.is_redirection() || status == StatusCode::NOT_MODIFIED {
                break resp;
            }
            hops += 1;
            if hops > MAX_REDIRECTS {
                return Err(FetchError::TooManyRedirects { url: start.to_string() });
            }
            let location = header_str(resp.headers(), reqwest::header::LOCATION).ok_or_else(|| FetchError::Http {
                url: url.to_string(),
                detail: format!("HTTP {status} without Location"),
            })?;
            let next = current.join(location).map_err(|e| FetchError::Http {
                url: url.to_string(),
                detail: format!("bad redirect Location {location:?}: {e}"),
            })?;
            if let Some(r) = checks.refusal(&next) {
                return Err(FetchError::Refused { url: url.to_string(), reason: format!("redirect to {next}: {r}") });
            }
            if !matches!(next.scheme(), "http" | "https") {
                return Err(FetchError::Http {
                    url: url.to_string(),
                    detail: format!("redirect to a non-web URL {next}"),
                });
            }
            all_permanent &= matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT);
            current = next;
        };
        let url = current.as_str();
        let status = resp.status();
        let hints = Hints {
            moved_to: (hops > 0 && all_permanent).then(|| current.clone()),
            min_interval: cache_lifetime(resp.headers()),
        };
        if status == StatusCode::NOT_MODIFIED {
            let sent = Validators {
                etag: header_str(resp.headers(), ETAG).map(str::to_string),
                last_modified: header_str(resp.headers(), LAST_MODIFIED).map(str::to_string),
            };
            let validators = (sent.etag.is_some() || sent.last_modified.is_some()).then(|| Validators {
                etag: sent.etag.or_else(|| validators.etag.clone()),
                last_modified: sent.last_modified.or_else(|| validators.last_modified.clone()),
            });
            return Ok((Fetched::NotModified { validators }, hints));
        }
        if status == StatusCode::GONE {
            return Err(FetchError::Gone { url: url.to_string() });
        }
        if !status.is_success() {
            let retry_after = matches!(status, StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE)
                .then(|| header_str(resp.headers(), reqwest::header::RETRY_AFTER).and_then(parse_retry_after))
                .flatten();
            return Err(FetchError::Status { url: url.to_string(), status: status.as_u16(), retry_after });
        }
        let headers = resp.headers().clone();
        // reqwest decodes gzip, brotli and deflate and then drops the header: one still there
        // names an encoding it could not decode (zstd, compress…), and the bytes are not a feed.
        if let Some(enc) = header_str(&headers, reqwest::header::CONTENT_ENCODING)
            .filter(|e| !e.trim().is_empty() && !e.trim().eq_ignore_ascii_case("identity"))
        {
            return Err(FetchError::Http {
                url: url.to_string(),
                detail: format!("unsupported Content-Encoding {enc:?}"),
            });
        }
        let max_body = self.settings.max_body;
        let too_large = || FetchError::TooLarge { url: url.to_string(), limit: max_body };
        // A declared length over the cap fails before any body is read. (With compression the
        // header is the compressed size; the streaming check below covers the rest.)
        if header_str(&headers, CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok()).is_some_and(|n| n > max_body)
            && headers.get(reqwest::header::CONTENT_ENCODING).is_none()
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.classify(url, e))?;
            if body.len() as u64 + chunk.len() as u64 > max_body {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        let validators = Validators {
            etag: header_str(&headers, ETAG).map(str::to_string),
            last_modified: header_str(&headers, LAST_MODIFIED).map(str::to_string),
        };
        Ok((Fetched::Modified { body, charset: charset_of(&headers), validators }, hints))
    }

    async fn fetch_file(&self, path: &Path, validators: &Validators) -> Result<Fetched, FetchError> {
        let max_body = self.settings.max_body;
        let err = |e: std::io::Error| FetchError::File { path: path.display().to_string(), detail: e.to_string() };
        let meta = tokio::fs::metadata(path).await.map_err(err)?;
        if !meta.is_file() {
            return Err(FetchError::File { path: path.display().to_string(), detail: "not a regular file".into() });
        }
        if meta.len() > max_body {
            return Err(FetchError::TooLarge { url: path.display().to_string(), limit: max_body });
        }
        let mtime =
            meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
        let stamp = format!("file:{mtime}:{}", meta.len());
        if validators.etag.as_deref() == Some(stamp.as_str()) {
            return Ok(Fetched::NotModified { validators: None });
        }
        let body = tokio::fs::read(path).await.map_err(err)?;
        if body.len() as u64 > max_body {
            return Err(FetchError::TooLarge { url: path.display().to_string(), limit: max_body });
        }
        Ok(Fetched::Modified { body, charset: None, validators: Validators { etag: Some(stamp), last_modified: None } })
    }

    fn classify(&self, url: &str, e: reqwest::Error) -> FetchError {
        let url = url.to_string();
        if e.is_timeout() {
            FetchError::Timeout { url, timeout: self.settings.timeout }
        } else if e.is_redirect() {
            FetchError::TooManyRedirects { url }
        } else if let Some(refusal) = refusal_in(&e) {
            FetchError::Refused { url, reason: refusal.0 }
        } else if let Some(detail) = certificate_error(&e) {
            FetchError::Tls { url, detail }
        } else if e.is_connect() {
            FetchError::Connect { url, detail: root_cause(&e) }
        } else {
            FetchError::Http { url, detail: root_cause(&e) }
        }
    }
}

/// What is checked on the URL of each hop before it is requested.
#[derive(Clone, Copy)]
enum Checks<'a> {
    /// A feed URL from feeds.toml: trusted (a redirect must still stay on the web, an
    /// `Http` error otherwise).
    Configured,
    /// A URL from feed content with `allow_private = true`: http(s) only.
    Scheme,
    /// A URL from feed content: http(s) only, and a literal host must be public (names are
    /// checked by the guarded client's resolver).
    Guarded(&'a Guard),
}

impl Checks<'_> {
    fn refusal(self, url: &url::Url) -> Option<Refusal> {
        match self {
            Checks::Configured => None,
            Checks::Scheme => address::check_scheme(url).err(),
            Checks::Guarded(guard) => guard.check_url(url).err(),
        }
    }
}

/// The reqwest client for `settings`; with `accept_invalid_certs`, one that accepts any server
/// certificate (for `tls_insecure` feeds only); with a `guard`, one that resolves names through
/// it and uses no proxy (a proxy would resolve them itself), for URLs from feed content.
fn build_client(
    settings: &Settings,
    accept_invalid_certs: bool,
    guard: Option<&Guard>,
) -> Result<reqwest::Client, FetchError> {
    let mut builder = reqwest::Client::builder();
    if let Some(guard) = guard {
        builder = builder.dns_resolver(Arc::new(guard.clone())).no_proxy();
    }
    builder
        .user_agent(settings.user_agent.clone())
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
        // Redirects are followed by hand (fetch_http) to tell permanent ones apart.
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(settings.concurrency.get())
        .danger_accept_invalid_certs(accept_invalid_certs)
        .build()
        .map_err(|e| FetchError::Client(e.to_string()))
}

/// rustls's reason when `e` is a rejected server certificate ("invalid peer certificate:
/// UnknownIssuer"), found down the source chain. An `io::Error` hides the error it wraps from
/// `source()` (it returns the wrapped error's source), so it is looked into with `get_ref`.
fn certificate_error(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        match err.downcast_ref::<rustls::Error>() {
            Some(tls @ (rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented)) => {
                return Some(tls.to_string())
            }
            Some(_) => return None,
            None => {}
        }
        cur = match err.downcast_ref::<std::io::Error>().and_then(std::io::Error::get_ref) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

/// The guard's refusal down the source chain of a failed request (the resolver's error, which
/// hyper-util wraps as a "dns error"). An `io::Error` is looked into as in `certificate_error`.
fn refusal_in(e: &(dyn std::error::Error + 'static)) -> Option<Refusal> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<Refusal>() {
            return Some(r.clone());
        }
        cur = match err.downcast_ref::<std::io::Error>().and_then(std::io::Error::get_ref) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

/// `Retry-After`: delay-seconds or an HTTP date, clamped to `MAX_HINT`.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    let d = match v.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            httpdate::parse_http_date(v).ok()?.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO)
        }
    };
    Some(d.min(MAX_HINT))
}

/// How long the response may be cached: `Cache-Control: max-age` (s-maxage ignored), else
/// `Expires` minus now; clamped to `MAX_HINT`. `no-cache`/`no-store` and past dates give none.
pub fn cache_lifetime(h: &HeaderMap) -> Option<Duration> {
    if let Some(cc) = header_str(h, reqwest::header::CACHE_CONTROL) {
        let lower = cc.to_ascii_lowercase();
        if lower.contains("no-store") || lower.contains("no-cache") {
            return None;
        }
        if let Some(age) = lower
            .split(',')
            .find_map(|d| d.trim().strip_prefix("max-age="))
            .and_then(|v| v.trim_matches('"').parse::<u64>().ok())
        {
            return (age > 0).then(|| Duration::from_secs(age).min(MAX_HINT));
        }
    }
    let expires = httpdate::parse_http_date(header_str(h, reqwest::header::EXPIRES)?).ok()?;
    let d = expires.duration_since(std::time::SystemTime::now()).ok()?;
    (!d.is_zero()).then(|| d.min(MAX_HINT))
}

fn header_str(h: &HeaderMap, name: reqwest::header::HeaderName) -> Option<&str> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

/// The `charset` parameter of Content-Type, if any.
fn charset_of(h: &HeaderMap) -> Option<String> {
    content_type_charset(header_str(h, CONTENT_TYPE)?)
}

/// The `charset` parameter of a Content-Type value (`text/xml; charset="utf-8"`): the first
/// one, its name in any case, whitespace allowed around the `=`, the value without surrounding
/// whitespace and quotes, `"` (RFC 9110's quoted-string) or `'` (which servers send too:
/// `charset='gb2312'`). An empty value, or a parameter without `=` (`charset:utf-8`), is none.
fn content_type_charset(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let value = value.trim().trim_matches(['"', '\'']).trim();
        (!value.is_empty()).then(|| value.to_string())
    })
}

/// The innermost error message: reqwest's own Display says only "error sending request".
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    let mut msg = e.to_string();
    while let Some(next) = cur.source() {
        msg = next.to_string();
        cur = next;
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, CACHE_CONTROL, EXPIRES};
    use std::net::IpAddr;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn headers(pairs: &[(reqwest::header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn retry_after_seconds_dates_and_clamping() {
        assert_eq!(parse_retry_after("120"), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("99999999"), Some(MAX_HINT), "huge values clamped");
        let in_an_hour = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(3600));
        let d = parse_retry_after(&in_an_hour).unwrap();
        assert!(d > Duration::from_secs(3590) && d <= Duration::from_secs(3600), "{d:?}");
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO), "past date");
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn certificate_errors_are_found_inside_io_errors() {
        let io = |e: rustls::Error| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
        let unknown = io(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer));
        assert_eq!(certificate_error(&unknown).as_deref(), Some("invalid peer certificate: UnknownIssuer"));
        let wrong_host = io(rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName));
        assert!(certificate_error(&wrong_host).is_some_and(|d| d.contains("NotValidForName")));
        assert_eq!(certificate_error(&io(rustls::Error::DecryptError)), None, "not a certificate problem");
        assert_eq!(certificate_error(&std::io::Error::other("connection refused")), None);
    }

    /// RELIABILITY row 19: the charset parameter with either quote, whitespace and any case
    /// (feedparser's `http_*_charset` fixtures send `charset='gb2312'` and `charset= "us-ascii"`).
    #[test]
    fn charset_parameter_parsing() {
        let charset = |ct: &str| charset_of(&headers(&[(CONTENT_TYPE, ct)]));
        assert_eq!(charset("text/xml; charset=windows-1252").as_deref(), Some("windows-1252"));
        assert_eq!(charset("application/atom+xml;charset='gb2312'").as_deref(), Some("gb2312"));
        assert_eq!(charset("application/atom+xml; charset='gb2312'").as_deref(), Some("gb2312"));
        assert_eq!(charset("application/rss+xml;charset= \"us-ascii\"").as_deref(), Some("us-ascii"));
        assert_eq!(charset("text/xml;charset = us-ascii").as_deref(), Some("us-ascii"));
        assert_eq!(charset("text/xml; CharSet=\"UTF-8\" ; q=1").as_deref(), Some("UTF-8"));
        assert_eq!(charset("text/xml; format=flowed; charset=koi8-r").as_deref(), Some("koi8-r"));
        // no charset parameter
        assert_eq!(charset("text/xml"), None);
        assert_eq!(charset("text/xml;"), None);
        assert_eq!(charset("text/xml; qs=0.9"), None);
        assert_eq!(charset("text/xml; charset:iso-8859-1"), None, "no `=`: not a parameter");
        assert_eq!(charset("text/xml; charset=\"\""), None, "empty");
        assert_eq!(charset("text/xml; charset=''"), None, "empty");
        assert_eq!(charset_of(&HeaderMap::new()), None);
    }

    /// A server on `ip` answering each path with `respond(path)` (a whole HTTP response), and
    /// the number of connections it accepted.
    fn server(ip: &str, respond: impl Fn(&str) -> String + Send + 'static) -> (u16, Arc<AtomicUsize>) {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind((ip, 0)).unwrap_or_else(|e| panic!("bind {ip}: {e}"));
        let port = listener.local_addr().unwrap().port();
        let count = Arc::new(AtomicUsize::new(0));
        let seen = count.clone();
        std::thread::spawn(move || {
            for mut conn in listener.incoming().flatten() {
                seen.fetch_add(1, Ordering::SeqCst);
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let _ = conn.write_all(respond(&path).as_bytes());
            }
        });
        (port, count)
    }

    /// A resolver that answers from a table, without the network.
    struct Table(Vec<(&'static str, IpAddr)>);

    impl reqwest::dns::Resolve for Table {
        fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
            let found: Vec<std::net::SocketAddr> =
                self.0.iter().filter(|(n, _)| *n == name.as_str()).map(|(_, ip)| (*ip, 0).into()).collect();
            Box::pin(async move { Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs) })
        }
    }

    const STAND_IN: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 2));

    /// The guard's rule, except that 127.0.0.2 stands in for a public origin (tests have none).
    fn public_stand_in(ip: IpAddr) -> Option<String> {
        (ip != STAND_IN).then(|| non_public(ip)).flatten()
    }

    /// Rows 28–30 on the real path: an origin taken as public (127.0.0.2, reached through a fake
    /// name) redirects to loopback as a literal, IPv4-mapped, a name that resolves to it (DNS
    /// rebinding), and `file:`; each is refused and the loopback server sees no connection.
    #[tokio::test]
    async fn untrusted_fetches_are_guarded_on_every_hop() {
        let (forbidden, connections) =
            server("127.0.0.1", |_| "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecret".into());
        let (public, _) = server("127.0.0.2", move |path| {
            let to = |loc: String| {
                format!("HTTP/1.1 302 Found\r\nLocation: {loc}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            };
            match path {
                "/literal" => to(format!("http://127.0.0.1:{forbidden}/secret")),
                "/mapped" => to(format!("http://[::ffff:127.0.0.1]:{forbidden}/secret")),
                "/metadata" => to("http://169.254.169.254/latest/meta-data/".into()),
                "/rebind" => to(format!("http://rebind.test:{forbidden}/secret")),
                "/file" => to("file:///etc/passwd".into()),
                _ => "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\narticle".into(),
            }
        });
        let localhost = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
        let names =
            Table(vec![("public.test", STAND_IN), ("rebind.test", localhost), ("rebind.test", "::1".parse().unwrap())]);
        let mut settings = crate::config::Config::parse("", Path::new("t.toml"), Path::new(".")).unwrap().settings;
        settings.timeout = Duration::from_secs(5);
        assert!(!settings.allow_private);
        let fetcher = Fetcher::with_guard(&settings, Guard::with(Arc::new(names), public_stand_in)).unwrap();
        let get = |url: String| {
            let fetcher = fetcher.clone();
            async move { fetcher.fetch_untrusted(&url, &Validators::default()).await }
        };
        let base = format!("http://public.test:{public}");
        match get(format!("{base}/article")).await {
            Ok((Fetched::Modified { body, .. }, _)) => assert_eq!(body, b"article"),
            other => panic!("the stand-in origin is fetched: {other:?}"),
        }
        let refused = |r: Result<(Fetched, Hints), FetchError>| match r {
            Err(FetchError::Refused { url, reason }) => format!("{url}: {reason}"),
            other => panic!("not refused: {other:?}"),
        };
        let hint = "(set allow_private = true to allow)";
        for (path, expected) in [
            ("/literal", format!("{base}/literal: redirect to http://127.0.0.1:{forbidden}/secret: 127.0.0.1 is a loopback address {hint}")),
            ("/mapped", format!("{base}/mapped: redirect to http://[::ffff:7f00:1]:{forbidden}/secret: ::ffff:127.0.0.1 is a loopback address (IPv4-mapped 127.0.0.1) {hint}")),
            ("/metadata", format!("{base}/metadata: redirect to http://169.254.169.254/latest/meta-data/: 169.254.169.254 is a link-local address {hint}")),
            ("/rebind", format!("http://rebind.test:{forbidden}/secret: rebind.test resolves only to addresses that are not public: 127.0.0.1 is a loopback address; ::1 is a loopback address {hint}")),
            ("/file", format!("{base}/file: redirect to file:///etc/passwd: only http and https URLs are fetched, not file:")),
        ] {
            assert_eq!(refused(get(format!("{base}{path}")).await), expected, "{path}");
        }
        for (url, expected) in [
            (
                format!("http://rebind.test:{forbidden}/secret"),
                "rebind.test resolves only to addresses that are not public",
            ),
            (format!("http://127.0.0.1:{forbidden}/secret"), "127.0.0.1 is a loopback address (set allow_private"),
            (format!("http://[::1]:{forbidden}/secret"), "::1 is a loopback address"),
            ("file:///etc/passwd".into(), "file:///etc/passwd: only http and https URLs are fetched, not file:"),
            ("ftp://ftp.example.com/x".into(), "only http and https URLs are fetched, not ftp:"),
            ("not a url".into(), "not a url: not a valid URL"),
        ] {
            let got = refused(get(url.clone()).await);
            assert!(got.contains(expected), "{url}: {got:?} lacks {expected:?}");
        }
        assert_eq!(connections.load(Ordering::SeqCst), 0, "nothing reached the loopback server");
    }

    #[test]
    fn cache_lifetimes() {
        assert_eq!(
            cache_lifetime(&headers(&[(CACHE_CONTROL, "public, max-age=1800")])),
            Some(Duration::from_secs(1800))
        );
        assert_eq!(cache_lifetime(&headers(&[(CACHE_CONTROL, "max-age=31536000")])), Some(MAX_HINT));
        assert_eq!(cache_lifetime(&headers(&[(CACHE_CONTROL, "no-cache, max-age=600")])), None);
        assert_eq!(cache_lifetime(&headers(&[(EXPIRES, "0")])), None, "Expires: 0 means already expired");
        let later = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(600));
        let d = cache_lifetime(&headers(&[(EXPIRES, &later)])).unwrap();
        assert!(d > Duration::from_secs(590) && d <= Duration::from_secs(600));
        assert_eq!(cache_lifetime(&HeaderMap::new()), None);
    }
}
