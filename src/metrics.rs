//! Counters for `GET /metrics` (Prometheus text format). The scheduler records every refresh
//! report; the server renders. Atomics and one small mutex; no metrics crate needed.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

use crate::model::FullTextCounts;
use crate::refresh::{FeedReport, RefreshError};

/// Upper bounds (seconds) of the fetch duration histogram.
const BUCKETS: [f64; 10] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

#[derive(Default)]
pub struct Metrics {
    polls: AtomicU64,
    not_modified: AtomicU64,
    new_items: AtomicU64,
    updated_items: AtomicU64,
    ads_dropped: AtomicU64,
    blocks_removed: AtomicU64,
    duplicates: AtomicU64,
    /// Failures by kind: fetch, parse, store, internal.
    failures: Mutex<[u64; 4]>,
    /// Cumulative counts per bucket, then the sum of durations (ms) and the count.
    buckets: [AtomicU64; BUCKETS.len()],
    duration_ms_sum: AtomicU64,
    /// Full-text pages per feed (its site): kept, rejected, failed.
    full_text: Mutex<std::collections::BTreeMap<String, FullTextCounts>>,
}

const KINDS: [&str; 4] = ["fetch", "parse", "store", "internal"];

impl Metrics {
    pub fn record(&self, r: &FeedReport) {
        self.polls.fetch_add(1, Relaxed);
        let secs = r.elapsed.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                self.buckets[i].fetch_add(1, Relaxed);
            }
        }
        self.duration_ms_sum.fetch_add(r.elapsed.as_millis() as u64, Relaxed);
        match &r.outcome {
            Ok(c) => {
                if r.not_modified {
                    self.not_modified.fetch_add(1, Relaxed);
                }
                self.new_items.fetch_add(c.new as u64, Relaxed);
                self.updated_items.fetch_add(c.updated as u64, Relaxed);
                self.ads_dropped.fetch_add(c.ads_dropped as u64, Relaxed);
                self.blocks_removed.fetch_add(c.blocks_removed as u64, Relaxed);
                self.duplicates.fetch_add(c.duplicates as u64, Relaxed);
                if c.full_text != FullTextCounts::default() {
                    let mut f = self.full_text.lock().unwrap_or_else(|e| e.into_inner());
                    f.entry(r.feed.clone()).or_default().add(c.full_text);
                }
            }
            Err(e) => {
                let kind = match e {
                    RefreshError::Fetch(_) => 0,
                    RefreshError::Parse { .. } => 1,
                    RefreshError::Store(_) => 2,
                    RefreshError::Internal { .. } => 3,
                };
                self.failures.lock().unwrap_or_else(|e| e.into_inner())[kind] += 1;
            }
        }
    }

    /// The Prometheus text exposition; `items_stored` is read from the store by the caller.
    pub fn render(&self, items_stored: u64) -> String {
        let mut o = String::new();
        let mut counter = |name: &str, help: &str, v: u64| {
            let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        };
        counter("feedscrub_polls_total", "Feed refreshes attempted.", self.polls.load(Relaxed));
        counter("feedscrub_not_modified_total", "Refreshes answered 304 / unchanged.", self.not_modified.load(Relaxed));
        counter("feedscrub_new_items_total", "New items stored.", self.new_items.load(Relaxed));
        counter("feedscrub_updated_items_total", "Items updated in place.", self.updated_items.load(Relaxed));
        counter("feedscrub_ad_items_dropped_total", "Whole items dropped as ads.", self.ads_dropped.load(Relaxed));
        counter(
            "feedscrub_blocks_removed_total",
            "Ad and boilerplate blocks removed from items.",
            self.blocks_removed.load(Relaxed),
        );
        counter("feedscrub_duplicates_total", "Duplicate items collapsed.", self.duplicates.load(Relaxed));
        let failures = *self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(
            o,
            "# HELP feedscrub_failures_total Failed refreshes by kind.\n# TYPE feedscrub_failures_total counter"
        );
        for (kind, v) in KINDS.iter().zip(failures) {
            let _ = writeln!(o, "feedscrub_failures_total{{kind=\"{kind}\"}} {v}");
        }
        let full_text = self.full_text.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if !full_text.is_empty() {
            let _ = writeln!(
                o,
                "# HELP feedscrub_full_text_pages_total Article pages of full-text feeds, by outcome.\n# TYPE feedscrub_full_text_pages_total counter"
            );
            for (feed, counts) in &full_text {
                for (outcome, v) in [("kept", counts.kept), ("rejected", counts.rejected), ("failed", counts.failed)] {
                    let _ = writeln!(o, "feedscrub_full_text_pages_total{{feed=\"{feed}\",outcome=\"{outcome}\"}} {v}");
                }
            }
        }
        let _ = writeln!(o, "# HELP feedscrub_items_stored Items in the store.\n# TYPE feedscrub_items_stored gauge\nfeedscrub_items_stored {items_stored}");
        let _ = writeln!(o, "# HELP feedscrub_fetch_duration_seconds Duration of refreshes.\n# TYPE feedscrub_fetch_duration_seconds histogram");
        for (b, c) in BUCKETS.iter().zip(&self.buckets) {
            let _ = writeln!(o, "feedscrub_fetch_duration_seconds_bucket{{le=\"{b}\"}} {}", c.load(Relaxed));
        }
        let polls = self.polls.load(Relaxed);
        let _ = writeln!(o, "feedscrub_fetch_duration_seconds_bucket{{le=\"+Inf\"}} {polls}");
        let _ = writeln!(
            o,
            "feedscrub_fetch_duration_seconds_sum {:.3}",
            self.duration_ms_sum.load(Relaxed) as f64 / 1000.0
        );
        let _ = writeln!(o, "feedscrub_fetch_duration_seconds_count {polls}");
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refresh::RefreshCounts;

    fn report(feed: &str, kept: u64, rejected: u64, failed: u64) -> FeedReport {
        let full_text = FullTextCounts { kept, rejected, failed };
        FeedReport {
            feed: feed.into(),
            outcome: Ok(RefreshCounts { full_text, ..RefreshCounts::default() }),
            not_modified: false,
            elapsed: std::time::Duration::from_millis(5),
            min_interval: None,
            next_poll: None,
        }
    }

    /// Per-site full-text health: counted per feed and outcome, summed over refreshes; feeds
    /// without full text add no series.
    #[test]
    fn full_text_outcomes_are_counted_per_feed() {
        let m = Metrics::default();
        m.record(&report("news", 3, 1, 0));
        m.record(&report("news", 2, 0, 1));
        m.record(&report("plain", 0, 0, 0));
        let out = m.render(0);
        for line in [
            "feedscrub_full_text_pages_total{feed=\"news\",outcome=\"kept\"} 5",
            "feedscrub_full_text_pages_total{feed=\"news\",outcome=\"rejected\"} 1",
            "feedscrub_full_text_pages_total{feed=\"news\",outcome=\"failed\"} 1",
        ] {
            assert!(out.contains(line), "{line} missing:\n{out}");
        }
        assert!(!out.contains("feed=\"plain\""), "{out}");
    }
}
