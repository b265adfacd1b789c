//! `feedscrub fetch`: every configured feed (or those named) once, with a progress bar or
//! one line per feed on stderr and a summary table on stdout; exit 1 when a feed failed.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use super::{load, print_stdout, AppError, Exit};
use crate::context::Context;
use crate::fetch::Fetcher;
use crate::refresh::{refresh_all, FeedReport};
use crate::store::Store;

pub(super) async fn fetch(config: &Path, names: &[String], quiet: bool) -> Result<Exit, AppError> {
    let cfg = load(config)?;
    let feeds = cfg.select(names).map_err(AppError::Usage)?;
    if feeds.is_empty() {
        return Err(AppError::Usage(format!("{}: no [[feed]] configured", cfg.path.display())));
    }
    let started = Instant::now();
    let store = Store::for_settings(&cfg.settings)?;
    tracing::debug!(elapsed = ?started.elapsed(), "store opened");
    let ctx = Context::new(Fetcher::new(&cfg.settings)?, store.clone()).map_err(|e| AppError::Io(e.to_string()))?;

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
