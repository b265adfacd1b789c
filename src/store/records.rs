//! On-disk records, versioned and separate from the model types, so the file format changes
//! only on purpose. A record with a version newer than this build knows is refused, not misread.
//!
//! - Feed records: JSON with a `v` field (small, readable with any sled tool).
//! - Item records, version 2: `0xFE, 2, u32 LE length, JSON metadata (html empty), LZ4 HTML`.
//!   The HTML is most of an item and compresses about 3x; writing fewer bytes is what makes
//!   the store cheap (storing was 13% of a cold fetch). Version 1 (plain JSON with the HTML
//!   inside) is still read.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{
    AdItem, CleanHtml, FeedMeta, FeedState, FullText, FullTextCounts, FullTextOutcome, IdentityMode, Item,
    LearnedRules, Learnt, RemovalNote, Validators,
};

/// The newest record version this build reads and the one it writes for items.
pub const VERSION: u32 = 2;
/// Feed records did not change: still JSON version 1.
pub const FEED_VERSION: u32 = 1;
/// First byte of a binary item record (never the `{` of a JSON one).
const ITEM_MAGIC: u8 = 0xFE;
/// An item's HTML is never larger than this (the body cap bounds it far lower); a corrupt
/// length prefix above it is refused instead of allocated.
const MAX_HTML: usize = 64 * 1024 * 1024;

/// Why an item record cannot be read.
#[derive(Debug, PartialEq, Eq)]
pub enum DecodeError {
    Newer(u32),
    Corrupt(String),
}

/// Encodes an item as a version-2 record.
pub fn encode_item(item: &Item) -> Vec<u8> {
    let mut rec = ItemRecord::from(item);
    rec.v = VERSION;
    let html = std::mem::take(&mut rec.html);
    let meta = serde_json::to_vec(&rec).expect("records serialize to JSON");
    let packed = lz4_flex::compress_prepend_size(html.as_bytes());
    let mut out = Vec::with_capacity(6 + meta.len() + packed.len());
    out.push(ITEM_MAGIC);
    out.push(VERSION as u8);
    out.extend_from_slice(&(meta.len() as u32).to_le_bytes());
    out.extend_from_slice(&meta);
    out.extend_from_slice(&packed);
    out
}

/// Decodes an item record of any version this build knows.
pub fn decode_item(bytes: &[u8]) -> Result<Item, DecodeError> {
    decode_record(bytes, true).map(Item::from)
}

/// Decodes an item record without its HTML (left empty): what retention and duplicate
/// detection need, without decompressing the body.
pub fn decode_item_meta(bytes: &[u8]) -> Result<Item, DecodeError> {
    decode_record(bytes, false).map(Item::from)
}

fn decode_record(bytes: &[u8], with_html: bool) -> Result<ItemRecord, DecodeError> {
    let corrupt = |m: &str| DecodeError::Corrupt(m.to_string());
    match bytes.first() {
        Some(&ITEM_MAGIC) => {
            let version = *bytes.get(1).ok_or_else(|| corrupt("truncated header"))? as u32;
            if version > VERSION {
                return Err(DecodeError::Newer(version));
            }
            let len = bytes.get(2..6).ok_or_else(|| corrupt("truncated header"))?;
            let len = u32::from_le_bytes(len.try_into().expect("4 bytes")) as usize;
            let meta = bytes.get(6..6 + len).ok_or_else(|| corrupt("truncated metadata"))?;
            let mut rec: ItemRecord = serde_json::from_slice(meta).map_err(|e| DecodeError::Corrupt(e.to_string()))?;
            if !with_html {
                return Ok(rec);
            }
            let packed = &bytes[6 + len..];
            let size = packed.get(..4).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize);
            if size.is_none_or(|n| n > MAX_HTML) {
                return Err(corrupt("bad html length"));
            }
            let html = lz4_flex::decompress_size_prepended(packed).map_err(|e| DecodeError::Corrupt(e.to_string()))?;
            rec.html = String::from_utf8(html).map_err(|e| DecodeError::Corrupt(e.to_string()))?;
            Ok(rec)
        }
        Some(b'{') => {
            let mut rec: ItemRecord = serde_json::from_slice(bytes).map_err(|e| DecodeError::Corrupt(e.to_string()))?;
            if rec.v > VERSION {
                return Err(DecodeError::Newer(rec.v));
            }
            if !with_html {
                rec.html.clear();
            }
            Ok(rec)
        }
        _ => Err(corrupt("unknown record format")),
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ItemRecord {
    pub v: u32,
    pub feed: String,
    pub id: String,
    pub title: String,
    pub link: Option<String>,
    /// Inline in version 1; empty here and stored compressed after the JSON in version 2.
    #[serde(default)]
    pub html: String,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub first_seen: DateTime<Utc>,
    pub hash: String,
    /// Blocks the cleaner removed (absent in records written before it was kept: 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub removed: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sig: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_text: Option<FullTextRecord>,
    /// `model::RemovalNote`s as (kind, rule, why, what); absent in records written before
    /// they were kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removals: Vec<(String, String, String, String)>,
}

/// `model::FullText` on disk.
#[derive(Debug, Serialize, Deserialize)]
pub struct FullTextRecord {
    /// `kept`, `rejected` or `failed`.
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

impl From<&FullText> for FullTextRecord {
    fn from(f: &FullText) -> Self {
        let (outcome, why) = match &f.outcome {
            FullTextOutcome::Kept => ("kept", None),
            FullTextOutcome::Rejected(w) => ("rejected", Some(w.clone())),
            FullTextOutcome::Failed(w) => ("failed", Some(w.clone())),
        };
        FullTextRecord {
            outcome: outcome.into(),
            why,
            etag: f.validators.etag.clone(),
            last_modified: f.validators.last_modified.clone(),
        }
    }
}

impl From<FullTextRecord> for FullText {
    fn from(r: FullTextRecord) -> Self {
        let why = r.why.unwrap_or_default();
        let outcome = match r.outcome.as_str() {
            "kept" => FullTextOutcome::Kept,
            "rejected" => FullTextOutcome::Rejected(why),
            _ => FullTextOutcome::Failed(why),
        };
        FullText { outcome, validators: Validators { etag: r.etag, last_modified: r.last_modified } }
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
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
            removed: i.removed,
            canonical: i.canonical.clone(),
            sig: i.signature.clone(),
            full_text: i.full_text.as_ref().map(FullTextRecord::from),
            removals: i
                .removals
                .iter()
                .map(|r| (r.kind.clone(), r.rule.clone(), r.why.clone(), r.what.clone()))
                .collect(),
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
            removed: r.removed,
            canonical: r.canonical,
            signature: r.sig,
            full_text: r.full_text.map(FullText::from),
            removals: r
                .removals
                .into_iter()
                .map(|(kind, rule, why, what)| RemovalNote { kind, rule, why, what })
                .collect(),
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
    #[serde(default)]
    pub next_poll: Option<DateTime<Utc>>,
    #[serde(default)]
    pub failures: u32,
    #[serde(default)]
    pub moved_to: Option<String>,
    #[serde(default)]
    pub gone: bool,
    #[serde(default)]
    pub ads_removed: u64,
    /// `[ad items dropped, blocks removed]` of the last fetch that brought a body.
    #[serde(default)]
    pub last_removed: [u64; 2],
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_note: Option<String>,
    /// Full-text outcomes (`[kept, rejected, failed]`), absent for other feeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_text: Option<[u64; 3]>,
    /// Learned templates and promo affixes (`clean::learn`), absent until something is learned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub templates: Vec<LearntRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub promos: Vec<LearntRecord>,
    /// Whole-ad items, newest first: `[seen, title, link, why, action]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ad_items: Vec<AdItemRecord>,
}

/// A whole-ad item as stored: `[seen, title, link, why, action]`.
pub type AdItemRecord = (DateTime<Utc>, String, Option<String>, String, String);

/// A learned template or promo affix: `[pattern, sample, items, missed]`.
#[derive(Debug, Serialize, Deserialize)]
pub struct LearntRecord(String, String, u32, u32);

impl From<&Learnt> for LearntRecord {
    fn from(l: &Learnt) -> Self {
        LearntRecord(l.pattern.clone(), l.sample.clone(), l.items, l.missed)
    }
}

impl From<LearntRecord> for Learnt {
    fn from(LearntRecord(pattern, sample, items, missed): LearntRecord) -> Self {
        Learnt { pattern, sample, items, missed }
    }
}

impl From<&FeedState> for FeedRecord {
    fn from(s: &FeedState) -> Self {
        FeedRecord {
            v: FEED_VERSION,
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
            next_poll: s.next_poll,
            failures: s.failures,
            moved_to: s.moved_to.clone(),
            gone: s.gone,
            ads_removed: s.ads_removed,
            last_removed: [s.last_removed.0, s.last_removed.1],
            oldest: s.oldest,
            identity: (s.identity != IdentityMode::Guid).then(|| s.identity.as_str().to_string()),
            identity_note: s.identity_note.clone(),
            full_text: (s.full_text != FullTextCounts::default()).then_some([
                s.full_text.kept,
                s.full_text.rejected,
                s.full_text.failed,
            ]),
            templates: s.learned.templates.iter().map(LearntRecord::from).collect(),
            promos: s.learned.promos.iter().map(LearntRecord::from).collect(),
            ad_items: s
                .ad_items
                .iter()
                .map(|a| (a.seen, a.title.clone(), a.link.clone(), a.why.clone(), a.action.clone()))
                .collect(),
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
            next_poll: r.next_poll,
            failures: r.failures,
            moved_to: r.moved_to,
            gone: r.gone,
            ads_removed: r.ads_removed,
            last_removed: (r.last_removed[0], r.last_removed[1]),
            oldest: r.oldest,
            identity: r.identity.as_deref().map(IdentityMode::parse).unwrap_or_default(),
            identity_note: r.identity_note,
            full_text: r
                .full_text
                .map(|[kept, rejected, failed]| FullTextCounts { kept, rejected, failed })
                .unwrap_or_default(),
            learned: LearnedRules {
                templates: r.templates.into_iter().map(Learnt::from).collect(),
                promos: r.promos.into_iter().map(Learnt::from).collect(),
            },
            ad_items: r
                .ad_items
                .into_iter()
                .map(|(seen, title, link, why, action)| AdItem { seen, title, link, why, action })
                .collect(),
        }
    }
}

/// What is left of a pruned item: enough to recognise it when the source still lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tombstone {
    pub v: u32,
    /// The item's identity (`dedup::identity`).
    pub id: String,
    #[serde(default)]
    pub canonical: Option<String>,
    #[serde(default)]
    pub sig: Option<String>,
    /// When it was pruned.
    pub pruned: DateTime<Utc>,
    /// When its source last listed it; the tombstone expires `TOMBSTONE_TTL` after that.
    pub seen: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn item() -> Item {
        Item {
            title: "Titel „ä“".into(),
            link: Some("https://a.example/1".into()),
            html: CleanHtml::from_sanitized("<p>Text ".repeat(200)),
            authors: vec!["A".into()],
            categories: vec!["C".into()],
            published: Some(Utc::now()),
            ..Item::sample("f", "guid:1")
        }
    }

    #[test]
    fn item_round_trips_and_is_compressed() {
        let i = item();
        let bytes = encode_item(&i);
        assert_eq!(decode_item(&bytes).unwrap(), i);
        assert!(bytes.len() < i.html.as_str().len() / 2, "{} bytes", bytes.len());
    }

    #[test]
    fn version_1_json_records_are_still_read() {
        let i = item();
        let mut rec = ItemRecord::from(&i);
        rec.v = 1;
        let v1 = serde_json::to_vec(&rec).unwrap();
        assert_eq!(decode_item(&v1).unwrap(), i);
    }

    #[test]
    fn newer_and_corrupt_records_are_refused() {
        let mut bytes = encode_item(&item());
        bytes[1] = 9;
        assert_eq!(decode_item(&bytes), Err(DecodeError::Newer(9)));
        assert!(decode_item(br#"{"v":7,"feed":"f","id":"i","title":"t","link":null,"first_seen":"2026-01-01T00:00:00Z","published":null,"updated":null,"hash":"h"}"#) == Err(DecodeError::Newer(7)));
        for bad in [&b""[..], b"\xFE", b"\xFE\x02\xFF\xFF\xFF\x7F{}", b"garbage"] {
            assert!(matches!(decode_item(bad), Err(DecodeError::Corrupt(_))), "{bad:?}");
        }
        // A length prefix claiming 4 GiB of HTML is refused before any allocation.
        let mut huge = encode_item(&item());
        let meta_len = u32::from_le_bytes(huge[2..6].try_into().unwrap()) as usize;
        huge[6 + meta_len..6 + meta_len + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(decode_item(&huge), Err(DecodeError::Corrupt(_))));
    }
}
