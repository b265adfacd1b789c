//! Stored items → a rendered feed: the one place that reads the store for output. Serves the
//! `export` command and the HTTP server alike. The renderers themselves (`export`) stay pure.

use std::collections::HashMap;

use crate::config::{Config, Source as FeedSource};
use crate::export::{self, Channel, Entry, Format, Source};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("unknown feed {0:?} (see `feedscrub check`)")]
    UnknownFeed(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

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
            // Only feeds still configured are published.
            let items = store.all_items()?.into_iter().filter(|i| cfg.feed(&i.feed).is_some()).collect();
            (channel, items)
        }
    };
    export::sort_newest_first(&mut items);
    if let Some(n) = limit {
        items.truncate(n);
    }
    let mut sources: HashMap<String, Source> = HashMap::new();
    for i in &items {
        if !sources.contains_key(&i.feed) {
            sources.insert(i.feed.clone(), source_of(cfg, store, &i.feed)?);
        }
    }
    let entries: Vec<Entry> = items.iter().map(|i| Entry { item: i, source: &sources[&i.feed] }).collect();
    Ok(export::render(format, &channel, &entries))
}

/// The title (from the stored feed) and original URL (http feeds only) of a feed.
fn source_of(cfg: &Config, store: &Store, name: &str) -> Result<Source, StoreError> {
    let title = store.feed_state(name)?.and_then(|s| s.meta.title).unwrap_or_else(|| name.to_string());
    let url = cfg.feed(name).and_then(|f| match &f.source {
        FeedSource::Http(u) => Some(u.to_string()),
        FeedSource::File(_) => None,
    });
    Ok(Source { title, url })
}
