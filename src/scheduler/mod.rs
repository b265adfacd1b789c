//! The daemon loop of `serve`: keeps every feed fresh by calling the same
//! `refresh::refresh_feed` as the one-shot `fetch`.
//!
//! - Each feed is polled every `interval` (settings or per feed), with a little jitter (±10%).
//!   After start, feeds that are due are spread (half a second per feed up to a minute, and
//!   for many feeds at most `START_RATE` per second, within one interval) instead of all
//!   firing at once; a feed whose stored `next_poll` lies in the future keeps it (a restart
//!   resumes).
//! - A failure backs off exponentially: interval × 2^(failures−1), capped at 24 h; it never
//!   gives up. Success resets it.
//! - At most `concurrency` refreshes run at once, and at most `per_host` per host.
//! - `next_poll` and `failures` are written to the feed's state by the poll's own commit
//!   (`refresh::refresh_planned`): one store write per poll, as in `fetch`.
//!
//! The timing decisions are the pure `next_delay`, `plan` and `first_delay`, and the queue is
//! the pure `book::Book`: both tested without a clock, the book with 100,000 feeds.

pub mod book;
pub mod shared;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::config::Config;
use crate::context::Context;
use crate::daemon::Live;
use crate::refresh::{refresh_planned, FeedReport, Verdict};
use book::{Book, First, Next, Start};

/// The longest wait between polls of a feed, whatever the backoff.
pub const MAX_DELAY: Duration = Duration::from_secs(24 * 3600);
/// Due feeds are spread over this window after start.
const START_SPREAD: Duration = Duration::from_secs(60);
const SPREAD_PER_FEED: Duration = Duration::from_millis(500);
/// Past a minute's worth, first polls start at most this many per second (within one interval).
const START_RATE: u32 = 100;
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
/// a spread (`jitter` uniform in [0, 1)) over a window of half a second per feed up to a
/// minute, or of `feeds / START_RATE` seconds when that is longer, never longer than the
/// interval: a few feeds start at once, a thousand don't all fire together, and 100,000 start
/// as evenly as they will go on.
pub fn first_delay(until_stored: Option<Duration>, interval: Duration, feeds: usize, jitter: f64) -> Duration {
    match until_stored {
        Some(d) if d > Duration::ZERO => d.min(MAX_DELAY),
        _ => {
            let short = START_SPREAD.min(SPREAD_PER_FEED.saturating_mul(feeds.min(1_000) as u32));
            let paced = Duration::from_secs_f64(feeds as f64 / f64::from(START_RATE));
            short.max(paced).min(interval).mul_f64(jitter.clamp(0.0, 1.0))
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
///
/// Each wake-up costs O(log feeds): the book (`book::Book`) pops what is due, a finished poll
/// reschedules one feed, and a reload is diffed against the book once.
pub async fn run(mut ctx: Context, live: Arc<Live>, mut shutdown: watch::Receiver<bool>) {
    let mut jitter = Jitter::new();
    let mut book = Book::new();
    // The config the book was synced with (a reload replaces the `Arc`).
    let mut synced: Option<Arc<Config>> = None;
    // Refreshes in flight; each returns what became of its poll.
    let mut tasks: JoinSet<Next> = JoinSet::new();
    // Which poll each task is, so a task that fails (a bug) still releases its feed.
    let mut task_poll: HashMap<tokio::task::Id, (Start, Duration)> = HashMap::new();
    // The settings the current fetcher was built with (a reload may change them).
    let fetch_settings = |s: &crate::config::Settings| (s.timeout, s.max_body, s.user_agent.clone(), s.concurrency);
    let mut fetcher_for = fetch_settings(&live.config().settings);

    loop {
        let cfg = live.config();
        if !synced.as_ref().is_some_and(|s| Arc::ptr_eq(s, &cfg)) {
            if fetch_settings(&cfg.settings) != fetcher_for {
                match crate::fetch::Fetcher::new(&cfg.settings) {
                    Ok(f) => {
                        ctx = ctx.with_fetcher(f);
                        fetcher_for = fetch_settings(&cfg.settings);
                    }
                    Err(e) => tracing::error!(error = %e, "cannot apply the new fetch settings; keeping the old ones"),
                }
            }
            let (now, wall, feeds) = (Instant::now(), Utc::now(), cfg.feeds.len());
            book.sync(&cfg, |f| {
                let url = f.source.to_string();
                let st = ctx.store.feed_state(&f.name).ok().flatten().filter(|s| s.url == url);
                if st.as_ref().is_some_and(|s| s.gone) {
                    return First::Gone;
                }
                let until = st.and_then(|s| s.next_poll).and_then(|t| (t - wall).to_std().ok());
                First::At(now + first_delay(until, f.interval(&cfg.settings), feeds, jitter.next()))
            });
            synced = Some(cfg.clone());
        }
        if !*shutdown.borrow() {
            for start in book.starts(Instant::now()) {
                let (index, interval) = (start.index, cfg.feeds[start.index].interval(&cfg.settings));
                let j = jitter.next();
                let (ctx, live, cfg) = (ctx.clone(), live.clone(), cfg.clone());
                let handle = tasks.spawn(async move {
                    let feed = &cfg.feeds[index];
                    let plan = move |v: Verdict| plan(interval, v.failures, j, v.retry_after, v.min_interval);
                    let report = refresh_planned(&ctx, feed, Some(&plan)).await;
                    live.metrics.record(&report);
                    log_poll(&report);
                    match (report.gone(), report.next_poll) {
                        (true, _) => Next::Gone(feed.source.to_string()),
                        (false, next) => Next::After(next.unwrap_or(interval)),
                    }
                });
                task_poll.insert(handle.id(), (start, interval));
            }
        }
        let wake = book.next_wake().unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            _ = tokio::time::sleep_until(wake) => {}
            Some(done) = tasks.join_next_with_id(), if !tasks.is_empty() => {
                let (id, next) = match done {
                    Ok((id, next)) => (id, Some(next)),
                    Err(e) => (e.id(), None),
                };
                if let Some((start, interval)) = task_poll.remove(&id) {
                    // A task that failed (a bug) retries its feed at its normal interval.
                    let next = next.unwrap_or(Next::After(interval));
                    if let Next::Gone(_) = &next {
                        tracing::warn!(feed = %start.name, "feed is gone (HTTP 410): no more polls; its items stay served");
                    }
                    book.finished(&start, next, Instant::now());
                }
            }
            _ = live.changed.notified() => {}
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

/// One log line per poll: feed, outcome, duration, new items.
fn log_poll(r: &FeedReport) {
    let ms = r.elapsed.as_millis() as u64;
    match &r.outcome {
        // the most common poll, and the least news: at debug level, so a big daemon's log
        // shows what changed
        Ok(_) if r.not_modified => tracing::debug!(feed = %r.feed, outcome = "not-modified", ms, "poll"),
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
        let m5 = Duration::from_secs(300);
        assert_eq!(first_delay(None, m5, 10_000, 0.5), Duration::from_secs(50), "10,000 feeds at 100/s");
        assert_eq!(first_delay(None, m5, 100_000, 0.5), Duration::from_secs(150), "100,000: over the interval");
        assert!(first_delay(None, m5, 100_000, 0.0001) < Duration::from_secs(1), "the first poll comes at once");
    }
}
