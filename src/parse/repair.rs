//! The ways feeds in the wild break feed-rs, each mended as text before (or, for the costly
//! ones, only after) feed-rs reads the document: a prolog that names the old charset, `<rss>`
//! without a known version or under a default namespace, Atom 0.3, RSS 0.90 and slashless RSS
//! 1.0, RSS 1.0 items without a link, XHTML content feed-rs would not escape again; and, once
//! feed-rs has refused a document, a feed inside an HTML page, bare `&`s, loose Atom `type`s,
//! JSON Feed string authors and a document cut off after some whole items. Each returns the
//! text unchanged (or `None`) when it has nothing to mend. Pure.

use std::sync::OnceLock;

use regex::Regex;

use super::head;

/// `text` with every `&` that begins no XML reference escaped as `&amp;`: a bare one, and one
/// that begins a name XML does not define (HTML's `&nbsp;`, which the HTML inside an item
/// then reads as HTML). CDATA sections are left as they are. `None` when there is no such `&`.
pub(super) fn bare_ampersands_escaped(text: &str) -> Option<String> {
    fn is_reference(rest: &str) -> bool {
        let Some(end) = rest.get(..rest.len().min(40)).and_then(|r| r.find(';')) else { return false };
        let name = &rest[1..end];
        match name.strip_prefix('#') {
            Some(n) => match n.strip_prefix(['x', 'X']) {
                Some(hex) => !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()),
                None => !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()),
            },
            None => ["amp", "lt", "gt", "quot", "apos"].contains(&name),
        }
    }
    let mut bare = Vec::new();
    let mut at = 0;
    while let Some(i) = text[at..].find(['&', '<']).map(|i| at + i) {
        if text[i..].starts_with("<![CDATA[") {
            at = text[i..].find("]]>").map_or(text.len(), |e| i + e + 3);
            continue;
        }
        if text[i..].starts_with('&') && !is_reference(&text[i..]) {
            bare.push((i..i + 1, "&amp;"));
        }
        at = i + 1;
    }
    spliced(text, bare)
}

/// `text` with each range (in order, none overlapping) replaced by the text given with it;
/// `None` when there is no edit.
fn spliced<S: AsRef<str>>(text: &str, edits: impl IntoIterator<Item = (std::ops::Range<usize>, S)>) -> Option<String> {
    let mut out = String::new();
    let mut done = 0; // bytes of `text` copied to `out`
    let mut edited = false;
    for (range, new) in edits {
        out.push_str(&text[done..range.start]);
        out.push_str(new.as_ref());
        done = range.end;
        edited = true;
    }
    edited.then(|| {
        out.push_str(&text[done..]);
        out
    })
}

/// A document that declares Atom 1.0's namespace near its start.
fn is_atom(text: &str) -> bool {
    head(text, 4096).contains("http://www.w3.org/2005/Atom")
}

/// `text` up to the end of its last complete `</item>` or `</entry>` (any prefix), with
/// closing tags for the elements still open there, innermost first. Comments, CDATA sections,
/// processing instructions and the doctype are stepped over whole, so an `</item>` inside one
/// is no item's end. `None` when no item ends.
pub(super) fn whole_items_closed(text: &str) -> Option<String> {
    // no feed nests deeper; the bound keeps hostile input linear
    const MAX_OPEN: usize = 256;
    let is_item_end = |name: &str| {
        let local = name.rsplit(':').next().unwrap_or(name);
        local == "item" || local == "entry"
    };
    let mut open: Vec<&str> = Vec::new();
    // where the last item ended, and the elements open there
    let mut last: Option<(usize, Vec<&str>)> = None;
    let mut at = 0;
    while let Some(i) = text[at..].find('<').map(|i| at + i) {
        let rest = &text[i..];
        let skip_to = |close: &str| rest.find(close).map(|e| i + e + close.len());
        let next = if rest.starts_with("<!--") {
            skip_to("-->")
        } else if rest.starts_with("<![CDATA[") {
            skip_to("]]>")
        } else if rest.starts_with("<?") {
            skip_to("?>")
        } else if rest.starts_with("<!") {
            rest.find('>').and_then(|gt| if rest[..gt].contains('[') { skip_to("]>") } else { Some(i + gt + 1) })
        } else {
            // a tag: its end is the first `>` outside a quoted attribute value
            let mut quote = None;
            let close = rest.char_indices().skip(1).find(|(_, c)| match quote {
                Some(q) => {
                    if *c == q {
                        quote = None;
                    }
                    false
                }
                None if *c == '"' || *c == '\'' => {
                    quote = Some(*c);
                    false
                }
                None => *c == '>',
            });
            close.map(|(close, _)| {
                let tag = &rest[1..close];
                if let Some(name) = tag.strip_prefix('/') {
                    let name = name.trim();
                    if let Some(k) = open.iter().rposition(|o| *o == name) {
                        open.truncate(k);
                    }
                    if is_item_end(name) {
                        last = Some((i + close + 1, open.clone()));
                    }
                } else if !tag.ends_with('/') {
                    let name = tag.split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("");
                    if !name.is_empty() {
                        open.push(name);
                    }
                }
                i + close + 1
            })
        };
        // the document ends inside this construct, or nests too deep: cut at the last item
        match next {
            Some(next) if open.len() <= MAX_OPEN => at = next,
            _ => break,
        }
    }
    let (cut, open) = last?;
    let mut out = String::with_capacity(cut + open.len() * 16);
    out.push_str(&text[..cut]);
    for name in open.iter().rev() {
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }
    Some(out)
}

/// Atom `type` attributes feed-rs refuses for the whole feed, made ones it reads: on a text
/// construct (`title`, `subtitle`, `summary`, `rights`) any case of `text`/`html`/`xhtml`, and
/// the media types a publisher meant by them (`text/plain`, `text/html`,
/// `application/xhtml+xml`; any other is read as text); on `content` with a `src`, the
/// `text`/`html`/`xhtml` the spec forbids there become `text/html`. `None` when nothing changed.
pub(super) fn atom_types_mended(text: &str) -> Option<String> {
    static TAG: OnceLock<Regex> = OnceLock::new();
    if !is_atom(text) {
        return None;
    }
    let tag = TAG.get_or_init(|| {
        Regex::new(r#"<(?:[A-Za-z][\w.-]*:)?(title|subtitle|summary|rights|content)\s[^>]*?\btype\s*=\s*(?:"([^"]*)"|'([^']*)')[^>]*>"#)
            .expect("atom type regex")
    });
    let edits = tag.captures_iter(text).filter_map(|c| {
        let whole = c.get(0).expect("match");
        let value = c.get(2).or(c.get(3)).expect("a type value");
        let v = value.as_str().trim().to_ascii_lowercase();
        let content = &c[1] == "content";
        let with_src = content && whole.as_str().contains("src=");
        let new = match v.as_str() {
            "text" | "html" | "xhtml" if with_src => "text/html".to_string(),
            // a type feed-rs reads, written in capitals ("HTML"): lowercased
            "text" | "html" | "xhtml" | "text/html" if v == value.as_str() => return None,
            "text" | "html" | "xhtml" | "text/html" => v,
            // content of a media type feed-rs reads (text/*, */xml, base64 of another type)
            _ if content => return None,
            "text/plain" => "text".to_string(),
            "application/xhtml+xml" => "xhtml".to_string(),
            _ => "text".to_string(),
        };
        Some((value.range(), new))
    });
    spliced(text, edits)
}

/// A feed saved inside an HTML page (`<html><body><feed xmlns="…Atom">…</feed></body></html>`,
/// a browser's "save as", a CMS that wraps every response in its layout): the feed element
/// alone, from its start tag to its last end tag, as lenient readers take it. `None` when the
/// document is no HTML page or holds no RSS, RDF or Atom element.
pub(super) fn feed_inside_html(text: &str) -> Option<String> {
    if !head(text, 2048).to_ascii_lowercase().contains("<html") {
        return None;
    }
    ["feed", "rss", "rdf:RDF"].iter().find_map(|name| {
        let start = text.find(&format!("<{name} ")).or_else(|| text.find(&format!("<{name}>")))?;
        let close = format!("</{name}>");
        let end = text.rfind(&close)? + close.len();
        (end > start).then(|| text[start..end].to_string())
    })
}

/// Atom `content` with a `src` and a body as well: RFC 4287 says content given by reference
/// is empty, and feed-rs refuses the whole feed otherwise. The body is what the publisher put
/// in the feed for a reader to read, so the `src` goes and the body stays. `None` when no
/// such element is found.
pub(super) fn atom_src_with_body_mended(text: &str) -> Option<String> {
    static TAG: OnceLock<Regex> = OnceLock::new();
    if !is_atom(text) {
        return None;
    }
    let tag = TAG.get_or_init(|| {
        Regex::new(r#"<(?:[A-Za-z][\w.-]*:)?content\s[^>]*?(\ssrc\s*=\s*(?:"[^"]*"|'[^']*'))[^>]*>"#)
            .expect("atom content src regex")
    });
    let edits = tag.captures_iter(text).filter_map(|c| {
        let whole = c.get(0).expect("match");
        // `<content src="…"/>` and `<content src="…"></content>` are what the spec asks for
        let empty = whole.as_str().ends_with("/>") || text[whole.end()..].trim_start().starts_with("</");
        (!empty).then(|| (c.get(1).expect("the src attribute").range(), ""))
    });
    spliced(text, edits)
}

/// A JSON Feed with every `author` that is a bare string ("author": "Ann") made the object
/// JSON Feed asks for ({"name": "Ann"}), in the feed and in its items, and the same for the
/// strings of an `authors` list. `None` when the text is no JSON object or has no such author.
pub(super) fn json_authors_mended(text: &str) -> Option<String> {
    use serde_json::Value;
    fn mend(obj: &mut serde_json::Map<String, Value>) -> bool {
        let as_object = |v: &mut Value| match v {
            Value::String(name) => {
                *v = serde_json::json!({ "name": std::mem::take(name) });
                true
            }
            _ => false,
        };
        let mut changed = obj.get_mut("author").is_some_and(as_object);
        if let Some(Value::Array(list)) = obj.get_mut("authors") {
            for a in list {
                changed |= as_object(a);
            }
        }
        changed
    }
    let mut doc: Value = serde_json::from_str(text).ok()?;
    let root = doc.as_object_mut()?;
    let mut changed = mend(root);
    if let Some(Value::Array(items)) = root.get_mut("items") {
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            changed |= mend(item);
        }
    }
    changed.then(|| doc.to_string())
}

/// After decoding, the prolog must not send feed-rs back to the original charset.
pub(super) fn utf8_prolog(text: &str) -> std::borrow::Cow<'_, str> {
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

/// Where the root start tag `<rss …>` is (from its `<` to its `>`): the first `<rss` followed
/// by white space or `>` in the head, outside comments.
pub(super) fn rss_root(text: &str) -> Option<(usize, usize)> {
    let head = head(text, 4096);
    let mut at = 0;
    let start = loop {
        let i = at + head[at..].find('<')?;
        let rest = &head[i..];
        if rest.starts_with("<!--") {
            // a comment before the root may name it ("the <rss> element")
            at = i + rest.find("-->")? + 3;
            continue;
        }
        if rest.starts_with("<rss") && rest[4..].starts_with([' ', '\t', '\n', '\r', '>']) {
            break i;
        }
        at = i + 1;
    };
    let end = text[start..].find('>').map(|e| start + e)?;
    Some((start, end))
}

/// RSS 2.0 whose root declares a default namespace (`<rss xmlns="http://backend.userland.com/rss2">`,
/// UserLand's, which Yandex's news format and many Russian sites still send): RSS has none, and
/// feed-rs reads no element of such a document. The declaration is dropped from the root.
pub(super) fn rss_default_namespace<'a>(text: &'a std::borrow::Cow<'a, str>) -> std::borrow::Cow<'a, str> {
    static XMLNS: OnceLock<Regex> = OnceLock::new();
    let borrowed = || std::borrow::Cow::Borrowed(text.as_ref());
    let Some((start, end)) = rss_root(text) else { return borrowed() };
    let xmlns = XMLNS.get_or_init(|| Regex::new(r#"\sxmlns\s*=\s*(?:"[^"]*"|'[^']*')"#).expect("xmlns regex"));
    match xmlns.find(&text[start..end]) {
        Some(m) => format!("{}{}", &text[..start + m.start()], &text[start + m.end()..]).into(),
        None => borrowed(),
    }
}

/// An RDF document in RSS 1.0's namespace (RSS 0.90 is renamed to it by `rdf_namespace`).
fn is_rss1(text: &str) -> bool {
    let h = head(text, 4096);
    h.contains("RDF") && h.contains("http://purl.org/rss/1.0/")
}

/// RSS 0.9 and 1.0 put their items beside the `<channel>`, not in it; feeds and fixtures that
/// nest them inside (as RSS 2.0 does) had none read. The channel is closed before its first
/// item, so the items stand where RSS 1.0 has them.
pub(super) fn rss1_items_out_of_channel<'a>(text: &'a std::borrow::Cow<'a, str>) -> std::borrow::Cow<'a, str> {
    static TAG: OnceLock<Regex> = OnceLock::new();
    let borrowed = || std::borrow::Cow::Borrowed(text.as_ref());
    if !is_rss1(text) {
        return borrowed();
    }
    let tag = TAG.get_or_init(|| Regex::new(r"<(channel|item)[\s>/]").expect("rss1 channel regex"));
    let Some(open) = tag.captures_iter(text).find(|c| &c[1] == "channel").map(|c| c.get(0).expect("match").end())
    else {
        return borrowed();
    };
    let Some(close) = text[open..].find("</channel>").map(|e| open + e) else { return borrowed() };
    let Some(first_item) = tag.captures_iter(&text[open..close]).find(|c| &c[1] == "item") else {
        return borrowed();
    };
    let at = open + first_item.get(0).expect("match").start();
    format!("{}</channel>{}{}", &text[..at], &text[at..close], &text[close + "</channel>".len()..]).into()
}

/// RSS 1.0 items without a `<link>` (the spec asks for one; feeds and fixtures of other readers
/// omit it), which feed-rs drops without a word: each gets its `rdf:about` as its link, or, with
/// none, a placeholder `map_entry` takes out again, so the item is read without a link as an
/// RSS 2.0 item is.
pub(super) fn rss1_item_links<'a>(text: &'a std::borrow::Cow<'a, str>) -> std::borrow::Cow<'a, str> {
    static ITEM: OnceLock<Regex> = OnceLock::new();
    let borrowed = || std::borrow::Cow::Borrowed(text.as_ref());
    if !is_rss1(text) {
        return borrowed();
    }
    static ABOUT: OnceLock<Regex> = OnceLock::new();
    let about_attr =
        ABOUT.get_or_init(|| Regex::new(r#"\srdf:about\s*=\s*(?:"([^"]*)"|'([^']*)')"#).expect("rdf:about regex"));
    let item = ITEM.get_or_init(|| Regex::new(r#"<item(?:\s[^>]*)?>"#).expect("rss1 item regex"));
    let edits = item.find_iter(text).filter_map(|whole| {
        if whole.as_str().ends_with("/>") {
            return None;
        }
        let body_end = text[whole.end()..].find("</item>").map_or(text.len(), |e| whole.end() + e);
        if text[whole.end()..body_end].contains("<link") {
            return None;
        }
        let about = about_attr
            .captures(whole.as_str())
            .and_then(|c| c.get(1).or(c.get(2)))
            .map(|m| m.as_str().trim())
            .filter(|a| !a.is_empty());
        Some((whole.end()..whole.end(), format!("<link>{}</link>", about.unwrap_or(NO_LINK))))
    });
    spliced(text, edits).map_or_else(borrowed, std::borrow::Cow::Owned)
}

/// The link `rss1_item_links` gives an item that has none; never a link of a read item.
pub(super) const NO_LINK: &str = "feedscrub:no-link";

/// RDF feeds whose namespace feed-rs does not take for RSS 1.0, and which it reads as a
/// channel without items: RSS 0.90 (`http://my.netscape.com/rdf/simple/0.9/`, Netscape's first
/// RSS, which heise.de's RDF feed still is) and RSS 1.0 declared without its closing slash
/// (`http://purl.org/rss/1.0`). Both are RSS 1.0's RDF: the namespace is renamed.
pub(super) fn rdf_namespace<'a>(text: &'a std::borrow::Cow<'a, str>) -> std::borrow::Cow<'a, str> {
    const VARIANTS: [(&str, &str); 4] = [
        ("http://my.netscape.com/rdf/simple/0.9/", "http://purl.org/rss/1.0/"),
        ("http://channel.netscape.com/rdf/simple/0.9/", "http://purl.org/rss/1.0/"),
        ("http://purl.org/rss/1.0\"", "http://purl.org/rss/1.0/\""),
        ("http://purl.org/rss/1.0'", "http://purl.org/rss/1.0/'"),
    ];
    let head = head(text, 4096);
    if let Some((found, canonical)) = VARIANTS.iter().find(|(found, _)| head.contains(found)) {
        return std::borrow::Cow::Owned(text.replacen(found, canonical, 1));
    }
    std::borrow::Cow::Borrowed(text.as_ref())
}

/// Atom 0.3 (`xmlns="http://purl.org/atom/ns#"`, Blogger, TypePad and Movable Type until about
/// 2007) is not Atom to feed-rs: it finds the root and no entries. Such a document is read as
/// Atom 1.0 after renaming what 0.3 named otherwise: the namespace, `issued` -> `published`,
/// `modified` -> `updated`, `tagline` -> `subtitle`, `copyright` -> `rights`, and the content
/// constructs' `mode`/MIME `type` -> Atom 1.0's `type` (`text`, `html`, `xhtml`).
pub(super) fn atom03<'a>(text: &'a std::borrow::Cow<'a, str>) -> std::borrow::Cow<'a, str> {
    const NS03: &str = "http://purl.org/atom/ns#";
    if !head(text, 4096).contains(NS03) {
        return std::borrow::Cow::Borrowed(text.as_ref());
    }
    static CONSTRUCT: OnceLock<Regex> = OnceLock::new();
    let construct = CONSTRUCT.get_or_init(|| {
        Regex::new(r#"<(content|summary|title|subtitle|rights|info)(\s[^>]*?)?(/?)>"#).expect("atom 0.3 regex")
    });
    let mut out = text.replace(NS03, "http://www.w3.org/2005/Atom");
    for (old, new) in
        [("issued", "published"), ("modified", "updated"), ("tagline", "subtitle"), ("copyright", "rights")]
    {
        out = out.replace(&format!("<{old}>"), &format!("<{new}>")).replace(&format!("</{old}>"), &format!("</{new}>"));
        out = out.replace(&format!("<{old} "), &format!("<{new} "));
    }
    construct
        .replace_all(&out, |c: &regex::Captures| {
            let attrs = c.get(2).map_or("", |m| m.as_str());
            let attr = |name: &str| {
                let at = attrs.find(&format!("{name}="))? + name.len() + 1;
                let q = attrs[at..].chars().next().filter(|q| *q == '"' || *q == '\'')?;
                let v = &attrs[at + 1..];
                Some(v[..v.find(q)?].to_ascii_lowercase())
            };
            let (mode, mime) = (attr("mode"), attr("type"));
            let kind = match (mode.as_deref(), mime.as_deref()) {
                (_, Some("text" | "html" | "xhtml")) if mode.is_none() => return c[0].to_string(),
                (Some("escaped"), Some(m)) if m.contains("html") => "html",
                (Some("escaped"), _) => "text",
                (Some("xml"), _) | (_, Some("application/xhtml+xml")) => "xhtml",
                (_, Some(m)) if m.contains("html") => "html",
                _ => "text",
            };
            // the other attributes (xml:base, xml:lang…) stay; mode and type are replaced
            static ATTR: OnceLock<Regex> = OnceLock::new();
            let drop =
                ATTR.get_or_init(|| Regex::new(r#"\s(?:mode|type)\s*=\s*(?:"[^"]*"|'[^']*')"#).expect("attr regex"));
            format!("<{} type=\"{kind}\"{}{}>", &c[1], drop.replace_all(attrs, ""), &c[3])
        })
        .into_owned()
        .into()
}

/// Atom content and summaries of `type="xhtml"` are XML that feed-rs hands over as a string
/// without escaping its text again: `&lt;td&gt;` in a sentence became a `<td>` tag, which the
/// HTML parser dropped with its words, and `&amp;amp;` a bare `&`. Such a construct is
/// rewritten as `type="html"` with its markup escaped, which feed-rs unescapes once: the
/// markup exactly as the feed wrote it, entities included.
pub(super) fn xhtml_as_html<'a>(text: &'a std::borrow::Cow<'a, str>) -> std::borrow::Cow<'a, str> {
    if !text.contains("xhtml") {
        return std::borrow::Cow::Borrowed(text.as_ref());
    }
    static START: OnceLock<Regex> = OnceLock::new();
    let start = START.get_or_init(|| {
        Regex::new(r#"<((?:[\w.-]+:)?(?:content|summary))(\s[^>]*?\btype\s*=\s*["']xhtml["'][^>]*?)>"#)
            .expect("xhtml construct regex")
    });
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut at = 0;
    while let Some(c) = start.captures_at(text, at) {
        let whole = c.get(0).expect("match");
        let close = format!("</{}>", &c[1]);
        let Some(len) = text[whole.end()..].find(&close) else { break };
        let inner = &text[whole.end()..whole.end() + len];
        let attrs = c[2].replacen("xhtml", "html", 1);
        out.push_str(&text[at..whole.start()]);
        out.push_str(&format!("<{}{attrs}>", &c[1]));
        out.push_str(&inner.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;"));
        out.push_str(&close);
        at = whole.end() + len + close.len();
    }
    if at == 0 {
        return std::borrow::Cow::Borrowed(text.as_ref());
    }
    out.push_str(&text[at..]);
    out.into()
}

/// feed-rs reads `<rss>` only with `version` 0.91, 0.92 or 2.0 and calls anything else "no
/// feed root". Feeds in the wild send `<rss>` without a version or `version="2.00"`: they are
/// read as RSS 2.0.
pub(super) fn rss_version<'a>(text: &'a std::borrow::Cow<'a, str>) -> std::borrow::Cow<'a, str> {
    const KNOWN: &[&str] = &["\"0.91\"", "\"0.92\"", "\"2.0\"", "'0.91'", "'0.92'", "'2.0'"];
    let Some((start, end)) = rss_root(text) else {
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
