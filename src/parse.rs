//! Bytes of a feed → `FeedMeta` and `RawItem`s. Pure.
//!
//! Decoding happens here, in the order real feeds need (they lie about their charset):
//! BOM, then valid UTF-8, then the XML prolog's `encoding`, then the HTTP charset, then
//! windows-1252. The text handed to feed-rs is UTF-8 with a prolog that says so. feed-rs reads
//! RSS 0.9x/1.0/2.0, Atom and JSON Feed; this module maps its model onto ours and does not
//! clean anything.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use feed_rs::model::{Entry, Feed, Text};

use crate::clean::text::looks_like_html;
use crate::model::{Body, FeedMeta, RawItem};

#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("not a feed (no RSS, Atom or JSON Feed root found)")]
    NotAFeed,
    #[error("invalid feed: {0}")]
    Invalid(String),
}

/// The parsed content of one feed document.
#[derive(Debug, Default)]
pub struct ParsedFeed {
    pub meta: FeedMeta,
    pub items: Vec<RawItem>,
    /// RSS `<ttl>`: the publisher asks not to be polled more often than this.
    pub ttl: Option<std::time::Duration>,
}

/// Parses feed bytes. `http_charset` is the `charset` of the Content-Type header, if any;
/// `base` resolves relative links in XML feeds.
pub fn parse_feed(bytes: &[u8], http_charset: Option<&str>, base: Option<&str>) -> Result<ParsedFeed, ParseError> {
    let text = decode(bytes, http_charset);
    let syndication = syndication_period(&text);
    let text = utf8_prolog(&text);
    let text = rss_version(&text);
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base)
        // No generated ids: identity is decided by `dedup`, never a random UUID.
        .id_generator(|_, _, _| String::new())
        .build();
    let feed = parser.parse(text.as_bytes()).map_err(|e| match e {
        feed_rs::parser::ParseFeedError::ParseError(feed_rs::parser::ParseErrorKind::NoFeedRoot) => {
            ParseError::NotAFeed
        }
        other => ParseError::Invalid(other.to_string()),
    })?;
    let mut parsed = map_feed(feed);
    parsed.ttl = parsed.ttl.max(syndication);
    if text.contains("origLink") {
        let orig = orig_links(&text);
        // Matched by position: only when every item was found.
        if orig.len() == parsed.items.len() {
            for (item, o) in parsed.items.iter_mut().zip(orig) {
                item.orig_link = o;
            }
        }
    }
    Ok(parsed)
}

/// The `feedburner:origLink` of each `<item>`/`<entry>` in document order (feed-rs does not
/// read it): the real article URL behind a `feedproxy.google.com/~r/…` link.
pub fn orig_links(text: &str) -> Vec<Option<String>> {
    let mut starts: Vec<usize> = Vec::new();
    for tag in ["<item", "<entry"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(tag) {
            let at = from + i;
            let next = text.as_bytes().get(at + tag.len()).copied();
            if matches!(next, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r')) {
                starts.push(at);
            }
            from = at + tag.len();
        }
    }
    starts.sort_unstable();
    starts
        .iter()
        .enumerate()
        .map(|(k, &s)| {
            let end = starts.get(k + 1).copied().unwrap_or(text.len());
            let seg = &text[s..end];
            let open = seg.find(":origLink>")? + ":origLink>".len();
            let close = seg[open..].find('<')? + open;
            let url = seg[open..close].trim();
            (!url.is_empty()).then(|| html_escape::decode_html_entities(url).into_owned())
        })
        .collect()
}

/// The RSS syndication module's `sy:updatePeriod` / `sy:updateFrequency` (feed-rs does not
/// read them): the period divided by the frequency, from the channel head.
pub fn syndication_period(text: &str) -> Option<std::time::Duration> {
    let mut end = text.len().min(8192);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    let value = |tag: &str| {
        let open = format!("<sy:{tag}>");
        let start = head.find(&open)? + open.len();
        let end = head[start..].find('<')? + start;
        Some(head[start..end].trim().to_ascii_lowercase())
    };
    let period: u64 = match value("updatePeriod")?.as_str() {
        "hourly" => 3600,
        "daily" => 86_400,
        "weekly" => 7 * 86_400,
        "monthly" => 30 * 86_400,
        "yearly" => 365 * 86_400,
        _ => return None,
    };
    let frequency: u64 = value("updateFrequency").and_then(|f| f.parse().ok()).filter(|f| *f > 0).unwrap_or(1);
    Some(std::time::Duration::from_secs(period / frequency))
}

/// Decodes feed bytes to text: BOM, valid UTF-8, XML prolog, HTTP charset, windows-1252.
pub fn decode(bytes: &[u8], http_charset: Option<&str>) -> String {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return enc.decode_without_bom_handling(&bytes[bom_len..]).0.into_owned();
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let enc = prolog_encoding(bytes)
        .or_else(|| http_charset.and_then(|c| Encoding::for_label(c.trim().as_bytes())))
        .filter(|e| *e != UTF_8)
        .unwrap_or(WINDOWS_1252);
    enc.decode_without_bom_handling(bytes).0.into_owned()
}

/// The `encoding` pseudo-attribute of an XML prolog, if recognised.
fn prolog_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(200)];
    let head = String::from_utf8_lossy(head);
    let decl = head.trim_start().strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let value = attr_value(decl, "encoding")?;
    Encoding::for_label(value.as_bytes())
}

fn attr_value<'a>(decl: &'a str, name: &str) -> Option<&'a str> {
    let at = decl.find(name)?;
    let rest = decl[at + name.len()..].trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    Some(&rest[..rest.find(quote)?])
}

/// After decoding, the prolog must not send feed-rs back to the original charset.
fn utf8_prolog(text: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if let Some(decl_end) = trimmed.strip_prefix("<?xml").and_then(|d| d.find("?>")) {
        let decl = &trimmed[..5 + decl_end + 2];
        if decl.contains("encoding") {
            let rest = &trimmed[decl.len()..];
            return format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{rest}").into();
        }
        return trimmed.into();
    }
    std::borrow::Cow::Borrowed(trimmed)
}

/// feed-rs reads `<rss>` only with `version` 0.91, 0.92 or 2.0 and calls anything else "no
/// feed root". Feeds in the wild send `<rss>` without a version or `version="2.00"`: they are
/// read as RSS 2.0.
fn rss_version<'a>(text: &'a std::borrow::Cow<'a, str>) -> std::borrow::Cow<'a, str> {
    const KNOWN: &[&str] = &["\"0.91\"", "\"0.92\"", "\"2.0\"", "'0.91'", "'0.92'", "'2.0'"];
    // The root start tag: the first `<rss` followed by whitespace or `>`, in the head.
    let head_end = text.len().min(4096);
    let Some(start) = text
        .char_indices()
        .take_while(|(i, _)| *i < head_end)
        .filter(|(_, c)| *c == '<')
        .map(|(i, _)| i)
        .find(|i| text[*i..].starts_with("<rss") && text[*i + 4..].starts_with([' ', '\t', '\n', '\r', '>']))
    else {
        return std::borrow::Cow::Borrowed(text.as_ref());
    };
    let Some(end) = text[start..].find('>').map(|e| start + e) else {
        return std::borrow::Cow::Borrowed(text.as_ref());
    };
    let tag = &text[start..end];
    if let Some(v) = tag.find("version") {
        let value = tag[v + 7..].trim_start().strip_prefix('=').map(str::trim_start).unwrap_or("");
        if KNOWN.iter().any(|k| value.starts_with(k)) {
            return std::borrow::Cow::Borrowed(text.as_ref());
        }
        // an unknown version: replace its value
        let q = value.chars().next().filter(|c| *c == '"' || *c == '\'');
        if let Some(q) = q {
            // `value` ends where the tag ends: just after its opening quote is here
            let abs = start + (tag.len() - value.len()) + 1;
            if let Some(close) = text[abs..end].find(q) {
                return format!("{}2.0{}", &text[..abs], &text[abs + close..]).into();
            }
        }
        return std::borrow::Cow::Borrowed(text.as_ref());
    }
    format!("{} version=\"2.0\"{}", &text[..start + 4], &text[start + 4..]).into()
}

fn map_feed(feed: Feed) -> ParsedFeed {
    let meta = FeedMeta {
        title: feed.title.map(|t| plain(&t)),
        site_link: feed.links.iter().find(|l| l.rel.as_deref() != Some("self")).map(|l| l.href.clone()),
        description: feed.description.map(|t| plain(&t)),
    };
    let ttl = feed.ttl.filter(|m| *m > 0).map(|m| std::time::Duration::from_secs(u64::from(m) * 60));
    ParsedFeed { meta, items: feed.entries.into_iter().map(map_entry).collect(), ttl }
}

fn map_entry(e: Entry) -> RawItem {
    let link = e
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| e.links.first())
        .map(|l| l.href.clone());
    let content = e.content.as_ref().and_then(|c| {
        let body = c.body.clone()?;
        let html = c.content_type.subty().as_str().contains("html") || looks_like_html(&body);
        Some(if html { Body::Html(body) } else { Body::Text(body) })
    });
    let body = content.filter(|b| !matches!(b, Body::Html(s) | Body::Text(s) if s.trim().is_empty())).or_else(|| {
        let s = e.summary.as_ref()?;
        if s.content.trim().is_empty() {
            return None;
        }
        let html = s.content_type.subty().as_str().contains("html") && looks_like_html(&s.content);
        Some(if html || looks_like_html(&s.content) {
            Body::Html(s.content.clone())
        } else {
            Body::Text(s.content.clone())
        })
    });
    RawItem {
        guid: Some(e.id).filter(|g| !g.trim().is_empty()),
        title: e.title.map(|t| plain(&t)).filter(|t| !t.is_empty()),
        link,
        orig_link: None,
        body,
        authors: e.authors.into_iter().map(|p| p.name).filter(|n| !n.trim().is_empty()).collect(),
        categories: e
            .categories
            .into_iter()
            .map(|c| c.label.unwrap_or(c.term))
            .filter(|c| !c.trim().is_empty())
            .collect(),
        published: e.published,
        updated: e.updated,
    }
}

/// A title or description as plain text: HTML titles lose their tags, entities are decoded.
fn plain(t: &Text) -> String {
    let s = t.content.trim();
    let s = if t.content_type.subty().as_str().contains("html") || looks_like_html(s) {
        crate::clean::text::html_to_text(s).replace('\n', " ")
    } else {
        s.to_string()
    };
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_order() {
        // BOM wins over everything.
        assert_eq!(decode(b"\xEF\xBB\xBFa\xC3\xA4", Some("latin1")), "aä");
        // Valid UTF-8 wins over a lying prolog.
        assert_eq!(
            decode("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>ä".as_bytes(), None).chars().last(),
            Some('ä')
        );
        // Prolog, when the bytes are not UTF-8.
        assert!(decode(b"<?xml version='1.0' encoding='iso-8859-15'?>\xA4", None).ends_with('€'));
        // HTTP charset next, windows-1252 last.
        assert!(decode(b"<rss>\xC4</rss>", Some("koi8-r")).contains('д'));
        assert!(decode(b"<rss>\x80\xE4</rss>", None).contains("€ä"));
    }

    /// RELIABILITY rows 13 and 14: entity definitions in a DOCTYPE are never expanded, and an
    /// external entity is never read.
    #[test]
    fn doctype_entities_are_not_expanded_and_external_ones_not_read() {
        let mut doc = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n");
        let mut prev = "lol".to_string();
        for level in 2..=9 {
            doc.push_str(&format!("<!ENTITY lol{level} \"{}\">\n", format!("&{prev};").repeat(10)));
            prev = format!("lol{level}");
        }
        doc.push_str("<!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n<rss version=\"2.0\"><channel><title>T &lol9;</title><link>https://a.example/</link><description>d</description><item><title>A &xxe; B</title><description>x &lol9; y</description></item></channel></rss>");
        let f = parse_feed(doc.as_bytes(), None, None).expect("parses");
        let item = &f.items[0];
        assert!(!item.title.as_deref().unwrap_or("").contains("root:"), "{:?}", item.title);
        let body = match &item.body {
            Some(Body::Html(s) | Body::Text(s)) => s.clone(),
            None => String::new(),
        };
        assert!(body.len() < 100, "no expansion: {} bytes", body.len());
    }

    #[test]
    fn rss_without_a_known_version_is_read_as_rss_2() {
        let doc = |root: &str| {
            format!("<?xml version=\"1.0\"?>{root}<channel><title>T</title><link>https://a.example/</link><description>d</description><item><title>One</title></item></channel></rss>")
        };
        for root in [
            "<rss>",
            "<rss version=\"2.00\">",
            "<rss version='3'>",
            "<rss\n  xmlns:dc=\"x\">",
            "<rss version=\"0.91\">",
        ] {
            let f = parse_feed(doc(root).as_bytes(), None, None).unwrap_or_else(|e| panic!("{root}: {e}"));
            assert_eq!(f.items.len(), 1, "{root}");
        }
        // not RSS at all stays not a feed
        assert!(matches!(parse_feed(b"<html><body>rss</body></html>", None, None), Err(ParseError::NotAFeed)));
    }

    #[test]
    fn prolog_is_rewritten_to_utf8() {
        assert_eq!(
            utf8_prolog("<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss/>"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss/>"
        );
        assert_eq!(utf8_prolog("<rss/>"), "<rss/>");
    }

    #[test]
    fn ttl_and_syndication_period_are_read() {
        let f = parse_feed(b"<rss version=\"2.0\"><channel><title>t</title><ttl>90</ttl></channel></rss>", None, None)
            .unwrap();
        assert_eq!(f.ttl, Some(std::time::Duration::from_secs(5400)));
        let sy = "<rss version=\"2.0\" xmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\"><channel><title>t</title><sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency></channel></rss>";
        assert_eq!(parse_feed(sy.as_bytes(), None, None).unwrap().ttl, Some(std::time::Duration::from_secs(1800)));
        assert_eq!(
            syndication_period("<sy:updatePeriod>daily</sy:updatePeriod>"),
            Some(std::time::Duration::from_secs(86400))
        );
        assert_eq!(syndication_period("<sy:updatePeriod>sometimes</sy:updatePeriod>"), None);
    }

    /// Regression: slicing the channel head at byte 8192 panicked when that byte fell inside
    /// a multi-byte character ("not a char boundary; it is inside 'ü'"), failing the feed.
    #[test]
    fn syndication_scan_cuts_at_a_char_boundary() {
        for pad in 8185..8195 {
            let text = format!("{}{}", "a".repeat(pad), "ü".repeat(10));
            assert_eq!(syndication_period(&text), None);
        }
    }

    #[test]
    fn html_is_not_a_feed() {
        assert!(matches!(parse_feed(b"<html><body>Not found</body></html>", None, None), Err(ParseError::NotAFeed)));
        assert!(parse_feed(b"", None, None).is_err());
    }

    #[test]
    fn rss_without_ids_gets_no_generated_guid() {
        let f = parse_feed(b"<rss version=\"2.0\"><channel><title>t</title><item><title>a</title><description>x</description></item></channel></rss>", None, None).unwrap();
        assert_eq!(f.items.len(), 1);
        assert_eq!(f.items[0].guid, None);
        assert_eq!(f.items[0].body, Some(Body::Text("x".into())));
    }
}
