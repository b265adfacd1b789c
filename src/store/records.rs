//! On-disk records, versioned and separate from the model types, so the file format changes
//! only on purpose. Encoding: JSON with a `v` field (readable with any sled tool, tolerant to
//! added fields). A record with a `v` newer than this build knows is refused, not misread.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{CleanHtml, FeedMeta, FeedState, Item, Validators};

/// The record version this build writes and the newest it reads.
pub const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
pub struct ItemRecord {
    pub v: u32,
    pub feed: String,
    pub id: String,
    pub title: String,
    pub link: Option<String>,
    pub html: String,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub first_seen: DateTime<Utc>,
    pub hash: String,
}

impl From<&Item> for ItemRecord {
    fn from(i: &Item) -> Self {
        ItemRecord {
            v: VERSION,
            feed: i.feed.clone(),
            id: i.id.clone(),
            title: i.title.clone(),
            link: i.link.clone(),
            html: i.html.as_str().to_string(),
            authors: i.authors.clone(),
            categories: i.categories.clone(),
            published: i.published,
            updated: i.updated,
            first_seen: i.first_seen,
            hash: i.content_hash.clone(),
        }
    }
}

impl From<ItemRecord> for Item {
    fn from(r: ItemRecord) -> Self {
        Item {
            feed: r.feed,
            id: r.id,
            title: r.title,
            link: r.link,
            // Only the cleaner's output is ever written as `html`.
            html: CleanHtml::from_sanitized(r.html),
            authors: r.authors,
            categories: r.categories,
            published: r.published,
            updated: r.updated,
            first_seen: r.first_seen,
            content_hash: r.hash,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct FeedRecord {
    pub v: u32,
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub title: Option<String>,
    pub site_link: Option<String>,
    pub description: Option<String>,
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub item_count: u64,
}

impl From<&FeedState> for FeedRecord {
    fn from(s: &FeedState) -> Self {
        FeedRecord {
            v: VERSION,
            url: s.url.clone(),
            etag: s.validators.etag.clone(),
            last_modified: s.validators.last_modified.clone(),
            title: s.meta.title.clone(),
            site_link: s.meta.site_link.clone(),
            description: s.meta.description.clone(),
            last_attempt: s.last_attempt,
            last_success: s.last_success,
            last_error: s.last_error.clone(),
            item_count: s.item_count,
        }
    }
}

impl From<FeedRecord> for FeedState {
    fn from(r: FeedRecord) -> Self {
        FeedState {
            url: r.url,
            validators: Validators { etag: r.etag, last_modified: r.last_modified },
            meta: FeedMeta { title: r.title, site_link: r.site_link, description: r.description },
            last_attempt: r.last_attempt,
            last_success: r.last_success,
            last_error: r.last_error,
            item_count: r.item_count,
        }
    }
}
