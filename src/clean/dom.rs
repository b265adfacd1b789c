//! The cleaning passes over a parsed HTML fragment. Pure: a string in, a string and counts out.
//!
//! Passes run in this fixed order (each sees the result of the one before):
//! 1. drop dangerous/embedded elements with their content (`rules::REMOVE_TAGS`) and the
//!    feed's own `remove` selectors;
//! 2. drop elements whose class or id tokens mark an ad or a share widget;
//! 3. drop tracking pixels and share links;
//! 4. walk the leaf blocks in reading order: an ad label takes the ad it labels with it
//!    (see `ad_run`); boilerplate footers and "read more" lines go;
//! 5. fix URLs: lazy images, absolute URLs, tracking parameters stripped;
//! 6. drop elements left empty.
//!
//! The sanitizer is NOT here: `clean::Cleaner` runs ammonia over this module's output, last.

use std::collections::HashSet;

use rustc_hash::FxHashMap;
use std::sync::OnceLock;

use ego_tree::{NodeId, NodeRef};
use html5ever::{LocalName, QualName};
use regex::Regex;
use scraper::{Html, Node, Selector};
use url::Url;

use super::rules;
use super::text::BLOCK_TAGS;
use crate::dedup::strip_tracking;

const HEADING_TAGS: &[&str] = &["h1", "h2", "h3", "h4", "h5", "h6"];
/// Elements that count as content even without text.
const MEDIA_TAGS: &[&str] = &["img", "video", "audio", "picture", "source", "br", "hr", "td", "th", "iframe"];
/// Containers an ad label may sit in together with its ad.
const AD_CONTAINER_TAGS: &[&str] = &["div", "aside", "section", "figure", "table", "center"];

/// Inputs of the passes besides the HTML.
pub struct Options<'a> {
    /// Base for relative URLs (the item link, else the feed URL).
    pub base: Option<&'a Url>,
    /// Extra selectors from the feed's `remove` list.
    pub remove: &'a [Selector],
    /// Extra regexes from the feed's `remove_text` list (a block whose text matches goes).
    pub remove_text: &'a [Regex],
}

/// What the passes did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Removed {
    /// Ad blocks (labels with their ads, ad containers).
    pub ads: usize,
    /// Boilerplate blocks, share links, pixels.
    pub boilerplate: usize,
}

struct Rx {
    /// All of `rules::BOILERPLATE_PATTERNS` as one alternation.
    boilerplate: Regex,
    cta: Regex,
    second_person: Regex,
}

fn rx() -> &'static Rx {
    static RX: OnceLock<Rx> = OnceLock::new();
    RX.get_or_init(|| {
        let words = |list: &[&str]| {
            let alt = list.iter().map(|w| regex::escape(w)).collect::<Vec<_>>().join("|");
            Regex::new(&format!(r"(?i)(?:^|[^\w%])(?:{alt})(?:$|[^\w])")).expect("word list regex")
        };
        Rx {
            boilerplate: Regex::new(
                &rules::BOILERPLATE_PATTERNS.iter().map(|p| format!("(?:{p})")).collect::<Vec<_>>().join("|"),
            )
            .expect("rule regex"),
            cta: words(rules::CTA_PHRASES),
            second_person: words(rules::SECOND_PERSON),
        }
    })
}

/// Facts about a subtree, computed for every node in one bottom-up walk so the passes stay
/// linear even on 100,000 nested elements.
#[derive(Default, Clone, Copy)]
struct Stats {
    /// Bytes of trimmed text in the subtree.
    text_len: usize,
    /// Nodes in the subtree, itself included.
    nodes: usize,
    /// A block element below this node.
    block_inside: bool,
    /// An image, video… below this node (or this node).
    media: bool,
}

fn subtree_stats(doc: &Html, root: NodeId) -> FxHashMap<NodeId, Stats> {
    let order: Vec<NodeRef<Node>> = doc.tree.get(root).expect("root").descendants().collect();
    let mut stats: FxHashMap<NodeId, Stats> = FxHashMap::with_capacity_and_hasher(order.len(), Default::default());
    // Pre-order reversed: every child is done before its parent.
    for node in order.iter().rev() {
        let mut s = stats.get(&node.id()).copied().unwrap_or_default();
        s.nodes += 1;
        match node.value() {
            Node::Text(t) => s.text_len += t.trim().len(),
            Node::Element(e) if MEDIA_TAGS.contains(&e.name()) && e.name() != "br" => s.media = true,
            _ => {}
        }
        stats.insert(node.id(), s);
        if node.id() == root {
            continue;
        }
        if let Some(parent) = node.parent() {
            let p = stats.entry(parent.id()).or_default();
            p.text_len += s.text_len;
            p.nodes += s.nodes;
            p.media |= s.media;
            p.block_inside |= s.block_inside || is_block(*node);
        }
    }
    stats
}

/// Runs passes 1–6 on `html` and returns the serialized fragment (not yet sanitized).
pub fn clean_fragment(html: &str, opts: &Options) -> (String, Removed) {
    let mut doc = Html::parse_fragment(html);
    let mut removed = Removed::default();
    let root = fragment_root(&doc);

    // Pass 1 and 2: whole elements.
    let mut doomed: Vec<NodeId> = Vec::new();
    let stats = std::cell::OnceCell::new(); // only needed when an ad class shows up
    let stats = || stats.get_or_init(|| subtree_stats(&doc, root));
    for node in doc.tree.get(root).expect("root").descendants().skip(1) {
        let Some(el) = node.value().as_element() else { continue };
        let name = el.name();
        if rules::REMOVE_TAGS.contains(&name) {
            doomed.push(node.id());
        } else if has_token(el, rules::AD_CLASS_TOKENS) || has_token(el, rules::BOILERPLATE_CLASS_TOKENS) {
            // Never take the whole article because its wrapper carries a "promo" class.
            let (len, total_text) = (stats()[&node.id()].text_len, stats()[&root].text_len);
            if len < 400 || len * 2 < total_text {
                removed.ads += 1;
                doomed.push(node.id());
            }
        }
    }
    for sel in opts.remove {
        for el in doc.select(sel) {
            if el.id() != root {
                removed.boilerplate += 1;
                doomed.push(el.id());
            }
        }
    }
    detach_all(&mut doc, &doomed);

    // Pass 3: pixels and share links.
    let mut doomed = Vec::new();
    for node in doc.tree.get(root).expect("root").descendants() {
        let Some(el) = node.value().as_element() else { continue };
        let hit = match el.name() {
            "img" => is_pixel(el) || el.attr("src").is_some_and(|s| url_matches(s, tracker_patterns())),
            "a" => el.attr("href").is_some_and(|h| url_matches(h, share_patterns())),
            _ => false,
        };
        if hit {
            removed.boilerplate += 1;
            doomed.push(node.id());
        }
    }
    detach_all(&mut doc, &doomed);

    // Pass 4: blocks in reading order.
    let (ads, boiler) = block_pass(&mut doc, root, opts);
    removed.ads += ads;
    removed.boilerplate += boiler;

    // Pass 5: URLs.
    fix_urls(&mut doc, root, opts.base);

    // Pass 6: empties.
    remove_empty(&mut doc, root);

    (serialize_children(&doc, root, html.len()), removed)
}

/// Elements without content or end tag.
const VOID_TAGS: &[&str] =
    &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"];
/// Elements whose text is not escaped when serialized.
const RAW_TEXT_TAGS: &[&str] = &["style", "script", "xmp", "iframe", "noembed", "noframes", "plaintext", "noscript"];

/// HTML serialization of `root`'s children (the HTML fragment serialization algorithm;
/// comments dropped). Iterative, so no depth overflows the stack; writes into one buffer.
fn serialize_children(doc: &Html, root: NodeId, size_hint: usize) -> String {
    use ego_tree::iter::Edge;
    let mut out = String::with_capacity(size_hint);
    let root_ref = doc.tree.get(root).expect("root");
    for edge in root_ref.traverse() {
        match edge {
            Edge::Open(n) if n.id() == root => {}
            Edge::Close(n) if n.id() == root => {}
            Edge::Open(n) => match n.value() {
                Node::Element(e) => {
                    out.push('<');
                    out.push_str(e.name());
                    for (k, v) in e.attrs() {
                        out.push(' ');
                        out.push_str(k);
                        out.push_str("=\"");
                        escape_into(&mut out, v, true);
                        out.push('"');
                    }
                    out.push('>');
                }
                Node::Text(t) => {
                    let raw = n
                        .parent()
                        .and_then(|p| p.value().as_element().map(|e| RAW_TEXT_TAGS.contains(&e.name())))
                        .unwrap_or(false);
                    if raw {
                        out.push_str(t);
                    } else {
                        escape_into(&mut out, t, false);
                    }
                }
                _ => {}
            },
            Edge::Close(n) => {
                if let Node::Element(e) = n.value() {
                    if !VOID_TAGS.contains(&e.name()) {
                        out.push_str("</");
                        out.push_str(e.name());
                        out.push('>');
                    }
                }
            }
        }
    }
    out
}

fn escape_into(out: &mut String, s: &str, attr: bool) {
    // Every character to escape is ASCII or U+00A0 (bytes C2 A0): a byte scan finds them, and
    // the runs between them are copied whole.
    let bytes = s.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        let (rep, len) = match bytes[i] {
            b'&' => ("&amp;", 1),
            b'"' if attr => ("&quot;", 1),
            b'<' if !attr => ("&lt;", 1),
            b'>' if !attr => ("&gt;", 1),
            0xC2 if bytes.get(i + 1) == Some(&0xA0) => ("&nbsp;", 2),
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        i += len;
        last = i;
    }
    out.push_str(&s[last..]);
}

/// The `<html>` element `parse_fragment` wraps the fragment in.
fn fragment_root(doc: &Html) -> NodeId {
    doc.root_element().id()
}

fn detach_all(doc: &mut Html, ids: &[NodeId]) {
    for id in ids {
        if let Some(mut n) = doc.tree.get_mut(*id) {
            n.detach();
        }
    }
}

fn has_token(el: &scraper::node::Element, list: &[&str]) -> bool {
    let check = |v: &str| {
        v.split(|c: char| c.is_whitespace() || c == '-' || c == '_')
            .any(|t| !t.is_empty() && list.iter().any(|w| t.eq_ignore_ascii_case(w)))
    };
    el.attr("class").is_some_and(check) || el.attr("id").is_some_and(check)
}

fn is_pixel(el: &scraper::node::Element) -> bool {
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
struct UrlPattern {
    host: String,
    path: String,
}

fn compile_patterns(list: &[&str]) -> Vec<UrlPattern> {
    list.iter()
        .map(|p| {
            let p = p.to_ascii_lowercase();
            let p = p.strip_prefix("www.").unwrap_or(&p);
            let (host, path) = p.split_once('/').unwrap_or((p, ""));
            UrlPattern { host: host.to_string(), path: path.to_string() }
        })
        .collect()
}

fn tracker_patterns() -> &'static [UrlPattern] {
    static P: OnceLock<Vec<UrlPattern>> = OnceLock::new();
    P.get_or_init(|| compile_patterns(rules::TRACKER_URLS))
}

fn share_patterns() -> &'static [UrlPattern] {
    static P: OnceLock<Vec<UrlPattern>> = OnceLock::new();
    P.get_or_init(|| compile_patterns(rules::SHARE_URLS))
}

/// Does `url` point at one of `patterns`: the host equal to or a subdomain of the pattern's,
/// and the path starting with its path prefix? No allocation for URLs that do not match.
fn url_matches(url: &str, patterns: &[UrlPattern]) -> bool {
    let u = url.trim();
    let rest = u.split_once("//").map_or(u, |(_, r)| r);
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, path) = rest.split_at(host_end);
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h); // userinfo
    let host = host.split_once(':').map_or(host, |(h, _)| h); // port
    let path = path.trim_start_matches('/');
    patterns.iter().any(|p| {
        let host_ok = host.len() >= p.host.len() && {
            let (pre, tail) = host.split_at(host.len() - p.host.len());
            tail.eq_ignore_ascii_case(&p.host) && (pre.is_empty() || pre.ends_with('.'))
        };
        host_ok && path.len() >= p.path.len() && path.as_bytes()[..p.path.len()].eq_ignore_ascii_case(p.path.as_bytes())
    })
}

/// Whitespace-normalized text of a subtree.
fn text_of(node: NodeRef<Node>) -> String {
    let mut s = String::new();
    for d in node.descendants() {
        if let Node::Text(t) = d.value() {
            for word in t.split_whitespace() {
                if !s.is_empty() {
                    s.push(' ');
                }
                s.push_str(word);
            }
        }
    }
    s
}

fn is_block(node: NodeRef<Node>) -> bool {
    node.value().as_element().is_some_and(|e| BLOCK_TAGS.contains(&e.name()))
}

/// Leaf blocks in document order: block elements with no block inside. Text that sits directly
/// in the fragment root or a container next to blocks is not a block of its own (it stays).
fn leaf_blocks(doc: &Html, root: NodeId, stats: &FxHashMap<NodeId, Stats>) -> Vec<NodeId> {
    doc.tree
        .get(root)
        .expect("root")
        .descendants()
        .skip(1)
        .filter(|n| is_block(*n) && !stats[&n.id()].block_inside)
        .map(|n| n.id())
        .collect()
}

/// Does the block's text begin like one of the long boilerplate lines (`rules::BOILERPLATE_STARTS`)?
/// Cheap: looks at the first words only, so ordinary paragraphs skip the text and the patterns.
fn starts_like_boilerplate(node: NodeRef<Node>) -> bool {
    // The first text with something in it (the footers start with plain ASCII words).
    let Some(first) =
        node.descendants().filter_map(|d| d.value().as_text()).map(|t| t.trim_start()).find(|t| !t.is_empty())
    else {
        return false;
    };
    let head = first.as_bytes();
    rules::BOILERPLATE_STARTS
        .iter()
        .any(|s| head.len() >= s.len() && head[..s.len()].eq_ignore_ascii_case(s.as_bytes()))
}

/// Is this text an ad label standing alone (decorations allowed)?
pub fn is_ad_label(text: &str) -> bool {
    let t = text.trim_matches(|c: char| c.is_whitespace() || rules::LABEL_DECORATION.contains(&c));
    if t.is_empty() || t.len() > 40 {
        return false;
    }
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    rules::AD_LABELS.contains(&t.as_str())
}

/// How the block walk sees one block.
struct BlockInfo {
    id: NodeId,
    /// Normalized text, kept only for short blocks (labels and boilerplate lines are short;
    /// long paragraphs need it only when judged after a label, see `judge`).
    text: Option<String>,
    text_len: usize,
}

/// Blocks longer than this are neither labels nor boilerplate lines.
const SHORT_BLOCK: usize = 600;
/// Labels and "read more" lines are shorter than this.
const TINY_BLOCK: usize = 64;

impl BlockInfo {
    fn text(&self, doc: &Html) -> std::borrow::Cow<'_, str> {
        match &self.text {
            Some(t) => t.as_str().into(),
            None => text_of(doc.tree.get(self.id).expect("block")).into(),
        }
    }
}

/// What `ad_run` needs to know of a block after a label (computed only there).
struct Judged {
    heading: bool,
    /// Signals of promotional content, summed (see `ad_score`).
    ad_score: u32,
}

fn judge(doc: &Html, b: &BlockInfo, home_host: Option<&str>) -> Judged {
    let node = doc.tree.get(b.id).expect("block");
    let tag = node.value().as_element().map(|e| e.name()).unwrap_or("");
    let text = b.text(doc);
    let heading = HEADING_TAGS.contains(&tag) || looks_like_heading(&text, node);
    Judged { heading, ad_score: ad_score(node, &text, home_host) }
}

/// A short line without closing punctuation and without a pitch: a section heading in plain
/// text or a CMS that writes headings as bold paragraphs.
fn looks_like_heading(text: &str, node: NodeRef<Node>) -> bool {
    let t = text.trim_end_matches(['"', '“', '”', '«', '»', '\'', ' ']);
    let words = t.split_whitespace().count();
    let has_link = node.descendants().any(|d| d.value().as_element().is_some_and(|e| e.name() == "a"));
    !t.is_empty()
        && t.chars().count() <= 120
        && (1..=14).contains(&words)
        && !t.ends_with(['.', '!', '?', '…', ':', ';', ','])
        && !has_link
        && !rx().cta.is_match(t)
}

/// Signals that a block is promotional: call-to-action phrases, addressing the reader, links
/// to another site, mostly-link text, image-only. Two or more signals make a block ad-like;
/// a news paragraph that merely says "kostenlos" scores one.
fn ad_score(node: NodeRef<Node>, text: &str, home_host: Option<&str>) -> u32 {
    let r = rx();
    let mut score = r.cta.find_iter(text).count().min(3) as u32;
    if r.second_person.is_match(text) {
        score += 1;
    }
    let mut link_text = 0usize;
    let mut foreign = false;
    let mut images = 0;
    for d in node.descendants() {
        if let Some(e) = d.value().as_element() {
            match e.name() {
                "a" => {
                    link_text += text_of(d).len();
                    if let (Some(href), Some(home)) = (e.attr("href"), home_host) {
                        if let Some(h) = Url::parse(href).ok().and_then(|u| u.host_str().map(str::to_string)) {
                            if !same_site(&h, home) {
                                foreign = true;
                            }
                        }
                    }
                }
                "img" | "picture" | "video" => images += 1,
                _ => {}
            }
        }
    }
    if foreign {
        score += 2;
    }
    if !text.is_empty() && link_text * 2 > text.len() {
        score += 2;
    }
    if text.is_empty() && images > 0 {
        score += 2;
    }
    score
}

fn same_site(a: &str, b: &str) -> bool {
    let strip = |h: &str| h.trim_start_matches("www.").to_ascii_lowercase();
    let (a, b) = (strip(a), strip(b));
    a == b || a.ends_with(&format!(".{b}")) || b.ends_with(&format!(".{a}"))
}

/// Pass 4. Returns (ad blocks removed, boilerplate blocks removed).
fn block_pass(doc: &mut Html, root: NodeId, opts: &Options) -> (usize, usize) {
    let home_host = opts.base.and_then(|u| u.host_str()).map(str::to_string);
    let stats = subtree_stats(doc, root);
    let blocks: Vec<BlockInfo> = leaf_blocks(doc, root, &stats)
        .into_iter()
        .map(|id| {
            let text_len = stats[&id].text_len;
            let node = doc.tree.get(id).expect("block");
            let candidate = text_len <= TINY_BLOCK || (text_len < SHORT_BLOCK && starts_like_boilerplate(node));
            let text = candidate.then(|| text_of(node));
            BlockInfo { id, text, text_len }
        })
        .collect();
    let total_text: usize = blocks.iter().map(|b| b.text_len).sum();
    let mut doomed: HashSet<NodeId> = HashSet::new();
    let (mut ads, mut boiler) = (0, 0);
    let mut i = 0;
    while i < blocks.len() {
        let b = &blocks[i];
        let text = b.text.as_deref().unwrap_or("");
        if is_ad_label(text) {
            ads += 1;
            // The label and its ad share a small container: the container goes whole.
            if let Some(c) = ad_container(doc, b.id, root, total_text, &stats) {
                doomed.insert(c);
                let inside: HashSet<NodeId> =
                    doc.tree.get(c).expect("container").descendants().map(|d| d.id()).collect();
                while i < blocks.len() && inside.contains(&blocks[i].id) {
                    i += 1;
                }
                continue;
            }
            doomed.insert(b.id);
            i += 1;
            let end = ad_run(&blocks, i, |b| judge(doc, b, home_host.as_deref()));
            for blk in &blocks[i..end] {
                doomed.insert(blk.id);
            }
            i = end;
            continue;
        }
        if rx().boilerplate.is_match(text)
            || (!opts.remove_text.is_empty() && opts.remove_text.iter().any(|re| re.is_match(&b.text(doc))))
        {
            boiler += 1;
            doomed.insert(b.id);
        }
        i += 1;
    }
    // Labels that are not blocks of their own (`<div><span>Anzeige</span><img><p>…</p></div>`):
    // the outermost element holding just the label, with its small container if it has one.
    let inline_labels: Vec<NodeId> = doc
        .tree
        .get(root)
        .expect("root")
        .descendants()
        .skip(1)
        // A label is short: bounding the subtree keeps this scan linear.
        .filter(|n| {
            n.value().is_element() && !is_block(*n) && stats[&n.id()].nodes <= 16 && stats[&n.id()].text_len <= 40
        })
        .filter(|n| is_ad_label(&text_of(*n)))
        .filter(|n| n.parent().is_some_and(|p| p.id() == root || stats[&p.id()].text_len > stats[&n.id()].text_len))
        .map(|n| n.id())
        .collect();
    for label in inline_labels {
        let node = doc.tree.get(label).expect("label");
        if node.ancestors().any(|a| doomed.contains(&a.id())) {
            continue;
        }
        ads += 1;
        doomed.insert(ad_container(doc, label, root, total_text, &stats).unwrap_or(label));
    }
    let ids: Vec<NodeId> = doomed.into_iter().collect();
    detach_all(doc, &ids);
    (ads, boiler)
}

/// Where the ad that starts at `blocks[start]` (right after its label) ends, exclusive.
/// The first block is what the label labels and goes unless it is a heading; the ad then goes
/// on while blocks are promotional (score >= 2, e.g. the call-to-action paragraph), and stops
/// at a heading or at the next normal paragraph of the article.
fn ad_run(blocks: &[BlockInfo], start: usize, judge: impl Fn(&BlockInfo) -> Judged) -> usize {
    let mut end = start;
    while end < blocks.len() {
        let b = judge(&blocks[end]);
        if blocks[end].text_len == 0 && b.ad_score == 0 {
            end += 1; // spacer
            continue;
        }
        if b.heading && !(end == start && b.ad_score >= 2) {
            break;
        }
        if end > start && b.ad_score < 2 {
            break;
        }
        end += 1;
    }
    end
}

/// The small container (a `div`, `aside`…) holding an ad label and its ad, if there is one:
/// the label's nearest such ancestor, when it holds little of the item's text.
fn ad_container(
    doc: &Html,
    label: NodeId,
    root: NodeId,
    total_text: usize,
    stats: &FxHashMap<NodeId, Stats>,
) -> Option<NodeId> {
    let mut node = doc.tree.get(label)?.parent()?;
    while node.id() != root {
        let el = node.value().as_element()?;
        if AD_CONTAINER_TAGS.contains(&el.name()) {
            let len = stats[&node.id()].text_len;
            return (len <= 1500 && len * 2 < total_text.max(1)).then_some(node.id());
        }
        if !matches!(el.name(), "span" | "strong" | "b" | "em" | "i" | "p" | "small" | "font") {
            return None;
        }
        node = node.parent()?;
    }
    None
}

/// Pass 5: lazy images, absolute URLs, tracking parameters.
fn fix_urls(doc: &mut Html, root: NodeId, base: Option<&Url>) {
    let ids: Vec<NodeId> =
        doc.tree.get(root).expect("root").descendants().filter(|n| n.value().is_element()).map(|n| n.id()).collect();
    for id in ids {
        let mut node = doc.tree.get_mut(id).expect("element");
        let Node::Element(el) = node.value() else { continue };
        if el.name() == "img" || el.name() == "source" {
            for (lazy, real) in
                [("data-src", "src"), ("data-lazy-src", "src"), ("data-original", "src"), ("data-srcset", "srcset")]
            {
                let Some(v) = el.attr(lazy).map(str::to_string) else { continue };
                let current = el.attr(real).unwrap_or("");
                if current.is_empty()
                    || current.starts_with("data:")
                    || current.contains("placeholder")
                    || current.contains("blank.gif")
                {
                    set_attr(el, real, &v);
                }
            }
        }
        for attr in ["href", "src", "poster", "cite"] {
            if let Some(v) = el.attr(attr) {
                if let Some(abs) = absolutize(v, base) {
                    set_attr(el, attr, &abs);
                }
            }
        }
        if let Some(v) = el.attr("srcset").map(str::to_string) {
            let fixed: Vec<String> = v
                .split(',')
                .filter_map(|cand| {
                    let mut parts = cand.split_whitespace();
                    let u = parts.next()?;
                    let abs = absolutize(u, base).unwrap_or_else(|| u.to_string());
                    let desc: Vec<&str> = parts.collect();
                    Some(if desc.is_empty() { abs } else { format!("{abs} {}", desc.join(" ")) })
                })
                .collect();
            set_attr(el, "srcset", &fixed.join(", "));
        }
    }
}

/// Absolute form of a URL attribute with tracking parameters removed; `None` leaves it as is
/// (e.g. `mailto:`, or a relative URL with no base). Unsafe schemes are the sanitizer's job.
fn absolutize(v: &str, base: Option<&Url>) -> Option<String> {
    let v = v.trim();
    if v.is_empty() || v.starts_with('#') {
        return None;
    }
    // Already absolute and nothing to strip: keep as is (most links and images; skips a parse).
    if (v.starts_with("https://") || v.starts_with("http://")) && !v.contains(['?', ' ', '\\']) {
        return None;
    }
    let url = match Url::parse(v) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(v).ok()?,
        Err(_) => return None,
    };
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    Some(strip_tracking(&url).to_string())
}

fn set_attr(el: &mut scraper::node::Element, name: &str, value: &str) {
    let key = QualName::new(None, html5ever::Namespace::from(""), LocalName::from(name));
    el.attrs.insert(key, value.into());
}

/// Pass 6: remove elements that hold neither text nor media (only the outermost of each
/// empty subtree needs detaching).
fn remove_empty(doc: &mut Html, root: NodeId) {
    let stats = subtree_stats(doc, root);
    let empty = |n: &NodeRef<Node>| {
        n.value().as_element().is_some_and(|e| !MEDIA_TAGS.contains(&e.name())) && {
            let s = stats[&n.id()];
            s.text_len == 0 && !s.media
        }
    };
    let empties: Vec<NodeId> = doc
        .tree
        .get(root)
        .expect("root")
        .descendants()
        .skip(1)
        .filter(|n| empty(n) && n.parent().is_none_or(|p| p.id() == root || !empty(&p)))
        .map(|n| n.id())
        .collect();
    detach_all(doc, &empties);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        let mut out = String::new();
        escape_into(&mut out, "a&b<c>\"d\u{a0}é\u{c2}", false);
        assert_eq!(out, "a&amp;b&lt;c&gt;\"d&nbsp;é\u{c2}");
        out.clear();
        escape_into(&mut out, "a&b<c>\"d\u{a0}", true);
        assert_eq!(out, "a&amp;b<c>&quot;d&nbsp;");
    }

    #[test]
    fn url_patterns_match_hosts_subdomains_and_path_prefixes() {
        let p = compile_patterns(&["feeds.feedburner.com/~r/", "vgwort.de", "www.facebook.com/sharer"]);
        for yes in [
            "http://feeds.feedburner.com/~r/x/~4/abc",
            "https://ssl-vg03.met.vgwort.de/na/1",
            "https://VGWORT.DE/x",
            "https://facebook.com/sharer/sharer.php?u=1",
            "https://www.facebook.com/sharer.php",
            "//vgwort.de:443/p",
        ] {
            assert!(url_matches(yes, &p), "{yes}");
        }
        for no in [
            "https://feeds.feedburner.com/other",
            "https://notvgwort.de/",
            "https://facebook.com/page",
            "https://evil.example/vgwort.de",
        ] {
            assert!(!url_matches(no, &p), "{no}");
        }
    }
}
