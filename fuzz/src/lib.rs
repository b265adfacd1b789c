//! The properties the fuzz targets check, in one place: the fuzz targets in `fuzz_targets/` call
//! these functions, and so do their stable proptest twins in `tests/it/twins.rs`, which include
//! this very file (`#[path]`), so a twin can never check less than its target.
//!
//! Every `check_*` returns `Err(why)` on a property violation; a panic inside feedscrub is a
//! failure too (the fuzzer and proptest both report it). This file owns no generators and no I/O
//! (the config is validated with `Config::parse`, which touches no file).

use std::path::Path;

use feedscrub::clean::Cleaner;
use feedscrub::config::Config;
use feedscrub::model::Body;
use feedscrub::parse::parse_feed;
use scraper::Html;
use url::Url;

/// The base URL relative links are resolved against where a check wants one.
pub const BASE: &str = "https://example.com/news/2024/item.html";

/// URL-valued attributes whose scheme must be safe after sanitizing.
const URL_ATTRS: &[&str] = &["href", "src", "srcset", "cite", "poster", "action", "formaction", "background"];

/// Schemes that run code or smuggle a document; none may survive in a URL attribute.
const BAD_SCHEMES: &[&str] = &["javascript:", "vbscript:", "data:"];

/// Why sanitized `html` is unsafe, or `None`: no `<script` anywhere (case-insensitive); after
/// re-parsing, no `<iframe>` with content, no `on*` attribute, no `srcdoc`, and no URL attribute whose value (for `srcset`,
/// each candidate's URL) starts with a code-running scheme once lowercased and stripped of
/// whitespace and control characters (browsers drop some of those: `jav&#x09;ascript:`).
pub fn unsafe_output(html: &str) -> Option<String> {
    if html.to_ascii_lowercase().contains("<script") {
        return Some("output contains `<script`".into());
    }
    let doc = Html::parse_fragment(html);
    for node in doc.tree.nodes() {
        let Some(el) = node.value().as_element() else { continue };
        // An iframe's content is raw text to an HTML parser, markup to anything that unwraps
        // the iframe: a kept iframe must be empty (RELIABILITY row 4).
        if el.name() == "iframe" && node.children().any(|c| c.value().as_text().is_none_or(|t| !t.trim().is_empty())) {
            return Some(format!(
                "<iframe> keeps content: {:?}",
                scraper::ElementRef::wrap(node).map(|e| e.inner_html())
            ));
        }
        for (name, value) in el.attrs() {
            let name = name.to_ascii_lowercase();
            if name.starts_with("on") {
                return Some(format!("<{}> keeps event handler {name}={value:?}", el.name()));
            }
            if name == "srcdoc" {
                return Some(format!("<{}> keeps srcdoc={value:?}", el.name()));
            }
            if !URL_ATTRS.contains(&name.as_str()) {
                continue;
            }
            // A srcset is a list of "URL descriptors" candidates: whitespace ends each URL there,
            // so `jav&#x09;ascript:x 2x` is the relative URL `jav` and is safe. Elsewhere the value
            // is one URL, and squashing all whitespace is stricter than a browser.
            let urls: Vec<&str> = if name == "srcset" {
                value.split(',').filter_map(|c| c.split_whitespace().next()).collect()
            } else {
                vec![value]
            };
            for url in urls {
                let squashed: String = url
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .flat_map(char::to_lowercase)
                    .collect();
                if let Some(scheme) = BAD_SCHEMES.iter().find(|s| squashed.starts_with(**s)) {
                    return Some(format!("<{}> keeps a {scheme} URL: {name}={value:?}", el.name()));
                }
            }
        }
    }
    None
}

/// Cleans `input` with and without a base URL: each output must be safe (`unsafe_output`).
pub fn check_clean_safe(cleaner: &Cleaner, input: &str) -> Result<(), String> {
    let base = Url::parse(BASE).expect("BASE is a URL");
    for base in [None, Some(&base)] {
        let once = cleaner.clean_html(input, base);
        if let Some(why) = unsafe_output(once.html.as_str()) {
            return Err(format!("{why} (base {base:?})\noutput: {:?}", once.html.as_str()));
        }
    }
    Ok(())
}

/// Cleans `input` with and without a base URL: each output must be a fixed point, cleaning it
/// again changes nothing (`clean(clean(x)) == clean(x)`, RELIABILITY rows 5 and 8).
pub fn check_clean_idempotent(cleaner: &Cleaner, input: &str) -> Result<(), String> {
    let base = Url::parse(BASE).expect("BASE is a URL");
    for base in [None, Some(&base)] {
        let once = cleaner.clean_html(input, base);
        let once = once.html.as_str();
        let twice = cleaner.clean_html(once, base);
        if twice.html.as_str() != once {
            return Err(format!(
                "clean is not idempotent (base {base:?})\nonce:  {once:?}\ntwice: {:?}",
                twice.html.as_str()
            ));
        }
    }
    Ok(())
}

/// `input` as one of a feed's items, beside two siblings, all ending in the same footer block
/// and a templated byline: cleaned, learned from (`Learned`), stripped. Every stripped item must
/// be safe and exactly what the sanitizer writes for it, since a strip does not sanitize again
/// (`clean::after_strip`).
pub fn check_strip_is_sanitized(cleaner: &Cleaner, input: &str) -> Result<(), String> {
    let items: Vec<_> = (1..=3)
        .map(|k| {
            let html = format!(
                "<p>Item {k} opens with its own words.</p>{input}<p>Posted by Ann {k} at 10:4{k} | {k} comments</p><p>Subscribe to our newsletter for the week's best stories, every Friday.</p>"
            );
            cleaner.clean_html(&html, None)
        })
        .collect();
    let learned = feedscrub::clean::Learned::new(&items.iter().collect::<Vec<_>>(), &Default::default());
    for c in items {
        let stripped = learned.strip(c);
        let html = stripped.html.as_str();
        if let Some(why) = unsafe_output(html) {
            return Err(format!(
                "{why}
stripped: {html:?}"
            ));
        }
        let again = feedscrub::clean::sanitize(html);
        if again.as_str() != html {
            return Err(format!(
                "a strip is not what the sanitizer writes
stripped:  {html:?}
sanitized: {:?}",
                again.as_str()
            ));
        }
    }
    Ok(())
}

/// Parses feed bytes (an error is fine) and cleans every item body the way a refresh does (base:
/// the item link, else the feed URL); every cleaned body must be safe.
pub fn check_feed(cleaner: &Cleaner, bytes: &[u8]) -> Result<(), String> {
    let Ok(parsed) = parse_feed(bytes, None, Some(BASE)) else { return Ok(()) };
    let feed_url = Url::parse(BASE).expect("BASE is a URL");
    for item in &parsed.items {
        let Some(body) = &item.body else { continue };
        let link = item.link.as_deref().and_then(|l| Url::parse(l).ok());
        let cleaned = cleaner.clean(body, Some(link.as_ref().unwrap_or(&feed_url)));
        if let Some(why) = unsafe_output(cleaned.html.as_str()) {
            let input = match body {
                Body::Html(s) | Body::Text(s) => s,
            };
            return Err(format!("{why}\nbody: {input:?}"));
        }
    }
    Ok(())
}

/// Validates config text; errors are fine, but an error must name at least one problem, each
/// on a line of the text (or line 0: the file itself), and it must render.
pub fn check_config(text: &str) -> Result<(), String> {
    let Err(e) = Config::parse(text, Path::new("feeds.toml"), Path::new("/srv/feedscrub")) else { return Ok(()) };
    if e.problems.is_empty() {
        return Err("ConfigError without problems".into());
    }
    let lines = text.lines().count() + 1;
    if let Some(p) = e.problems.iter().find(|p| p.line > lines) {
        return Err(format!("problem on line {} of a {lines}-line text: {p:?}", p.line));
    }
    let _ = e.to_string();
    Ok(())
}

/// `s` escaped for XML text, without the characters XML 1.0 forbids (so the feed stays
/// well-formed whatever the date says): the exporters' own escaping.
pub fn xml_text(s: &str) -> String {
    feedscrub::export::xml_escape(s)
}

/// A minimal RSS 2.0 feed and a minimal Atom feed, each with one item dated `date`.
pub fn dated_feeds(date: &str) -> [String; 2] {
    let d = xml_text(date);
    [
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>t</title>\
             <link>https://example.com/</link><item><title>a</title><link>https://example.com/a</link>\
             <guid>a</guid><pubDate>{d}</pubDate></item></channel></rss>"
        ),
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\
             <title>t</title><id>urn:t</id><updated>2024-01-01T00:00:00Z</updated><entry><title>a</title>\
             <id>urn:a</id><link href=\"https://example.com/a\"/><updated>{d}</updated></entry></feed>"
        ),
    ]
}

/// A date, however odd, never fails its feed (RELIABILITY row 22): both minimal feeds parse,
/// each to its one item.
pub fn check_dates(date: &str) -> Result<(), String> {
    for feed in dated_feeds(date) {
        match parse_feed(feed.as_bytes(), None, None) {
            Ok(p) if p.items.len() == 1 => {}
            Ok(p) => return Err(format!("{} items instead of 1 in {feed:?}", p.items.len())),
            Err(e) => return Err(format!("date {date:?} fails the feed: {e}\n{feed}")),
        }
    }
    Ok(())
}
