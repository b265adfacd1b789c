//! Bytes of a feed → `FeedMeta` and `RawItem`s. Pure.
//!
//! The bytes are decoded by `charset::decode_feed` (in the order real feeds need: they lie
//! about their charset); the text handed to feed-rs is UTF-8 with a prolog that says so, after
//! the repairs of `repair` that let feed-rs read what feeds in the wild send. feed-rs reads RSS
//! 0.9x/1.0/2.0, Atom and JSON Feed; this module maps its model onto ours and does not clean
//! anything.

mod repair;

use std::sync::OnceLock;

use encoding_rs::WINDOWS_1252;
use feed_rs::model::{Entry, Feed, Text};
use regex::Regex;

use crate::clean::text::looks_like_html;
use crate::model::{Body, FeedMeta, RawItem};
use repair::{
    atom03, atom_src_with_body_mended, atom_types_mended, bare_ampersands_escaped, feed_inside_html,
    json_authors_mended, rdf_namespace, rss1_item_links, rss1_items_out_of_channel, rss_default_namespace, rss_version,
    utf8_prolog, whole_items_closed, xhtml_as_html, NO_LINK,
};

#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("not a feed (no RSS, Atom or JSON Feed root found)")]
    NotAFeed,
    #[error("invalid feed: {0}")]
    Invalid(String),
    /// The document has item elements, and none of them could be read: a dialect the parser
    /// does not know. Never an "ok" with nothing stored.
    #[error("the document has {0} <item>/<entry> elements, but none could be read as items (an RSS or Atom dialect feedscrub does not know)")]
    ItemsUnread(usize),
}

/// The parsed content of one feed document.
#[derive(Debug, Default)]
pub struct ParsedFeed {
    pub meta: FeedMeta,
    pub items: Vec<RawItem>,
    /// RSS `<ttl>`: the publisher asks not to be polled more often than this.
    pub ttl: Option<std::time::Duration>,
    /// The document was not well-formed after its last whole item (cut off, or broken after
    /// it), and the items before that point were read: why, for the log.
    pub salvaged: Option<String>,
}

/// Parses feed bytes. `http_charset` is the `charset` of the Content-Type header, if any;
/// `base` resolves relative links in XML feeds.
pub fn parse_feed(bytes: &[u8], http_charset: Option<&str>, base: Option<&str>) -> Result<ParsedFeed, ParseError> {
    let text = crate::charset::decode_feed(bytes, http_charset);
    let syndication = syndication_period(&text);
    let text = utf8_prolog(&text);
    let text = rss_version(&text);
    let text = atom03(&text);
    let text = rss_default_namespace(&text);
    let text = rdf_namespace(&text);
    let text = rss1_items_out_of_channel(&text);
    let text = rss1_item_links(&text);
    let text = xhtml_as_html(&text);
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base)
        // No generated ids: identity is decided by `dedup`, never a random UUID.
        .id_generator(|_, _, _| String::new())
        .build();
    // When feed-rs refuses a document, the ways feeds in the wild break it are mended, one
    // after the other, each on top of the last, and the document is read again after each; the
    // first error stands if none helps. XML: a feed saved inside an HTML page taken out of it;
    // a bare `&` ("AT&T", "?a=1&b=2"), the commonest way a feed is not XML, escaped; then Atom
    // `type`s feed-rs refuses for the whole feed ("text/plain", "HTML"); then Atom content with
    // a `src` and a body, which the spec says must be empty (the body stays). JSON: an author
    // given as a bare string (what many site templates write) made the object JSON Feed asks
    // for.
    let read = |text: &str| {
        let first = match parser.parse(text.as_bytes()) {
            Ok(feed) => return Ok(feed),
            Err(e) => e,
        };
        let menders: &[fn(&str) -> Option<String>] = if text.trim_start().starts_with('{') {
            &[json_authors_mended]
        } else {
            &[feed_inside_html, bare_ampersands_escaped, atom_types_mended, atom_src_with_body_mended]
        };
        let mut current: Option<String> = None;
        for mend in menders {
            if let Some(fixed) = mend(current.as_deref().unwrap_or(text)) {
                if let Ok(feed) = parser.parse(fixed.as_bytes()) {
                    return Ok(feed);
                }
                current = Some(fixed);
            }
        }
        Err(first)
    };
    let mut salvaged = None;
    let feed = match read(&text) {
        Ok(feed) => Ok(feed),
        // A document cut off in transit or by its generator (or broken after its last whole
        // item) keeps the items that arrived whole, as feed readers keep them: it is cut after
        // its last complete `</item>`/`</entry>` and the elements still open are closed. The
        // first error stands when that reads no item.
        Err(first) => match whole_items_closed(&text).map(|fixed| read(&fixed)) {
            Some(Ok(feed)) if !feed.entries.is_empty() => {
                salvaged = Some(format!("{first}; read the {} items before that", feed.entries.len()));
                Ok(feed)
            }
            _ => Err(first),
        },
    }
    .map_err(|e| match e {
        feed_rs::parser::ParseFeedError::ParseError(feed_rs::parser::ParseErrorKind::NoFeedRoot) => {
            ParseError::NotAFeed
        }
        other => ParseError::Invalid(other.to_string()),
    })?;
    let mut parsed = map_feed(feed);
    if parsed.items.is_empty() {
        let listed = item_elements(&text);
        if listed > 0 {
            return Err(ParseError::ItemsUnread(listed));
        }
    }
    parsed.ttl = parsed.ttl.max(syndication);
    parsed.salvaged = salvaged;
    if text.contains("origLink") {
        let orig = orig_links(&text);
        // Matched by position: when every item was found, or when a salvaged read kept the
        // first ones whole (the cut item may have its origLink before the cut).
        let prefix = parsed.salvaged.is_some() && orig.len() > parsed.items.len();
        if orig.len() == parsed.items.len() || prefix {
            for (item, o) in parsed.items.iter_mut().zip(orig) {
                item.orig_link = o;
            }
        }
    }
    Ok(parsed)
}

/// How many `<item>` or `<entry>` elements (any prefix) the XML text has.
fn item_elements(text: &str) -> usize {
    static ITEM: OnceLock<Regex> = OnceLock::new();
    ITEM.get_or_init(|| Regex::new(r"<(?:[A-Za-z][\w.-]*:)?(?:item|entry)[\s/>]").expect("item regex"))
        .find_iter(text)
        .count()
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

/// The first `bytes` bytes of `text` (fewer, to end on a character): where a document's root
/// and namespaces are declared.
fn head(text: &str, bytes: usize) -> &str {
    let mut end = text.len().min(bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The RSS syndication module's `sy:updatePeriod` / `sy:updateFrequency` (feed-rs does not
/// read them): the period divided by the frequency, from the channel head.
pub fn syndication_period(text: &str) -> Option<std::time::Duration> {
    let head = head(text, 8192);
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

fn map_feed(feed: Feed) -> ParsedFeed {
    let meta = FeedMeta {
        title: feed.title.map(|t| plain(&t)),
        site_link: feed.links.iter().find(|l| l.rel.as_deref() != Some("self")).map(|l| l.href.clone()),
        description: feed.description.map(|t| plain(&t)),
    };
    let ttl = feed.ttl.filter(|m| *m > 0).map(|m| std::time::Duration::from_secs(u64::from(m) * 60));
    ParsedFeed { meta, items: feed.entries.into_iter().map(map_entry).collect(), ttl, salvaged: None }
}

/// A summary or description as a body: HTML when it has tags, else plain text. `None` when
/// it is blank.
fn text_body(s: &Text) -> Option<Body> {
    if s.content.trim().is_empty() {
        return None;
    }
    Some(body_of(&s.content, s.content_type.subty().as_str().contains("html")))
}

/// A body declared HTML (`html`) or not: HTML when it has tags. HTML without a tag (an RSS
/// description or a `content:encoded` is HTML by the spec, and podcast feeds fill them with
/// plain text in blank-line paragraphs) is kept as plain text, so its paragraphs survive, but
/// its character references are HTML's.
fn body_of(s: &str, html: bool) -> Body {
    if looks_like_html(s) {
        Body::Html(s.to_owned())
    } else if html {
        Body::Text(decode_char_refs(s).into_owned())
    } else {
        Body::Text(s.to_owned())
    }
}

fn map_entry(e: Entry) -> RawItem {
    let link = e
        .links
        .iter()
        .filter(|l| l.href != NO_LINK)
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| e.links.iter().find(|l| l.href != NO_LINK))
        .map(|l| l.href.clone());
    let content = e.content.as_ref().and_then(|c| {
        let body = c.body.as_deref()?;
        Some(body_of(body, c.content_type.subty().as_str().contains("html")))
    });
    // The richest body: the content, else the summary (RSS description), else the media
    // description (a podcast's `itunes:summary`, a video's `media:description`), which is all
    // some podcast and video feeds give.
    let body = content
        .filter(|b| !matches!(b, Body::Html(s) | Body::Text(s) if s.trim().is_empty()))
        .or_else(|| e.summary.as_ref().and_then(text_body))
        .or_else(|| e.media.iter().find_map(|m| m.description.as_ref().and_then(text_body)));
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

/// The character references of HTML text decoded as a browser decodes them: named ones from
/// HTML's table (`&amp;`, `&eacute;`), numeric ones with HTML's exceptions (`&#146;` is
/// windows-1252's ’, not the control U+0092; 0, surrogates and numbers past U+10FFFF are
/// U+FFFD). Only references closed by `;` count, so a bare `&` and the `&region=eu` of a URL
/// stay as written (a browser would read `&reg` there). An unknown name stays as written.
fn decode_char_refs(s: &str) -> std::borrow::Cow<'_, str> {
    static REF: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    let rx = REF.get_or_init(|| {
        regex::Regex::new(r"&(?:#([0-9]+)|#[xX]([0-9A-Fa-f]+)|[A-Za-z][A-Za-z0-9]{0,31});").expect("reference regex")
    });
    rx.replace_all(s, |c: &regex::Captures<'_>| {
        let number = match (c.get(1), c.get(2)) {
            (Some(dec), _) => Some(dec.as_str().parse::<u32>().unwrap_or(u32::MAX)),
            (_, Some(hex)) => Some(u32::from_str_radix(hex.as_str(), 16).unwrap_or(u32::MAX)),
            _ => None,
        };
        match number {
            Some(n) => numeric_reference(n).to_string(),
            None => html_escape::decode_html_entities(&c[0]).into_owned(),
        }
    })
}

/// The character HTML gives a numeric character reference (the HTML standard's "numeric
/// character reference end state"): 0x80-0x9F are windows-1252's characters (its five unused
/// bytes stay the C1 controls), 0, surrogates and numbers past U+10FFFF are U+FFFD.
fn numeric_reference(n: u32) -> char {
    match n {
        0 => char::REPLACEMENT_CHARACTER,
        0x80..=0x9F => {
            let byte = [n as u8];
            WINDOWS_1252.decode_without_bom_handling(&byte).0.chars().next().unwrap_or(char::REPLACEMENT_CHARACTER)
        }
        _ => char::from_u32(n).unwrap_or(char::REPLACEMENT_CHARACTER),
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
    crate::clean::text::squash(&s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charset::{decode_feed as decode, decode_utf32};
    use encoding_rs::Encoding;

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

    /// Regression: RSS 0.90 (heise.de's RDF feed) and RSS 1.0 without the namespace's closing
    /// slash parsed as feeds with no items, so `fetch` said "ok" and stored nothing.
    #[test]
    fn rss_090_and_slashless_rss_10_items_are_read() {
        let doc = r#"<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/">
  <channel><title>heise online News</title><link>http://www.heise.de/newsticker/</link>
    <description>Nachrichten</description></channel>
  <item><title>Erste Meldung</title><link>http://www.heise.de/newsticker/meldung/1.html</link>
    <description>Die erste Meldung des Tages.</description></item>
  <item><title>Zweite Meldung</title><link>http://www.heise.de/newsticker/meldung/2.html</link></item>
</rdf:RDF>"#;
        let f = parse_feed(doc.as_bytes(), None, None).unwrap();
        assert_eq!(f.meta.title.as_deref(), Some("heise online News"));
        let titles: Vec<_> = f.items.iter().map(|i| i.title.as_deref().unwrap_or("")).collect();
        assert_eq!(titles, ["Erste Meldung", "Zweite Meldung"]);
        assert_eq!(f.items[0].link.as_deref(), Some("http://www.heise.de/newsticker/meldung/1.html"));
        // RSS 1.0 declared without the namespace's closing slash is read too
        let slashless = doc.replace("http://my.netscape.com/rdf/simple/0.9/", "http://purl.org/rss/1.0");
        assert_eq!(parse_feed(slashless.as_bytes(), None, None).unwrap().items.len(), 2);
        // and RSS 0.90 under its other Netscape namespace
        let channel =
            doc.replace("http://my.netscape.com/rdf/simple/0.9/", "http://channel.netscape.com/rdf/simple/0.9/");
        assert_eq!(parse_feed(channel.as_bytes(), None, None).unwrap().items.len(), 2);
        // a dialect nobody reads is an error naming what was not read, not an empty "ok"
        let unknown = doc.replace("http://my.netscape.com/rdf/simple/0.9/", "http://example.org/rss/0.1/");
        let e = parse_feed(unknown.as_bytes(), None, None).unwrap_err();
        assert_eq!(e.to_string(), ParseError::ItemsUnread(2).to_string());
    }

    /// RSS 1.0 items without a `<link>` were dropped without a word: they are read, with their
    /// `rdf:about` as the link, or without a link when they have none; `<items>` is no item.
    #[test]
    fn rss_10_items_without_a_link_are_read() {
        let doc = r#"<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
  <channel rdf:about="http://e.example/"><title>T</title><link>http://e.example/</link>
    <items><rdf:Seq><rdf:li rdf:resource="http://e.example/1"/></rdf:Seq></items></channel>
  <item rdf:about="http://e.example/1"><title>linked</title><link>http://e.example/one</link></item>
  <item rdf:about='http://e.example/2'><title>about only</title><description>two</description></item>
  <item><title>nothing</title><description>three</description></item>
</rdf:RDF>"#;
        let f = parse_feed(doc.as_bytes(), None, None).unwrap();
        let got: Vec<_> = f.items.iter().map(|i| (i.title.as_deref().unwrap_or(""), i.link.as_deref())).collect();
        assert_eq!(
            got,
            [("linked", Some("http://e.example/one")), ("about only", Some("http://e.example/2")), ("nothing", None)]
        );
    }

    /// RSS 2.0 under UserLand's default namespace (Yandex's news format) was read as a feed with
    /// no items; the declaration is dropped, also when a comment before the root names `<rss>`.
    #[test]
    fn rss_under_a_default_namespace_is_read() {
        let doc = r#"<!-- the <rss> root --><?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns="http://backend.userland.com/rss2" xmlns:yandex="http://news.yandex.ru">
<channel><title>Новости</title><link>https://n.example/</link><description>d</description>
<item><title>Первая</title><link>https://n.example/1</link><yandex:full-text>Текст</yandex:full-text></item>
</channel></rss>"#;
        let f = parse_feed(doc.as_bytes(), None, None).unwrap();
        assert_eq!(f.meta.title.as_deref(), Some("Новости"));
        assert_eq!(f.items.len(), 1);
        assert_eq!(f.items[0].link.as_deref(), Some("https://n.example/1"));
    }

    /// Regression: Atom 0.3 feeds (Blogger, Movable Type until 2007) parsed as a feed with no
    /// entries, so `fetch` said "ok" and stored nothing.
    #[test]
    fn atom_0_3_is_read_as_atom() {
        let doc = r#"<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#" xml:lang="en">
  <title mode="escaped" type="text/html">A blog</title>
  <tagline>notes</tagline>
  <link rel="alternate" type="text/html" href="https://blog.example/"/>
  <modified>2006-05-24T18:21:55Z</modified>
  <entry>
    <title>First</title>
    <link rel="alternate" type="text/html" href="https://blog.example/2006/05/first.html"/>
    <id>tag:blog.example,2006:1</id>
    <issued>2006-05-24T18:12:00Z</issued>
    <modified>2006-05-24T18:21:55Z</modified>
    <content type="text/html" mode="escaped" xml:base="https://blog.example/">&lt;p&gt;Escaped &lt;b&gt;HTML&lt;/b&gt; body.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Second</title>
    <id>tag:blog.example,2006:2</id>
    <issued>2006-05-23T10:00:00Z</issued>
    <content type="application/xhtml+xml" xml:space="preserve"><div xmlns="http://www.w3.org/1999/xhtml"><p>Inline <i>XHTML</i> body.</p></div></content>
  </entry>
</feed>"#;
        let f = parse_feed(doc.as_bytes(), None, None).unwrap();
        assert_eq!(f.items.len(), 2);
        assert_eq!(f.meta.title.as_deref(), Some("A blog"));
        let first = &f.items[0];
        assert_eq!(first.published.map(|d| d.to_rfc3339()).as_deref(), Some("2006-05-24T18:12:00+00:00"));
        assert_eq!(first.updated.map(|d| d.to_rfc3339()).as_deref(), Some("2006-05-24T18:21:55+00:00"));
        let body = |i: usize| match f.items[i].body.as_ref() {
            Some(Body::Html(h)) => h.clone(),
            other => panic!("item {i}: {other:?}"),
        };
        assert!(body(0).contains("<b>HTML</b>"), "{}", body(0));
        assert!(body(1).contains("<i>XHTML</i>"), "{}", body(1));
    }

    /// A short RSS feed whose channel title and item text are `text`, with `prolog` before it.
    fn feed_with(prolog: &str, text: &str) -> String {
        format!("{prolog}<rss version=\"2.0\"><channel><title>{text}</title><link>https://a.example/</link><description>d</description><item><title>{text}</title><description>{text}</description></item></channel></rss>")
    }

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        text.encode_utf16().flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() }).collect()
    }

    fn utf32(text: &str, big_endian: bool) -> Vec<u8> {
        text.chars()
            .flat_map(|c| if big_endian { u32::from(c).to_be_bytes() } else { u32::from(c).to_le_bytes() })
            .collect()
    }

    fn titles(bytes: &[u8], http_charset: Option<&str>) -> (Option<String>, Option<String>) {
        let f = parse_feed(bytes, http_charset, None).unwrap_or_else(|e| panic!("{e}"));
        (f.meta.title, f.items.first().and_then(|i| i.title.clone()))
    }

    /// RELIABILITY row 19: UTF-16 without a BOM is recognised by its NULs (XML 1.0 Appendix F)
    /// before the UTF-8 check, with or without a prolog, ASCII-only or not, whatever the
    /// prolog's label (`u16`, `utf_16` are no encoding_rs labels).
    #[test]
    fn utf16_without_bom_is_detected() {
        let want = Some("Grüße 中文".to_string());
        for big_endian in [false, true] {
            for prolog in ["<?xml version=\"1.0\" encoding=\"utf-16\"?>", "<?xml version='1.0' encoding='u16'?>", ""] {
                let bytes = utf16(&feed_with(prolog, "Grüße 中文"), big_endian);
                assert_eq!(titles(&bytes, None), (want.clone(), want.clone()), "{prolog:?} BE={big_endian}");
                // a wrong HTTP charset does not beat the bytes
                assert_eq!(titles(&bytes, Some("iso-8859-1")).0, want, "{prolog:?} BE={big_endian}");
            }
            // ASCII only: valid UTF-8 as it stands (NULs are legal UTF-8)
            let ascii = utf16(&feed_with("<?xml version=\"1.0\"?>", "Plain"), big_endian);
            assert!(std::str::from_utf8(&ascii).is_ok());
            assert_eq!(titles(&ascii, None).0.as_deref(), Some("Plain"), "BE={big_endian}");
        }
        // with a BOM, as before
        let mut bom = vec![0xFF, 0xFE];
        bom.extend(utf16(&feed_with("", "Grüße"), false));
        assert_eq!(titles(&bom, None).0.as_deref(), Some("Grüße"));
    }

    /// RELIABILITY row 19: UTF-32 (which encoding_rs lacks) with and without a BOM; the
    /// UTF-32LE BOM `FF FE 00 00` is not taken for the UTF-16LE one.
    #[test]
    fn utf32_with_and_without_bom() {
        let text = feed_with("<?xml version=\"1.0\" encoding=\"utf-32\"?>", "Grüße 中文 🎉");
        let want = Some("Grüße 中文 🎉".to_string());
        for big_endian in [false, true] {
            let plain = utf32(&text, big_endian);
            assert_eq!(titles(&plain, None), (want.clone(), want.clone()), "no BOM, BE={big_endian}");
            let mut with_bom = utf32("\u{FEFF}", big_endian);
            with_bom.extend(&plain);
            assert_eq!(titles(&with_bom, Some("utf-8")), (want.clone(), want.clone()), "BOM, BE={big_endian}");
        }
        assert_eq!(decode(&[0xFF, 0xFE, 0, 0, b'a', 0, 0, 0], None), "a", "UTF-32LE BOM, not UTF-16LE + U+0000");
    }

    /// Bad UTF-32: no panic, U+FFFD for units that are no character and for a cut-off end.
    #[test]
    fn utf32_bad_units_become_replacement_characters() {
        // a surrogate, a number past U+10FFFF, then two bytes of a cut-off unit
        let bytes = [0, 0, 0, b'<', 0, 0, 0xD8, 0x00, 0x00, 0x11, 0x00, 0x00, 0, 0, 0, b'a', 0, 0];
        assert_eq!(decode(&bytes, None), "<\u{FFFD}\u{FFFD}a\u{FFFD}");
        assert_eq!(decode_utf32(&[], true), "");
        for short in [&[0xFF, 0xFE, 0, 0][..], &[0, 0, 0xFE, 0xFF], &[0, 0, 0], &[0], &[b'<', 0], &[0xFF, 0xFE, 0]] {
            let _ = decode(short, None); // must not panic
            assert!(parse_feed(short, None, None).is_err());
        }
    }

    /// A prolog's claim of UTF-8 over bytes that are not UTF-8 is passed over for the HTTP
    /// charset (the documented order), and so are labels that cannot fit bytes that got that
    /// far: UTF-16 over ASCII-compatible bytes, and encoding_rs's "replacement".
    #[test]
    fn impossible_labels_are_passed_over() {
        let lying = b"<?xml version='1.0' encoding='utf-8'?><rss>\xC4</rss>";
        assert!(decode(lying, Some("koi8-r")).contains("<rss>д</rss>"));
        assert!(decode(lying, None).contains("<rss>Ä</rss>"), "windows-1252 last");
        // bytes that are mostly UTF-8 are UTF-8, whatever a label says: a stray legacy byte
        // (a quote pasted from a word processor) reads as windows-1252, not the whole feed
        let mixed = b"<?xml version='1.0' encoding='iso-8859-1'?><rss>Gr\xC3\xBC\xC3\x9Fe, \xC3\xA4 \x93x\x94</rss>";
        assert_eq!(
            decode(mixed, Some("koi8-r")),
            "<?xml version='1.0' encoding='iso-8859-1'?><rss>Grüße, ä \u{201C}x\u{201D}</rss>"
        );
        // a legacy document is not (more stray bytes than UTF-8 characters): its label decides
        let legacy = b"<?xml version='1.0' encoding='koi8-r'?><rss>\xC4\xD2\xD5\xC7 \xC3\xA4</rss>";
        assert_eq!(decode(legacy, None), "<?xml version='1.0' encoding='koi8-r'?><rss>друг ц╓</rss>");
        // without a label, windows-1252, but what is UTF-8 among the bytes reads as UTF-8
        let unlabelled = b"<rss>\xC4rger \xFCber Gr\xFC\xDFe, Caf\xC3\xA9 \xA1\xB0</rss>";
        assert_eq!(decode(unlabelled, None), "<rss>Ärger über Grüße, Café ¡°</rss>");
        let utf16_label = b"<?xml version='1.0' encoding='utf-16'?><rss>\xC4</rss>";
        assert!(decode(utf16_label, Some("koi8-r")).contains("<rss>д</rss>"));
        assert!(decode(b"<rss>\xC4</rss>", Some("utf-16")).contains("<rss>Ä</rss>"));
        assert!(decode(b"<?xml version='1.0' encoding='iso-2022-kr'?><rss>\xC4</rss>", None).contains("<rss>Ä</rss>"));
        // a quoted HTTP charset still names its encoding
        let (bytes, _, _) = encoding_rs::GBK.encode("<rss><channel><title>中文報導</title></channel></rss>");
        assert!(decode(&bytes, Some("'gb2312'")).contains("中文報導"));
    }

    /// RELIABILITY row 19: no prolog encoding with an HTTP ISO-8859-1; KOI8-R and Shift_JIS from
    /// the prolog; a UTF-8 BOM.
    #[test]
    fn legacy_encodings_from_the_http_charset_and_the_prolog() {
        let encode = |enc: &'static Encoding, text: String| enc.encode(&text).0.into_owned();
        let latin1 = encode(WINDOWS_1252, feed_with("<?xml version=\"1.0\"?>", "Grüße"));
        assert_eq!(titles(&latin1, Some("ISO-8859-1")).0.as_deref(), Some("Grüße"));
        let koi8 = encode(encoding_rs::KOI8_R, feed_with("<?xml version=\"1.0\" encoding=\"KOI8-R\"?>", "Новости"));
        assert_eq!(titles(&koi8, None).0.as_deref(), Some("Новости"));
        let sjis = encode(
            encoding_rs::SHIFT_JIS,
            feed_with("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>", "日本語のニュース"),
        );
        assert_eq!(titles(&sjis, None).0.as_deref(), Some("日本語のニュース"));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend(feed_with("<?xml version=\"1.0\" encoding=\"windows-1252\"?>", "Grüße").as_bytes());
        assert_eq!(titles(&bom, Some("koi8-r")).0.as_deref(), Some("Grüße"));
    }

    fn summary_body(description: &str) -> Option<Body> {
        let doc = format!("<rss version=\"2.0\"><channel><title>t</title><item><title>a</title><description>{description}</description></item></channel></rss>");
        parse_feed(doc.as_bytes(), None, None).expect("parses").items.remove(0).body
    }

    /// An RSS description is HTML by the spec: without a tag it stays plain text (its line
    /// breaks kept), but its character references are read as HTML reads them (feedparser's
    /// demoronize-3: `&#146;` is windows-1252's ’).
    #[test]
    fn character_references_in_a_tagless_description_are_decoded() {
        assert_eq!(summary_body("don&amp;#146;t"), Some(Body::Text("don’t".into())));
        assert_eq!(
            summary_body("don&amp;#x2019;t &amp;amp; &amp;eacute;t&amp;eacute;"),
            Some(Body::Text("don’t & été".into()))
        );
        assert_eq!(summary_body("a &amp;lt;b&amp;gt; tag, shown"), Some(Body::Text("a <b> tag, shown".into())));
        assert_eq!(summary_body("Eins.\n\nZwei &amp;amp; drei"), Some(Body::Text("Eins.\n\nZwei & drei".into())));
        // what is no reference stays as written: bare `&`, unknown names, `&reg` without `;`
        assert_eq!(
            summary_body("AT&amp;T, https://a.example/?id=1&amp;region=eu &amp;bogus; &amp;#;"),
            Some(Body::Text("AT&T, https://a.example/?id=1&region=eu &bogus; &#;".into()))
        );
        // 0, surrogates and huge numbers are U+FFFD (never a panic)
        assert_eq!(
            summary_body("&amp;#0;&amp;#xD800;&amp;#99999999999;"),
            Some(Body::Text("\u{FFFD}\u{FFFD}\u{FFFD}".into()))
        );
        // with a tag it is HTML, as before
        assert_eq!(summary_body("&lt;p&gt;x&lt;/p&gt;"), Some(Body::Html("<p>x</p>".into())));
    }

    /// A podcast item whose only text is its `itunes:summary` has it as its body; a
    /// description, when there is one, comes first.
    #[test]
    fn a_podcast_summary_is_the_body_when_nothing_else_is() {
        let feed = |item: &str| {
            format!("<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel><title>t</title><item><title>a</title>{item}</item></channel></rss>")
        };
        let only =
            feed("<itunes:summary>Die Gene liefern den Bauplan.\n\nFür Fragen: http://p.example/</itunes:summary>");
        let f = parse_feed(only.as_bytes(), None, None).expect("parses");
        assert_eq!(
            f.items[0].body,
            Some(Body::Text("Die Gene liefern den Bauplan.\n\nFür Fragen: http://p.example/".into()))
        );
        let both = feed("<description>&lt;p&gt;Notes&lt;/p&gt;</description><itunes:summary>Short</itunes:summary>");
        let f = parse_feed(both.as_bytes(), None, None).expect("parses");
        assert_eq!(f.items[0].body, Some(Body::Html("<p>Notes</p>".into())));
        let blank = feed("<description> </description><itunes:summary> </itunes:summary>");
        assert_eq!(parse_feed(blank.as_bytes(), None, None).expect("parses").items[0].body, None);
    }

    /// `content:encoded` without a tag (a podcast's show notes in blank-line paragraphs) is
    /// plain text, as such a description is: its paragraphs must not run into one, and its
    /// character references are HTML's. With a tag it stays HTML.
    #[test]
    fn tagless_encoded_content_keeps_its_paragraphs() {
        let feed = |body: &str| {
            format!("<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>t</title><item><title>a</title><content:encoded>{body}</content:encoded></item></channel></rss>")
        };
        let text = feed("From Episode 12.\n\nListen live &amp;amp; subscribe. http://show.example");
        let f = parse_feed(text.as_bytes(), None, None).expect("parses");
        assert_eq!(
            f.items[0].body,
            Some(Body::Text("From Episode 12.\n\nListen live & subscribe. http://show.example".into()))
        );
        let html = feed("&lt;p&gt;One&lt;/p&gt;\n\n&lt;p&gt;Two&lt;/p&gt;");
        let f = parse_feed(html.as_bytes(), None, None).expect("parses");
        assert_eq!(f.items[0].body, Some(Body::Html("<p>One</p>\n\n<p>Two</p>".into())));
    }
    /// XHTML content keeps its escaped text: a `&lt;td&gt;` in a sentence is the text "<td>",
    /// not a tag, and `&amp;amp;` stays "&amp;".
    #[test]
    fn xhtml_content_keeps_its_escaped_text() {
        let doc = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><id>urn:x</id><updated>2024-01-01T00:00:00Z</updated>\
            <entry><id>urn:1</id><title>a</title><updated>2024-01-01T00:00:00Z</updated><content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><p>consecutive &lt;td&gt; elements &amp;amp; <a href=\"/x?a=1&amp;b=2\">more</a></p></div></content></entry>\
            <entry><id>urn:2</id><title>b</title><updated>2024-01-01T00:00:00Z</updated><summary type='xhtml'><div xmlns=\"http://www.w3.org/1999/xhtml\">Tom &amp; Jerry</div></summary></entry></feed>";
        let f = parse_feed(doc.as_bytes(), None, None).expect("parses");
        let Some(Body::Html(html)) = &f.items[0].body else { panic!("{:?}", f.items[0].body) };
        assert!(html.contains("consecutive &lt;td&gt; elements &amp;amp; "), "{html}");
        assert!(html.contains("href=\"/x?a=1&amp;b=2\""), "{html}");
        let Some(Body::Html(html)) = &f.items[1].body else { panic!("{:?}", f.items[1].body) };
        assert!(html.contains("Tom &amp; Jerry"), "{html}");
    }

    /// A feed with bare ampersands is read as its publisher meant it, as feed readers read it;
    /// a CDATA section keeps its `&` as it is, and a real error still fails.
    #[test]
    fn bare_ampersands_do_not_stop_a_feed() {
        let doc = "<rss version=\"2.0\"><channel><title>AT&T news</title><item><title>Q&A &nbsp;time</title>\
            <link>http://n.example/?a=1&b=2</link><description><![CDATA[<p>Tom &amp; Jerry & co</p>]]></description></item></channel></rss>";
        let f = parse_feed(doc.as_bytes(), None, None).expect("parses");
        assert_eq!(f.meta.title.as_deref(), Some("AT&T news"));
        assert_eq!(f.items[0].link.as_deref(), Some("http://n.example/?a=1&b=2"));
        assert_eq!(f.items[0].body, Some(Body::Html("<p>Tom &amp; Jerry & co</p>".into())));
        assert!(f.items[0].title.as_deref().is_some_and(|t| t.starts_with("Q&A")), "{:?}", f.items[0].title);
        assert_eq!(bare_ampersands_escaped("a &amp; &#38; &#x26; <![CDATA[&]]>"), None);
        let broken = "<rss version=\"2.0\"><channel><title>A&B</title><item><title>x</item></channel></rss>";
        assert!(matches!(parse_feed(broken.as_bytes(), None, None), Err(ParseError::Invalid(_))));
    }

    /// A feed cut off after some whole items keeps them (and says so), as feed readers keep
    /// them: RSS cut inside an item's text, Atom cut inside an entry, a CDATA section left
    /// open, junk after the last item. A document whose first item is cut keeps its error, and
    /// a whole document is not marked.
    #[test]
    fn a_feed_cut_off_keeps_its_whole_items() {
        let rss = "<?xml version=\"1.0\"?><!-- <item> in a comment --><rss version=\"2.0\"><channel><title>T</title>\
            <item><title>one</title><description><![CDATA[<p>a </item> b</p>]]></description></item>\
            <item><title a=\"x>y\">two</title><enclosure url=\"http://e.example/a.mp3\"/></item>\
            <item><title>three</title><description>half a sent";
        let f = parse_feed(rss.as_bytes(), None, None).expect("the two whole items");
        let titles: Vec<_> = f.items.iter().map(|i| i.title.as_deref().unwrap_or("")).collect();
        assert_eq!(titles, ["one", "two"]);
        assert!(f.salvaged.as_deref().is_some_and(|w| w.contains("2 items")), "{:?}", f.salvaged);

        let atom = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>A</title>\
            <entry><id>1</id><title>first</title><content type=\"html\">&lt;p&gt;x&lt;/p&gt;</content></entry>\
            <entry><id>2</id><title>sec";
        let f = parse_feed(atom.as_bytes(), None, None).expect("the whole entry");
        assert_eq!(f.items.len(), 1);
        assert_eq!(f.items[0].title.as_deref(), Some("first"));

        let open_cdata = rss.replace("half a sent", "<![CDATA[<p>never closed");
        assert_eq!(parse_feed(open_cdata.as_bytes(), None, None).expect("cdata cut").items.len(), 2);
        let junk_after = rss.replace("<item><title>three</title><description>half a sent", "</channel><div");
        assert_eq!(parse_feed(junk_after.as_bytes(), None, None).expect("junk after").items.len(), 2);

        // a FeedBurner feed cut off keeps the real links of its whole items
        let burner = "<rss version=\"2.0\" xmlns:feedburner=\"http://rssnamespace.org/feedburner/ext/1.0\"><channel><title>T</title>\
            <item><title>one</title><link>http://feedproxy.example/~r/x/1</link><feedburner:origLink>https://news.example/1</feedburner:origLink></item>\
            <item><title>two</title><link>http://feedproxy.example/~r/x/2</link><feedburner:origLink>https://news.example/2</feedburner:origLink></item>\
            <item><title>three</title><link>http://feedproxy.example/~r/x/3</link><feedburner:origLink>https://news.example/3</feedburner:origLink><description>half";
        let f = parse_feed(burner.as_bytes(), None, None).expect("the two whole items");
        let orig: Vec<_> = f.items.iter().map(|i| i.orig_link.as_deref()).collect();
        assert_eq!(orig, [Some("https://news.example/1"), Some("https://news.example/2")]);

        let first_cut = "<rss version=\"2.0\"><channel><title>T</title><item><title>one</ti";
        assert!(matches!(parse_feed(first_cut.as_bytes(), None, None), Err(ParseError::Invalid(_))));
        let whole = format!("{}</description></item></channel></rss>", rss);
        assert_eq!(parse_feed(whole.as_bytes(), None, None).expect("whole").salvaged, None);
    }

    proptest::proptest! {
        /// Wherever a feed is cut, reading it never panics and keeps exactly the items that
        /// end before the cut, in order; a cut before the first item's end is an error.
        #[test]
        fn any_cut_keeps_the_items_before_it(cut in 0usize..1000, junk in "[<>/!\\[\\]a-z\"' ]{0,12}") {
            let items: String = (0..4)
                .map(|i| format!("<item><title>t{i}</title><description><![CDATA[<p>x{i} </item></p>]]></description></item>"))
                .collect();
            let doc = format!("<rss version=\"2.0\"><channel><title>T</title>{items}</channel></rss>");
            let cut = cut.min(doc.len());
            let text = format!("{}{junk}", &doc[..cut]);
            // items whose end (outside their CDATA) the text holds
            let whole = text.matches("]]></description></item>").count();
            match parse_feed(text.as_bytes(), None, None) {
                Ok(f) => {
                    let titles: Vec<String> = f.items.iter().filter_map(|i| i.title.clone()).collect();
                    let expected: Vec<String> = (0..whole).map(|i| format!("t{i}")).collect();
                    proptest::prop_assert_eq!(&titles, &expected, "from {:?}", text);
                }
                Err(_) => proptest::prop_assert!(whole == 0, "{:?} failed", text),
            }
        }
    }

    /// A JSON Feed whose authors are bare strings (site templates write them so) failed as a
    /// whole; it is read, the strings as the authors' names. A JSON Feed broken otherwise still
    /// fails.
    #[test]
    fn a_json_feed_with_string_authors_is_read() {
        let doc = r#"{"version": "https://jsonfeed.org/version/1", "title": "Weblog", "author": "Rebecca",
            "items": [{"id": "1", "title": "First", "content_html": "<p>One &amp; two</p>", "author": "Ann"},
                      {"id": "2", "title": "Second", "content_text": "Two", "authors": ["Bo", {"name": "Cy"}]}]}"#;
        let f = parse_feed(doc.as_bytes(), None, None).expect("read");
        let got: Vec<_> = f.items.iter().map(|i| (i.title.clone().unwrap_or_default(), i.authors.clone())).collect();
        assert_eq!(
            got,
            [
                ("First".to_string(), vec!["Ann".to_string()]),
                ("Second".to_string(), vec!["Bo".to_string(), "Cy".to_string()])
            ]
        );
        let broken = doc.replace("\"title\": \"Weblog\"", "\"title\": [1]");
        assert!(matches!(parse_feed(broken.as_bytes(), None, None), Err(ParseError::Invalid(_))));
    }

    /// Atom `type`s feed-rs refused for the whole feed ("text/plain" on a title, "HTML" in
    /// capitals, `src` content typed "html") are read as the publisher meant them.
    #[test]
    fn atom_with_loose_types_is_read() {
        let doc = r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title type="text/plain">Loose</title>
<id>urn:f</id><updated>2024-01-01T00:00:00Z</updated>
<entry><id>urn:1</id><title type="HTML">One &lt;b&gt;bold&lt;/b&gt;</title><updated>2024-01-01T00:00:00Z</updated>
<summary type="application/xhtml+xml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Sum</p></div></summary>
<content type="html">&lt;p&gt;Body one&lt;/p&gt;</content></entry>
<entry><id>urn:2</id><title>Two</title><updated>2024-01-01T00:00:00Z</updated>
<content type="html" src="https://e.example/2"/></entry></feed>"#;
        let f = parse_feed(doc.as_bytes(), None, None).expect("read");
        assert_eq!(f.meta.title.as_deref(), Some("Loose"));
        let titles: Vec<_> = f.items.iter().map(|i| i.title.clone().unwrap_or_default()).collect();
        assert_eq!(titles, ["One bold", "Two"]);
        assert_eq!(f.items[0].body, Some(Body::Html("<p>Body one</p>".into())));
    }

    /// RSS 0.9 and 1.0 with the items inside `<channel>`, as RSS 2.0 nests them, had no item
    /// read ("none could be read as items"); they are read as the items beside the channel.
    #[test]
    fn rss1_items_nested_in_the_channel_are_read() {
        let doc = r#"<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="https://e.example/"><title>Nested</title><link>https://e.example/</link><description>d</description>
<items><rdf:Seq><rdf:li resource="https://e.example/1"/></rdf:Seq></items>
<item rdf:about="https://e.example/1"><title>One</title><link>https://e.example/1</link><description>Body one</description></item>
<item rdf:about="https://e.example/2"><title>Two</title><link>https://e.example/2</link></item>
</channel></rdf:RDF>"#;
        for doc in [doc.to_string(), doc.replace("http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/")]
        {
            let f = parse_feed(doc.as_bytes(), None, None).expect("read");
            assert_eq!(f.meta.title.as_deref(), Some("Nested"));
            let links: Vec<_> = f.items.iter().map(|i| i.link.clone().unwrap_or_default()).collect();
            assert_eq!(links, ["https://e.example/1", "https://e.example/2"]);
        }
        // items where RSS 1.0 has them: the document is not touched
        let beside = std::borrow::Cow::Borrowed(
            r#"<rdf:RDF xmlns="http://purl.org/rss/1.0/"><channel><title>t</title><items/></channel><item><title>a</title></item></rdf:RDF>"#,
        );
        assert!(matches!(repair::rss1_items_out_of_channel(&beside), std::borrow::Cow::Borrowed(_)));
    }

    /// Atom content with a `src` and a body (RFC 4287: by reference means empty) failed the
    /// whole feed; the body is what the publisher gave to read, so it is the item's. Empty
    /// content by reference stays as it was.
    #[test]
    fn atom_content_with_src_and_a_body_keeps_the_body() {
        let doc = r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Src</title>
<id>urn:f</id><updated>2024-01-01T00:00:00Z</updated>
<entry><id>urn:1</id><title>One</title><updated>2024-01-01T00:00:00Z</updated>
<content type="html" src='https://e.example/1'>&lt;p&gt;Body one&lt;/p&gt;</content></entry>
<entry><id>urn:2</id><title>Two</title><updated>2024-01-01T00:00:00Z</updated>
<content src="https://e.example/2"></content></entry>
<entry><id>urn:3</id><title>Three</title><updated>2024-01-01T00:00:00Z</updated>
<atom:content xmlns:atom="http://www.w3.org/2005/Atom" type="text/html" src="https://e.example/3">&lt;p&gt;Body three&lt;/p&gt;</atom:content></entry></feed>"#;
        let f = parse_feed(doc.as_bytes(), None, None).expect("read");
        let bodies: Vec<_> = f.items.iter().map(|i| i.body.clone()).collect();
        assert_eq!(
            bodies,
            [Some(Body::Html("<p>Body one</p>".into())), None, Some(Body::Html("<p>Body three</p>".into()))]
        );
        assert_eq!(
            repair::atom_src_with_body_mended(
                &doc.replace("&lt;p&gt;Body one&lt;/p&gt;", "").replace("&lt;p&gt;Body three&lt;/p&gt;", "")
            ),
            None,
            "empty content by reference is left alone"
        );
    }

    /// Text declared as plain text (Atom `type="text"`) means its `&` literally.
    #[test]
    fn plain_text_summaries_keep_their_ampersands() {
        let doc = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><id>urn:x</id><updated>2024-01-01T00:00:00Z</updated><entry><id>urn:1</id><title>a</title><updated>2024-01-01T00:00:00Z</updated><summary type=\"text\">Tom &amp;amp; Jerry &amp;#146;</summary></entry></feed>";
        let f = parse_feed(doc.as_bytes(), None, None).expect("parses");
        assert_eq!(f.items[0].body, Some(Body::Text("Tom &amp; Jerry &#146;".into())));
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

    /// An Atom feed saved inside an XHTML page is read as the feed it holds; a page that holds
    /// none is still no feed.
    #[test]
    fn a_feed_inside_an_html_page_is_read() {
        let doc = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\
            <html xmlns=\"http://www.w3.org/1999/xhtml\"><body><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Blog</title><id>urn:b</id>\
            <updated>2024-01-01T00:00:00Z</updated><entry><id>urn:1</id><title>First</title><updated>2024-01-01T00:00:00Z</updated>\
            <content type=\"html\">&lt;p&gt;One&lt;/p&gt;</content></entry></feed></body></html>";
        let f = parse_feed(doc.as_bytes(), None, None).expect("the feed inside is read");
        assert_eq!(f.items.len(), 1);
        assert_eq!(f.items[0].title.as_deref(), Some("First"));
        assert_eq!(f.items[0].body, Some(Body::Html("<p>One</p>".into())));
        // the page's head cut mid-character (byte 2048 inside "ü") is still read as a page
        let run = doc.find("<body>").expect("body") + "<body><!-- ".len();
        let nudge = if (2048 - run) % 2 == 1 { "" } else { " " };
        let padded = doc.replacen("<body>", &format!("<body><!-- {nudge}{} -->", "ü".repeat(1100)), 1);
        assert!(!padded.is_char_boundary(2048));
        let f = parse_feed(padded.as_bytes(), None, None).expect("the feed inside a long head is read");
        assert_eq!(f.items[0].title.as_deref(), Some("First"));
        let page = "<html><body><p>Our feed lives at /feed.</p></body></html>";
        assert!(matches!(parse_feed(page.as_bytes(), None, None), Err(ParseError::NotAFeed)));
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
