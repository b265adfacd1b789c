//! The cleaner: item HTML or plain text in, safe clean HTML out.
//!
//! `Cleaner::clean` runs the passes of `dom` (ads, boilerplate, pixels, share links, URLs,
//! empties; order documented there) and then ammonia, LAST, so every string this module
//! returns as `CleanHtml` has passed the sanitizer. Rule tables live in `rules`; plain-text
//! conversion in `text`. Pure: no I/O, no clock.
//!
//! Item-level decisions (is this whole item an ad?) are here too, as `is_ad_item`.

pub mod dom;
pub mod rules;
pub mod text;

use std::sync::OnceLock;

use regex::Regex;
use scraper::Selector;
use url::Url;

use crate::model::{Body, CleanHtml};

pub use dom::{is_ad_label, Removed};

/// Per-feed cleaning rules, compiled once per refresh.
#[derive(Default)]
pub struct Cleaner {
    remove: Vec<Selector>,
    remove_text: Vec<Regex>,
}

/// The result of cleaning one body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    pub html: CleanHtml,
    pub removed: Removed,
}

impl Cleaner {
    /// `remove` selectors must already be validated (config does); invalid ones are skipped.
    pub fn new(remove: &[String], remove_text: &[Regex]) -> Cleaner {
        Cleaner {
            remove: remove.iter().filter_map(|s| Selector::parse(s).ok()).collect(),
            remove_text: remove_text.to_vec(),
        }
    }

    /// Cleans an item body. `base` resolves relative URLs (the item link, else the feed URL).
    pub fn clean(&self, body: &Body, base: Option<&Url>) -> Cleaned {
        match body {
            Body::Html(h) => self.clean_html(h, base),
            Body::Text(t) => self.clean_html(&text::text_to_html(t), base),
        }
    }

    pub fn clean_html(&self, html: &str, base: Option<&Url>) -> Cleaned {
        let opts = dom::Options { base, remove: &self.remove, remove_text: &self.remove_text };
        let (cleaned, removed) = dom::clean_fragment(html, &opts);
        Cleaned { html: sanitize(&cleaned), removed }
    }
}

/// The final pass: ammonia with links forced to `noopener noreferrer` and only web and mail
/// URL schemes. Nothing that skipped this function is ever wrapped in `CleanHtml`.
pub fn sanitize(html: &str) -> CleanHtml {
    static AMMONIA: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    let builder = AMMONIA.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.link_rel(Some("noopener noreferrer"))
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .add_tag_attributes("img", ["srcset", "loading"])
            .add_tag_attributes("source", ["srcset", "media", "type"])
            .add_tags(["picture", "source", "figure", "figcaption", "video", "audio"])
            .add_tag_attributes("video", ["src", "poster", "controls"])
            .add_tag_attributes("audio", ["src", "controls"])
            .rm_tags(["noscript"]);
        b
    });
    let mut out = builder.clean(html).to_string();
    // Blank lines left where removed blocks stood (not inside <pre>, where they are content).
    if !out.contains("<pre") {
        out = collapse_blank_lines(&out);
    }
    CleanHtml::from_sanitized(out.trim().to_string())
}

fn collapse_blank_lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut newline_run = false;
    for line in s.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        if blank && newline_run {
            continue;
        }
        newline_run = blank || line.ends_with('\n');
        out.push_str(if blank { "\n" } else { line });
    }
    out
}

/// Is the whole item an ad? Its title starts with an ad word (`Anzeige:`, `[Sponsored]`), a
/// category is one, or its link path has an ad segment (`/anzeige/`, `/sponsored/`).
pub fn is_ad_item(title: Option<&str>, categories: &[String], link: Option<&Url>) -> bool {
    static TITLE: OnceLock<Regex> = OnceLock::new();
    let title_rx = TITLE.get_or_init(|| {
        let alt = rules::AD_ITEM_WORDS.iter().map(|w| regex::escape(w)).collect::<Vec<_>>().join("|");
        Regex::new(&format!(r"(?i)^\s*[\[(*|-]?\s*(?:{alt})\s*(?:[\]):|*–—-]|$)")).expect("ad title regex")
    });
    if title.is_some_and(|t| title_rx.is_match(t)) {
        return true;
    }
    if categories.iter().any(|c| {
        let c = c.trim().to_lowercase();
        rules::AD_ITEM_WORDS.contains(&c.as_str())
    }) {
        return true;
    }
    link.is_some_and(|u| {
        u.path_segments()
            .is_some_and(|mut segs| segs.any(|s| rules::AD_LINK_SEGMENTS.contains(&s.to_lowercase().as_str())))
    })
}

#[cfg(test)]
mod tests;
