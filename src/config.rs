//! `feeds.toml`: reading and validating the configuration.
//!
//! Two phases (parse, then validate): `RawConfig` is what serde reads, rejecting unknown keys and keeping the
//! byte span of every value; `Config` is the validated, typed result. `Config::parse` is pure
//! (text in, config or errors out) so every rule is unit-tested without touching the disk.
//! Every error names the file, line, column and key. This module does not fetch, open the store
//! or compile cleaning rules beyond checking that they compile.

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroUsize;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;
use url::Url;

use crate::clean::text::squash;

pub const DEFAULT_CONFIG: &str = "feeds.toml";
const DEFAULT_DB: &str = "data/feedscrub.db";
/// A worker's lease on a claimed feed; renewed every third of it while the refresh runs.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_MAX_BODY: u64 = 10 * 1024 * 1024;
const DEFAULT_CONCURRENCY: usize = 16;
const DEFAULT_INTERVAL: Duration = Duration::from_secs(15 * 60);
/// Polling a feed more often than this is refused.
pub const MIN_INTERVAL: Duration = Duration::from_secs(60);
const DEFAULT_PER_HOST: usize = 2;
const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
const DEFAULT_OUTPUT_ITEMS: usize = 100;
const DEFAULT_RETAIN_ITEMS: usize = 500;
const DEFAULT_RETAIN_DAYS: u32 = 90;
const DEFAULT_FULL_TEXT_CONCURRENCY: usize = 4;
/// `serve`: connection slots, answers per keep-alive connection, and how long an idle
/// connection holds its slot while others wait (see `server::listener::Limits`).
const DEFAULT_MAX_CONNECTIONS: usize = 512;
const DEFAULT_KEEPALIVE_REQUESTS: usize = 100;
const DEFAULT_RECLAIM_IDLE_AFTER: Duration = Duration::from_secs(1);
pub const DEFAULT_USER_AGENT: &str =
    concat!("feedscrub/", env!("CARGO_PKG_VERSION"), " (+https://github.com/feedscrub/feedscrub)");

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from (for messages).
    pub path: PathBuf,
    pub settings: Settings,
    pub feeds: Vec<FeedConfig>,
    /// Position of each feed in `feeds` by name: `feed(name)` is a map lookup, not a search
    /// (the daemon and the web pages ask for feeds by name per request and per poll).
    by_name: HashMap<String, usize>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// The store folder, already resolved against the config file's folder.
    pub db: PathBuf,
    /// `store = "sled" | "redb" | "postgres"`: the engine of a new store (`None`: the engine
    /// an existing store folder shows, else `store::Backend::DEFAULT`).
    pub store: Option<Backend>,
    /// `database_url`: the PostgreSQL database of `store = "postgres"` (else
    /// `$FEEDSCRUB_DATABASE_URL`).
    pub database_url: Option<String>,
    /// `lease`: how long a worker of a shared database holds a feed it claimed without
    /// renewing it; a killed worker's feeds come due again this long after it died.
    pub lease: Duration,
    pub timeout: Duration,
    /// Body cap in bytes, applied after decompression.
    pub max_body: u64,
    /// `store_cache`: the store engine's page cache in bytes (default 16 MiB): the part of
    /// the memory that would grow with the store.
    pub store_cache: u64,
    pub concurrency: NonZeroUsize,
    pub user_agent: String,
    /// `serve`: the address to listen on.
    pub listen: std::net::SocketAddr,
    /// `serve`: the base URL the outputs name themselves with (else from the request's Host).
    pub public_url: Option<Url>,
    /// `serve`: how often each feed is polled unless it sets its own `interval`.
    pub interval: Duration,
    /// `serve`: at most this many refreshes of feeds on one host at once.
    pub per_host: NonZeroUsize,
    /// The newest this many items make an output feed (served, and exported by default).
    pub output_items: NonZeroUsize,
    /// Retention: at most this many items per feed are kept (the newest)...
    pub retain_items: NonZeroUsize,
    /// ...and only items first seen within this many days.
    pub retain_days: u32,
    /// `allow_private = true`: URLs taken from feed content (items' links, fetched for their
    /// full text) may point at loopback, private, link-local and other non-public addresses
    /// (default false: such a fetch is refused on any hop, with `fetch::FetchError::Refused`).
    /// Feed URLs in this file are trusted either way.
    pub allow_private: bool,
    /// `page_images = false`: the pages `serve` renders for a browser load no image or media
    /// from the items' sites (their Content-Security-Policy allows only feedscrub's own);
    /// default true: images show as in a feed reader, and the sites see the reader's address.
    pub page_images: bool,
    /// Full text: at most this many article pages fetched at once from one host.
    pub full_text_concurrency: NonZeroUsize,
    /// `serve`: connections served at once; more are answered 503 at once (`max_connections`).
    pub max_connections: NonZeroUsize,
    /// `serve`: the answer to this many requests on one keep-alive connection closes it
    /// (`keepalive_requests`).
    pub keepalive_requests: NonZeroUsize,
    /// `serve`: with every connection slot taken, one that has waited this long for its next
    /// request may be closed to serve a new client (`reclaim_idle_after`).
    pub reclaim_idle_after: Duration,
}

#[derive(Debug, Clone)]
pub struct FeedConfig {
    /// Unique slug `[a-z0-9-]+`.
    pub name: String,
    pub source: Source,
    /// Items whose title matches any of these are dropped.
    pub drop_items: Vec<Regex>,
    /// Extra CSS selectors removed from item content (already checked to compile).
    pub remove: Vec<String>,
    /// A block of item content whose text matches any of these is removed.
    pub remove_text: Vec<Regex>,
    /// What happens to items that are ads as a whole.
    pub ads: AdsMode,
    /// Retention: the newest this many items are kept (`retain_items`, default
    /// `settings.retain_items`)...
    pub retain_items: usize,
    /// ...and only those first seen within this many days (`retain_days`).
    pub retain_days: u32,
    /// `serve`: this feed's polling interval, overriding `settings.interval`.
    pub interval: Option<Duration>,
    /// `tls_insecure = true`: this feed's server certificate is not checked, so a
    /// self-signed, expired or wrong-host certificate is accepted (default false: such a
    /// certificate fails the fetch with a TLS error). Applies to this feed only.
    pub tls_insecure: bool,
    /// `full_text = true`: each new or changed item's page is fetched, its article extracted
    /// and cleaned, and stored as the item's content (the feed's own content is the fallback).
    pub full_text: bool,
}

/// What to do with an item that is an ad as a whole (by its title, category or link, see
/// `clean::is_ad_item`). Items matching the feed's `drop_items` are always dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AdsMode {
    /// Leave it out (the default).
    #[default]
    Drop,
    /// Keep it with `clean::rules::AD_MARK` before its title.
    Mark,
    /// Keep it as it is.
    Keep,
}

impl AdsMode {
    /// As the config writes it: `drop`, `mark`, `keep`.
    pub fn as_str(self) -> &'static str {
        match self {
            AdsMode::Drop => "drop",
            AdsMode::Mark => "mark",
            AdsMode::Keep => "keep",
        }
    }
}

/// The engine's page cache unless `[settings] store_cache` says otherwise.
pub const DEFAULT_CACHE: u64 = 16 * 1024 * 1024;

/// The engine of a store (`[settings] store`): which of `store`'s engines, or a shared
/// PostgreSQL database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sled,
    Redb,
    /// Not a folder's engine: a PostgreSQL database (`store::postgres`), shared by processes.
    Postgres,
}

impl Backend {
    /// The engine a new store gets when `store` is not set (see README, "Storage").
    pub const DEFAULT: Backend = Backend::Redb;

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sled => "sled",
            Backend::Redb => "redb",
            Backend::Postgres => "postgres",
        }
    }

    pub fn parse(s: &str) -> Option<Backend> {
        match s {
            "sled" => Some(Backend::Sled),
            "redb" => Some(Backend::Redb),
            "postgres" => Some(Backend::Postgres),
            _ => None,
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
impl FeedConfig {
    /// A feed at `url` with every option at its default, for unit tests.
    pub(crate) fn for_tests(name: &str, url: &str) -> FeedConfig {
        FeedConfig {
            name: name.into(),
            source: Source::Http(Url::parse(url).expect("a test URL")),
            drop_items: vec![],
            remove: vec![],
            remove_text: vec![],
            ads: AdsMode::Drop,
            interval: None,
            retain_items: DEFAULT_RETAIN_ITEMS,
            retain_days: DEFAULT_RETAIN_DAYS,
            tls_insecure: false,
            full_text: false,
        }
    }
}

impl FeedConfig {
    /// The polling interval of this feed under `settings`.
    pub fn interval(&self, settings: &Settings) -> Duration {
        self.interval.unwrap_or(settings.interval)
    }
    /// The host whose `per_host` limit this feed counts against: the URL's host, lowercased;
    /// local files all share one, "(local)".
    pub fn host_key(&self) -> String {
        match &self.source {
            Source::Http(u) => u.host_str().unwrap_or("").to_ascii_lowercase(),
            Source::File(_) => "(local)".into(),
        }
    }
}

/// Where a feed is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Http(Url),
    File(PathBuf),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Http(u) => write!(f, "{u}"),
            Source::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// One problem in the config, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub line: usize,
    pub column: usize,
    /// Dotted key path, e.g. `feed[2].url` (empty when the file itself is unreadable TOML).
    pub key: String,
    pub message: String,
}

/// Everything wrong with a config file; never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub file: PathBuf,
    pub problems: Vec<ConfigProblem>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}:{}:{}: ", self.file.display(), p.line, p.column)?;
            if !p.key.is_empty() {
                write!(f, "{}: ", p.key)?;
            }
            write!(f, "{}", p.message)?;
        }
        Ok(())
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    settings: RawSettings,
    #[serde(default, rename = "feed")]
    feeds: Vec<Spanned<RawFeed>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    db: Option<Spanned<String>>,
    store: Option<Spanned<String>>,
    database_url: Option<Spanned<String>>,
    lease: Option<Spanned<String>>,
    timeout: Option<Spanned<String>>,
    max_body: Option<Spanned<String>>,
    store_cache: Option<Spanned<String>>,
    concurrency: Option<Spanned<i64>>,
    user_agent: Option<Spanned<String>>,
    listen: Option<Spanned<String>>,
    public_url: Option<Spanned<String>>,
    interval: Option<Spanned<String>>,
    per_host: Option<Spanned<i64>>,
    output_items: Option<Spanned<i64>>,
    retain_items: Option<Spanned<i64>>,
    retain_days: Option<Spanned<i64>>,
    /// Any TOML value, so that a wrong type names the key (see `boolean`).
    allow_private: Option<Spanned<toml::Value>>,
    page_images: Option<Spanned<toml::Value>>,
    full_text_concurrency: Option<Spanned<i64>>,
    max_connections: Option<Spanned<i64>>,
    keepalive_requests: Option<Spanned<i64>>,
    reclaim_idle_after: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeed {
    name: Spanned<String>,
    url: Spanned<String>,
    #[serde(default)]
    drop_items: Vec<Spanned<String>>,
    #[serde(default)]
    remove: Vec<Spanned<String>>,
    #[serde(default)]
    remove_text: Vec<Spanned<String>>,
    ads: Option<Spanned<String>>,
    interval: Option<Spanned<String>>,
    retain_items: Option<Spanned<i64>>,
    retain_days: Option<Spanned<i64>>,
    /// Any TOML value, so that a wrong type is reported with the feed and key (see
    /// `validate_feed`), not as a bare TOML type error.
    tls_insecure: Option<Spanned<toml::Value>>,
    full_text: Option<Spanned<toml::Value>>,
}

/// Collects located problems while validating.
struct Problems<'a> {
    text: &'a str,
    list: Vec<ConfigProblem>,
}

impl Problems<'_> {
    fn push(&mut self, span: Range<usize>, key: impl Into<String>, message: impl Into<String>) {
        let (line, column) = line_col(self.text, span.start);
        self.list.push(ConfigProblem { line, column, key: key.into(), message: message.into() });
    }
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
    (line, column)
}

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::read(path).map(|(cfg, _)| cfg)
    }

    /// Reads and validates a config file, and returns the text it was read from (for tools
    /// that edit the file: they change exactly what was validated).
    pub fn read(path: &Path) -> Result<(Config, String), ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.to_path_buf(),
            problems: vec![ConfigProblem {
                line: 0,
                column: 0,
                key: String::new(),
                message: format!("cannot read config: {e}"),
            }],
        })?;
        let cfg = Config::parse(&text, path, Config::dir_of(path))?;
        Ok((cfg, text))
    }

    /// The folder relative paths in the config file at `path` resolve against.
    pub fn dir_of(path: &Path) -> &Path {
        path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
    }

    /// Validates config text. `file` is only used in messages; relative paths (db, local feeds)
    /// resolve against `dir`. Pure: touches no file.
    pub fn parse(text: &str, file: &Path, dir: &Path) -> Result<Config, ConfigError> {
        let fail = |problems| ConfigError { file: file.to_path_buf(), problems };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            fail(vec![ConfigProblem { line, column, key: String::new(), message: e.message().trim().to_string() }])
        })?;
        let mut p = Problems { text, list: Vec::new() };
        let settings = validate_settings(raw.settings, dir, &mut p);
        let mut feeds: Vec<FeedConfig> = Vec::new();
        let mut by_name: HashMap<String, usize> = HashMap::new();
        for (i, feed) in raw.feeds.into_iter().enumerate() {
            let span = feed.span();
            if let Some(f) = validate_feed(feed.into_inner(), i, dir, &settings, &mut p) {
                if by_name.contains_key(&f.name) {
                    p.push(span, format!("feed[{i}].name"), format!("duplicate feed name {:?}", f.name));
                } else {
                    by_name.insert(f.name.clone(), feeds.len());
                    feeds.push(f);
                }
            }
        }
        if !p.list.is_empty() {
            return Err(fail(p.list));
        }
        Ok(Config { path: file.to_path_buf(), settings, feeds, by_name })
    }

    /// The feeds named on the command line, in config order; all when `names` is empty.
    /// Unknown names are an error naming them.
    pub fn select(&self, names: &[String]) -> Result<Vec<&FeedConfig>, String> {
        if names.is_empty() {
            return Ok(self.feeds.iter().collect());
        }
        let unknown: Vec<&str> = names.iter().filter(|n| self.feed_index(n).is_none()).map(String::as_str).collect();
        if !unknown.is_empty() {
            return Err(format!(
                "unknown feed name(s) {} in {} (known: {})",
                unknown.join(", "),
                self.path.display(),
                self.feeds.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
        Ok(self.feeds.iter().filter(|f| names.contains(&f.name)).collect())
    }

    pub fn feed(&self, name: &str) -> Option<&FeedConfig> {
        self.feed_index(name).map(|i| &self.feeds[i])
    }

    /// The same settings with other feeds (for tests that need many of them).
    #[cfg(test)]
    pub(crate) fn with_feeds(mut self, feeds: Vec<FeedConfig>) -> Config {
        self.by_name = feeds.iter().enumerate().map(|(i, f)| (f.name.clone(), i)).collect();
        self.feeds = feeds;
        self
    }

    /// The position of the feed named `name` in `feeds`.
    pub fn feed_index(&self, name: &str) -> Option<usize> {
        match self.by_name.get(name) {
            Some(&i) if self.feeds.get(i).is_some_and(|f| f.name == name) => Some(i),
            // `feeds` was changed after parsing (it is public): search.
            _ => self.feeds.iter().position(|f| f.name == name),
        }
    }
}

fn validate_settings(raw: RawSettings, dir: &Path, p: &mut Problems) -> Settings {
    let mut s = Settings {
        db: dir.join(DEFAULT_DB),
        store: None,
        database_url: None,
        lease: DEFAULT_LEASE,
        timeout: DEFAULT_TIMEOUT,
        max_body: DEFAULT_MAX_BODY,
        store_cache: DEFAULT_CACHE,
        concurrency: NonZeroUsize::new(DEFAULT_CONCURRENCY).expect("non-zero constant"),
        user_agent: DEFAULT_USER_AGENT.to_string(),
        listen: DEFAULT_LISTEN.parse().expect("valid default address"),
        public_url: None,
        interval: DEFAULT_INTERVAL,
        per_host: NonZeroUsize::new(DEFAULT_PER_HOST).expect("non-zero constant"),
        output_items: NonZeroUsize::new(DEFAULT_OUTPUT_ITEMS).expect("non-zero constant"),
        retain_items: NonZeroUsize::new(DEFAULT_RETAIN_ITEMS).expect("non-zero constant"),
        retain_days: DEFAULT_RETAIN_DAYS,
        allow_private: false,
        page_images: true,
        full_text_concurrency: NonZeroUsize::new(DEFAULT_FULL_TEXT_CONCURRENCY).expect("non-zero constant"),
        max_connections: NonZeroUsize::new(DEFAULT_MAX_CONNECTIONS).expect("non-zero constant"),
        keepalive_requests: NonZeroUsize::new(DEFAULT_KEEPALIVE_REQUESTS).expect("non-zero constant"),
        reclaim_idle_after: DEFAULT_RECLAIM_IDLE_AFTER,
    };
    if let Some(db) = raw.db.and_then(|v| value(&v, "settings.db", |t| non_empty(t), p)) {
        s.db = dir.join(db);
    }
    if let Some(b) = raw.store.and_then(|v| {
        value(
            &v,
            "settings.store",
            |t| Backend::parse(t).ok_or_else(|| format!("must be \"sled\", \"redb\" or \"postgres\", got {t:?}")),
            p,
        )
    }) {
        s.store = Some(b);
    }
    if let Some(u) = raw.database_url.and_then(|v| value(&v, "settings.database_url", |t| non_empty(t), p)) {
        s.database_url = Some(u.to_string());
    }
    if let Some(d) = raw.lease.and_then(|v| {
        value(
            &v,
            "settings.lease",
            |t| {
                parse_duration(t).and_then(|d| {
                    if d < Duration::from_secs(1) {
                        Err("must be at least 1s".to_string())
                    } else {
                        Ok(d)
                    }
                })
            },
            p,
        )
    }) {
        s.lease = d;
    }
    if let Some(d) = raw.timeout.and_then(|v| value(&v, "settings.timeout", |t| parse_duration(t), p)) {
        s.timeout = d;
    }
    if let Some(n) = raw.max_body.and_then(|v| value(&v, "settings.max_body", |t| parse_size(t), p)) {
        s.max_body = n;
    }
    if let Some(n) = raw.store_cache.and_then(|v| value(&v, "settings.store_cache", |t| parse_size(t), p)) {
        s.store_cache = n;
    }
    if let Some(n) = raw.concurrency.and_then(|c| count(&c, "settings.concurrency", 1024, p)) {
        s.concurrency = n;
    }
    if let Some(a) = raw.listen.and_then(|v| {
        value(
            &v,
            "settings.listen",
            |t| t.parse().map_err(|_| format!("invalid address {t:?} (use e.g. \"127.0.0.1:8080\")")),
            p,
        )
    }) {
        s.listen = a;
    }
    if let Some(u) = raw.public_url.and_then(|v| value(&v, "settings.public_url", |t| web_url(t), p)) {
        s.public_url = Some(u);
    }
    if let Some(d) = raw.interval.and_then(|v| value(&v, "settings.interval", |t| parse_interval(t), p)) {
        s.interval = d;
    }
    if let Some(n) = raw.per_host.and_then(|c| count(&c, "settings.per_host", 64, p)) {
        s.per_host = n;
    }
    if let Some(n) = raw.output_items.and_then(|c| count(&c, "settings.output_items", 100_000, p)) {
        s.output_items = n;
    }
    if let Some(ua) = raw.user_agent.and_then(|v| value(&v, "settings.user_agent", |t| printable(t), p)) {
        s.user_agent = ua;
    }
    if let Some(n) = raw.retain_items.and_then(|c| count(&c, "settings.retain_items", 1_000_000, p)) {
        s.retain_items = n;
    }
    if let Some(n) = raw.retain_days.and_then(|c| count(&c, "settings.retain_days", 36_500, p)) {
        s.retain_days = n.get() as u32;
    }
    if let Some(b) = raw.allow_private.and_then(|v| boolean(&v, "settings.allow_private", p)) {
        s.allow_private = b;
    }
    if let Some(b) = raw.page_images.and_then(|v| boolean(&v, "settings.page_images", p)) {
        s.page_images = b;
    }
    if let Some(n) = raw.full_text_concurrency.and_then(|c| count(&c, "settings.full_text_concurrency", 64, p)) {
        s.full_text_concurrency = n;
    }
    if let Some(n) = raw.max_connections.and_then(|c| count(&c, "settings.max_connections", 100_000, p)) {
        s.max_connections = n;
    }
    if let Some(n) = raw.keepalive_requests.and_then(|c| count(&c, "settings.keepalive_requests", 1_000_000, p)) {
        s.keepalive_requests = n;
    }
    if let Some(d) =
        raw.reclaim_idle_after.and_then(|v| value(&v, "settings.reclaim_idle_after", |t| parse_duration(t), p))
    {
        s.reclaim_idle_after = d;
    }
    s
}

/// A value of a config key checked by `check`, or `None` with a located problem.
fn value<V, T>(v: &Spanned<V>, key: &str, check: impl FnOnce(&V) -> Result<T, String>, p: &mut Problems) -> Option<T> {
    match check(v.get_ref()) {
        Ok(x) => Some(x),
        Err(e) => {
            p.push(v.span(), key, e);
            None
        }
    }
}

/// A count from 1 to `max`, or a located problem.
fn count(c: &Spanned<i64>, key: &str, max: usize, p: &mut Problems) -> Option<NonZeroUsize> {
    value(
        c,
        key,
        |n| {
            usize::try_from(*n)
                .ok()
                .filter(|n| (1..=max).contains(n))
                .and_then(NonZeroUsize::new)
                .ok_or_else(|| format!("must be 1 to {max}, got {n}"))
        },
        p,
    )
}

fn non_empty(v: &str) -> Result<String, String> {
    if v.trim().is_empty() {
        return Err("must not be empty".into());
    }
    Ok(v.to_string())
}

fn printable(v: &str) -> Result<String, String> {
    if v.trim().is_empty() || v.chars().any(|c| c.is_control()) {
        return Err("must be non-empty printable text".into());
    }
    Ok(v.to_string())
}

fn web_url(v: &str) -> Result<Url, String> {
    match Url::parse(v) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => Ok(url),
        _ => Err(format!("{v:?} is not an http(s) URL")),
    }
}

fn validate_feed(raw: RawFeed, i: usize, dir: &Path, settings: &Settings, p: &mut Problems) -> Option<FeedConfig> {
    let before = p.list.len();
    let name = raw.name.get_ref().clone();
    if !is_slug(&name) {
        p.push(
            raw.name.span(),
            format!("feed[{i}].name"),
            format!("{name:?} is not a valid name: use 1-64 of a-z, 0-9 and '-'"),
        );
    }
    let source = match parse_source(raw.url.get_ref(), dir) {
        Ok(s) => Some(s),
        Err(e) => {
            p.push(raw.url.span(), format!("feed[{i}].url"), e);
            None
        }
    };
    let drop_items = regexes(&raw.drop_items, &format!("feed[{i}].drop_items"), p);
    let remove_text = regexes(&raw.remove_text, &format!("feed[{i}].remove_text"), p);
    let ads = match &raw.ads {
        None => AdsMode::default(),
        Some(a) => value(
            a,
            &format!("feed[{i}].ads"),
            |a| match a.as_str() {
                "drop" => Ok(AdsMode::Drop),
                "mark" => Ok(AdsMode::Mark),
                "keep" => Ok(AdsMode::Keep),
                other => Err(format!("{other:?} is not one of \"drop\", \"mark\", \"keep\"")),
            },
            p,
        )
        .unwrap_or_default(),
    };
    let mut remove = Vec::new();
    for (j, sel) in raw.remove.iter().enumerate() {
        match scraper::Selector::parse(sel.get_ref()) {
            Ok(_) => remove.push(sel.get_ref().clone()),
            Err(e) => p.push(
                sel.span(),
                format!("feed[{i}].remove[{j}]"),
                // Debug, not Display: scraper 0.20's Display panics on some tokens (`p!`)
                format!("invalid CSS selector {:?}: {e:?}", sel.get_ref()),
            ),
        }
    }
    let mut interval = None;
    if let Some(t) = &raw.interval {
        interval = value(t, &format!("feed[{i}].interval"), |t| parse_interval(t), p);
    }
    let retain_items = raw
        .retain_items
        .and_then(|c| count(&c, &format!("feed[{i}].retain_items"), 1_000_000, p))
        .unwrap_or(settings.retain_items)
        .get();
    let retain_days = raw
        .retain_days
        .and_then(|c| count(&c, &format!("feed[{i}].retain_days"), 36_500, p))
        .map_or(settings.retain_days, |n| n.get() as u32);
    let tls_insecure =
        raw.tls_insecure.and_then(|v| boolean(&v, &format!("feed[{i}].tls_insecure"), p)).unwrap_or(false);
    let full_text = raw.full_text.and_then(|v| boolean(&v, &format!("feed[{i}].full_text"), p)).unwrap_or(false);
    if p.list.len() > before {
        return None;
    }
    Some(FeedConfig {
        name,
        source: source?,
        drop_items,
        remove,
        remove_text,
        ads,
        interval,
        retain_items,
        retain_days,
        tls_insecure,
        full_text,
    })
}

/// A `true`/`false` key, read as any TOML value so that a wrong type is reported with the
/// key, not as a bare TOML type error.
fn boolean(v: &Spanned<toml::Value>, key: &str, p: &mut Problems) -> Option<bool> {
    value(v, key, |v| v.as_bool().ok_or_else(|| format!("must be true or false, got {v}")), p)
}

/// Compiles a list of user regexes (size-limited), recording each one that does not compile.
fn regexes(list: &[Spanned<String>], key: &str, p: &mut Problems) -> Vec<Regex> {
    let mut out = Vec::new();
    for (j, r) in list.iter().enumerate() {
        match regex::RegexBuilder::new(r.get_ref()).size_limit(1 << 20).build() {
            Ok(re) => out.push(re),
            Err(e) => p.push(r.span(), format!("{key}[{j}]"), format!("invalid regex: {}", squash(&e.to_string()))),
        }
    }
    out
}

/// `[a-z0-9-]+`, at most 64 characters: safe in file names and URLs.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// An `http(s)` URL, a `file://` URL, or a local path (relative to the config's folder).
pub fn parse_source(s: &str, dir: &Path) -> Result<Source, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("must not be empty".into());
    }
    if let Some((scheme, _)) = s.split_once("://") {
        let url = Url::parse(s).map_err(|e| format!("invalid URL {s:?}: {e}"))?;
        return match url.scheme() {
            "http" | "https" if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(Source::Http(url)),
            "http" | "https" => Err(format!("URL {s:?} has no host")),
            "file" => url.to_file_path().map(Source::File).map_err(|_| format!("invalid file URL {s:?}")),
            _ => Err(format!("unsupported URL scheme {scheme:?} in {s:?}: use http, https, file or a local path")),
        };
    }
    if s.contains(':') && !s.starts_with('.') && !s.starts_with('/') && Url::parse(s).is_ok() {
        return Err(format!("unsupported URL {s:?}: use http, https, file or a local path"));
    }
    Ok(Source::File(dir.join(s)))
}

/// `30s`, `1m 30s`, `500ms`, `2h`: a positive duration.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s.trim())
        .map_err(|e| format!("invalid duration {s:?}: {e} (use e.g. \"30s\", \"15m\")"))?;
    if d.is_zero() {
        return Err(format!("duration {s:?} must be greater than zero"));
    }
    Ok(d)
}

/// A polling interval: a duration of at least `MIN_INTERVAL`.
fn parse_interval(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d < MIN_INTERVAL {
        return Err(format!("interval {s:?} is below the minimum of 1m"));
    }
    Ok(d)
}

/// `10MiB`, `512 KB`, `1048576`: a positive byte count.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let n = if t.bytes().all(|b| b.is_ascii_digit()) && !t.is_empty() {
        t.parse::<u64>().map_err(|e| format!("invalid size {s:?}: {e}"))?
    } else {
        t.parse::<bytesize::ByteSize>().map_err(|e| format!("invalid size {s:?}: {e} (use e.g. \"10MiB\")"))?.as_u64()
    };
    if n == 0 {
        return Err(format!("size {s:?} must be greater than zero"));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("feeds.toml"), Path::new("/etc/fs"))
    }

    /// Asserts that `text` is rejected with a message containing each of `expected`.
    fn check_err(text: &str, expected: &[&str]) {
        let msg = parse(text).expect_err("config should be rejected").to_string();
        for e in expected {
            assert!(msg.contains(e), "message {msg:?} lacks {e:?}");
        }
    }

    const ONE: &str = "[[feed]]\nname = \"a\"\nurl = \"https://example.org/feed\"\n";

    #[test]
    fn defaults_apply_when_settings_absent() {
        let c = parse(ONE).unwrap();
        assert_eq!(c.settings.db, Path::new("/etc/fs/data/feedscrub.db"));
        assert_eq!(c.settings.timeout, Duration::from_secs(30));
        assert_eq!(c.settings.max_body, 10 * 1024 * 1024);
        assert_eq!(c.settings.concurrency.get(), 16);
        assert_eq!(c.feeds[0].source, Source::Http(Url::parse("https://example.org/feed").unwrap()));
    }

    #[test]
    fn settings_are_read() {
        let c = parse(
            "[settings]\ndb = \"x/db\"\ntimeout = \"2m\"\nmax_body = \"512KiB\"\nconcurrency = 3\nuser_agent = \"t\"\n",
        )
        .unwrap();
        assert_eq!(c.settings.db, Path::new("/etc/fs/x/db"));
        assert_eq!(c.settings.timeout, Duration::from_secs(120));
        assert_eq!(c.settings.max_body, 512 * 1024);
        assert_eq!(c.settings.store_cache, 16 * 1024 * 1024, "the default store cache");
        assert_eq!(c.settings.concurrency.get(), 3);
        assert_eq!(c.settings.user_agent, "t");
        let c = parse("[settings]\nstore_cache = \"64MiB\"\n").unwrap();
        assert_eq!(c.settings.store_cache, 64 * 1024 * 1024);
        check_err("[settings]\nstore_cache = \"0\"\n", &["settings.store_cache", "greater than zero"]);
    }

    #[test]
    fn serve_settings_are_read_and_checked() {
        let c = parse("[settings]\nlisten = \"0.0.0.0:9000\"\npublic_url = \"https://c.example/fs\"\ninterval = \"30m\"\nper_host = 3\n[[feed]]\nname = \"a\"\nurl = \"x.xml\"\ninterval = \"2h\"\n[[feed]]\nname = \"b\"\nurl = \"y.xml\"\n").unwrap();
        assert_eq!(c.settings.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(c.settings.public_url.as_ref().unwrap().as_str(), "https://c.example/fs");
        assert_eq!(c.feeds[0].interval(&c.settings), Duration::from_secs(7200));
        assert_eq!(c.feeds[1].interval(&c.settings), Duration::from_secs(1800));
        assert_eq!(c.settings.per_host.get(), 3);
        let d = parse(ONE).unwrap().settings;
        assert_eq!(
            (d.listen.to_string(), d.interval, d.per_host.get()),
            ("127.0.0.1:8080".into(), Duration::from_secs(900), 2)
        );
        check_err("[settings]\nlisten = \"localhost\"\n", &["settings.listen", "invalid address"]);
        check_err("[settings]\npublic_url = \"ftp://x\"\n", &["settings.public_url"]);
        check_err("[settings]\ninterval = \"30s\"\n", &["settings.interval", "below the minimum of 1m"]);
        check_err(&format!("{ONE}interval = \"10s\"\n"), &["feeds.toml:4:", "feed[0].interval", "minimum"]);
        check_err("[settings]\nper_host = 0\n", &["settings.per_host"]);
    }

    #[test]
    fn local_paths_and_file_urls() {
        let c = parse(
            "[[feed]]\nname = \"a\"\nurl = \"examples/x.xml\"\n[[feed]]\nname = \"b\"\nurl = \"file:///tmp/y.xml\"\n",
        )
        .unwrap();
        assert_eq!(c.feeds[0].source, Source::File(PathBuf::from("/etc/fs/examples/x.xml")));
        assert_eq!(c.feeds[1].source, Source::File(PathBuf::from("/tmp/y.xml")));
    }

    #[test]
    fn unknown_keys_are_rejected_with_line() {
        check_err("[settings]\ntimeout = \"1s\"\ncolour = 1\n", &["feeds.toml:3:", "unknown field `colour`"]);
        check_err(&format!("{ONE}titel = \"x\"\n"), &["feeds.toml:4:", "unknown field `titel`"]);
    }

    #[test]
    fn bad_values_name_line_and_key() {
        check_err(
            "[[feed]]\nname = \"Golem News\"\nurl = \"https://g.de\"\n",
            &["feeds.toml:2:8: feed[0].name", "not a valid name"],
        );
        check_err(
            "[[feed]]\nname = \"g\"\nurl = \"ftp://g.de/x\"\n",
            &["feeds.toml:3:7: feed[0].url", "unsupported URL scheme"],
        );
        check_err("[settings]\ntimeout = \"soon\"\n", &["feeds.toml:2:11: settings.timeout", "invalid duration"]);
        check_err("[settings]\nmax_body = \"lots\"\n", &["settings.max_body", "invalid size"]);
        check_err("[settings]\nconcurrency = 0\n", &["settings.concurrency", "must be 1 to 1024"]);
        check_err(
            &format!("{ONE}drop_items = [\"(unclosed\"]\n"),
            &["feeds.toml:4:", "feed[0].drop_items[0]", "invalid regex"],
        );
        check_err(
            &format!("{ONE}remove_text = [\"ok\", \"[bad\"]\n"),
            &["feeds.toml:4:", "feed[0].remove_text[1]", "invalid regex"],
        );
        check_err(&format!("{ONE}ads = \"maybe\"\n"), &["feeds.toml:4:", "feed[0].ads", "\"maybe\" is not one of"]);
        check_err(
            &format!("{ONE}remove = [\"div[\"]\n"),
            &["feeds.toml:4:", "feed[0].remove[0]", "invalid CSS selector"],
        );
    }

    #[test]
    fn store_names_an_engine() {
        assert_eq!(parse(&format!("[settings]\nstore = \"sled\"\n{ONE}")).unwrap().settings.store, Some(Backend::Sled));
        assert_eq!(parse(&format!("[settings]\nstore = \"redb\"\n{ONE}")).unwrap().settings.store, Some(Backend::Redb));
        assert_eq!(parse(ONE).unwrap().settings.store, None, "unset: the folder's engine, else the default");
        check_err(
            &format!("[settings]\nstore = \"rocksdb\"\n{ONE}"),
            &["feeds.toml:2:9: settings.store", "must be \"sled\", \"redb\" or \"postgres\", got \"rocksdb\""],
        );
    }

    #[test]
    fn tls_insecure_is_a_per_feed_boolean() {
        let c = parse(&format!("{ONE}tls_insecure = true\n[[feed]]\nname = \"b\"\nurl = \"https://b.example/\"\n"))
            .unwrap();
        assert!(c.feeds[0].tls_insecure, "set on a");
        assert!(!c.feeds[1].tls_insecure, "default false on b");
        assert!(!parse(&format!("{ONE}tls_insecure = false\n")).unwrap().feeds[0].tls_insecure);
        check_err(
            &format!("{ONE}tls_insecure = \"yes\"\n"),
            &["feeds.toml:4:16: feed[0].tls_insecure", "must be true or false, got \"yes\""],
        );
        check_err(&format!("{ONE}tls_insecure = 1\n"), &["feeds.toml:4:16: feed[0].tls_insecure", "got 1"]);
        check_err("[settings]\ntls_insecure = true\n", &["unknown field `tls_insecure`"]);
    }

    #[test]
    fn allow_private_is_a_settings_boolean() {
        assert!(parse(ONE).unwrap().settings.page_images, "default true");
        assert!(!parse(&format!("[settings]\npage_images = false\n{ONE}")).unwrap().settings.page_images);
        assert!(parse(&format!("[settings]\npage_images = \"no\"\n{ONE}")).is_err());
        assert!(!parse(ONE).unwrap().settings.allow_private, "default false");
        assert!(parse(&format!("[settings]\nallow_private = true\n{ONE}")).unwrap().settings.allow_private);
        assert!(!parse(&format!("[settings]\nallow_private = false\n{ONE}")).unwrap().settings.allow_private);
        check_err(
            "[settings]\nallow_private = \"yes\"\n",
            &["feeds.toml:2:17: settings.allow_private", "must be true or false, got \"yes\""],
        );
        check_err("[settings]\nallow_private = 1\n", &["feeds.toml:2:17: settings.allow_private", "got 1"]);
        check_err(&format!("{ONE}allow_private = true\n"), &["feeds.toml:4:", "unknown field `allow_private`"]);
    }

    #[test]
    fn duplicate_names_are_rejected() {
        check_err(&format!("{ONE}{ONE}"), &["feeds.toml:4:", "feed[1].name", "duplicate feed name \"a\""]);
    }

    #[test]
    fn several_problems_are_all_reported() {
        let e = parse("[settings]\ntimeout = \"x\"\n[[feed]]\nname = \"A\"\nurl = \"\"\n").unwrap_err();
        assert_eq!(e.problems.len(), 3, "{e}");
    }

    #[test]
    fn invalid_toml_is_located() {
        check_err("[[feed]\nname = 1\n", &["feeds.toml:1:"]);
        check_err("[[feed]]\nname = \"a\"\n", &["missing field `url`"]);
    }

    #[test]
    fn select_rejects_unknown_names() {
        let c = parse(ONE).unwrap();
        assert_eq!(c.select(&[]).unwrap().len(), 1);
        assert!(c.select(&["zzz".into()]).unwrap_err().contains("zzz"));
    }

    #[test]
    fn serve_connection_settings() {
        let d = parse(ONE).unwrap().settings;
        assert_eq!(
            (d.max_connections.get(), d.keepalive_requests.get(), d.reclaim_idle_after),
            (512, 100, Duration::from_secs(1))
        );
        let c = parse(&format!(
            "[settings]\nmax_connections = 4\nkeepalive_requests = 3\nreclaim_idle_after = \"10m\"\n{ONE}"
        ))
        .unwrap()
        .settings;
        assert_eq!(
            (c.max_connections.get(), c.keepalive_requests.get(), c.reclaim_idle_after),
            (4, 3, Duration::from_secs(600))
        );
        for bad in ["max_connections = 0", "keepalive_requests = -1", "reclaim_idle_after = \"soon\""] {
            let e = parse(&format!("[settings]\n{bad}\n{ONE}")).unwrap_err();
            assert!(e.to_string().contains(bad.split(' ').next().unwrap()), "{bad}: {e}");
        }
    }

    #[test]
    fn readme_config_example_is_valid_and_shows_the_defaults() {
        let readme = include_str!("../README.md");
        let start = readme.find("## Configuration").expect("README has a configuration section");
        let block = &readme[start..];
        let block = &block[block.find("```toml\n").expect("a toml block") + 8..];
        let block = &block[..block.find("```").expect("closed")];
        let c = Config::parse(block, Path::new("README.md"), Path::new("/x")).unwrap_or_else(|e| panic!("{e}"));
        let d = parse(ONE).unwrap().settings;
        assert_eq!(
            (c.settings.db, c.settings.timeout, c.settings.max_body, c.settings.concurrency, c.settings.user_agent),
            (PathBuf::from("/x").join(DEFAULT_DB), d.timeout, d.max_body, d.concurrency, d.user_agent),
            "the README says these are the defaults"
        );
        assert_eq!(c.feeds[0].drop_items.len(), 1);
        assert_eq!(c.feeds[0].remove, vec!["div.teaser".to_string()]);
    }

    #[test]
    fn shipped_config_is_valid() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let c = Config::load(&dir.join("feeds.toml")).expect("shipped feeds.toml must load");
        assert!(c.feeds.len() >= 5);
        assert!(c.feeds.iter().any(|f| matches!(&f.source, Source::File(p) if p.exists())), "a local sample feed");
    }
}
