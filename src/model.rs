//! The domain model shared by every stage: what a feed and an item are once feedscrub has them.
//!
//! These types are in-memory only. The store keeps its own versioned on-disk records
//! (`store::records`) and converts, so a change here never silently changes the file format.

use chrono::{DateTime, Utc};

/// HTML that has passed the cleaner, the sanitizer last. Only `clean` constructs it, so a value
/// of this type is proof that the string is safe to store and serve.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CleanHtml(String);

impl CleanHtml {
    /// Only the cleaner (and the store, re-reading what the cleaner wrote) may wrap a string.
    pub(crate) fn from_sanitized(s: String) -> Self {
        CleanHtml(s)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_string(self) -> String {
        self.0
    }
}

/// An item as the parser hands it over: fields straight from the feed, nothing cleaned yet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawItem {
    /// The feed's own id (`<guid>`, Atom `<id>`, JSON `id`), if it had one.
    pub guid: Option<String>,
    pub title: Option<String>,
    pub link: Option<String>,
    /// `feedburner:origLink`: the real URL behind a FeedBurner/feedproxy redirect link.
    pub orig_link: Option<String>,
    /// The body: `content:encoded` / Atom content / `content_html`, else the summary.
    pub body: Option<Body>,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
}

/// An item body, as HTML or as plain text (paragraphs separated by blank lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Html(String),
    Text(String),
}

/// Channel-level data of a parsed feed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedMeta {
    pub title: Option<String>,
    pub site_link: Option<String>,
    pub description: Option<String>,
}

/// An item after cleaning and identification: what the store keeps and the exporters render.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Which configured feed it came from (the feed's slug).
    pub feed: String,
    /// Stable identity within the feed (see `dedup::identity`).
    pub id: String,
    pub title: String,
    /// Link with tracking parameters removed.
    pub link: Option<String>,
    pub html: CleanHtml,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// When feedscrub first stored this item; kept across updates.
    pub first_seen: DateTime<Utc>,
    /// Hash over everything a reader sees; a change means "updated".
    pub content_hash: String,
    /// Ad and boilerplate blocks the cleaner removed from this item.
    pub removed: u32,
    /// `dedup::canonical_key` of the link: finds the item again when its guid changes, and
    /// the same story in other feeds.
    pub canonical: Option<String>,
    /// `near::Signature` of the cleaned text, as hex: the same story in other feeds.
    pub signature: Option<String>,
    /// Full text (`full_text = true` feeds): what became of the item's page.
    pub full_text: Option<FullText>,
    /// What the cleaner removed, as `clean --explain` tells it: at most `REMOVALS_KEPT` notes
    /// with at most `crate::clean::WHAT_MAX` characters of removed text each (the item page
    /// shows them).
    pub removals: Vec<RemovalNote>,
}

#[cfg(test)]
impl Item {
    /// An item of feed `feed` with id `id` and little else, for tests to fill in the fields
    /// they are about (`Item { title: …, ..Item::sample("f", "guid:1") }`).
    pub fn sample(feed: &str, id: &str) -> Item {
        Item {
            feed: feed.into(),
            id: id.into(),
            title: "t".into(),
            link: None,
            html: CleanHtml::from_sanitized("<p>x</p>".into()),
            authors: vec![],
            categories: vec![],
            published: None,
            updated: None,
            first_seen: Utc::now(),
            content_hash: "h".into(),
            removed: 0,
            canonical: None,
            signature: None,
            full_text: None,
            removals: vec![],
        }
    }
}

/// One removal the item page shows: whether an ad or boilerplate (or the whole item judged an
/// ad), the rule, why, and the start of the removed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovalNote {
    /// `ad`, `boilerplate`, or `ad-item` (the whole item, kept by `ads = "mark"`).
    pub kind: String,
    pub rule: String,
    pub why: String,
    pub what: String,
}

/// An item keeps at most this many removal notes.
pub const REMOVALS_KEPT: usize = 32;

/// What the full-text step made of an item's page (`crate::fulltext`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullText {
    pub outcome: FullTextOutcome,
    /// The page's validators, for a conditional GET when the item changes.
    pub validators: Validators,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FullTextOutcome {
    /// The article was extracted, cleaned and is the item's content.
    Kept,
    /// The page was fetched but is not the article (the reason): the feed's content is kept.
    Rejected(String),
    /// The page could not be fetched (the error): the feed's content is kept.
    Failed(String),
}

impl FullTextOutcome {
    /// `kept`, `rejected: …` or `failed: …`, as exports and `stats` show it.
    pub fn describe(&self) -> String {
        match self {
            FullTextOutcome::Kept => "kept".into(),
            FullTextOutcome::Rejected(why) => format!("rejected: {why}"),
            FullTextOutcome::Failed(why) => format!("failed: {why}"),
        }
    }
}

impl Item {
    /// The date a reader sorts by: published, else updated, else first seen.
    pub fn sort_date(&self) -> DateTime<Utc> {
        self.published.or(self.updated).unwrap_or(self.first_seen)
    }
}

/// HTTP validators kept per feed for conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What the store remembers about a feed between runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedState {
    pub url: String,
    pub validators: Validators,
    pub meta: FeedMeta,
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub item_count: u64,
    /// `serve`: when this feed is due next, kept so a restart resumes the schedule.
    pub next_poll: Option<DateTime<Utc>>,
    /// `serve`: failed refreshes in a row (drives the backoff).
    pub failures: u32,
    /// Where the feed moved permanently (a chain of 301/308 from `url`): fetched from there.
    pub moved_to: Option<String>,
    /// The source answered 410 Gone: no more polls; the items stay served.
    pub gone: bool,
    /// Ad items dropped plus ad and boilerplate blocks removed, over the feed's life.
    pub ads_removed: u64,
    /// The last fetch that brought a body (not a 304): whole-ad items dropped and blocks removed.
    pub last_removed: (u64, u64),
    /// The earliest first-seen time of the items kept: a 304 prunes only when it is older
    /// than `retain_days` (a cheap check instead of a scan).
    pub oldest: Option<DateTime<Utc>>,
    /// How the feed's items are identified, and why when it is not by guid.
    pub identity: IdentityMode,
    pub identity_note: Option<String>,
    /// Full text over the feed's life (its site's health).
    pub full_text: FullTextCounts,
    /// What the cleaner learned from the feed's own items, kept across fetches.
    pub learned: LearnedRules,
    /// The latest items judged ads as a whole (dropped, or kept by `ads = "mark"`/`"keep"`),
    /// newest first, at most `AD_ITEMS_KEPT`: so that a false positive can be seen.
    pub ad_items: Vec<AdItem>,
}

/// An item judged an ad as a whole, as the feed's whole-ad view lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdItem {
    /// When it was first judged so.
    pub seen: DateTime<Utc>,
    pub title: String,
    pub link: Option<String>,
    /// The rule and why: "drop_items: …", "ad-item: …", "promo: …".
    pub why: String,
    /// `dropped`, `marked` or `kept`.
    pub action: String,
}

/// A feed keeps at most this many whole-ad items in its state.
pub const AD_ITEMS_KEPT: usize = 50;

/// What the cleaner learned from a feed's own items (`clean::learn`), kept with the feed so a
/// fetch that brings one new item still has what earlier fetches taught.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LearnedRules {
    /// Lines whose shape repeats across the feed's items: templated footers, bylines, tag lines.
    pub templates: Vec<Learnt>,
    /// Title prefixes or suffixes of the publisher's own promotions (whole-ad items).
    pub promos: Vec<Learnt>,
}

impl LearnedRules {
    pub fn is_empty(&self) -> bool {
        self.templates.is_empty() && self.promos.is_empty()
    }
}

/// One learned template or promo affix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Learnt {
    /// The pattern: lowercase words, `*` where the items differ (templates); the affix's words,
    /// with `…` on the side where the title goes on (promos).
    pub pattern: String,
    /// One line (or title) it was learned from, for `stats` (at most 100 characters).
    pub sample: String,
    /// Items it was seen in (most in one fetch).
    pub items: u32,
    /// Fetches in a row (with new content) in which no item had it; forgotten at `FORGET_AFTER`.
    pub missed: u32,
}

/// Full-text outcomes: articles kept, pages rejected, pages not fetched. Per refresh
/// (`refresh::RefreshCounts`), over a feed's life (`FeedState`) and per feed in `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FullTextCounts {
    pub kept: u64,
    pub rejected: u64,
    pub failed: u64,
}

impl FullTextCounts {
    /// Counts one more page with this outcome.
    pub fn count(&mut self, outcome: &FullTextOutcome) {
        match outcome {
            FullTextOutcome::Kept => self.kept += 1,
            FullTextOutcome::Rejected(_) => self.rejected += 1,
            FullTextOutcome::Failed(_) => self.failed += 1,
        }
    }

    pub fn add(&mut self, other: FullTextCounts) {
        self.kept += other.kept;
        self.rejected += other.rejected;
        self.failed += other.failed;
    }
}

/// How a feed's items are identified. Starts as `Guid`; `refresh` moves a feed to `Url` for
/// good when its guids are judged bad (one guid for different links in one fetch, or a guid
/// that changed for the same link between polls).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IdentityMode {
    #[default]
    Guid,
    Url,
}

impl IdentityMode {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityMode::Guid => "guid",
            IdentityMode::Url => "url",
        }
    }

    pub fn parse(s: &str) -> IdentityMode {
        if s == "url" {
            IdentityMode::Url
        } else {
            IdentityMode::Guid
        }
    }
}
