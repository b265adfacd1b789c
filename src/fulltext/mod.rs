//! Full text for teaser feeds (`full_text = true` in a `[[feed]]`).
//!
//! After a refresh has decided which items are new or changed, `complete` fetches each one's
//! page (the item link: untrusted, so through `Fetcher::fetch_untrusted` and its address
//! guard), extracts the article (`crate::extract`), cleans it with the feed's cleaner
//! (ads, boilerplate, tracking, sanitizer last) and judges it against the item's teaser
//! (`quality`). A kept article becomes the item's content; otherwise the feed's own content
//! stays and the item is marked (`model::FullText`), so exports and `stats` say why.
//!
//! Unchanged items are never fetched again (the refresh does not hand them over). A changed
//! item whose page was fetched before is asked for conditionally; on a 304 its stored article
//! stays. At most `full_text_concurrency` pages are fetched at once from one host, across all
//! feeds of a run.

pub mod quality;

use std::sync::Arc;

use futures_util::StreamExt;
use url::Url;

use crate::clean::text::html_to_text;
use crate::clean::Cleaner;
use crate::config::FeedConfig;
use crate::context::Context;
use crate::fetch::Fetched;
use crate::model::{FullText, FullTextCounts, FullTextOutcome, Item, Validators};

/// Fills in the full text of `items` (the new and changed items of one refresh of `feed`,
/// with the feed's cleaned content), each page cleaned with the feed's `cleaner` (the one its
/// items were cleaned with). `previous` gives an item's stored version, if any.
/// Returns the items to store (every one of `items`, each with its `full_text` set) and their
/// outcomes counted.
pub async fn complete(
    ctx: &Context,
    feed: &FeedConfig,
    cleaner: &Arc<Cleaner>,
    items: Vec<Item>,
    previous: impl Fn(&str) -> Option<Item>,
) -> (Vec<Item>, FullTextCounts) {
    let permits = ctx.fetcher.settings().full_text_concurrency.get();
    let jobs = items.into_iter().map(|item| {
        let prev = previous(&item.id);
        let cleaner = cleaner.clone();
        async move { page_of(ctx, feed, cleaner, item, prev, permits).await }
    });
    let done: Vec<Item> = futures_util::stream::iter(jobs).buffer_unordered(permits).collect().await;
    let mut counts = FullTextCounts::default();
    for f in done.iter().filter_map(|i| i.full_text.as_ref()) {
        counts.count(&f.outcome);
    }
    (done, counts)
}

/// One item: its page fetched, extracted, cleaned and judged.
async fn page_of(
    ctx: &Context,
    feed: &FeedConfig,
    cleaner: Arc<Cleaner>,
    mut item: Item,
    prev: Option<Item>,
    permits: usize,
) -> Item {
    let Some(url) = item.link.as_deref().and_then(|l| Url::parse(l).ok()) else {
        item.full_text = Some(failed("the item has no link", Validators::default()));
        return item;
    };
    // Conditional only when the stored version carries the article of that page.
    let prev_kept = prev
        .filter(|p| p.link == item.link && p.full_text.as_ref().is_some_and(|f| f.outcome == FullTextOutcome::Kept));
    let validators =
        prev_kept.as_ref().and_then(|p| p.full_text.as_ref()).map(|f| f.validators.clone()).unwrap_or_default();
    let gate = ctx.host_gate(url.host_str().unwrap_or(""), permits);
    let fetched = {
        let _permit = gate.acquire().await;
        ctx.fetcher.fetch_untrusted(url.as_str(), &validators).await
    };
    match fetched {
        Err(e) => {
            tracing::info!(feed = %feed.name, url = %url, error = %e, "full text: page not fetched; keeping the feed's content");
            item.full_text = Some(failed(&e.to_string(), Validators::default()));
            item
        }
        Ok((Fetched::NotModified { validators: new }, _)) => match prev_kept {
            Some(p) => {
                item.html = p.html;
                item.full_text =
                    Some(FullText { outcome: FullTextOutcome::Kept, validators: new.unwrap_or(validators) });
                item
            }
            None => {
                item.full_text = Some(failed("304 Not Modified without a stored article", Validators::default()));
                item
            }
        },
        Ok((Fetched::Modified { body, charset, validators }, _)) => {
            let teaser = item.html.as_str().to_string();
            match ctx.on_cpu(move || article_of(&cleaner, &body, charset.as_deref(), &url, &teaser)).await {
                Ok(Ok((html, removals))) => {
                    item.html = html;
                    item.removals = removals;
                    item.full_text = Some(FullText { outcome: FullTextOutcome::Kept, validators });
                }
                Ok(Err(why)) => {
                    tracing::info!(feed = %feed.name, link = ?item.link, why = %why, "full text rejected; keeping the feed's content");
                    item.full_text = Some(FullText {
                        outcome: FullTextOutcome::Rejected(why.to_string()),
                        validators: Validators::default(),
                    });
                }
                Err(_) => {
                    item.full_text = Some(failed("the extractor failed on this page", Validators::default()));
                }
            }
            item
        }
    }
}

fn failed(why: &str, validators: Validators) -> FullText {
    FullText { outcome: FullTextOutcome::Failed(why.to_string()), validators }
}

/// Extracts, cleans (with the feed's `cleaner`) and judges one page: the clean article HTML and
/// what the cleaner removed from it, or why it is not kept. `teaser` is the item's cleaned feed
/// content (HTML).
pub fn article_of(
    cleaner: &Cleaner,
    body: &[u8],
    charset: Option<&str>,
    url: &Url,
    teaser: &str,
) -> Result<(crate::model::CleanHtml, Vec<crate::model::RemovalNote>), quality::Rejection> {
    let page = crate::charset::decode_page(body, charset);
    let article = crate::extract::extract(&page, Some(url));
    let base = article.canonical.as_deref().and_then(|c| Url::parse(c).ok()).unwrap_or_else(|| url.clone());
    let cleaned = cleaner.clean_html(&article.html, Some(&base));
    quality::judge(&cleaned.text, &html_to_text(teaser))?;
    if quality::is_short(&cleaned.text) {
        if let Some(r) = quality::page_notice(&html_to_text(&page)) {
            return Err(r);
        }
    }
    Ok((cleaned.html, crate::clean::removal_notes(&cleaned.removed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every page of `tests/fixtures/pages/` through extraction, cleaning and the guard: the
    /// articles are kept, the consent wall, paywall and JavaScript shell rejected.
    #[test]
    fn fixture_pages_are_kept_or_rejected_as_labelled() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages");
        let mut seen = 0;
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = e.path();
            if path.extension().is_none_or(|x| x != "toml") {
                continue;
            }
            let labels: toml::Table = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let body = std::fs::read(path.with_extension("html")).unwrap();
            let url = Url::parse(labels["url"].as_str().unwrap()).unwrap();
            let teaser = format!("<p>{}</p>", labels["teaser"].as_str().unwrap());
            let verdict = article_of(&Cleaner::default(), &body, None, &url, &teaser);
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            if labels["reject"].as_bool().unwrap() {
                assert!(verdict.is_err(), "{name}: should be rejected, got {verdict:?}");
            } else {
                assert!(verdict.is_ok(), "{name}: should be kept, got {verdict:?}");
            }
            seen += 1;
        }
        assert_eq!(seen, 8);
    }
}
