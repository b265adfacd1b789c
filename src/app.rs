//! The commands: what `fetch`, `export`, `clean` and `check` do, from validated arguments to
//! output. The exit status of every command is decided here as an `Exit` value and mapped to a
//! process exit code in exactly one place (`Exit::code`).

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use crate::clean::{text, Cleaner};
use crate::cli::{CleanFormat, Cli, Command, ExtractFormat, OpmlAction};
use crate::config::{Config, ConfigError};
use crate::export::Format;
use crate::fetch::{FetchError, Fetcher};
use crate::model::Body;
use crate::publish::{self, PublishError, Scope};
use crate::refresh::{refresh_all, Context, FeedReport};
use crate::store::{Store, StoreError};

/// How a command ended, as the process will report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything succeeded.
    Success,
    /// Some feeds failed (the others were stored), or a runtime error.
    Failed,
    /// Bad arguments or configuration.
    Usage,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failed => 1,
            Exit::Usage => 2,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Fetch(#[from] FetchError),
    #[error("{0}")]
    Io(String),
}

impl AppError {
    pub fn exit(&self) -> Exit {
        match self {
            // The store is held by a running `serve`: using it now is a usage error.
            AppError::Config(_) | AppError::Usage(_) | AppError::Store(StoreError::Locked { .. }) => Exit::Usage,
            _ => Exit::Failed,
        }
    }
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<Exit, AppError> {
    match cli.command {
        Command::Fetch { feeds } => fetch(&cli.config, &feeds, cli.quiet).await,
        Command::Export { feed, format, output, self_url, limit } => {
            export_cmd(&cli.config, feed.as_deref(), format, output.as_deref(), self_url.map(String::from), limit)
        }
        Command::Clean { base_url, format, explain, feed, file } => {
            let feed = feed.map(|name| feed_rules(&cli.config, &name)).transpose()?;
            clean_cmd(base_url.as_ref(), format, explain, feed.as_ref(), cli.quiet, file.as_deref())
        }
        Command::Extract { format, base_url, trace, input } => {
            extract_cmd(format, base_url, trace, input.as_deref()).await
        }
        Command::Check => check(&cli.config),
        Command::Stats => stats(&cli.config),
        Command::Serve { listen, role } => serve(&cli.config, listen, role).await,
        Command::Migrate { to } => migrate(&cli.config, &to).await,
        Command::Opml { action: OpmlAction::Export } => {
            print_stdout(&crate::opml::export(&load(&cli.config)?))?;
            Ok(Exit::Success)
        }
        Command::Opml { action: OpmlAction::Import { file } } => opml_import(&cli.config, &file),
        Command::Add { url, name, full_text, pick } => add(&cli.config, &url, name.as_deref(), full_text, pick).await,
        Command::Remove { name } => remove(&cli.config, &name),
    }
}

/// `feedscrub add`: discovers the feed (`discover`), appends it, says what it found.
async fn add(
    config: &Path,
    url: &url::Url,
    name: Option<&str>,
    full_text: bool,
    pick: Option<usize>,
) -> Result<Exit, AppError> {
    use crate::discover::{append_feed, discover, Discovery};
    if !matches!(url.scheme(), "http" | "https") {
        return Err(AppError::Usage(format!("{url}: only http(s) addresses can be added")));
    }
    let (cfg, text) = Config::read(config)?;
    let fetcher = Fetcher::new(&cfg.settings)?;
    let found = match discover(&fetcher, url).await.map_err(|e| AppError::Usage(e.to_string()))? {
        Discovery::Feed(f) => f,
        Discovery::Page { found, broken } => {
            for (u, why) in &broken {
                eprintln!("announced but not working: {u}: {why}");
            }
            let list = || {
                found
                    .iter()
                    .enumerate()
                    .map(|(i, f)| format!("  {}. {} — {:?}, {} items\n", i + 1, f.url, f.title, f.items))
                    .collect::<String>()
            };
            match (found.len(), pick) {
                (1, None | Some(1)) => found.into_iter().next().expect("one"),
                (n, Some(k)) if (1..=n).contains(&k) => found.into_iter().nth(k - 1).expect("in range"),
                (n, Some(k)) => {
                    return Err(AppError::Usage(format!("{url}: --pick {k}, but there are {n} feeds:\n{}", list())))
                }
                (n, None) => {
                    return Err(AppError::Usage(format!(
                        "{url} announces {n} feeds; choose one with --pick N:\n{}",
                        list().trim_end()
                    )))
                }
            }
        }
    };
    let (new_text, name) = append_feed(&text, &cfg, &found.url, &found.title, name, full_text)
        .map_err(|e| AppError::Usage(format!("{}: {e}", config.display())))?;
    write_config(config, &new_text)?;
    print_stdout(&format!(
        "added {name}: {} ({:?}, {} items) to {}\na running `feedscrub serve` takes it up on SIGHUP (kill -HUP <pid>); `feedscrub fetch` polls it now\n",
        found.url,
        found.title,
        found.items,
        config.display()
    ))?;
    Ok(Exit::Success)
}

/// `feedscrub remove NAME`: takes the feed's table out of the config.
fn remove(config: &Path, name: &str) -> Result<Exit, AppError> {
    let (_, text) = Config::read(config)?;
    let new_text =
        crate::discover::remove_feed(&text, name).map_err(|e| AppError::Usage(format!("{}: {e}", config.display())))?;
    write_config(config, &new_text)?;
    print_stdout(&format!(
        "removed {name} from {}; its stored items stay in the store and leave the outputs; a running `feedscrub serve` takes it up on SIGHUP\n",
        config.display()
    ))?;
    Ok(Exit::Success)
}

/// Writes the config text an edit made, only if it loads (a command never leaves a config
/// that would not).
fn write_config(config: &Path, text: &str) -> Result<(), AppError> {
    Config::parse(text, config, Config::dir_of(config))?;
    write_atomically(config, text.as_bytes())
}

fn load(path: &Path) -> Result<Config, AppError> {
    Ok(Config::load(path)?)
}

async fn fetch(config: &Path, names: &[String], quiet: bool) -> Result<Exit, AppError> {
    let cfg = load(config)?;
    let feeds = cfg.select(names).map_err(AppError::Usage)?;
    if feeds.is_empty() {
        return Err(AppError::Usage(format!("{}: no [[feed]] configured", cfg.path.display())));
    }
    let started = Instant::now();
    let store = Store::for_settings(&cfg.settings)?;
    tracing::debug!(elapsed = ?started.elapsed(), "store opened");
    let ctx = Context::new(Fetcher::new(&cfg.settings)?, store.clone()).map_err(AppError::Io)?;

    let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let b = ProgressBar::new(feeds.len() as u64);
        b.set_style(
            ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} feeds {msg}")
                .expect("static template")
                .progress_chars("=> "),
        );
        b
    });
    let reports = refresh_all(&ctx, &feeds, cfg.settings.concurrency.get(), |r| match &bar {
        Some(b) => {
            b.set_message(r.feed.clone());
            b.inc(1);
        }
        None if !quiet => eprintln!("{}", progress_line(r)),
        None => {}
    })
    .await;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    tracing::debug!(elapsed = ?started.elapsed(), feeds = reports.len(), "refresh done");
    drop(ctx);
    if let Err(e) = store.sync().await {
        tracing::error!(error = %e, "cannot sync the store");
    }
    drop(store); // closes the store: the writer drains and joins
    tracing::debug!(elapsed = ?started.elapsed(), "store closed");
    let table = summary_table(&reports, started.elapsed().as_secs_f64(), &cfg.settings.db);
    print_stdout(&table)?;
    Ok(if reports.iter().all(FeedReport::ok) { Exit::Success } else { Exit::Failed })
}

/// One plain line per finished feed, for stderr when it is not a terminal.
fn progress_line(r: &FeedReport) -> String {
    match &r.outcome {
        Ok(_) if r.not_modified => format!("{}: not modified ({:.2}s)", r.feed, r.elapsed.as_secs_f64()),
        Ok(c) if c.skipped_gone => format!("{}: gone (HTTP 410 earlier), not requested", r.feed),
        Ok(c) => format!(
            "{}: {} new, {} updated, {} unchanged, {} ad items dropped, {} blocks removed ({:.2}s)",
            r.feed,
            c.new,
            c.updated,
            c.unchanged,
            c.ads_dropped,
            c.blocks_removed,
            r.elapsed.as_secs_f64()
        ),
        Err(e) => format!("{}: FAILED: {e}", r.feed),
    }
}

/// The summary printed by `fetch`: one row per feed, then totals.
pub fn summary_table(reports: &[FeedReport], secs: f64, db: &Path) -> String {
    use std::fmt::Write as _;
    let w = reports.iter().map(|r| r.feed.len()).max().unwrap_or(4).max(4);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{:<w$}  {:<8} {:>5} {:>8} {:>10} {:>12} {:>15}",
        "FEED", "STATUS", "NEW", "UPDATED", "UNCHANGED", "ADS DROPPED", "BLOCKS REMOVED"
    );
    let (mut ok, mut new, mut upd, mut ads, mut blocks) = (0, 0, 0, 0, 0);
    for r in reports {
        match &r.outcome {
            Ok(c) => {
                ok += 1;
                new += c.new;
                upd += c.updated;
                ads += c.ads_dropped;
                blocks += c.blocks_removed;
                let status = if c.skipped_gone {
                    "gone"
                } else if r.not_modified {
                    "304"
                } else {
                    "ok"
                };
                let _ = writeln!(
                    o,
                    "{:<w$}  {:<8} {:>5} {:>8} {:>10} {:>12} {:>15}",
                    r.feed, status, c.new, c.updated, c.unchanged, c.ads_dropped, c.blocks_removed
                );
            }
            Err(e) => {
                let _ = writeln!(o, "{:<w$}  {:<8} {e}", r.feed, "error");
            }
        }
    }
    let failed = reports.len() - ok;
    let _ = writeln!(
        o,
        "{ok} of {} feeds ok, {failed} failed; {new} new, {upd} updated, {ads} ad items dropped, {blocks} blocks removed in {secs:.2}s; store {}",
        reports.len(),
        db.display()
    );
    o
}

fn export_cmd(
    config: &Path,
    feed: Option<&str>,
    format: Format,
    output: Option<&Path>,
    self_url: Option<String>,
    limit: Option<usize>,
) -> Result<Exit, AppError> {
    let cfg = load(config)?;
    let store = Store::for_settings(&cfg.settings)?;
    let scope = feed.map_or(Scope::All, Scope::Feed);
    let limit = match limit {
        Some(0) => None,
        Some(n) => Some(n),
        None => Some(cfg.settings.output_items.get()),
    };
    let text = publish::render(&cfg, &store, scope, format, self_url, limit).map_err(|e| match e {
        PublishError::UnknownFeed(_) => AppError::Usage(format!("{}: {e}", cfg.path.display())),
        PublishError::Store(s) => AppError::Store(s),
    })?;
    match output {
        Some(path) => write_atomically(path, text.as_bytes())?,
        None => print_stdout(&text)?,
    }
    Ok(Exit::Success)
}

/// A configured feed's cleaning rules and what was learned from its items (`clean --feed`).
struct FeedRules {
    cleaner: Cleaner,
    learned: crate::model::LearnedRules,
}

fn feed_rules(config: &Path, name: &str) -> Result<FeedRules, AppError> {
    let cfg = load(config)?;
    let feed =
        cfg.feed(name).ok_or_else(|| AppError::Usage(format!("{}: no feed named {name:?}", cfg.path.display())))?;
    let store = Store::for_settings(&cfg.settings)?;
    let learned = store.feed_state(name)?.map(|s| s.learned).unwrap_or_default();
    Ok(FeedRules { cleaner: Cleaner::new(&feed.remove, &feed.remove_text), learned })
}

fn clean_cmd(
    base: Option<&url::Url>,
    format: CleanFormat,
    explain: bool,
    feed: Option<&FeedRules>,
    quiet: bool,
    file: Option<&Path>,
) -> Result<Exit, AppError> {
    let input = crate::parse::decode(&read_input(file)?, None);
    let is_html = text::looks_like_html(&input);
    let body = if is_html { Body::Html(input) } else { Body::Text(input) };
    if base.is_none() && !quiet {
        // `fetch` always has the item's link: without it, what reads links judges less.
        eprintln!(
            "feedscrub clean: no --base-url, so links to other sites cannot be told from the item's own: \
             ad extents after a label and trailing pitches were judged without that signal (fetch uses the item's link)"
        );
    }
    let cleaner = feed.map_or_else(Cleaner::default, |f| f.cleaner.clone());
    let cleaner = if explain { cleaner.explaining() } else { cleaner };
    let mut cleaned = cleaner.clean(&body, base);
    if let Some(f) = feed {
        // one item teaches nothing new; what the feed's items taught applies
        cleaned = crate::clean::Learned::new(&[], &f.learned).strip(cleaned);
    }
    let as_text = match format {
        CleanFormat::Auto => !is_html,
        CleanFormat::Html => false,
        CleanFormat::Text => true,
    };
    if explain {
        eprint!("{}", explain_removals(&cleaned.removed));
    }
    let mut out = if as_text { text::html_to_text(cleaned.html.as_str()) } else { cleaned.html.into_string() };
    out.push('\n');
    print_stdout(&out)?;
    Ok(Exit::Success)
}

/// `extract`: one page (file, stdin or URL) through the extractor and the cleaner.
async fn extract_cmd(
    format: ExtractFormat,
    base_url: Option<url::Url>,
    trace: bool,
    input: Option<&str>,
) -> Result<Exit, AppError> {
    let (bytes, charset, fetched_url) = match input {
        Some(s) if s.starts_with("http://") || s.starts_with("https://") => {
            let url = url::Url::parse(s).map_err(|e| AppError::Usage(format!("{s}: not a valid URL: {e}")))?;
            let cfg = Config::parse("", Path::new("<defaults>"), Path::new("."))?;
            let fetcher = Fetcher::new(&cfg.settings)?;
            match fetcher.fetch_untrusted(url.as_str(), &crate::model::Validators::default()).await?.0 {
                crate::fetch::Fetched::Modified { body, charset, .. } => (body, charset, Some(url)),
                _ => return Err(AppError::Io(format!("{url}: no body"))),
            }
        }
        other => (read_input(other.map(Path::new))?, None, None),
    };
    let page = crate::extract::decode_page(&bytes, charset.as_deref());
    let url = base_url.or(fetched_url);
    let (article, steps) = if trace {
        crate::extract::trace(&page, url.as_ref())
    } else {
        (crate::extract::extract(&page, url.as_ref()), Vec::new())
    };
    let base = url.or_else(|| article.canonical.as_deref().and_then(|c| url::Url::parse(c).ok()));
    let cleaned = Cleaner::default().clean_html(&article.html, base.as_ref());
    if trace {
        use std::fmt::Write as _;
        let mut out = String::new();
        for (step, html) in steps.iter().map(|(s, h)| (*s, h.as_str())).chain([("cleaned", cleaned.html.as_str())]) {
            let text = text::html_to_text(html);
            let _ = writeln!(
                out,
                "== {step} ({} characters of text)\n{text}",
                text.chars().filter(|c| !c.is_whitespace()).count()
            );
        }
        print_stdout(&out)?;
        return Ok(Exit::Success);
    }
    let mut out = match format {
        ExtractFormat::Text => text::html_to_text(cleaned.html.as_str()),
        ExtractFormat::Html => cleaned.html.into_string(),
    };
    out.push('\n');
    print_stdout(&out)?;
    Ok(Exit::Success)
}

/// `clean --explain`: one line per removed element: the rule, its first words, why.
fn explain_removals(removed: &crate::clean::Removed) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "removed {} ads and {} boilerplate blocks ({} elements){}",
        removed.ads,
        removed.boilerplate,
        removed.log.len(),
        if removed.log.is_empty() { "" } else { ":" }
    );
    for r in &removed.log {
        // the first words of what went (the item page shows more)
        let mut words: Vec<&str> = r.what.split_whitespace().take(9).collect();
        if words.len() == 9 {
            words[8] = "…";
        }
        let _ = writeln!(o, "  {:<16} {:<48} {}", r.rule, format!("{:?}", words.join(" ")), r.why);
    }
    o
}

/// The daemon: scheduler + HTTP server on one store until SIGINT/SIGTERM.
async fn serve(config: &Path, listen: Option<std::net::SocketAddr>, role: crate::cli::Role) -> Result<Exit, AppError> {
    use crate::cli::Role;
    use std::sync::Arc;
    use tokio::signal::unix::{signal, SignalKind};

    let cfg = Arc::new(load(config)?);
    crate::memory::release_freed(); // parsing a big config freed much more than it keeps
    let store = Store::for_settings(&cfg.settings)?;
    let shared = store.postgres().cloned();
    match &shared {
        None if role != Role::All => {
            return Err(AppError::Usage(format!(
                "serve --role {}: a store of its own belongs to one process; roles need a shared database \
                 (store = \"postgres\", see docs/SCALING.md)",
                if role == Role::Worker { "worker" } else { "web" }
            )))
        }
        None => {}
        Some(pg) => {
            // feeds.toml is the source of truth: every node lists it in the database
            pg.sync_feeds(listed_feeds(&cfg), first_spread(&cfg)).await?;
            if role != Role::Worker {
                // what other nodes commit shows in this node's pages (a worker serves none)
                store.follow(FOLLOW_POLL);
            }
        }
    }
    // the daemon's 304 polls come one by one: let their state commits share transactions
    store.gather_state_commits(std::time::Duration::from_millis(10));
    let ctx = Context::new(Fetcher::new(&cfg.settings)?, store.clone()).map_err(AppError::Io)?;
    let metrics = Arc::new(crate::server::metrics::Metrics::default());
    let state = crate::server::AppState::new(store.clone(), cfg.clone(), metrics);
    let addr = listen.unwrap_or(cfg.settings.listen);
    let listener = crate::server::bind(addr).map_err(|e| AppError::Io(format!("cannot listen on {addr}: {e}")))?;
    let local = listener.local_addr().map_err(|e| AppError::Io(e.to_string()))?;
    eprintln!("feedscrub: serving {} feeds on http://{local}/", cfg.feeds.len());

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let sig = |kind| signal(kind).map_err(|e| AppError::Io(format!("cannot listen for signals: {e}")));
    let (mut term, mut int, mut hup) =
        (sig(SignalKind::terminate())?, sig(SignalKind::interrupt())?, sig(SignalKind::hangup())?);
    let reload_state = state.clone();
    let config_path = config.to_path_buf();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = term.recv() => break,
                _ = int.recv() => break,
                _ = hup.recv() => match Config::load(&config_path) {
                    Ok(new) => {
                        if let Some(pg) = reload_state.store.postgres() {
                            if let Err(e) = pg.sync_feeds(listed_feeds(&new), first_spread(&new)).await {
                                tracing::error!(error = %e, "cannot list the reloaded feeds in the database");
                            }
                        }
                        tracing::info!(feeds = new.feeds.len(), "config reloaded");
                        eprintln!("feedscrub: reloaded {} ({} feeds)", config_path.display(), new.feeds.len());
                        reload_state.set_config(Arc::new(new));
                        crate::memory::release_freed();
                    }
                    Err(e) => {
                        tracing::error!("config reload rejected, keeping the running config:\n{e}");
                        eprintln!("feedscrub: reload rejected, keeping the running config:\n{e}");
                    }
                },
            }
        }
        tracing::info!("shutting down");
        let _ = stop_tx.send(true);
    });

    // The polls run on a thread of their own with a single-threaded runtime: a poll is a few
    // short steps (request, 304, commit), and on one thread they cost no wake-ups of other
    // threads; the server keeps the main runtime's threads for readers.
    let scheduler = match (role, shared) {
        (Role::Web, _) => None,
        (_, Some(pg)) => Some(on_own_thread(crate::scheduler::shared::run(ctx, state.clone(), pg, stop_rx.clone()))),
        (_, None) => Some(on_own_thread(crate::scheduler::run(ctx, state.clone(), stop_rx.clone()))),
    }
    .transpose()?;
    // `from_env`: the defaults, unless a test turned its knobs (see `Limits::from_env`).
    let routes = match role {
        Role::Worker => crate::server::worker_router(state.clone()),
        Role::All | Role::Web => crate::server::router(state.clone()),
    };
    crate::server::serve(listener, routes, stop_rx, crate::server::Limits::from_env()).await;
    if let Some(done) = scheduler {
        let _ = done.await;
    }
    drop(state);
    if let Err(e) = store.sync().await {
        tracing::error!(error = %e, "cannot sync the store");
    }
    drop(store); // the last handles: the writer drains and the store is flushed and closed
    eprintln!("feedscrub: stopped");
    Ok(Exit::Success)
}

/// Copies the config's store into an empty PostgreSQL database or redb folder, feed by feed
/// (each feed one commit: a feed is copied whole or not at all).
async fn migrate(config: &Path, to: &str) -> Result<Exit, AppError> {
    let cfg = load(config)?;
    let from = Store::for_settings(&cfg.settings)?;
    let target = if to.starts_with("postgres://") || to.starts_with("postgresql://") {
        Store::open_postgres(to)?
    } else {
        let dir = Path::new(to);
        if dir.exists() && std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_some()) {
            return Err(AppError::Usage(format!("{to}: exists and is not empty; migrate writes a new store")));
        }
        Store::open_with(dir, Some(crate::store::Backend::Redb))?
    };
    let held = target.feed_names()?;
    if !held.is_empty() {
        return Err(AppError::Usage(format!(
            "{to} already holds {} feeds (e.g. {}); migrate copies into an empty store",
            held.len(),
            held[0]
        )));
    }
    let (mut feeds, mut items, mut tombstones) = (0usize, 0usize, 0usize);
    for name in from.feed_names()? {
        let mut c = target.changes();
        if let Some(state) = from.feed_state(&name)? {
            c.put_state(&name, &state);
        }
        for item in from.items(&name)? {
            c.put_item(&item);
            items += 1;
        }
        for t in from.tombstones(&name)? {
            c.put_tombstone(&name, &t);
            tombstones += 1;
        }
        target.commit(c).await?;
        feeds += 1;
    }
    target.sync().await?;
    from.sync().await?;
    print_stdout(&format!(
        "copied {feeds} feeds, {items} items, {tombstones} tombstones from the {} store to {}\n",
        from.backend(),
        target.backend()
    ))?;
    Ok(Exit::Success)
}

/// Runs `fut` on a current-thread runtime of a thread of its own (the scheduler's); the
/// receiver resolves when it has ended.
fn on_own_thread(
    fut: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<tokio::sync::oneshot::Receiver<()>, AppError> {
    let (done, ended) = tokio::sync::oneshot::channel();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AppError::Io(format!("cannot start the scheduler's runtime: {e}")))?;
    std::thread::Builder::new()
        .name("scheduler".into())
        .spawn(move || {
            runtime.block_on(fut);
            drop(runtime);
            let _ = done.send(());
        })
        .map_err(|e| AppError::Io(format!("cannot start the scheduler's thread: {e}")))?;
    Ok(ended)
}

/// How often a node of a shared database looks for items other nodes stored, when no
/// notification told it (LISTEN/NOTIFY is the fast path; this alone suffices).
const FOLLOW_POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// The config's feeds as the shared database lists them.
fn listed_feeds(cfg: &Config) -> Vec<crate::store::postgres::ListedFeed> {
    cfg.feeds
        .iter()
        .map(|f| crate::store::postgres::ListedFeed {
            name: f.name.clone(),
            url: f.source.to_string(),
            host: f.host_key(),
        })
        .collect()
}

/// New feeds of a shared database come due spread over this window (as the local scheduler
/// spreads its first polls).
fn first_spread(cfg: &Config) -> std::time::Duration {
    crate::scheduler::first_delay(None, cfg.settings.interval, cfg.feeds.len(), 1.0)
}

/// Adds an OPML file's feeds to the config file, which is validated before it is replaced.
fn opml_import(config: &Path, file: &Path) -> Result<Exit, AppError> {
    let (cfg, text) = Config::read(config)?;
    let opml = String::from_utf8(read_input(Some(file))?)
        .map_err(|_| AppError::Usage(format!("{}: not UTF-8 text", file.display())))?;
    let feeds = crate::opml::parse(&opml).map_err(|e| AppError::Usage(format!("{}: {e}", file.display())))?;
    let (new_text, report) =
        crate::opml::import(&text, &cfg, &feeds).map_err(|e| AppError::Usage(format!("{}: {e}", config.display())))?;
    for (url, why) in &report.refused {
        eprintln!("refused {url}: {why}");
    }
    if !report.added.is_empty() {
        write_config(config, &new_text)?;
    }
    let mut o = String::new();
    for (name, url) in &report.added {
        o.push_str(&format!("added {name}: {url}\n"));
    }
    o.push_str(&format!(
        "{} added, {} already configured, {} refused; {}\n",
        report.added.len(),
        report.skipped.len(),
        report.refused.len(),
        config.display()
    ));
    print_stdout(&o)?;
    Ok(Exit::Success)
}

fn check(config: &Path) -> Result<Exit, AppError> {
    use std::fmt::Write as _;
    let cfg = load(config)?;
    let s = &cfg.settings;
    let mut o = String::new();
    let _ = writeln!(o, "{}: ok", cfg.path.display());
    let _ = writeln!(o, "store:       {}", s.db.display());
    let _ = writeln!(o, "timeout:     {}", humantime::format_duration(s.timeout));
    let _ = writeln!(o, "max_body:    {}", bytesize::ByteSize(s.max_body).to_string_as(true));
    let _ = writeln!(o, "concurrency: {}", s.concurrency);
    let _ = writeln!(o, "user_agent:  {}", s.user_agent);
    let _ = writeln!(o, "retention:   {} items, {} days", s.retain_items, s.retain_days);
    let _ = writeln!(o, "{} feeds:", cfg.feeds.len());
    for f in &cfg.feeds {
        let _ = write!(o, "  {:<16} {}", f.name, f.source);
        if !f.drop_items.is_empty() {
            let _ =
                write!(o, "  drop_items: {}", f.drop_items.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "));
        }
        if !f.remove.is_empty() {
            let _ = write!(o, "  remove: {}", f.remove.join(", "));
        }
        if !f.remove_text.is_empty() {
            let _ =
                write!(o, "  remove_text: {}", f.remove_text.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "));
        }
        if f.ads != crate::config::AdsMode::Drop {
            let _ = write!(o, "  ads: {:?}", f.ads);
        }
        if (f.retain_items, f.retain_days) != (s.retain_items.get(), s.retain_days) {
            let _ = write!(o, "  retention: {} items, {} days", f.retain_items, f.retain_days);
        }
        if f.tls_insecure {
            let _ = write!(o, "  tls_insecure: any certificate accepted");
        }
        o.push('\n');
    }
    print_stdout(&o)?;
    Ok(Exit::Success)
}

/// `stats`: the store, per configured feed.
/// `stats`' full-text column: how the feed's site fared (`-` without `full_text`).
fn full_text_health(f: &crate::config::FeedConfig, state: &crate::model::FeedState) -> String {
    let h = state.full_text;
    if !f.full_text {
        return "-".into();
    }
    format!("{} kept, {} rejected, {} failed", h.kept, h.rejected, h.failed)
}

fn stats(config: &Path) -> Result<Exit, AppError> {
    use std::fmt::Write as _;
    let cfg = load(config)?;
    let store = Store::for_settings(&cfg.settings)?;
    let metas: Vec<crate::model::Item> =
        store.all_item_metas()?.into_iter().filter(|i| cfg.feed(&i.feed).is_some()).collect();
    // Items of each feed that the merged output shows under another feed's copy.
    let mut collapsed: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut sorted = metas.clone();
    crate::export::sort_newest_first(&mut sorted);
    for (_, also) in crate::publish::collapse(&sorted) {
        for j in also {
            *collapsed.entry(cfg.feed(&sorted[j].feed).map_or("", |f| f.name.as_str())).or_default() += 1;
        }
    }
    let mut rows = vec![["FEED", "ITEMS", "DUPLICATES", "TOMBSTONES", "IDENTITY", "FULL TEXT", "LAST FETCH", "ERRORS"]
        .map(String::from)
        .to_vec()];
    let mut notes = Vec::new();
    for f in &cfg.feeds {
        let state = store.feed_state(&f.name)?.unwrap_or_default();
        let items = metas.iter().filter(|i| i.feed == f.name).count();
        // A pruned item's tombstone is kept under its identity and its canonical URL: count items.
        let ts = store.tombstones(&f.name)?;
        let aliased: std::collections::HashSet<&str> =
            ts.iter().filter(|t| !t.id.starts_with("url:")).filter_map(|t| t.canonical.as_deref()).collect();
        let tombstones = ts
            .iter()
            .filter(|t| !t.id.starts_with("url:") || t.canonical.as_deref().is_none_or(|c| !aliased.contains(c)))
            .count();
        let last = state.last_attempt.map_or("never".to_string(), |t| t.format("%Y-%m-%d %H:%M UTC").to_string());
        let errors = match (&state.last_error, state.failures) {
            (None, _) => "-".to_string(),
            (Some(e), n) if n > 1 => format!("{n} in a row: {e}"),
            (Some(e), _) => e.clone(),
        };
        if let Some(n) = &state.identity_note {
            notes.push(format!("{}: identified by {} because {n}", f.name, state.identity.as_str()));
        }
        for (what, learnt) in [("template", &state.learned.templates), ("promo title", &state.learned.promos)] {
            for l in learnt {
                notes.push(format!(
                    "{}: learned {what} {:?} ({} items{}), e.g. {:?}",
                    f.name,
                    l.pattern,
                    l.items,
                    if l.missed > 0 { format!(", missing from the last {} fetches", l.missed) } else { String::new() },
                    l.sample
                ));
            }
        }
        rows.push(vec![
            f.name.clone(),
            items.to_string(),
            collapsed.get(f.name.as_str()).copied().unwrap_or(0).to_string(),
            tombstones.to_string(),
            state.identity.as_str().to_string(),
            full_text_health(f, &state),
            last,
            errors,
        ]);
    }
    let widths: Vec<usize> =
        (0..rows[0].len()).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut o = String::new();
    for r in &rows {
        let line: Vec<String> = r.iter().zip(&widths).map(|(v, w)| format!("{v:<w$}")).collect();
        let _ = writeln!(o, "{}", line.join("  ").trim_end());
    }
    for n in notes {
        let _ = writeln!(o, "{n}");
    }
    let _ = writeln!(
        o,
        "store {} ({}): {} on disk",
        cfg.settings.db.display(),
        store.backend(),
        bytesize::ByteSize(store.size_on_disk()?).to_string_as(true)
    );
    print_stdout(&o)?;
    Ok(Exit::Success)
}

/// The bytes of FILE, or of stdin when it is absent or `-`.
fn read_input(file: Option<&Path>) -> Result<Vec<u8>, AppError> {
    match file {
        Some(p) if p != Path::new("-") => {
            std::fs::read(p).map_err(|e| AppError::Usage(format!("cannot read {}: {e}", p.display())))
        }
        _ => {
            let mut bytes = Vec::new();
            std::io::stdin().read_to_end(&mut bytes).map_err(|e| AppError::Io(format!("cannot read stdin: {e}")))?;
            Ok(bytes)
        }
    }
}

fn print_stdout(s: &str) -> Result<(), AppError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        // A closed pipe (`| head`) is not an error of ours.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| AppError::Io(format!("cannot write to stdout: {e}"))),
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    let err = |e: std::io::Error| AppError::Io(format!("cannot write {}: {e}", path.display()));
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).map_or(PathBuf::from("."), Path::to_path_buf);
    let tmp =
        dir.join(format!(".{}.tmp{}", path.file_name().and_then(|n| n.to_str()).unwrap_or("out"), std::process::id()));
    let mut f = std::fs::File::create(&tmp).map_err(err)?;
    f.write_all(bytes).and_then(|_| f.sync_all()).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}
