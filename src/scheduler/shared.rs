//! The scheduler of a worker on a shared database (`store = "postgres"`, `serve --role
//! all|worker`): the schedule lives in the database, where every worker sees it, and a worker
//! polls only the feeds it leased.
//!
//! - **Claim**: when it has free slots (at most `concurrency` refreshes), the worker leases due
//!   feeds (`PgStore::claim`: at most `per_host` leases live per host over every worker, by
//!   the database's clock). When a claim filled every slot it claims again as soon as slots
//!   free up; else when the next feed comes due, and at least once a second.
//! - **Poll**: the same `refresh::refresh_leased` as the local scheduler's, with the same plan
//!   (interval ± 10 %, backoff, Retry-After, cache lifetimes, 410); its commit writes the next
//!   poll (stamped by the database's clock) and releases the lease, fenced: a worker whose
//!   lease was taken over stores nothing.
//! - **Heartbeat**: every third of the lease, the leases of refreshes still running are
//!   renewed. A worker killed mid-refresh renews nothing: its feeds come due for the others
//!   when their leases run out.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::{log_poll, plan, Jitter, DRAIN_TIMEOUT};
use crate::context::Context;
use crate::daemon::Live;
use crate::refresh::{refresh_leased, Verdict};
use crate::store::postgres::{Claim, PgStore};
use crate::store::Fence;

/// Longest sleep between two claims when nothing was due.
const IDLE: Duration = Duration::from_secs(1);
/// After a claim that filled every slot, the next one comes when a quarter of the slots are
/// free, or this long after the first one is: a stream of finishing polls is claimed for in
/// batches, not one transaction per poll.
const BATCH: Duration = Duration::from_millis(20);

/// This process's name as a lease owner: host, pid and a random part (a restarted worker
/// with the same pid is another owner).
pub fn worker_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_string()).unwrap_or_default();
    format!("{host}/{}/{:08x}", std::process::id(), (Jitter::new().next() * f64::from(u32::MAX)) as u32)
}

/// Runs until `shutdown` turns true; then waits for refreshes in flight (up to
/// `DRAIN_TIMEOUT`), gives back the leases of those it had to stop, and returns.
pub async fn run(ctx: Context, live: Arc<Live>, pg: Arc<PgStore>, mut shutdown: watch::Receiver<bool>) {
    let owner = worker_id();
    tracing::info!(worker = %owner, "polling the feeds of the shared database");
    let mut jitter = Jitter::new();
    let mut tasks: JoinSet<()> = JoinSet::new();
    // the lease of each refresh in flight, by task
    let mut leased: HashMap<tokio::task::Id, Claim> = HashMap::new();
    let mut next_claim = Instant::now();
    let mut renew_at = Instant::now();
    let mut failing = false;
    // the last claim filled every slot: more feeds are due than this worker polls at once
    let mut backlog = false;
    loop {
        let cfg = live.config();
        let lease = cfg.settings.lease;
        let now = Instant::now();
        if now >= renew_at {
            let running: Vec<Claim> = leased.values().cloned().collect();
            if let Err(e) = pg.renew(&owner, &running, lease).await {
                tracing::warn!(error = %e, "cannot renew the leases of the refreshes in flight");
            }
            renew_at = now + lease / 3;
        }
        let concurrency = cfg.settings.concurrency.get();
        let free = concurrency.saturating_sub(tasks.len());
        // with a backlog, a quarter of the slots free is worth a claim at once
        let worth = now >= next_claim || (backlog && free >= (concurrency / 4).max(1));
        if worth && free > 0 && !*shutdown.borrow() {
            match pg.claim(&owner, free, cfg.settings.per_host.get(), lease).await {
                Ok(claims) => {
                    if failing {
                        tracing::info!("claiming feeds again");
                        failing = false;
                    }
                    let full = claims.len() == free;
                    backlog = full;
                    for claim in claims {
                        let Some(index) = cfg.feed_index(&claim.feed) else {
                            // listed in the database by a node whose feeds.toml differs: left
                            // to its lease running out, for a node that knows it
                            tracing::debug!(feed = %claim.feed, "claimed a feed this node's config does not list");
                            continue;
                        };
                        let interval = cfg.feeds[index].interval(&cfg.settings);
                        let j = jitter.next();
                        let fence = Fence { feed: claim.feed.clone(), owner: owner.clone(), seq: claim.seq };
                        let (ctx, live, cfg) = (ctx.clone(), live.clone(), cfg.clone());
                        let handle = tasks.spawn(async move {
                            let feed = &cfg.feeds[index];
                            let plan = move |v: Verdict| plan(interval, v.failures, j, v.retry_after, v.min_interval);
                            let report = refresh_leased(&ctx, feed, Some(&plan), Some(&fence)).await;
                            live.metrics.record(&report);
                            log_poll(&report);
                        });
                        leased.insert(handle.id(), claim);
                    }
                    next_claim = if full {
                        Instant::now() + BATCH
                    } else {
                        let due = pg.next_due().await.ok().flatten().unwrap_or(IDLE);
                        Instant::now() + due.clamp(BATCH, IDLE)
                    };
                }
                Err(e) => {
                    if !failing {
                        tracing::warn!(error = %e, "cannot claim feeds; retrying every second");
                        failing = true;
                    }
                    next_claim = Instant::now() + IDLE;
                }
            }
        }
        let free_later = cfg.settings.concurrency.get().saturating_sub(tasks.len());
        // with no free slot, a finished task is what makes claiming worth it again
        let wake = if free_later == 0 { renew_at } else { next_claim.min(renew_at) };
        tokio::select! {
            _ = tokio::time::sleep_until(wake) => {}
            Some(done) = tasks.join_next_with_id(), if !tasks.is_empty() => {
                let id = match &done { Ok((id, ())) => *id, Err(e) => e.id() };
                if let Some(claim) = leased.remove(&id) {
                    if done.is_err() {
                        // a bug: the feed is due again for anyone at once
                        let _ = pg.release(&owner, &claim).await;
                    }
                }
                if free_later == 0 {
                    next_claim = next_claim.max(Instant::now() + BATCH);
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
    tracing::info!(in_flight = tasks.len(), "worker stopping; waiting for refreshes in flight");
    let drain = async {
        while let Some(done) = tasks.join_next_with_id().await {
            let id = match &done {
                Ok((id, ())) => *id,
                Err(e) => e.id(),
            };
            leased.remove(&id);
        }
    };
    if tokio::time::timeout(DRAIN_TIMEOUT, drain).await.is_err() {
        tracing::warn!("refreshes still running after {DRAIN_TIMEOUT:?}; stopping them and giving back their leases");
        tasks.abort_all();
        for claim in leased.values() {
            let _ = pg.release(&owner, claim).await;
        }
    }
}
