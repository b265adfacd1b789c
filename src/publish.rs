//! Stored items → a rendered feed: the one place that reads the store for output. Serves the
//! `export` command and the HTTP server alike. The renderers themselves (`export`) stay pure.

use std::collections::HashMap;

use crate::config::{Config, Source};
use crate::export::{self, Channel, Entry, Format, SourceFeed};
use crate::model::Item;
use crate::near;
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("unknown feed {0:?} (see `feedscrub check`)")]
    UnknownFeed(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A merged feed looks for copies of a story among this many times as many of the newest
/// items as it shows (a store of 100,000 feeds is not read whole for the newest 100).
pub const COLLAPSE_WINDOW: usize = 20;

/// What to publish: one configured feed, or all of them merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope<'a> {
    Feed(&'a str),
    All,
}

/// Renders one feed, or all configured feeds merged (newest first), from the store: the
/// newest `limit` items (`None`: all). `self_url` is where the output is published, when known.
pub fn render(
    cfg: &Config,
    store: &Store,
    scope: Scope,
    format: Format,
    self_url: Option<String>,
    limit: Option<usize>,
) -> Result<String, PublishError> {
    let (channel, mut items) = match scope {
        Scope::Feed(name) => {
            let f = cfg.feed(name).ok_or_else(|| PublishError::UnknownFeed(name.to_string()))?;
            let meta = store.feed_state(&f.name)?.map(|s| s.meta).unwrap_or_default();
            let channel = Channel {
                name: f.name.clone(),
                title: meta.title.unwrap_or_else(|| f.name.clone()),
                site_link: meta.site_link,
                description: meta.description.unwrap_or_else(|| format!("{} (cleaned by feedscrub)", f.name)),
                self_url,
                merged: false,
            };
            (channel, store.items(&f.name)?)
        }
        Scope::All => {
            let channel = Channel {
                name: "all".into(),
                title: "feedscrub: all feeds".into(),
                site_link: None,
                description: "All configured feeds, cleaned by feedscrub, newest first".into(),
                self_url,
                merged: true,
            };
            // Only feeds still configured are published. Copies are looked for among the
            // newest `COLLAPSE_WINDOW` × `limit` items; the HTML is read for the items shown.
            let configured = |f: &str| cfg.feed(f).is_some();
            let metas = match limit {
                Some(n) => store.newest_item_metas(n.saturating_mul(COLLAPSE_WINDOW), configured)?,
                None => store.all_item_metas()?.into_iter().filter(|i| configured(&i.feed)).collect(),
            };
            (channel, metas)
        }
    };
    export::sort_newest_first(&mut items);
    // Merged: the same story from several feeds appears once, naming the other feeds.
    let mut groups =
        if scope == Scope::All { collapse(&items) } else { (0..items.len()).map(|i| (i, Vec::new())).collect() };
    if let Some(n) = limit {
        groups.truncate(n);
    }
    if scope == Scope::All {
        for (i, _) in &groups {
            let meta = &items[*i];
            if let Some(full) = store.item(&meta.feed, &meta.id)? {
                items[*i] = full;
            }
        }
    }
    let mut sources: HashMap<String, SourceFeed> = HashMap::new();
    for (i, also) in &groups {
        for j in std::iter::once(i).chain(also) {
            let f = &items[*j].feed;
            if !sources.contains_key(f) {
                sources.insert(f.clone(), source_of(cfg, store, f)?);
            }
        }
    }
    let entries: Vec<Entry> = groups
        .iter()
        .map(|(i, also)| Entry {
            item: &items[*i],
            source: &sources[&items[*i].feed],
            also: also.iter().map(|j| &sources[&items[*j].feed]).collect(),
        })
        .collect();
    Ok(export::render(format, &channel, &entries))
}

/// Groups the same story from different feeds: the same canonical URL, or near-identical
/// cleaned text (`near`: MinHash over word shingles, an LSH index, so each item costs a few
/// lookups, not a scan). `items` are newest first; returns (representative, the other copies)
/// in that order. The representative is the copy seen first (its identity does not change
/// when later copies arrive); copies within one feed are never merged.
pub fn collapse(items: &[Item]) -> Vec<(usize, Vec<usize>)> {
    // First seen first: the earliest copy of a story founds its group.
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|a, b| items[*a].first_seen.cmp(&items[*b].first_seen).then(a.cmp(b)));
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut by_url: HashMap<&str, usize> = HashMap::new();
    let mut index = near::Index::with_capacity(items.len());
    for &i in &order {
        let it = &items[i];
        let sig = it.signature.as_deref().and_then(near::Signature::from_hex);
        let found = it
            .canonical
            .as_deref()
            .and_then(|c| by_url.get(c).copied())
            .filter(|g| !members[*g].iter().any(|m| items[*m].feed == it.feed))
            .or_else(|| {
                let sig = sig.as_ref()?;
                index
                    .matches(sig)
                    .into_iter()
                    .map(|(g, _)| g as usize)
                    .find(|g| !members[*g].iter().any(|m| items[*m].feed == it.feed))
            });
        let g = match found {
            Some(g) => g,
            None => {
                members.push(Vec::new());
                let g = members.len() - 1;
                if let Some(s) = &sig {
                    index.insert(g as u32, s);
                }
                g
            }
        };
        members[g].push(i);
        if let Some(c) = it.canonical.as_deref() {
            by_url.entry(c).or_insert(g);
        }
    }
    // Published newest first, at the representative's place.
    let mut out: Vec<(usize, Vec<usize>)> = members.into_iter().map(|m| (m[0], m[1..].to_vec())).collect();
    out.sort_by_key(|(rep, _)| *rep);
    out
}

/// The title (from the stored feed) and original URL (http feeds only) of a feed.
fn source_of(cfg: &Config, store: &Store, name: &str) -> Result<SourceFeed, StoreError> {
    let title = store.feed_state(name)?.and_then(|s| s.meta.title).unwrap_or_else(|| name.to_string());
    let url = cfg.feed(name).and_then(|f| match &f.source {
        Source::Http(u) => Some(u.to_string()),
        Source::File(_) => None,
    });
    Ok(SourceFeed { feed: name.to_string(), title, url })
}
