//! The daemon loop of `serve`: keeps every feed fresh by calling the same
//! `refresh::refresh_feed` as the one-shot `fetch`.
//!
//! - Each feed is polled every `interval` (settings or per feed), with a little jitter (±10%).
//!   After start, feeds that are due are spread (half a second per feed, at most a minute)
//!   instead of all firing at once; a feed whose stored `next_poll` lies in the future keeps
//!   it (a restart resumes).
//! - A failure backs off exponentially: interval × 2^(failures−1), capped at 24 h; it never
//!   gives up. Success resets it.
//! - At most `concurrency` refreshes run at once, and at most `per_host` per host.
//! - `next_poll` and `failures` are written to the feed's state after every poll.
//!
//! The timing decisions are the pure `next_delay` and `first_delay`, tested without a clock.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::config::{FeedConfig, Source};
use crate::refresh::{refresh_feed, Context, FeedReport};
use crate::server::AppState;

/// The longest wait between polls of a feed, whatever the backoff.
pub const MAX_DELAY: Duration = Duration::from_secs(24 * 3600);
/// Due feeds are spread over this window after start.
const START_SPREAD: Duration = Duration::from_secs(60);
const SPREAD_PER_FEED: Duration = Duration::from_millis(500);
/// How long shutdown waits for refreshes in flight.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// The delay until the next poll after a refresh. `failures` counts failed refreshes in a
/// row including this one (0 after a success); `jitter` is uniform in [0, 1).
pub fn next_delay(interval: Duration, failures: u32, jitter: f64) -> Duration {
    let base = if failures == 0 {
        interval
    } else {
        let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(20));
        interval.saturating_mul(factor).min(MAX_DELAY)
    };
    // ±10%, never above the cap.
    let j = (jitter.clamp(0.0, 1.0) - 0.5) * 0.2;
    base.mul_f64(1.0 + j).min(MAX_DELAY)
}

/// The delay until the next poll: `next_delay`, but never before the source's Retry-After
/// (429/503) nor before its cache lifetime or RSS ttl; never beyond 24 h.
pub fn plan(
    interval: Duration,
    failures: u32,
    jitter: f64,
    retry_after: Option<Duration>,
    min_interval: Option<Duration>,
) -> Duration {
    next_delay(interval, failures, jitter)
        .max(retry_after.unwrap_or_default())
        .max(min_interval.unwrap_or_default())
        .min(MAX_DELAY)
}

/// The delay before the first poll after start: the stored schedule when it lies ahead, else
/// a spread over a window of half a second per feed, at most a minute (`jitter` uniform in
/// [0, 1)): a few feeds start at once, a thousand don't all fire together.
pub fn first_delay(until_stored: Option<Duration>, interval: Duration, feeds: usize, jitter: f64) -> Duration {
    match until_stored {
        Some(d) if d > Duration::ZERO => d.min(MAX_DELAY),
        _ => {
            let window = START_SPREAD.min(interval).min(SPREAD_PER_FEED.saturating_mul(feeds.min(1_000) as u32));
            window.mul_f64(jitter.clamp(0.0, 1.0))
        }
    }
}

/// A small xorshift generator for jitter (no security use).
struct Jitter(u64);

impl Jitter {
    fn new() -> Jitter {
        let seed =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64);
        Jitter(seed | 1)
    }
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Runs until `shutdown` turns true; then waits for refreshes in flight (up to
/// `DRAIN_TIMEOUT`) and returns.
pub async fn run(mut ctx: Context, state: Arc<AppState>, mut shutdown: watch::Receiver<bool>) {
    let mut jitter = Jitter::new();
    let mut due: HashMap<String, Instant> = HashMap::new();
    let mut running: HashSet<String> = HashSet::new();
    // Refreshes in flight; each returns its feed's name and when it is due next (None: the
    // feed is gone, poll no more).
    let mut tasks: JoinSet<(String, Option<Duration>)> = JoinSet::new();
    // Feeds that answered 410 Gone, with the configured URL that did: not polled again until
    // the config gives them another URL.
    let mut gone: HashMap<String, String> = HashMap::new();
    // Which feed each task refreshes, so a task that fails still releases its feed.
    let mut task_feed: HashMap<tokio::task::Id, (String, String, Duration)> = HashMap::new();
    let mut concurrency = 0usize;
    // Bounds refreshes overall. Held by each task for its refresh; replaced when the
    // configured concurrency changes.
    let mut global = Arc::new(Semaphore::new(1));
    // One semaphore per host (`per_host` permits); tasks hold one for their refresh.
    let mut hosts: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let mut per_host = 0usize;
    // The settings the current fetcher was built with (a reload may change them).
    let fetch_settings = |s: &crate::config::Settings| (s.timeout, s.max_body, s.user_agent.clone(), s.concurrency);
    let mut fetcher_for = fetch_settings(&state.config().settings);

    loop {
        let cfg = state.config();
        if cfg.settings.concurrency.get() != concurrency {
            concurrency = cfg.settings.concurrency.get();
            global = Arc::new(Semaphore::new(concurrency));
        }
        if cfg.settings.per_host.get() != per_host {
            per_host = cfg.settings.per_host.get();
            hosts.clear(); // new semaphores with the new limit, as hosts come up
        }
        if fetch_settings(&cfg.settings) != fetcher_for {
            match crate::fetch::Fetcher::new(&cfg.settings) {
                Ok(f) => {
                    ctx = ctx.with_fetcher(f);
                    fetcher_for = fetch_settings(&cfg.settings);
                }
                Err(e) => tracing::error!(error = %e, "cannot apply the new fetch settings; keeping the old ones"),
            }
        }
        // Feeds new to the schedule (start, or added by a reload); removed feeds drop out.
        let now = Instant::now();
        due.retain(|name, _| cfg.feed(name).is_some());
        for f in &cfg.feeds {
            let url = f.source.to_string();
            if !due.contains_key(&f.name) && gone.get(&f.name) != Some(&url) {
                let st = state.store.feed_state(&f.name).ok().flatten();
                if st.as_ref().is_some_and(|s| s.gone && s.url == url) {
                    gone.insert(f.name.clone(), url);
                    continue;
                }
                let stored = st.and_then(|s| s.next_poll);
                let until = stored.and_then(|t| (t - Utc::now()).to_std().ok());
                due.insert(
                    f.name.clone(),
                    now + first_delay(until, f.interval(&cfg.settings), cfg.feeds.len(), jitter.next()),
                );
            }
        }
        for f in &cfg.feeds {
            if due.get(&f.name).is_some_and(|t| *t <= now) && !running.contains(&f.name) && !*shutdown.borrow() {
                running.insert(f.name.clone());
                let host = host_of(f);
                let host_sem =
                    hosts.entry(host).or_insert_with(|| Arc::new(Semaphore::new(cfg.settings.per_host.get()))).clone();
                let (ctx, state, global, feed) = (ctx.clone(), state.clone(), global.clone(), f.clone());
                let interval = f.interval(&cfg.settings);
                let j = jitter.next();
                let handle = tasks.spawn(async move {
                    let _g = global.acquire_owned().await.expect("never closed");
                    let _h = host_sem.acquire_owned().await.expect("never closed");
                    let report = refresh_feed(&ctx, &feed).await;
                    state.metrics.record(&report);
                    log_poll(&report);
                    let next = schedule_after(&ctx, &feed, &report, interval, j).await;
                    (feed.name.clone(), next)
                });
                task_feed.insert(handle.id(), (f.name.clone(), f.source.to_string(), interval));
            }
        }
        let earliest = due.iter().filter(|(n, _)| !running.contains(*n)).map(|(_, t)| *t).min();
        let sleep = tokio::time::sleep_until(earliest.unwrap_or(now + Duration::from_secs(3600)));
        tokio::select! {
            _ = sleep => {}
            Some(done) = tasks.join_next_with_id(), if !tasks.is_empty() => {
                let (id, next) = match done {
                    Ok((id, (_, next))) => (id, Ok(next)),
                    Err(e) => (e.id(), Err(())),
                };
                if let Some((name, url, interval)) = task_feed.remove(&id) {
                    running.remove(&name);
                    match next {
                        Ok(Some(next)) => {
                            due.insert(name, Instant::now() + next);
                        }
                        Ok(None) => {
                            tracing::warn!(feed = %name, "feed is gone (HTTP 410): no more polls; its items stay served");
                            due.remove(&name);
                            gone.insert(name, url);
                        }
                        // A task that failed (a bug) retries its feed at its normal interval.
                        Err(()) => {
                            due.insert(name, Instant::now() + interval);
                        }
                    }
                }
            }
            _ = state.config_changed.notified() => {}
            _ = shutdown.changed() => {
                if *shutdown.borrow() {
                    break;
                }
            }
        }
    }
    tracing::info!(in_flight = tasks.len(), "scheduler stopping; waiting for refreshes in flight");
    let drain = async { while tasks.join_next().await.is_some() {} };
    if tokio::time::timeout(DRAIN_TIMEOUT, drain).await.is_err() {
        tracing::warn!("refreshes still running after {DRAIN_TIMEOUT:?}; stopping them");
        tasks.abort_all();
    }
}

fn host_of(f: &FeedConfig) -> String {
    match &f.source {
        Source::Http(u) => u.host_str().unwrap_or("").to_ascii_lowercase(),
        Source::File(_) => "(local)".into(),
    }
}

/// Decides the next poll (None: gone) and records it, with the failure count, in the feed's state.
async fn schedule_after(
    ctx: &Context,
    feed: &FeedConfig,
    report: &FeedReport,
    interval: Duration,
    jitter: f64,
) -> Option<Duration> {
    if report.gone() {
        return None;
    }
    let mut state = ctx.store.feed_state(&feed.name).ok().flatten().unwrap_or_default();
    state.failures = if report.ok() { 0 } else { state.failures.saturating_add(1) };
    let next = plan(interval, state.failures, jitter, report.retry_after(), report.min_interval);
    state.next_poll = chrono::Duration::from_std(next).ok().map(|d| Utc::now() + d);
    let mut changes = ctx.store.changes();
    changes.put_state(&feed.name, &state);
    if let Err(e) = ctx.store.commit(changes).await {
        tracing::error!(feed = %feed.name, error = %e, "cannot record the schedule");
    }
    Some(next)
}

/// One log line per poll: feed, outcome, duration, new items.
fn log_poll(r: &FeedReport) {
    let ms = r.elapsed.as_millis() as u64;
    match &r.outcome {
        Ok(_) if r.not_modified => tracing::info!(feed = %r.feed, outcome = "not-modified", ms, "poll"),
        Ok(c) => {
            tracing::info!(feed = %r.feed, outcome = "ok", ms, new = c.new, updated = c.updated, blocks_removed = c.blocks_removed, "poll")
        }
        Err(e) => tracing::warn!(feed = %r.feed, outcome = "error", ms, error = %e, "poll"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M15: Duration = Duration::from_secs(900);

    #[test]
    fn success_polls_at_the_interval_with_ten_percent_jitter() {
        assert_eq!(next_delay(M15, 0, 0.5), M15);
        assert_eq!(next_delay(M15, 0, 0.0), Duration::from_secs(810));
        assert!(next_delay(M15, 0, 0.999_999) <= Duration::from_secs(990));
        let mut j = Jitter::new();
        for _ in 0..10_000 {
            let d = next_delay(M15, 0, j.next());
            assert!((Duration::from_secs(810)..=Duration::from_secs(990)).contains(&d), "{d:?}");
        }
    }

    #[test]
    fn failures_back_off_exponentially_up_to_a_day() {
        let d: Vec<u64> = (1..=12).map(|n| next_delay(M15, n, 0.5).as_secs()).collect();
        assert_eq!(&d[..7], &[900, 1800, 3600, 7200, 14400, 28800, 57600]);
        assert!(d[7..].iter().all(|s| *s == 86400), "capped at 24 h: {d:?}");
        assert_eq!(next_delay(M15, u32::MAX, 0.99), MAX_DELAY, "never overflows, never above the cap");
    }

    #[test]
    fn retry_after_and_cache_lifetimes_are_lower_bounds_never_above_a_day() {
        let h = Duration::from_secs(3600);
        assert_eq!(plan(M15, 1, 0.5, Some(h), None), h, "Retry-After beats the first backoff step");
        assert_eq!(
            plan(M15, 5, 0.5, Some(Duration::from_secs(60)), None),
            Duration::from_secs(14400),
            "backoff beats a short Retry-After"
        );
        assert_eq!(plan(M15, 0, 0.5, None, Some(h)), h, "max-age/Expires/ttl: lower bound");
        assert_eq!(plan(M15, 0, 0.5, None, Some(Duration::from_secs(60))), M15, "a short max-age does not poll faster");
        assert_eq!(
            plan(M15, 0, 0.5, Some(Duration::from_secs(9 * 86400)), Some(Duration::from_secs(9 * 86400))),
            MAX_DELAY
        );
    }

    #[test]
    fn first_polls_are_spread_and_a_stored_schedule_resumes() {
        assert_eq!(first_delay(None, M15, 1000, 0.0), Duration::ZERO);
        assert_eq!(first_delay(None, M15, 1000, 0.5), Duration::from_secs(30), "a thousand feeds: over a minute");
        assert!(first_delay(None, M15, 1000, 0.999) < START_SPREAD);
        assert!(first_delay(None, M15, 2, 0.999) < Duration::from_secs(1), "two feeds: within a second");
        assert_eq!(first_delay(Some(Duration::from_secs(400)), M15, 10, 0.3), Duration::from_secs(400), "resume");
        assert_eq!(first_delay(Some(Duration::ZERO), M15, 120, 0.5), Duration::from_secs(30), "overdue: spread");
        assert_eq!(first_delay(Some(Duration::from_secs(10 * 86400)), M15, 1, 0.5), MAX_DELAY);
    }
}
