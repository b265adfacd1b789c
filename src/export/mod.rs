//! Renderers: stored items → RSS 2.0, Atom 1.0 or JSON Feed 1.1 text. Pure: no store, no I/O;
//! `publish` reads the store (for the `export` command and the HTTP server) and calls `render`.
//!
//! Every item's HTML is already `CleanHtml` (sanitized). Text is escaped for XML here, and
//! characters XML 1.0 forbids are dropped so the output always parses.

mod atom;
mod json;
mod rss;

use std::str::FromStr;

use crate::dedup::storage_key;
use crate::model::Item;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Rss,
    Atom,
    Json,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "rss" => Ok(Format::Rss),
            "atom" => Ok(Format::Atom),
            "json" => Ok(Format::Json),
            _ => Err(format!("unknown format {s:?} (rss, atom, json)")),
        }
    }
}

/// XML namespace of feedscrub's extension elements in RSS and Atom (`feedscrub:removed`,
/// the number of ad and boilerplate blocks the cleaner removed from an item).
pub const NAMESPACE: &str = "urn:feedscrub:1";

/// Channel-level data of an exported feed.
#[derive(Debug, Clone, Default)]
pub struct Channel {
    /// `feedscrub:{name}` style id base, stable for the feed (or `all`).
    pub name: String,
    pub title: String,
    pub site_link: Option<String>,
    pub description: String,
    /// Where this output is published, when known (`atom:link rel=self`, `feed_url`).
    pub self_url: Option<String>,
    /// Merged output of several feeds: each item names its source feed.
    pub merged: bool,
}

/// One item with the feed it came from (named in merged outputs).
pub struct Entry<'a> {
    pub item: &'a Item,
    pub source: &'a SourceFeed,
    /// Merged outputs: the other feeds that carried the same story (collapsed into this one).
    pub also: Vec<&'a SourceFeed>,
}

/// The feed an item came from: its name, title and the URL of the original feed document.
#[derive(Debug, Clone, Default)]
pub struct SourceFeed {
    pub feed: String,
    pub title: String,
    pub url: Option<String>,
}

/// `<feedscrub:also feed=… url=…>title</feedscrub:also>`: another feed that carried the same
/// story (RSS and Atom merged outputs).
/// The item's own `feedscrub:` elements, the same in RSS and Atom: the blocks the cleaner
/// removed, and the full-text outcome when the article was not used (`rejected: …`,
/// `failed: …`; a kept article needs no mark).
fn item_extensions(it: &crate::model::Item) -> String {
    let mut o = String::new();
    if it.removed > 0 {
        o.push_str(&format!("<feedscrub:removed>{}</feedscrub:removed>\n", it.removed));
    }
    if let Some(f) = it.full_text.as_ref().filter(|f| f.outcome != crate::model::FullTextOutcome::Kept) {
        o.push_str(&format!("<feedscrub:fulltext>{}</feedscrub:fulltext>\n", xml_escape(&f.outcome.describe())));
    }
    o
}

fn also_element(s: &SourceFeed) -> String {
    let url = s.url.as_deref().map(|u| format!(" url=\"{}\"", xml_escape(u))).unwrap_or_default();
    format!("<feedscrub:also feed=\"{}\"{url}>{}</feedscrub:also>", xml_escape(&s.feed), xml_escape(&s.title))
}

/// Renders `entries` (already in the order to publish: newest first).
pub fn render(format: Format, channel: &Channel, entries: &[Entry]) -> String {
    match format {
        Format::Rss => rss::render(channel, entries),
        Format::Atom => atom::render(channel, entries),
        Format::Json => json::render(channel, entries),
    }
}

/// Sorts items newest first (publication date, else update, else first seen), ties by id.
pub fn sort_newest_first(items: &mut [Item]) {
    items.sort_by(|a, b| b.sort_date().cmp(&a.sort_date()).then_with(|| a.id.cmp(&b.id)));
}

/// The public id of an item: the feed's own guid when it is a URL or URN, the link for items
/// identified by link, else a URN built from the feed and the identity.
pub fn public_id(item: &Item) -> String {
    if let Some(g) = item.id.strip_prefix("guid:") {
        if url::Url::parse(g).is_ok() {
            return g.to_string();
        }
    }
    if item.id.starts_with("url:") {
        if let Some(l) = &item.link {
            return l.clone();
        }
    }
    format!("urn:feedscrub:{}:{}", item.feed, storage_key(&item.id))
}

/// Characters no output format should carry: those XML 1.0 forbids (C0 controls other than
/// tab, newline and CR; U+FFFE; U+FFFF). JSON could escape them, but they are junk there too.
fn is_illegal(c: char) -> bool {
    ((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// Text without illegal characters (for JSON output).
pub(crate) fn legal_text(s: &str) -> String {
    s.chars().filter(|c| !is_illegal(*c)).collect()
}

/// Escapes text for XML element content and attribute values, dropping illegal characters.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if is_illegal(c) => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
