//! One feed, end to end: fetch → parse → clean → identify → store. `refresh_feed` is THE refresh
//! path: the one-shot `fetch` command calls it through `refresh_all`, and the daemon's
//! schedulers call it through `refresh_planned` and `refresh_leased`; there is no second copy.
//!
//! Concurrency: feeds are fetched concurrently up to `concurrency` (I/O bound); the CPU work
//! (parse, clean, sanitize) runs on a pool of one thread per core (`Context::on_cpu`), which
//! takes the next waiting feed the moment it finishes one, so fetching, cleaning and storing
//! of different feeds overlap. One feed's failure is recorded in its state and report and
//! never stops the others.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use url::Url;

use crate::clean::learn::Promos;
use crate::clean::{is_ad_item, says_it_is_an_ad, Cleaner, Learned};
use crate::config::{AdsMode, FeedConfig, Source};
use crate::context::Context;
use crate::dedup::{clean_link_url, content_hash, identity, IdentityMode};
use crate::fetch::{FetchError, Fetched};
use crate::model::{CleanHtml, FeedState, Item, Validators};
use crate::parse::{parse_feed, ParseError};
use crate::store::{Changes, Fence, Store, StoreError, Tombstone};

/// Per-feed counts of one refresh.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RefreshCounts {
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Whole items dropped as ads (by title/category/link, or the feed's `drop_items`).
    pub ads_dropped: usize,
    /// Blocks removed from the bodies of new and updated items (ad blocks, boilerplate,
    /// pixels, share links).
    pub blocks_removed: usize,
    /// Items that appeared more than once in this fetch (same identity).
    pub duplicates: usize,
    /// Items pruned by retention (`retain_items`, `retain_days`) after this refresh.
    pub pruned: usize,
    /// Items skipped because they were pruned before (their tombstone).
    pub tombstoned: usize,
    /// The feed answered 410 Gone before and was not requested (its items stay served).
    pub skipped_gone: bool,
    /// `full_text` feeds: what became of the pages of new and changed items.
    pub full_text: crate::model::FullTextCounts,
}

/// A tombstone is kept while the source still lists the pruned item, and this long after it
/// last did; then it is dropped: the source has let the item go, so it will not come back.
/// (Each poll that still lists the item renews it, so feeds that keep items for months are
/// covered; a week absorbs a source that drops an item for a few days and lists it again.)
pub const TOMBSTONE_TTL: chrono::TimeDelta = chrono::TimeDelta::days(7);

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{url}: {source}")]
    Parse { url: String, source: ParseError },
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The CPU work of a refresh panicked (a bug, caught on its thread).
    #[error("{url}: internal error: {source}")]
    Internal { url: String, source: crate::context::Panicked },
}

impl RefreshError {
    /// The source's Retry-After on a 429/503.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            RefreshError::Fetch(FetchError::Status { retry_after, .. }) => *retry_after,
            _ => None,
        }
    }
}

/// The result of refreshing one feed.
#[derive(Debug)]
pub struct FeedReport {
    pub feed: String,
    pub outcome: Result<RefreshCounts, RefreshError>,
    /// The source answered 304 / the file is unchanged.
    pub not_modified: bool,
    pub elapsed: Duration,
    /// Do not poll again before this long (Cache-Control max-age, Expires, RSS ttl).
    pub min_interval: Option<Duration>,
    /// When the feed is polled next, as the caller's plan decided and the refresh stored
    /// (`None` without a plan, or when the feed is gone).
    pub next_poll: Option<Duration>,
}

/// What a plan for the next poll is told about a refresh: its failure streak (0 after a
/// success), the source's Retry-After and its cache lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Verdict {
    pub failures: u32,
    pub retry_after: Option<Duration>,
    pub min_interval: Option<Duration>,
}

/// The caller's rule for the next poll (the daemon's scheduler has one, `fetch` none). The
/// refresh stores its answer as `next_poll` in the same commit as the rest of the feed's
/// state: one store write per poll.
pub type Plan<'a> = &'a (dyn Fn(Verdict) -> Duration + Send + Sync);

impl FeedReport {
    /// The source's Retry-After on a 429/503.
    pub fn retry_after(&self) -> Option<Duration> {
        self.outcome.as_ref().err().and_then(RefreshError::retry_after)
    }

    /// The source answered 410 Gone.
    pub fn gone(&self) -> bool {
        matches!(&self.outcome, Err(RefreshError::Fetch(FetchError::Gone { .. })))
    }
}

impl FeedReport {
    pub fn ok(&self) -> bool {
        self.outcome.is_ok()
    }
}

/// Refreshes `feeds`, at most `concurrency` at once, calling `on_done` as each finishes.
/// Reports come back in the order of `feeds`.
pub async fn refresh_all(
    ctx: &Context,
    feeds: &[&FeedConfig],
    concurrency: usize,
    mut on_done: impl FnMut(&FeedReport),
) -> Vec<FeedReport> {
    let mut slots: Vec<Option<FeedReport>> = (0..feeds.len()).map(|_| None).collect();
    let mut stream = futures_util::stream::iter(feeds.iter().enumerate())
        .map(|(i, f)| async move { (i, refresh_feed(ctx, f).await) })
        .buffer_unordered(concurrency.max(1));
    while let Some((i, report)) = stream.next().await {
        on_done(&report);
        slots[i] = Some(report);
    }
    slots.into_iter().map(|r| r.expect("every feed reports")).collect()
}

/// Refreshes one feed and records the outcome (success or error) in the store.
pub async fn refresh_feed(ctx: &Context, feed: &FeedConfig) -> FeedReport {
    refresh_planned(ctx, feed, None).await
}

/// `refresh_feed`, and when `plan` is given, the next poll it decides is stored with the
/// refresh and returned in the report.
pub async fn refresh_planned(ctx: &Context, feed: &FeedConfig, plan: Option<Plan<'_>>) -> FeedReport {
    refresh_leased(ctx, feed, plan, None).await
}

/// `refresh_planned` by a worker of a shared database that leased the feed: every write of
/// the refresh holds only while `fence` does (`Changes::fence`); a refresh whose lease was
/// taken over stores nothing and reports `StoreError::Fenced`.
pub async fn refresh_leased(
    ctx: &Context,
    feed: &FeedConfig,
    plan: Option<Plan<'_>>,
    fence: Option<&Fence>,
) -> FeedReport {
    let started = Instant::now();
    let (outcome, not_modified, min_interval, next_poll) = match refresh_inner(ctx, feed, plan, fence).await {
        Ok(done) => (Ok(done.counts), done.not_modified, done.min_interval, done.next_poll),
        Err(e @ RefreshError::Store(StoreError::Fenced { .. })) => (Err(e), false, None, None),
        Err(e) => {
            let next = record_failure(ctx, feed, &e, plan, fence).await;
            (Err(e), false, None, next)
        }
    };
    if let Err(e) = &outcome {
        tracing::debug!(feed = %feed.name, error = %e, "refresh failed");
    }
    FeedReport { feed: feed.name.clone(), outcome, not_modified, elapsed: started.elapsed(), min_interval, next_poll }
}

/// A refresh that went through.
struct Done {
    counts: RefreshCounts,
    not_modified: bool,
    min_interval: Option<Duration>,
    next_poll: Option<Duration>,
}

/// Asks `plan` for the next poll and writes it into `state` (with the failure streak).
fn plan_next(plan: Option<Plan<'_>>, state: &mut FeedState, verdict: Verdict, now: DateTime<Utc>) -> Option<Duration> {
    state.failures = verdict.failures;
    let next = plan?(verdict);
    state.next_poll = chrono::Duration::from_std(next).ok().map(|d| now + d);
    Some(next)
}

async fn refresh_inner(
    ctx: &Context,
    feed: &FeedConfig,
    plan: Option<Plan<'_>>,
    fence: Option<&Fence>,
) -> Result<Done, RefreshError> {
    let now = Utc::now();
    let url = feed.source.to_string();
    let mut state = state_for(ctx.store.feed_state(&feed.name)?, &url);
    if state.gone {
        // 410 Gone earlier: not requested again, by `fetch` (cron) or `serve`. A new URL in
        // the config clears it (`state_for`).
        let counts =
            RefreshCounts { unchanged: state.item_count as usize, skipped_gone: true, ..RefreshCounts::default() };
        return Ok(Done { counts, not_modified: false, min_interval: None, next_poll: None });
    }
    let validators = state.validators.clone();
    state.last_attempt = Some(now);
    // A feed that moved permanently is fetched from its new address.
    let source = state
        .moved_to
        .as_deref()
        .and_then(|m| url::Url::parse(m).ok())
        .map_or_else(|| feed.source.clone(), Source::Http);

    let (fetched, hints) = ctx.fetcher.fetch(&source, &validators, feed.tls_insecure).await?;
    if let Some(new) = hints.moved_to {
        tracing::info!(feed = %feed.name, from = %source, to = %new, "feed moved permanently; following it");
        state.moved_to = Some(new.to_string());
    }
    let min_interval = hints.min_interval;
    state.failures = 0; // the source answered: the failure streak ends
    match fetched {
        Fetched::NotModified { validators } => {
            if let Some(v) = validators {
                state.validators = v;
            }
            state.last_success = Some(now);
            state.last_error = None;
            let mut changes = ctx.store.changes();
            changes.fence(fence);
            let mut counts = RefreshCounts::default();
            // Retention runs after every refresh, also when nothing changed (cheap check first).
            if due_for_pruning(&state, feed, now) {
                let (kept, oldest) =
                    prune(&ctx.store, feed, &mut changes, Vec::new(), &HashSet::new(), now, &mut counts)?;
                state.item_count = kept as u64;
                state.oldest = oldest;
            }
            counts.unchanged = state.item_count as usize;
            let next_poll = plan_next(plan, &mut state, Verdict { min_interval, ..Verdict::default() }, now);
            changes.put_state(&feed.name, &state);
            changes.poll_in(next_poll);
            ctx.store.commit(changes).await?;
            Ok(Done { counts, not_modified: true, min_interval, next_poll })
        }
        Fetched::Modified { body, charset, validators } => {
            // The feed's cleaner, compiled once for its items and, with full text, their pages.
            // Explaining: the item page shows what was removed, and why.
            let cleaner = Arc::new(Cleaner::new(&feed.remove, &feed.remove_text).explaining());
            let (store, feed_c, cleaner_c) = (ctx.store.clone(), feed.clone(), cleaner.clone());
            let processed = ctx
                .on_cpu(move || {
                    process_all(&store, &feed_c, &cleaner_c, &body, charset.as_deref(), state, validators, now)
                })
                .await
                .map_err(|source| RefreshError::Internal { url: url.clone(), source })?;
            let Processed { mut changes, mut counts, ttl, mut state, fresh } = processed?;
            let mut restate = false;
            if feed.full_text && !fresh.is_empty() {
                // The stored versions are still the old ones: this refresh is not committed.
                let store = ctx.store.clone();
                let name = feed.name.clone();
                let (items, outcomes) = crate::fulltext::complete(ctx, feed, &cleaner, fresh, move |id| {
                    store.item(&name, id).ok().flatten()
                })
                .await;
                for item in &items {
                    changes.put_item(item);
                }
                counts.full_text = outcomes;
                state.full_text.add(outcomes);
                restate = true;
            }
            let min_interval = min_interval.max(ttl);
            let next_poll = plan_next(plan, &mut state, Verdict { min_interval, ..Verdict::default() }, now);
            if restate || next_poll.is_some() {
                // the batch's state is replaced by this one (later writes of a key win)
                changes.put_state(&feed.name, &state);
            }
            changes.poll_in(next_poll);
            changes.fence(fence);
            ctx.store.commit(changes).await?;
            Ok(Done { counts, not_modified: false, min_interval, next_poll })
        }
    }
}

/// The stored state of a feed as it applies to its configured `url`. When the config gave the
/// feed a new URL, what was learned about the old one (validators, a permanent move, gone, the
/// failure streak, the next poll) no longer applies; what belongs to the feed (its items count,
/// title, totals, last success) stays.
fn state_for(prev: Option<FeedState>, url: &str) -> FeedState {
    let mut state = prev.unwrap_or_default();
    if state.url != url {
        state = FeedState {
            url: url.to_string(),
            meta: state.meta,
            last_attempt: state.last_attempt,
            last_success: state.last_success,
            last_error: state.last_error,
            item_count: state.item_count,
            ads_removed: state.ads_removed,
            ad_items: state.ad_items,
            ..FeedState::default()
        };
    }
    state
}

/// The message of a caught panic (a bug: reported as that feed's internal error).
/// Records a failed refresh in the feed's state (error, failure streak, gone, and the next
/// poll when there is a plan, which it returns); validators and items stay untouched. Storing
/// the failure is best effort: the refresh already failed and is reported either way.
async fn record_failure(
    ctx: &Context,
    feed: &FeedConfig,
    e: &RefreshError,
    plan: Option<Plan<'_>>,
    fence: Option<&Fence>,
) -> Option<Duration> {
    let now = Utc::now();
    let retry_after = e.retry_after();
    let prev = match ctx.store.feed_state(&feed.name) {
        Ok(prev) => prev,
        Err(se) => {
            tracing::error!(feed = %feed.name, error = %se, "cannot record the failure");
            return plan.map(|p| p(Verdict { failures: 1, retry_after, min_interval: None }));
        }
    };
    let mut state = state_for(prev, &feed.source.to_string());
    state.last_attempt = Some(now);
    state.last_error = Some(e.to_string());
    let gone = matches!(e, RefreshError::Fetch(FetchError::Gone { .. }));
    let failures = state.failures.saturating_add(1);
    let next = if gone {
        state.gone = true;
        state.failures = failures;
        None
    } else {
        plan_next(plan, &mut state, Verdict { failures, retry_after, min_interval: None }, now)
    };
    let mut changes = ctx.store.changes();
    changes.fence(fence);
    changes.put_state(&feed.name, &state);
    changes.poll_in(next);
    if let Err(se) = ctx.store.commit(changes).await {
        tracing::error!(feed = %feed.name, error = %se, "cannot record the failure");
    }
    next
}

/// Parse, clean and identify the items of one fetched document, and prepare the store writes
/// (items, retention, the feed's state) as one batch for `Store::commit`. Blocking (CPU and
/// store reads). `now` is the time of the refresh (first-seen times, retention, tombstones).
/// Returns the batch, the counts and the document's own polling hint (`<ttl>` and the like).
pub fn process(
    store: &Store,
    feed: &FeedConfig,
    body: &[u8],
    charset: Option<&str>,
    state: FeedState,
    validators: Validators,
    now: DateTime<Utc>,
) -> Result<(Changes, RefreshCounts, Option<Duration>), RefreshError> {
    let cleaner = Cleaner::new(&feed.remove, &feed.remove_text).explaining();
    process_all(store, feed, &cleaner, body, charset, state, validators, now).map(|p| (p.changes, p.counts, p.ttl))
}

/// What `process_all` decided: the batch, the counts, the feed's `ttl`, the feed's new state
/// (already in the batch), and, for `full_text` feeds, the new and changed items as stored.
struct Processed {
    changes: Changes,
    counts: RefreshCounts,
    ttl: Option<Duration>,
    state: FeedState,
    fresh: Vec<Item>,
}

#[allow(clippy::too_many_arguments)]
fn process_all(
    store: &Store,
    feed: &FeedConfig,
    cleaner: &Cleaner,
    body: &[u8],
    charset: Option<&str>,
    mut state: FeedState,
    validators: Validators,
    now: DateTime<Utc>,
) -> Result<Processed, RefreshError> {
    let feed_url = match &feed.source {
        Source::Http(u) => Some(u.clone()),
        Source::File(_) => None,
    };
    let parsed = parse_feed(body, charset, feed_url.as_ref().map(Url::as_str))
        .map_err(|source| RefreshError::Parse { url: feed.source.to_string(), source })?;
    if let Some(why) = &parsed.salvaged {
        tracing::warn!(feed = %feed.name, "{}: the document is broken after its last whole item: {why}", feed.source);
    }
    let site = parsed.meta.site_link.as_deref().and_then(|l| Url::parse(l).ok()).or(feed_url);
    let parsed_ttl = parsed.ttl;
    let mut counts = RefreshCounts::default();
    let mut seen = HashSet::new();
    let mut changes = store.changes();

    // Clean every item first: whole-ad items and the feed's learned boilerplate are decided
    // over all of them.
    let mut cleaned_items = Vec::with_capacity(parsed.items.len());
    for raw in parsed.items {
        // FeedBurner's redirect link gives way to the real URL when the item carries it.
        let link = raw.orig_link.as_deref().or(raw.link.as_deref());
        let link_url = link.and_then(|l| clean_link_url(l, site.as_ref()));
        let title = raw.title.clone().unwrap_or_default();
        if let Some(re) = feed.drop_items.iter().find(|re| re.is_match(&title)) {
            counts.ads_dropped += 1;
            note_ad_item(
                &mut state,
                now,
                &title,
                link_url.as_ref(),
                format!("drop_items: the title matches {:?}", re.as_str()),
                "dropped",
            );
            continue;
        }
        let base = link_url.clone().or_else(|| site.clone());
        let cleaned = raw.body.as_ref().map(|b| cleaner.clean(b, base.as_ref()));
        let ad = is_ad_item(raw.title.as_deref(), &raw.categories, link_url.as_ref())
            || cleaned.as_ref().is_some_and(|c| says_it_is_an_ad(&c.text));
        cleaned_items.push((raw, link_url, cleaned, ad));
    }
    // The publisher's own promotions share a title affix (learned, kept with the feed).
    let promos = Promos::new(
        &cleaned_items
            .iter()
            .map(|(r, _, c, _)| (r.title.as_deref().unwrap_or(""), c.as_ref().map_or("", |c| c.text.as_str())))
            .collect::<Vec<_>>(),
        &state.learned.promos,
    );
    promos.remember(&mut state.learned);
    let mut prepared = Vec::with_capacity(cleaned_items.len());
    for (i, (mut raw, link_url, mut cleaned, ad)) in cleaned_items.into_iter().enumerate() {
        if ad || promos.hit(i).is_some() {
            let why = match promos.hit(i).filter(|_| !ad) {
                Some(affix) => format!("its title has the feed's promotion mark {affix:?}, shared by items that sell"),
                None => "its title, categories, link or text say it is an ad or a sponsor's post".to_string(),
            };
            let action = match feed.ads {
                AdsMode::Drop => "dropped",
                AdsMode::Mark => "marked",
                AdsMode::Keep => "kept",
            };
            let title = raw.title.as_deref().unwrap_or("").to_string();
            note_ad_item(&mut state, now, &title, link_url.as_ref(), format!("ad-item: {why}"), action);
            match feed.ads {
                AdsMode::Drop => {
                    counts.ads_dropped += 1;
                    continue;
                }
                AdsMode::Mark => {
                    raw.title = Some(format!("{}{}", crate::clean::rules::AD_MARK, raw.title.as_deref().unwrap_or("")));
                    // the item page says why the whole item is an ad
                    if let Some(c) = cleaned.as_mut() {
                        c.removed.log.insert(
                            0,
                            crate::clean::Removal {
                                kind: crate::clean::Kind::Ad,
                                rule: "ad-item",
                                why,
                                what: String::new(),
                            },
                        );
                    }
                }
                AdsMode::Keep => {}
            }
        }
        prepared.push((raw, link_url, cleaned));
    }
    let learned = Learned::new(&prepared.iter().filter_map(|(_, _, c)| c.as_ref()).collect::<Vec<_>>(), &state.learned);
    learned.remember(&mut state.learned);

    // Identity: guids that stand for different links in one fetch are bad for good.
    let canonical = crate::dedup::unshared_keys(
        crate::dedup::canonical_keys(&prepared.iter().map(|(_, l, _)| l.as_ref()).collect::<Vec<_>>()),
        &prepared.iter().map(|(r, _, _)| r.title.as_deref()).collect::<Vec<_>>(),
    );
    if state.identity == IdentityMode::Guid {
        if let Some(g) = guid_for_two_links(prepared.iter().map(|(r, _, _)| r.guid.as_deref()), &canonical) {
            state.identity = IdentityMode::Url;
            state.identity_note = Some(format!("one fetch used the guid {g:?} for different links"));
            tracing::info!(feed = %feed.name, guid = %g, "bad guids: identifying items by canonical URL");
        }
    }
    let mut written: Vec<Item> = Vec::new();
    let mut fresh: Vec<Item> = Vec::new();
    let mut tombstones_seen = HashSet::new();
    // A feed's first fetch has nothing to look up (most of a cold start).
    let (has_items, has_tombstones) = (store.has_any('i', &feed.name)?, store.has_any('t', &feed.name)?);
    for ((raw, link_url, cleaned), canonical) in prepared.into_iter().zip(canonical) {
        let cleaned = cleaned.map(|c| if learned.is_empty() { c } else { learned.strip(c) });
        let title = raw.title.clone().unwrap_or_default();
        let link = link_url.as_ref().map(Url::to_string);
        let removed = cleaned.as_ref().map_or(0, |c| c.removed.blocks());
        let removals = cleaned.as_ref().map(|c| crate::clean::removal_notes(&c.removed)).unwrap_or_default();
        let (html, text) = cleaned.map(|c| (c.html, c.text)).unwrap_or_default();
        let published = raw.published.map(|d| d.to_rfc3339()).unwrap_or_default();
        let updated = raw.updated.map(|d| d.to_rfc3339()).unwrap_or_default();
        let date = raw.published.or(raw.updated).map(|d| d.to_rfc3339());
        let mut id = identity(
            state.identity,
            raw.guid.as_deref(),
            canonical.as_deref(),
            raw.title.as_deref(),
            date.as_deref(),
            &text,
        );
        if !seen.insert(id.clone()) {
            counts.duplicates += 1;
            continue;
        }
        // Pruned before and still listed by the source: it stays gone.
        let alias = canonical.as_ref().map(|c| format!("url:{c}"));
        if let Some(mut t) =
            has_tombstones.then(|| tombstone_of(store, &feed.name, &id, alias.as_deref())).transpose()?.flatten()
        {
            t.seen = now;
            changes.put_tombstone(&feed.name, &t);
            tombstones_seen.insert(t.id);
            counts.tombstoned += 1;
            continue;
        }
        let mut old = if has_items { store.item(&feed.name, &id)? } else { None };
        if old.is_none() && has_items {
            // The same link stored under another identity: its guid changed (http -> https,
            // a CMS move); it is the same item.
            if let Some(o) = canonical.as_deref().map(|c| store.item_by_canonical(&feed.name, c)).transpose()?.flatten()
            {
                if state.identity == IdentityMode::Guid && o.id.starts_with("guid:") {
                    state.identity = IdentityMode::Url;
                    state.identity_note = Some(format!(
                        "the guid of {} changed from {:?} to {:?}",
                        o.canonical.as_deref().unwrap_or(""),
                        o.id,
                        id
                    ));
                    tracing::info!(feed = %feed.name, note = ?state.identity_note, "bad guids: identifying items by canonical URL");
                }
                if !seen.insert(o.id.clone()) {
                    counts.duplicates += 1;
                    continue;
                }
                id = o.id.clone();
                old = Some(o);
            }
        }
        // What a reader reads: markup-only changes (an image size, attribute order) and
        // whitespace are not updates.
        let hash = content_hash(&[
            &title,
            link.as_deref().unwrap_or(""),
            &text,
            &raw.authors.join("\x1e"),
            &raw.categories.join("\x1e"),
            &published,
            &updated,
        ]);
        let first_seen = match &old {
            Some(o) if o.content_hash == hash => {
                counts.unchanged += 1;
                continue;
            }
            Some(o) => {
                counts.updated += 1;
                o.first_seen
            }
            None => {
                counts.new += 1;
                now
            }
        };
        // Counted for what is stored now, so a re-read unchanged item adds nothing.
        counts.blocks_removed += removed;
        let item = Item {
            feed: feed.name.clone(),
            id,
            title,
            link,
            html,
            authors: raw.authors,
            categories: raw.categories,
            published: raw.published,
            updated: raw.updated,
            first_seen,
            content_hash: hash,
            removed: u32::try_from(removed).unwrap_or(u32::MAX),
            canonical,
            signature: crate::near::Signature::of_text(&text).map(|s| s.to_hex()),
            full_text: None,
            removals,
        };
        changes.put_item(&item);
        if feed.full_text && item.link.is_some() {
            fresh.push(item.clone());
        }
        written.push(Item { html: CleanHtml::default(), ..item });
    }
    let (kept, oldest) = prune(store, feed, &mut changes, written, &tombstones_seen, now, &mut counts)?;
    state.item_count = kept as u64;
    state.oldest = oldest;
    state.validators = validators;
    state.meta = parsed.meta;
    state.last_success = Some(now);
    state.last_error = None;
    state.ads_removed += (counts.ads_dropped + counts.blocks_removed) as u64;
    state.last_removed = (counts.ads_dropped as u64, counts.blocks_removed as u64);
    changes.put_state(&feed.name, &state);
    Ok(Processed { changes, counts, ttl: parsed_ttl, state, fresh })
}

/// A guid that one fetch used for items with different canonical links, if any.
fn guid_for_two_links<'a>(
    guids: impl Iterator<Item = Option<&'a str>>,
    canonical: &[Option<String>],
) -> Option<String> {
    let pairs =
        guids.zip(canonical).filter_map(|(g, c)| Some((g?.trim(), c.as_deref())).filter(|(g, _)| !g.is_empty()));
    crate::dedup::keys_with_two_values(pairs).first().map(|g| g.to_string())
}

/// The tombstone of an item, under its identity or its canonical URL.
fn tombstone_of(store: &Store, feed: &str, id: &str, alias: Option<&str>) -> Result<Option<Tombstone>, StoreError> {
    if let Some(t) = store.tombstone(feed, id)? {
        return Ok(Some(t));
    }
    alias.map(|a| store.tombstone(feed, a)).transpose().map(Option::flatten)
}

/// Retention, run after each refresh in the same batch: keeps the newest `retain_items` items
/// first seen within `retain_days`; each pruned item leaves a tombstone (under its identity
/// and its canonical URL). Tombstones not listed by the source for `TOMBSTONE_TTL` go.
/// Returns how many items the feed keeps, and the earliest first-seen time among them.
fn prune(
    store: &Store,
    feed: &FeedConfig,
    changes: &mut Changes,
    written: Vec<Item>,
    tombstones_seen: &HashSet<String>,
    now: DateTime<Utc>,
    counts: &mut RefreshCounts,
) -> Result<(usize, Option<DateTime<Utc>>), StoreError> {
    let mut all: std::collections::HashMap<String, Item> =
        store.item_metas(&feed.name)?.into_iter().map(|i| (i.id.clone(), i)).collect();
    for i in written {
        all.insert(i.id.clone(), i);
    }
    let mut items: Vec<Item> = all.into_values().collect();
    items.sort_by(|a, b| b.sort_date().cmp(&a.sort_date()).then_with(|| b.first_seen.cmp(&a.first_seen)));
    let cutoff = now - chrono::TimeDelta::days(i64::from(feed.retain_days));
    let mut kept = 0;
    let mut oldest: Option<DateTime<Utc>> = None;
    for (rank, item) in items.iter().enumerate() {
        if rank < feed.retain_items && item.first_seen >= cutoff {
            kept += 1;
            oldest = Some(oldest.map_or(item.first_seen, |o| o.min(item.first_seen)));
            continue;
        }
        changes.remove_item(item);
        let t = Tombstone {
            v: 1,
            id: item.id.clone(),
            canonical: item.canonical.clone(),
            sig: item.signature.clone(),
            pruned: now,
            seen: now,
        };
        changes.put_tombstone(&feed.name, &t);
        if let Some(c) = &item.canonical {
            changes.put_tombstone(&feed.name, &Tombstone { id: format!("url:{c}"), ..t });
        }
        counts.pruned += 1;
    }
    for t in store.tombstones(&feed.name)? {
        if now - t.seen > TOMBSTONE_TTL && !tombstones_seen.contains(&t.id) {
            changes.remove_tombstone(&feed.name, &t.id);
        }
    }
    Ok((kept, oldest))
}

/// Does a feed whose document did not change still need pruning: an item aged past
/// `retain_days`, or more items than `retain_items` (the setting was lowered)?
fn due_for_pruning(state: &FeedState, feed: &FeedConfig, now: DateTime<Utc>) -> bool {
    let cutoff = now - chrono::TimeDelta::days(i64::from(feed.retain_days));
    state.oldest.is_some_and(|o| o < cutoff) || state.item_count > feed.retain_items as u64
}

/// Notes an item judged an ad as a whole in the feed's state (newest first, at most
/// `AD_ITEMS_KEPT`); an item noted before (same title and link) keeps its first note.
fn note_ad_item(state: &mut FeedState, now: DateTime<Utc>, title: &str, link: Option<&Url>, why: String, action: &str) {
    let link = link.map(Url::to_string);
    if state.ad_items.iter().any(|a| a.title == title && a.link == link) {
        return;
    }
    state
        .ad_items
        .insert(0, crate::model::AdItem { seen: now, title: title.to_string(), link, why, action: action.to_string() });
    state.ad_items.truncate(crate::model::AD_ITEMS_KEPT);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FeedMeta, Validators};

    fn known() -> FeedState {
        FeedState {
            url: "https://old.example/feed".into(),
            validators: Validators { etag: Some("\"e\"".into()), last_modified: Some("x".into()) },
            meta: FeedMeta { title: Some("T".into()), ..FeedMeta::default() },
            last_success: Some(Utc::now()),
            item_count: 3,
            next_poll: Some(Utc::now()),
            failures: 2,
            moved_to: Some("https://moved.example/feed".into()),
            gone: true,
            ads_removed: 7,
            ..FeedState::default()
        }
    }

    #[test]
    fn same_url_keeps_everything() {
        let k = known();
        assert_eq!(state_for(Some(k.clone()), "https://old.example/feed"), k);
    }

    /// Regression: a failed first fetch after a URL change reset the whole state, so the
    /// feed's item count dropped to 0 while its items stayed stored.
    #[test]
    fn a_new_url_forgets_what_belonged_to_the_old_one_only() {
        let s = state_for(Some(known()), "https://new.example/feed");
        assert_eq!(s.url, "https://new.example/feed");
        assert_eq!((s.item_count, s.ads_removed, s.meta.title.as_deref()), (3, 7, Some("T")));
        assert!(s.last_success.is_some());
        assert_eq!(s.validators, Validators::default());
        assert_eq!((s.moved_to, s.gone, s.failures, s.next_poll), (None, false, 0, None));
        assert_eq!(state_for(None, "u").url, "u");
    }

    /// Property tests over `process`, the whole parse → clean → identify → store path without
    /// the network: a temporary store, RSS snapshots built from a pool of stories.
    mod properties {
        use super::*;
        use crate::config::FeedConfig;
        use proptest::prelude::*;

        /// (guid, path, title, body) of the stories a snapshot picks from.
        const POOL: [(&str, &str, &str, &str); 6] = [
            ("g1", "a/1", "Haushalt beschlossen", "<p>Der Rat beschloss den Haushalt.</p>"),
            (
                "g2",
                "a/2",
                "Brücke gesperrt",
                "<p>Die Brücke bleibt bis Mai gesperrt.</p><p>Anzeige</p><p>Jetzt gratis testen!</p>",
            ),
            ("", "a/3", "Ohne Guid", "<p>Ein Text ohne guid.</p>"),
            ("g4", "a/4", "Schule saniert", "<p>Die Schule wird saniert.</p>"),
            ("", "", "Nur Titel", "<p>Weder guid noch Link.</p>"),
            ("g6", "a/6", "Markt eröffnet", "<p>Der Markt öffnet am Samstag.</p>"),
        ];

        fn feed() -> FeedConfig {
            FeedConfig::for_tests("f", "https://site.example/feed.xml")
        }

        /// A snapshot: pool stories (index, tracking noise on the link) in the given order.
        fn rss(items: &[(usize, u8)]) -> Vec<u8> {
            let mut out = String::from("<rss version=\"2.0\"><channel><title>T</title><link>https://site.example/</link><description>d</description>");
            for (i, noise) in items {
                let (guid, path, title, body) = POOL[*i];
                out.push_str("<item>");
                if !guid.is_empty() {
                    out.push_str(&format!("<guid isPermaLink=\"false\">{guid}</guid>"));
                }
                if !path.is_empty() {
                    let q =
                        if *noise > 0 { format!("?utm_source=rss{noise}&amp;fbclid={noise}") } else { String::new() };
                    out.push_str(&format!("<link>https://site.example/{path}{q}</link>"));
                }
                out.push_str(&format!(
                    "<title>{title}</title><description>{}</description></item>",
                    html_escape::encode_text(body)
                ));
            }
            out.push_str("</channel></rss>");
            out.into_bytes()
        }

        /// Applies snapshots in order (snapshot k at time k) to a fresh store; returns its items.
        fn apply(snapshots: &[Vec<(usize, u8)>], twice: bool) -> Vec<Item> {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(&dir.path().join("db")).unwrap();
            let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let feed = feed();
            let t0 = DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z").unwrap().with_timezone(&Utc);
            for (k, snap) in snapshots.iter().enumerate() {
                for _ in 0..if twice { 2 } else { 1 } {
                    let state = store.feed_state("f").unwrap().unwrap_or_default();
                    let now = t0 + chrono::TimeDelta::minutes(k as i64);
                    let (changes, _, _) =
                        process(&store, &feed, &rss(snap), None, state, Validators::default(), now).unwrap();
                    rt.block_on(store.commit(changes)).unwrap();
                }
            }
            let mut items = store.items("f").unwrap();
            items.sort_by(|a, b| a.id.cmp(&b.id));
            items
        }

        fn snapshot() -> impl Strategy<Value = Vec<(usize, u8)>> {
            proptest::sample::subsequence((0..POOL.len()).collect::<Vec<_>>(), 0..=POOL.len())
                .prop_flat_map(|idx| {
                    let n = idx.len();
                    (Just(idx).prop_shuffle(), proptest::collection::vec(0u8..3, n))
                })
                .prop_map(|(idx, noise)| idx.into_iter().zip(noise).collect())
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

            /// Fetching every snapshot twice stores exactly what fetching it once does.
            #[test]
            fn fetching_twice_yields_the_same_store(snaps in proptest::collection::vec(snapshot(), 1..4)) {
                prop_assert_eq!(apply(&snaps, false), apply(&snaps, true));
            }

            /// Identities do not depend on the order of items or on tracking parameters.
            #[test]
            fn identity_is_stable_under_reordering_and_tracking_noise(
                snap in snapshot(),
                noise in proptest::collection::vec(0u8..3, POOL.len()),
            ) {
                let mut other: Vec<(usize, u8)> = snap.iter().rev().map(|(i, _)| (*i, noise[*i])).collect();
                let k = other.len().min(1);
                other.rotate_left(k);
                let ids = |items: Vec<Item>| items.into_iter().map(|i| (i.id, i.canonical)).collect::<Vec<_>>();
                prop_assert_eq!(ids(apply(&[snap], false)), ids(apply(&[other], false)));
            }
        }
    }
}
