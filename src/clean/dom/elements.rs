//! Passes 1–3 look at single elements: ad and share classes, tracking pixels, share and
//! "read more" links, video embeds; the URL patterns they match.

use std::sync::OnceLock;

use ego_tree::{NodeId, NodeRef};
use scraper::{Html, Node};

use super::*;
use crate::clean::rules;

/// The first class or id token (split on space, `-` and `_`) of `el` that is in `list`.
pub(super) fn matching_token<'l>(el: &scraper::node::Element, list: &[&'l str]) -> Option<&'l str> {
    let check = |v: &str| {
        v.split(|c: char| c.is_whitespace() || c == '-' || c == '_')
            .filter(|t| !t.is_empty())
            .find_map(|t| list.iter().find(|w| t.eq_ignore_ascii_case(w)).copied())
    };
    el.attr("class").and_then(check).or_else(|| el.attr("id").and_then(check))
}

/// A link made to look like a button (`role="button"`, or a class or id token `button` or
/// `btn`: "Check Price", "Buy X now from Amazon", "Go to Krystal", "View Package") that stands
/// alone in its block: a call to action of the page's furniture, not a sentence of the item. A
/// link in a sentence stays whatever its class ("press the <a class=button>OK</a> key"), and
/// so does a long one. Returns why it goes.
pub(super) fn button_link(node: NodeRef<Node>) -> Option<String> {
    let el = node.value().as_element().filter(|e| e.name() == "a")?;
    let marked = el.attr("role").is_some_and(|r| r.trim().eq_ignore_ascii_case("button"))
        || matching_token(el, rules::BUTTON_TOKENS).is_some();
    if !marked {
        return None;
    }
    let text = text_of(node);
    let text = text.trim();
    if text.is_empty() || text.chars().count() > rules::BUTTON_MAX_CHARS {
        return None;
    }
    let block = node.ancestors().find(|a| is_block(*a))?;
    (text_of(block).trim() == text).then(|| format!("a link styled as a button: {text:?}"))
}

/// Video embeds that stay get a sandbox and lose every attribute but their size and source.
pub(super) fn sandbox_videos(doc: &mut Html, ids: &[NodeId]) {
    for id in ids {
        let children: Vec<NodeId> =
            doc.tree.get(*id).map(|n| n.children().map(|c| c.id()).collect()).unwrap_or_default();
        let Some(mut node) = doc.tree.get_mut(*id) else { continue };
        if let Node::Element(e) = node.value() {
            e.attrs.retain(|k, _| matches!(&*k.local, "src" | "width" | "height" | "title" | "allowfullscreen"));
            set_attr(e, "sandbox", rules::VIDEO_SANDBOX);
        }
        // What an iframe holds is raw text to an HTML parser but markup to others (XML-based
        // readers): a kept player holds nothing.
        detach_all(doc, &children);
    }
}

pub(super) fn is_pixel(el: &scraper::node::Element) -> bool {
    let tiny = |a: &str| {
        el.attr(a).is_some_and(|v| {
            let v = v.trim().trim_end_matches("px").trim();
            v.parse::<f32>().is_ok_and(|n| n <= 1.0)
        })
    };
    tiny("width") || tiny("height")
}

/// A `host` or `host/path-prefix` pattern of `rules::TRACKER_URLS` / `rules::SHARE_URLS`,
/// lowercased and without `www.`, compiled once.
pub(super) struct UrlPattern {
    pub(super) host: String,
    pub(super) path: String,
}

pub(super) fn compile_patterns(list: &[&str]) -> Vec<UrlPattern> {
    list.iter()
        .map(|p| {
            let p = p.to_ascii_lowercase();
            let p = p.strip_prefix("www.").unwrap_or(&p);
            let (host, path) = p.split_once('/').unwrap_or((p, ""));
            UrlPattern { host: host.to_string(), path: path.to_string() }
        })
        .collect()
}

pub(super) fn tracker_patterns() -> &'static [UrlPattern] {
    static P: OnceLock<Vec<UrlPattern>> = OnceLock::new();
    P.get_or_init(|| compile_patterns(rules::TRACKER_URLS))
}

pub(super) fn share_patterns() -> &'static [UrlPattern] {
    static P: OnceLock<Vec<UrlPattern>> = OnceLock::new();
    P.get_or_init(|| compile_patterns(rules::SHARE_URLS))
}

/// An http(s) URL of one of the video players in `rules::VIDEO_EMBEDS`.
pub fn is_video_embed(src: &str) -> bool {
    static P: OnceLock<Vec<UrlPattern>> = OnceLock::new();
    let src = src.trim();
    (src.starts_with("https://") || src.starts_with("http://"))
        && url_matches(src, P.get_or_init(|| compile_patterns(rules::VIDEO_EMBEDS)))
}

/// Does `url` point at one of `patterns`: the host equal to or a subdomain of the pattern's,
/// and the path starting with its path prefix? No allocation for URLs that do not match.
pub(super) fn url_matches(url: &str, patterns: &[UrlPattern]) -> bool {
    let u = url.trim();
    let rest = u.split_once("//").map_or(u, |(_, r)| r);
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, path) = rest.split_at(host_end);
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h); // userinfo
    let host = host.split_once(':').map_or(host, |(h, _)| h); // port
    let path = path.trim_start_matches('/');
    // Bytes, not str slices: a host or path may hold multi-byte characters (an IDN host,
    // U+FFFD from a NUL), and the pattern's length need not fall on a character boundary.
    let (host, path) = (host.as_bytes(), path.as_bytes());
    patterns.iter().any(|p| {
        let host_ok = host.len() >= p.host.len() && {
            let (pre, tail) = host.split_at(host.len() - p.host.len());
            tail.eq_ignore_ascii_case(p.host.as_bytes()) && (pre.is_empty() || pre.ends_with(b"."))
        };
        host_ok && path.len() >= p.path.len() && path[..p.path.len()].eq_ignore_ascii_case(p.path.as_bytes())
    })
}

/// A link whose whole text is a "read more" phrase (`rules::BOILERPLATE_PATTERNS`).
pub(super) fn read_more_link(node: NodeRef<Node>) -> bool {
    let Some((_, re)) = rx().boilerplate_each.iter().find(|(n, _)| n.contains("read more")) else { return false };
    // most links are longer than "read more": measure before building the text
    let len: usize = node.descendants().filter_map(|d| d.value().as_text()).map(|t| t.len()).sum();
    if len == 0 || len > 96 {
        return false;
    }
    let text = text_of(node);
    !text.is_empty() && text.len() < 48 && re.get().is_match(text.as_bytes())
}
