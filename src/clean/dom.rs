//! The cleaning passes over a parsed HTML fragment. Pure: a string in, a string and counts out.
//!
//! Passes run in this fixed order (each sees the result of the one before):
//! 0. elements the sanitizer would drop with their text become `<span>`s, empty elements go;
//!    lazy images: `<noscript>` fallbacks become the image they describe;
//! 1. drop dangerous/embedded elements with their content (`rules::REMOVE_TAGS`; iframes of
//!    `rules::VIDEO_EMBEDS` stay, sandboxed) and the feed's own `remove` selectors;
//! 2. drop elements whose class or id tokens mark an ad or a share widget;
//! 3. drop tracking pixels and share links (passes 1–3 take the boxes they leave empty along);
//! 4. paragraphs written as lines (`<br><br>`, a label on a line of its own) become `<p>`s
//!    (`line_paragraphs`); walk the leaf blocks in reading order: an ad label takes the ad it labels with it
//!    (see `ad_run`); boilerplate footers and "read more" lines go; then, from the end,
//!    newsletter and subscription pitches that stand apart from the article (`trailing_pitches`);
//! 5. fix URLs: lazy images, absolute URLs, tracking parameters stripped;
//! 6. drop elements left empty.
//!
//! Every removal is logged with the rule that made it and why (`Removal`), for
//! `feedscrub clean --explain`.
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

/// Block walks after the first one that removed something, at most (see pass 4).
const MAX_BLOCK_WALKS: usize = 3;

/// Inputs of the passes besides the HTML.
pub struct Options<'a> {
    /// Base for relative URLs (the item link, else the feed URL).
    pub base: Option<&'a Url>,
    /// Extra selectors from the feed's `remove` list, with their source text.
    pub remove: &'a [(String, Selector)],
    /// Extra regexes from the feed's `remove_text` list (a block whose text matches goes).
    pub remove_text: &'a [Regex],
    /// Keep `Removed::log` (for `--explain`); the pipeline only needs the counts.
    pub explain: bool,
}

/// `removed.note(…)` only when the log is kept: the reason (usually a `format!`) is not even
/// built otherwise, since the pipeline cleans thousands of items without explaining.
macro_rules! note {
    ($removed:expr, $doc:expr, $id:expr, $kind:expr, $rule:expr, $why:expr $(,)?) => {
        if $removed.explaining() {
            $removed.note($doc, $id, $kind, $rule, $why)
        }
    };
}

/// What the passes did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Removed {
    /// Ad blocks (labels with their ads, ad containers).
    pub ads: usize,
    /// Boilerplate blocks, share links, pixels.
    pub boilerplate: usize,
    /// Every removed element, in the order the passes removed them (only when explaining).
    pub log: Vec<Removal>,
    explain: bool,
}

impl Removed {
    /// Is the log kept (`Options::explain`)?
    pub fn explaining(&self) -> bool {
        self.explain
    }

    /// Ads and boilerplate together: the "blocks removed" of an item.
    pub fn blocks(&self) -> usize {
        self.ads + self.boilerplate
    }

    /// Adds what a later cleaning of the same item removed.
    pub fn absorb(&mut self, later: Removed) {
        self.ads += later.ads;
        self.boilerplate += later.boilerplate;
        self.log.extend(later.log);
    }

    fn note(&mut self, doc: &Html, id: NodeId, kind: Kind, rule: &'static str, why: impl Into<String>) {
        if !self.explain {
            return;
        }
        let what = doc.tree.get(id).map(describe).unwrap_or_default();
        self.log.push(Removal { kind, rule, why: why.into(), what });
    }
}

/// One removed element: what it was, the rule that removed it and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub kind: Kind,
    /// Short rule name: `ad-label`, `ad-class`, `boilerplate-class`, `pixel`, `share-link`,
    /// `boilerplate`, `pitch`,
    /// `learned`, `feed-remove`, `feed-remove-text`, `unsafe`.
    pub rule: &'static str,
    pub why: String,
    /// The first words of its text, or the element and its URL when it has no text.
    pub what: String,
}

/// What a removal counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ad,
    Boilerplate,
    /// Script, style, forms and other elements that are never kept (not counted as removed
    /// blocks: the sanitizer would drop them anyway).
    Unsafe,
}

/// The first words of a subtree's text (at most `WORDS`), or `<tag url>` for an element
/// without text. Stops reading once it has enough.
pub fn describe(node: NodeRef<Node>) -> String {
    const WORDS: usize = 8;
    let mut out = String::new();
    let mut n = 0;
    'outer: for d in node.descendants() {
        if let Node::Text(t) = d.value() {
            for w in t.split_whitespace() {
                if n == WORDS {
                    out.push_str(" …");
                    break 'outer;
                }
                if n > 0 {
                    out.push(' ');
                }
                out.push_str(w);
                n += 1;
            }
        }
    }
    if !out.is_empty() {
        return out;
    }
    // the first element with a URL (the image of a pixel, the link of a flare), else the node
    let el = node
        .descendants()
        .find_map(|d| d.value().as_element().filter(|e| e.attr("src").or(e.attr("href")).is_some()))
        .or_else(|| node.value().as_element());
    match el {
        Some(e) => {
            let url = e.attr("src").or(e.attr("href")).unwrap_or("");
            let url: String = url.chars().take(80).collect();
            if url.is_empty() {
                format!("<{}>", e.name())
            } else {
                format!("<{} {url}>", e.name())
            }
        }
        None => String::new(),
    }
}

struct Rx {
    /// All of `rules::BOILERPLATE_PATTERNS` as one alternation.
    boilerplate: Regex,
    /// Each of them with its name, to say which one matched.
    boilerplate_each: Vec<(&'static str, Regex)>,
    cta: Regex,
    second_person: Regex,
    /// The formal German "you" (`Sie`, `Ihnen`, `Ihr`…): capitalized inside a sentence.
    formal_you: Regex,
    /// Any of `rules::PITCH_WORDS`, any case.
    pitch: Regex,
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
                &rules::BOILERPLATE_PATTERNS.iter().map(|(_, p)| format!("(?:{p})")).collect::<Vec<_>>().join("|"),
            )
            .expect("rule regex"),
            boilerplate_each: rules::BOILERPLATE_PATTERNS
                .iter()
                .map(|(n, p)| (*n, Regex::new(p).expect("rule regex")))
                .collect(),
            cta: words(rules::CTA_PHRASES),
            second_person: words(rules::SECOND_PERSON),
            formal_you: Regex::new(&format!(
                r"[^.!?:\s]\s+(?:{})(?:$|[^\w])",
                rules::FORMAL_SECOND_PERSON.iter().map(|w| regex::escape(w)).collect::<Vec<_>>().join("|")
            ))
            .expect("formal you regex"),
            pitch: Regex::new(&format!(
                "(?i){}",
                rules::PITCH_WORDS.iter().map(|w| regex::escape(w)).collect::<Vec<_>>().join("|")
            ))
            .expect("pitch regex"),
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

/// What `clean_fragment` returns.
pub struct Fragment {
    /// Serialized, not yet sanitized.
    pub html: String,
    pub removed: Removed,
    /// `block_hash` of every kept leaf block with at least `LEARN_MIN_TEXT` bytes of text,
    /// for learning a feed's repeated boilerplate (`strip_blocks`).
    pub blocks: Vec<u64>,
    /// The plain text of the result (`text::html_to_text` of it, taken from the tree).
    pub text: String,
    /// The parser reported errors in the input (misnested or stray tags…).
    pub malformed: bool,
}

/// Leaf blocks with less text than this never count as repeated boilerplate ("Fazit",
/// "Update:" and other short headings repeat in news without being junk).
pub const LEARN_MIN_TEXT: usize = 24;

/// Hash of a block's whitespace-normalized text, computed without building the string.
fn block_hash(node: NodeRef<Node>) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    for d in node.descendants() {
        if let Node::Text(t) = d.value() {
            for w in t.split_whitespace() {
                h.write(w.as_bytes());
                h.write_u8(0);
            }
        }
    }
    h.finish()
}

/// Runs passes 0–6 on `html`.
pub fn clean_fragment(html: &str, opts: &Options) -> Fragment {
    let (mut doc, malformed) = super::tree::parse_fragment_checked(html);
    let mut removed = Removed { explain: opts.explain, ..Removed::default() };
    let root = fragment_root(&doc);

    // Pass 0: what the sanitizer would drop with its content, and elements that are empty
    // already, go first, so that no later pass (nor a second cleaning) sees a different tree
    // than this one did; lazy images whose real source sits in <noscript>; paragraphs
    // written as lines.
    keep_content_the_sanitizer_drops(&mut doc, root);
    drop_urls_the_sanitizer_drops(&mut doc, root);
    remove_empty(&mut doc, root);
    noscript_fallbacks(&mut doc, root);

    // Pass 1 and 2: whole elements.
    let mut doomed: Vec<NodeId> = Vec::new();
    let mut videos: Vec<NodeId> = Vec::new();
    {
        let stats = std::cell::OnceCell::new(); // only needed when an ad class shows up
        let stats = || stats.get_or_init(|| subtree_stats(&doc, root));
        let mut skip_below: Option<NodeId> = None;
        for node in doc.tree.get(root).expect("root").descendants().skip(1) {
            if skip_below.is_some_and(|s| node.ancestors().any(|a| a.id() == s)) {
                continue; // inside an element already doomed: logged with it
            }
            let Some(el) = node.value().as_element() else { continue };
            let name = el.name();
            if name == "iframe" && el.attr("src").is_some_and(is_video_embed) {
                videos.push(node.id());
            } else if rules::REMOVE_TAGS.contains(&name) {
                note!(removed, &doc, node.id(), Kind::Unsafe, "unsafe", format!("<{name}> is never kept"));
                doomed.push(node.id());
                skip_below = Some(node.id());
            } else if let Some((token, kind)) = matching_token(el, rules::AD_CLASS_TOKENS)
                .map(|t| (t, Kind::Ad))
                .or_else(|| matching_token(el, rules::BOILERPLATE_CLASS_TOKENS).map(|t| (t, Kind::Boilerplate)))
            {
                // Never take the whole article because its wrapper carries a "promo" class.
                let (len, total_text) = (stats()[&node.id()].text_len, stats()[&root].text_len);
                // A labelled box holding just the label (`<div class="ad-label">Anzeige</div>`)
                // is a label: the block walk removes it together with the ad it labels.
                let just_label = len <= 40 && is_ad_label(&text_of(node));
                if !just_label && (len < 400 || len * 2 < total_text) {
                    let rule = if kind == Kind::Ad {
                        removed.ads += 1;
                        "ad-class"
                    } else {
                        removed.boilerplate += 1;
                        "boilerplate-class"
                    };
                    note!(removed, &doc, node.id(), kind, rule, format!("class or id token {token:?}"));
                    doomed.push(node.id());
                    skip_below = Some(node.id());
                }
            }
        }
    }
    for (src, sel) in opts.remove {
        for el in doc.select(sel) {
            if el.id() != root && !doomed.contains(&el.id()) {
                removed.boilerplate += 1;
                note!(
                    removed,
                    &doc,
                    el.id(),
                    Kind::Boilerplate,
                    "feed-remove",
                    format!("matches the feed's selector {src:?}"),
                );
                doomed.push(el.id());
            }
        }
    }
    detach_pruning(&mut doc, root, &doomed);
    sandbox_videos(&mut doc, &videos);

    // Pass 3: pixels and share links.
    let mut doomed = Vec::new();
    for node in doc.tree.get(root).expect("root").descendants() {
        let Some(el) = node.value().as_element() else { continue };
        let hit = match el.name() {
            "img" if is_pixel(el) => Some(("pixel", "an image of at most 1×1 pixels")),
            "img" if el.attr("src").is_some_and(|s| url_matches(s, tracker_patterns())) => {
                Some(("pixel", "an image from a tracker host (rules::TRACKER_URLS)"))
            }
            "a" if el.attr("href").is_some_and(|h| url_matches(h, share_patterns())) => {
                Some(("share-link", "a share or feedflare link (rules::SHARE_URLS)"))
            }
            // "Weiterlesen" / "Read more…" as a link at the end of the last paragraph
            "a" if read_more_link(node) => Some(("boilerplate", "a \"read more\" link")),
            _ => None,
        };
        if let Some((rule, why)) = hit {
            removed.boilerplate += 1;
            note!(removed, &doc, node.id(), Kind::Boilerplate, rule, why);
            doomed.push(node.id());
        }
    }
    detach_pruning(&mut doc, root, &doomed);

    // Pass 4: elements the sanitizer unwraps are unwrapped now (their class and tag served
    // passes 1–3); paragraphs written as lines become blocks (on the tree without what passes
    // 1–3 removed), then the blocks in reading order.
    unwrap_what_the_sanitizer_unwraps(&mut doc, root);
    line_paragraphs(&mut doc, root);
    // Removing blocks can make new ones: a box whose only other content was an ad is now a
    // lone label, lines beside a removed block are now lines of their own. Walk again until a
    // walk removes nothing, so that cleaning the result again would remove nothing either (a
    // walk without removals is the common case).
    let mut before = removed.blocks();
    let mut blocks = block_pass(&mut doc, root, opts, &mut removed);
    for _ in 0..MAX_BLOCK_WALKS {
        if removed.blocks() == before {
            break;
        }
        before = removed.blocks();
        line_paragraphs(&mut doc, root);
        blocks = block_pass(&mut doc, root, opts, &mut removed);
    }

    // Pass 5: URLs.
    fix_urls(&mut doc, root, opts.base);

    // Pass 6: empties.
    remove_empty(&mut doc, root);

    let text = super::text::node_to_text(doc.tree.get(root).expect("root"));
    Fragment { html: serialize_children(&doc, root, html.len()), removed, blocks, text, malformed }
}

/// Removes the leaf blocks whose `block_hash` is in `repeated` (a feed's learned boilerplate,
/// each with the number of items it was seen in, of `items`) from clean HTML. `None` when
/// nothing matched, or when the blocks are all the text the item has (then they are its
/// content, not furniture around it).
pub fn strip_blocks(
    html: &str,
    repeated: &FxHashMap<u64, usize>,
    items: usize,
    explain: bool,
) -> Option<(String, Removed)> {
    let mut doc = super::tree::parse_fragment(html);
    let root = fragment_root(&doc);
    let stats = subtree_stats(&doc, root);
    let blocks = leaf_blocks(&doc, root, &stats);
    let mut hits = Vec::new();
    let mut kept_text = stats[&root].text_len;
    for id in blocks {
        let len = stats[&id].text_len;
        if len < LEARN_MIN_TEXT {
            continue;
        }
        if let Some(n) = repeated.get(&block_hash(doc.tree.get(id).expect("block"))) {
            hits.push((id, *n));
            kept_text -= len;
        }
    }
    if hits.is_empty() || kept_text == 0 {
        return None;
    }
    let mut removed = Removed { explain, ..Removed::default() };
    for (id, n) in &hits {
        removed.boilerplate += 1;
        note!(removed, &doc, *id, Kind::Boilerplate, "learned", format!("repeats in {n} of the feed's {items} items"));
    }
    let ids: Vec<NodeId> = hits.iter().map(|(id, _)| *id).collect();
    detach_all(&mut doc, &ids);
    remove_empty(&mut doc, root);
    Some((serialize_children(&doc, root, html.len()), removed))
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

/// `detach_all`, and then every ancestor (below `root`) that the removals left without text or
/// media, as pass 6 would remove it: the block walk must judge the tree the reader gets, not
/// an empty box where an image or a script stood (a label before such a box is alone).
fn detach_pruning(doc: &mut Html, root: NodeId, ids: &[NodeId]) {
    let parents: Vec<NodeId> = ids.iter().filter_map(|id| doc.tree.get(*id)?.parent().map(|p| p.id())).collect();
    detach_all(doc, ids);
    for mut id in parents {
        while id != root {
            let Some(node) = doc.tree.get(id) else { break };
            let keep = node.parent().is_none()
                || node.value().as_element().is_none_or(|e| MEDIA_TAGS.contains(&e.name()))
                || node.descendants().any(|d| match d.value() {
                    Node::Text(t) => !t.trim().is_empty(),
                    Node::Element(e) => MEDIA_TAGS.contains(&e.name()) && e.name() != "br",
                    _ => false,
                });
            if keep {
                break;
            }
            let parent = node.parent().map(|p| p.id());
            detach_all(doc, &[id]);
            match parent {
                Some(p) => id = p,
                None => break,
            }
        }
    }
}

fn detach_all(doc: &mut Html, ids: &[NodeId]) {
    for id in ids {
        if let Some(mut n) = doc.tree.get_mut(*id) {
            n.detach();
        }
    }
}

/// The first class or id token (split on space, `-` and `_`) of `el` that is in `list`.
fn matching_token<'l>(el: &scraper::node::Element, list: &[&'l str]) -> Option<&'l str> {
    let check = |v: &str| {
        v.split(|c: char| c.is_whitespace() || c == '-' || c == '_')
            .filter(|t| !t.is_empty())
            .find_map(|t| list.iter().find(|w| t.eq_ignore_ascii_case(w)).copied())
    };
    el.attr("class").and_then(check).or_else(|| el.attr("id").and_then(check))
}

/// Pass 0. A lazy image often comes as `<img src="placeholder" data-src=…>` or nothing at all,
/// followed by `<noscript><img src="real"></noscript>` for readers without JavaScript, which is
/// what a feed reader is. The fallback's source goes to the placeholder image before it, or,
/// without one, the fallback image replaces the `<noscript>`.
fn noscript_fallbacks(doc: &mut Html, root: NodeId) {
    let noscripts: Vec<(NodeId, String)> = doc
        .tree
        .get(root)
        .expect("root")
        .descendants()
        .filter(|n| n.value().as_element().is_some_and(|e| e.name() == "noscript"))
        .map(|n| {
            // Parsed with scripting on, the content of <noscript> is raw text; the HTML
            // parser of a fragment may also have built elements (scripting off): take both.
            let mut inner = String::new();
            for c in n.children() {
                match c.value() {
                    Node::Text(t) => inner.push_str(t),
                    Node::Element(_) => {
                        inner.push_str(&scraper::ElementRef::wrap(c).map(|e| e.html()).unwrap_or_default())
                    }
                    _ => {}
                }
            }
            (n.id(), inner)
        })
        .filter(|(_, inner)| inner.contains("<img") || inner.contains("<IMG"))
        .collect();
    for (id, inner) in noscripts {
        let frag = super::tree::parse_fragment(&inner);
        let Some(img) = frag.tree.nodes().find_map(|n| n.value().as_element().filter(|e| e.name() == "img").cloned())
        else {
            continue;
        };
        let Some(src) = img.attr("src").filter(|s| !s.trim().is_empty()).map(str::to_string) else { continue };
        let srcset = img.attr("srcset").map(str::to_string);
        let prev = doc
            .tree
            .get(id)
            .expect("noscript")
            .prev_siblings()
            .find(|s| !s.value().as_text().is_some_and(|t| t.trim().is_empty()))
            .filter(|s| s.value().as_element().is_some_and(|e| e.name() == "img" && lacks_real_source(e)))
            .map(|s| s.id());
        match prev {
            Some(prev) => {
                let mut node = doc.tree.get_mut(prev).expect("img");
                if let Node::Element(e) = node.value() {
                    set_attr(e, "src", &src);
                    if let Some(ss) = &srcset {
                        set_attr(e, "srcset", ss);
                    }
                }
            }
            None => {
                let mut node = doc.tree.get_mut(id).expect("noscript");
                node.insert_before(Node::Element(img));
            }
        }
    }
}

/// Pass 0b. Many feeds write paragraphs as lines: text separated by `<br><br>`, or a plain-text
/// body whose ad label stands on a line of its own with the ad on the next lines. The block
/// walk sees blocks, so such runs become `<p>`s: a blank line (two breaks) ends a paragraph,
/// and a line that is an ad label becomes a paragraph of its own. Only elements without
/// block children are split, and only when there is such a boundary in them.
fn line_paragraphs(doc: &mut Html, root: NodeId) {
    const SPLIT: &[&str] = &["p", "div", "td", "li", "blockquote", "section", "article", "dd", "center", "font"];
    let candidates: Vec<NodeId> = doc
        .tree
        .get(root)
        .expect("root")
        .descendants()
        .filter(|n| n.id() == root || n.value().as_element().is_some_and(|e| SPLIT.contains(&e.name())))
        .filter(|n| n.children().any(|c| is_br(c)) && !n.children().any(is_block))
        .map(|n| n.id())
        .collect();
    for id in candidates {
        split_lines(doc, id, id == root);
    }
}

/// The elements below `root`, in the HTML namespace (not inside `<svg>` or `<math>`), whose
/// name passes `wanted`.
fn html_elements_below(doc: &Html, root: NodeId, wanted: impl Fn(&str) -> bool) -> Vec<NodeId> {
    doc.tree
        .get(root)
        .expect("root")
        .descendants()
        .skip(1)
        .filter(|n| {
            n.value()
                .as_element()
                .is_some_and(|e| &*e.name.ns == "http://www.w3.org/1999/xhtml" && wanted(e.name()))
        })
        .map(|n| n.id())
        .collect()
}

/// ammonia removes an HTML element named like an SVG or MathML one (`<text>`, `<mglyph>`,
/// `<list>`…) together with its content, as a namespace confusion. Done last, that would leave
/// blocks empty or ad labels alone that the passes already judged, and a second cleaning
/// would remove them: such elements become `<span>`s, so their text stays and every pass sees
/// what the reader will. (Elements pass 1 removes anyway, `<script>` first, are left to it.)
fn keep_content_the_sanitizer_drops(doc: &mut Html, root: NodeId) {
    let renamed = html_elements_below(doc, root, |name| {
        !rules::REMOVE_TAGS.contains(&name) && super::sanitizer_drops_content(name)
    });
    for id in renamed {
        if let Some(Node::Element(el)) = doc.tree.get_mut(id).as_mut().map(|n| n.value()) {
            el.name = QualName::new(None, el.name.ns.clone(), LocalName::from("span"));
        }
    }
}

/// The sanitizer replaces elements it does not allow (`<font>`, `<section>`, unknown tags…) by
/// their content. Done last, that can join what the passes saw apart (lines in a `<font>`
/// become lines of the paragraph around it), and a second cleaning would judge differently:
/// the passes after the first three see the tree the sanitizer will keep.
fn unwrap_what_the_sanitizer_unwraps(doc: &mut Html, root: NodeId) {
    let unwrapped = html_elements_below(doc, root, |name| !super::sanitizer_keeps(name));
    for id in unwrapped {
        while let Some(child) = doc.tree.get(id).and_then(|n| n.first_child()).map(|c| c.id()) {
            doc.tree.get_mut(id).expect("element").insert_id_before(child);
        }
        detach_all(doc, &[id]);
    }
}

/// ammonia removes a URL attribute (`href`, `src`, `poster`) whose scheme is not http(s) or
/// mailto, or that does not parse at all. The block walk reads links (a link to another site
/// is an ad signal), so it must see the links the reader will get: they go first.
fn drop_urls_the_sanitizer_drops(doc: &mut Html, root: NodeId) {
    const URL_ATTRS: &[&str] = &["href", "src", "poster"];
    let kept = |v: &str| match Url::parse(v) {
        Ok(u) => matches!(u.scheme(), "http" | "https" | "mailto"),
        Err(url::ParseError::RelativeUrlWithoutBase) => true,
        Err(_) => false,
    };
    let doomed: Vec<(NodeId, &'static str)> = doc
        .tree
        .get(root)
        .expect("root")
        .descendants()
        .filter_map(|n| n.value().as_element().map(|e| (n.id(), e)))
        .flat_map(|(id, e)| URL_ATTRS.iter().filter(move |a| e.attr(a).is_some_and(|v| !kept(v))).map(move |a| (id, *a)))
        .collect();
    for (id, attr) in doomed {
        if let Some(Node::Element(el)) = doc.tree.get_mut(id).as_mut().map(|n| n.value()) {
            el.attrs.retain(|k, _| &*k.local != attr);
        }
    }
}

fn is_br(n: NodeRef<Node>) -> bool {
    n.value().as_element().is_some_and(|e| e.name() == "br")
}

fn split_lines(doc: &mut Html, id: NodeId, is_root: bool) {
    // Lines: the children between breaks, with the breaks that ended them.
    let node = doc.tree.get(id).expect("candidate");
    let mut lines: Vec<(Vec<NodeId>, Option<NodeId>)> = vec![(Vec::new(), None)];
    for c in node.children() {
        if is_br(c) {
            lines.last_mut().expect("a line").1 = Some(c.id());
            lines.push((Vec::new(), None));
        } else {
            lines.last_mut().expect("a line").0.push(c.id());
        }
    }
    let line_text = |ids: &[NodeId]| -> String {
        ids.iter().map(|i| text_of(doc.tree.get(*i).expect("child"))).collect::<Vec<_>>().join(" ")
    };
    // Paragraphs: (nodes to move, including the single breaks inside), breaks to drop.
    let mut paras: Vec<Vec<NodeId>> = vec![Vec::new()];
    let mut dropped: Vec<NodeId> = Vec::new();
    let mut boundary = false;
    let mut after_blank = false;
    for (nodes, br) in &lines {
        let text = line_text(nodes);
        let blank = text.trim().is_empty() && !nodes.iter().any(|i| has_media(doc.tree.get(*i).expect("child")));
        if blank {
            dropped.extend(nodes.iter().copied().chain(*br));
            if !paras.last().expect("a paragraph").is_empty() {
                paras.push(Vec::new());
                after_blank = true;
            }
            continue;
        }
        // A blank line is a boundary when text follows it, not at the end.
        boundary |= std::mem::take(&mut after_blank);
        if is_ad_label(&text) {
            if !paras.last().expect("a paragraph").is_empty() {
                paras.push(Vec::new());
            }
            paras.last_mut().expect("a paragraph").extend(nodes);
            dropped.extend(*br);
            paras.push(Vec::new());
            boundary = true;
            continue;
        }
        let p = paras.last_mut().expect("a paragraph");
        p.extend(nodes);
        p.extend(*br);
    }
    if !boundary {
        return;
    }
    // A paragraph's trailing break is the one that ended it: not content.
    for p in &mut paras {
        while p.last().is_some_and(|i| is_br(doc.tree.get(*i).expect("child"))) {
            dropped.push(p.pop().expect("last"));
        }
    }
    let wrap_in_place =
        is_root || doc.tree.get(id).and_then(|n| n.value().as_element().map(|e| e.name() != "p")).unwrap_or(true);
    for p in paras.into_iter().filter(|p| !p.is_empty()) {
        let el = scraper::node::Element::new(
            QualName::new(None, html5ever::Namespace::from("http://www.w3.org/1999/xhtml"), LocalName::from("p")),
            Vec::new(),
        );
        let new = doc.tree.orphan(Node::Element(el)).id();
        for child in p {
            doc.tree.get_mut(new).expect("new p").append_id(child);
        }
        if wrap_in_place {
            doc.tree.get_mut(id).expect("candidate").append_id(new);
        } else {
            doc.tree.get_mut(id).expect("candidate").insert_id_before(new);
        }
    }
    detach_all(doc, &dropped);
    if !wrap_in_place {
        // the old <p> is empty now (its lines moved into the new ones before it)
        detach_all(doc, &[id]);
    }
}

fn has_media(n: NodeRef<Node>) -> bool {
    n.descendants().any(|d| d.value().as_element().is_some_and(|e| MEDIA_TAGS.contains(&e.name()) && e.name() != "br"))
}

/// An `img` whose `src` is missing, empty, a data: URI or an obvious placeholder.
fn lacks_real_source(el: &scraper::node::Element) -> bool {
    let src = el.attr("src").unwrap_or("").trim();
    src.is_empty() || src.starts_with("data:") || src.contains("placeholder") || src.contains("blank.gif")
}

/// Video embeds that stay get a sandbox and lose every attribute but their size and source.
fn sandbox_videos(doc: &mut Html, ids: &[NodeId]) {
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

/// An http(s) URL of one of the video players in `rules::VIDEO_EMBEDS`.
pub fn is_video_embed(src: &str) -> bool {
    static P: OnceLock<Vec<UrlPattern>> = OnceLock::new();
    let src = src.trim();
    (src.starts_with("https://") || src.starts_with("http://"))
        && url_matches(src, P.get_or_init(|| compile_patterns(rules::VIDEO_EMBEDS)))
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

/// Is this text an ad label standing alone (decorations allowed), or a short line naming the
/// sponsor of what follows ("Sponsored by ACME")?
pub fn is_ad_label(text: &str) -> bool {
    let t = text.trim_matches(|c: char| c.is_whitespace() || rules::LABEL_DECORATION.contains(&c));
    if t.is_empty() || t.len() > 80 {
        return false;
    }
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    (t.len() <= 40 && rules::AD_LABELS.contains(&t.as_str()))
        || (!t.contains(['.', '!', '?']) || t.ends_with('.') && t.matches('.').count() <= 2)
            && rules::SPONSOR_LINE_STARTS.iter().any(|s| t.starts_with(s) && t.len() > s.len() + 1)
}

/// Does this block begin with an ad label followed by its ad ("ANZEIGE: Jetzt …",
/// "[Anzeige] Ihr Auto …", "Annons: Spara 20 % …")? Reads only the first text of the block.
fn starts_with_label(node: NodeRef<Node>) -> bool {
    let Some(first) =
        node.descendants().filter_map(|d| d.value().as_text()).map(|t| t.trim_start()).find(|t| !t.is_empty())
    else {
        return false;
    };
    let head: String = first.chars().take(48).collect();
    let head = head.trim_start_matches(|c: char| c.is_whitespace() || "[(*-–—|•".contains(c)).to_lowercase();
    rules::AD_LABELS.iter().any(|l| {
        head.strip_prefix(l).is_some_and(|rest| {
            let rest = rest.trim_start_matches(' ');
            rest.starts_with([':', '|', ']', ')', '*', '–', '—']) || rest.starts_with("- ")
        })
    })
}

/// How the block walk sees one block.
struct BlockInfo {
    id: NodeId,
    /// Normalized text, kept only for short blocks (labels and boilerplate lines are short;
    /// long paragraphs need it only when judged after a label, see `judge`).
    text: Option<String>,
    text_len: usize,
    /// A link to another site inside (computed for long blocks only; see `ad_run`).
    foreign_link: bool,
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
    /// The signals, named, for `--explain`.
    signals: Vec<&'static str>,
}

fn judge(doc: &Html, b: &BlockInfo, home_host: Option<&str>) -> Judged {
    let node = doc.tree.get(b.id).expect("block");
    let tag = node.value().as_element().map(|e| e.name()).unwrap_or("");
    let text = b.text(doc);
    let heading = HEADING_TAGS.contains(&tag) || looks_like_heading(&text, node);
    let mut signals = Vec::new();
    let ad_score = ad_score(node, &text, home_host, &mut signals);
    Judged { heading, ad_score, signals }
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
/// a news paragraph that merely says "kostenlos" scores one. The signals found are added to
/// `signals` by name.
fn ad_score(node: NodeRef<Node>, text: &str, home_host: Option<&str>, signals: &mut Vec<&'static str>) -> u32 {
    let r = rx();
    let ctas = r.cta.find_iter(text).count().min(3) as u32;
    let mut score = ctas;
    if ctas > 0 {
        signals.push("call to action");
    }
    if addresses_reader(text) {
        score += 1;
        signals.push("addresses the reader");
    }
    let mut link_text = 0usize;
    let mut foreign = false;
    let mut images = 0;
    for d in node.descendants() {
        if let Some(e) = d.value().as_element() {
            match e.name() {
                "a" => {
                    link_text +=
                        d.descendants().filter_map(|t| t.value().as_text()).map(|t| t.trim().len()).sum::<usize>();
                    if let (Some(href), Some(home)) = (e.attr("href"), home_host) {
                        if let Some(h) = absolute_host(href) {
                            if !same_site(h, home) {
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
        signals.push("links to another site");
    }
    if !text.is_empty() && link_text * 2 > text.len() {
        score += 2;
        signals.push("mostly link text");
    }
    if text.is_empty() && images > 0 {
        score += 2;
        signals.push("image only");
    }
    score
}

/// Does the text speak to the reader (`du`, `you`, `vous`, the formal `Sie`…)?
fn addresses_reader(text: &str) -> bool {
    let r = rx();
    r.second_person.is_match(text) || r.formal_you.is_match(text)
}

/// The host of an absolute http(s) URL, without parsing the rest (relative URLs: `None`).
fn absolute_host(href: &str) -> Option<&str> {
    let h = href.trim();
    let rest = h.strip_prefix("https://").or_else(|| h.strip_prefix("http://")).or_else(|| {
        let lower = h.get(..8)?.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            return None;
        }
        Some(&h[h.find("//")? + 2..])
    })?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split_once(':').map_or(host, |(h, _)| h);
    (!host.is_empty()).then_some(host)
}

/// The same site: equal hosts, or one a subdomain of the other (`www.` ignored, any case).
fn same_site(a: &str, b: &str) -> bool {
    let strip = |h: &str| h.strip_prefix("www.").unwrap_or(h).to_string();
    let (a, b) = (strip(&a.to_ascii_lowercase()), strip(&b.to_ascii_lowercase()));
    let sub = |x: &str, y: &str| x.len() > y.len() && x.ends_with(y) && x.as_bytes()[x.len() - y.len() - 1] == b'.';
    a == b || sub(&a, &b) || sub(&b, &a)
}

/// Pass 4: ad labels with their ads, boilerplate lines, the feed's `remove_text`, trailing
/// pitches. Counts and logs into `removed`; returns the `block_hash`es of the kept blocks.
fn block_pass(doc: &mut Html, root: NodeId, opts: &Options, removed: &mut Removed) -> Vec<u64> {
    let home_host = opts.base.and_then(|u| u.host_str()).map(str::to_string);
    let stats = subtree_stats(doc, root);
    let blocks: Vec<BlockInfo> = leaf_blocks(doc, root, &stats)
        .into_iter()
        .map(|id| {
            let text_len = stats[&id].text_len;
            let node = doc.tree.get(id).expect("block");
            let candidate = text_len <= TINY_BLOCK || (text_len < SHORT_BLOCK && starts_like_boilerplate(node));
            let text = candidate.then(|| text_of(node));
            let foreign_link = text_len > SHORT_BLOCK
                && node.descendants().any(|d| {
                    d.value().as_element().is_some_and(|e| {
                        e.name() == "a"
                            && e.attr("href")
                                .and_then(absolute_host)
                                .is_some_and(|h| home_host.as_deref().is_some_and(|home| !same_site(h, home)))
                    })
                });
            BlockInfo { id, text, text_len, foreign_link }
        })
        .collect();
    let total_text: usize = blocks.iter().map(|b| b.text_len).sum();
    let mut doomed: HashSet<NodeId> = HashSet::new();
    let mut i = 0;
    while i < blocks.len() {
        let b = &blocks[i];
        let text = b.text.as_deref().unwrap_or("");
        if is_ad_label(text) {
            removed.ads += 1;
            let label = text.to_string();
            // The label and its ad share a small container: the container goes whole.
            if let Some(c) = ad_container(doc, b.id, root, total_text, &stats) {
                note!(removed, doc, c, Kind::Ad, "ad-label", format!("the container of the ad label {label:?}"));
                doomed.insert(c);
                let inside: HashSet<NodeId> =
                    doc.tree.get(c).expect("container").descendants().map(|d| d.id()).collect();
                while i < blocks.len() && inside.contains(&blocks[i].id) {
                    i += 1;
                }
                continue;
            }
            note!(removed, doc, b.id, Kind::Ad, "ad-label", "an ad label standing alone");
            doomed.insert(b.id);
            i += 1;
            // The ad in a box of its own right after the label: the box goes whole.
            if let Some(c) = blocks.get(i).and_then(|n| ad_box_after(doc, b.id, n.id, root, total_text, &stats)) {
                note!(removed, doc, c, Kind::Ad, "ad-label", format!("the box the ad label {label:?} labels"));
                doomed.insert(c);
                let inside: HashSet<NodeId> = doc.tree.get(c).expect("box").descendants().map(|d| d.id()).collect();
                while i < blocks.len() && inside.contains(&blocks[i].id) {
                    i += 1;
                }
                let (end, why) =
                    ad_run(&blocks, i, false, removed.explaining(), |b| judge(doc, b, home_host.as_deref()));
                for (blk, why) in blocks[i..end].iter().zip(why) {
                    note!(removed, doc, blk.id, Kind::Ad, "ad-label", format!("follows the ad label {label:?}: {why}"));
                    doomed.insert(blk.id);
                }
                i = end;
                continue;
            }
            let (end, why) = ad_run(&blocks, i, true, removed.explaining(), |b| judge(doc, b, home_host.as_deref()));
            for (blk, why) in blocks[i..end].iter().zip(why) {
                note!(removed, doc, blk.id, Kind::Ad, "ad-label", format!("follows the ad label {label:?}: {why}"));
                doomed.insert(blk.id);
            }
            i = end;
            continue;
        }
        if starts_with_label(doc.tree.get(b.id).expect("block")) {
            removed.ads += 1;
            note!(removed, doc, b.id, Kind::Ad, "ad-label", "begins with an ad label");
            doomed.insert(b.id);
            i += 1;
            let (end, why) = ad_run(&blocks, i, false, removed.explaining(), |b| judge(doc, b, home_host.as_deref()));
            for (blk, why) in blocks[i..end].iter().zip(why) {
                note!(removed, doc, blk.id, Kind::Ad, "ad-label", format!("follows an ad: {why}"));
                doomed.insert(blk.id);
            }
            i = end;
            continue;
        }
        if let Some(name) = boilerplate_line(text) {
            removed.boilerplate += 1;
            note!(removed, doc, b.id, Kind::Boilerplate, "boilerplate", name);
            doomed.insert(b.id);
        } else if !opts.remove_text.is_empty() {
            let t = b.text(doc);
            if let Some(re) = opts.remove_text.iter().find(|re| re.is_match(&t)) {
                removed.boilerplate += 1;
                note!(
                    removed,
                    doc,
                    b.id,
                    Kind::Boilerplate,
                    "feed-remove-text",
                    format!("matches the feed's remove_text {:?}", re.as_str()),
                );
                doomed.insert(b.id);
            }
        }
        i += 1;
    }
    trailing_pitches(doc, &blocks, &mut doomed, home_host.as_deref(), removed);
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
        removed.ads += 1;
        let target = ad_container(doc, label, root, total_text, &stats);
        let why = match target {
            Some(_) => format!("the container of the inline ad label {:?}", text_of(node)),
            None => "an inline ad label".to_string(),
        };
        let target = target.unwrap_or(label);
        note!(removed, doc, target, Kind::Ad, "ad-label", why);
        doomed.insert(target);
    }
    let hashes = blocks
        .iter()
        .filter(|b| b.text_len >= LEARN_MIN_TEXT && !doomed.contains(&b.id))
        .map(|b| block_hash(doc.tree.get(b.id).expect("block")))
        .collect();
    let ids: Vec<NodeId> = doomed.into_iter().collect();
    detach_all(doc, &ids);
    hashes
}

/// A link whose whole text is a "read more" phrase (`rules::BOILERPLATE_PATTERNS`).
fn read_more_link(node: NodeRef<Node>) -> bool {
    let Some((_, re)) = rx().boilerplate_each.iter().find(|(n, _)| n.contains("read more")) else { return false };
    // most links are longer than "read more": measure before building the text
    let len: usize = node.descendants().filter_map(|d| d.value().as_text()).map(|t| t.len()).sum();
    if len == 0 || len > 96 {
        return false;
    }
    let text = text_of(node);
    !text.is_empty() && text.len() < 48 && re.is_match(&text)
}

/// The name of the boilerplate line `text` is (`rules::BOILERPLATE_PATTERNS`), if any.
fn boilerplate_line(text: &str) -> Option<&'static str> {
    if text.is_empty() || !rx().boilerplate.is_match(text) {
        return None;
    }
    rx().boilerplate_each.iter().find(|(_, re)| re.is_match(text)).map(|(n, _)| *n)
}

/// A trailing pitch names its subscription within this many blocks from the end.
const PITCH_LOOKBACK: usize = 6;

/// Newsletter and subscription pitches at the end of an item, standing apart from the
/// article. Walking back from the last block, a block belongs to the pitch while it is
/// promotional (a call to action and a second signal, see `ad_score`), or names a
/// subscription (`rules::PITCH_WORDS`) and also links somewhere, addresses the reader or is a
/// short heading ("Newsletter"). The walk stops at the first block that is neither; the run
/// goes only if some block of it names a subscription, and it never takes the first block of
/// the item (a one-paragraph item about a newsletter is the article).
fn trailing_pitches(
    doc: &Html,
    blocks: &[BlockInfo],
    doomed: &mut HashSet<NodeId>,
    home_host: Option<&str>,
    removed: &mut Removed,
) {
    let live: Vec<&BlockInfo> = blocks.iter().filter(|b| b.text_len > 0 && !doomed.contains(&b.id)).collect();
    // Cheap first: most items end without naming a subscription in their last blocks.
    let names_one = |b: &&BlockInfo| rx().pitch.is_match(&b.text(doc));
    // (pitches are short blocks: the walk below stops at the first long one anyway)
    if !live.iter().skip(1).rev().take(PITCH_LOOKBACK).take_while(|b| b.text_len <= SHORT_BLOCK).any(names_one) {
        return;
    }
    let mut run = Vec::new();
    let mut named = None;
    for b in live.iter().skip(1).rev() {
        let node = doc.tree.get(b.id).expect("block");
        if node.ancestors().any(|a| doomed.contains(&a.id())) {
            continue;
        }
        if b.text_len > SHORT_BLOCK {
            break;
        }
        let text = b.text(doc);
        let lower = text.to_lowercase();
        let word = rules::PITCH_WORDS.iter().find(|w| lower.contains(*w));
        let mut signals = Vec::new();
        let score = ad_score(node, &text, home_host, &mut signals);
        let promo = score >= 2;
        let has_link = node.descendants().any(|d| d.value().as_element().is_some_and(|e| e.name() == "a"));
        // A heading of the pitch ("Newsletter", "Jetzt abonnieren"): short, not a sentence.
        let heading = text.chars().count() <= 60 && !text.trim_end().ends_with(['.', '!', '?', '…', ':', ';', ',']);
        let pitch = word.is_some() && (score >= 2 || has_link || addresses_reader(&text) || heading);
        if !(promo || pitch) {
            break;
        }
        named = named.or(word);
        run.push((b.id, signals));
    }
    let Some(word) = named else { return };
    for (id, signals) in run.into_iter().rev() {
        let why = if signals.is_empty() {
            format!("a trailing pitch ({word:?})")
        } else {
            format!("a trailing pitch ({word:?}; {})", signals.join(", "))
        };
        removed.boilerplate += 1;
        note!(removed, doc, id, Kind::Boilerplate, "pitch", why);
        doomed.insert(id);
    }
}

/// Where the ad that starts at `blocks[start]` (right after its label) ends, exclusive, and
/// why each block up to there belongs to it.
///
/// With `labelled`, the first block with text is what the label labels and goes unless it is
/// a heading (images before it, a banner, go with it). The ad then goes on while blocks are
/// promotional (score >= 2, e.g. the call-to-action paragraph), or while a call to action
/// to another site follows within `LOOKAHEAD` blocks (promo text, then its link); it stops at
/// a heading or at the next normal paragraph of the article.
fn ad_run(
    blocks: &[BlockInfo],
    start: usize,
    labelled: bool,
    explain: bool,
    judge: impl Fn(&BlockInfo) -> Judged,
) -> (usize, Vec<String>) {
    const LOOKAHEAD: usize = 2;
    // Judged on demand (scoring reads the block's text and links): most runs end after a
    // block or two.
    let n = blocks.len().min(start + 12) - start.min(blocks.len());
    let mut cache: Vec<Option<Judged>> = std::iter::repeat_with(|| None).take(n).collect();
    fn at<'c>(
        cache: &'c mut [Option<Judged>],
        k: usize,
        judge: &impl Fn(&BlockInfo) -> Judged,
        b: &[BlockInfo],
    ) -> Option<&'c Judged> {
        let slot = cache.get_mut(k)?;
        Some(slot.get_or_insert_with(|| judge(&b[k])))
    }
    let rest = &blocks[start..];
    macro_rules! judged {
        ($k:expr) => {
            at(&mut cache, $k, &judge, rest)
        };
    }
    let cta_link = |j: &Judged| {
        j.ad_score >= 2 && j.signals.contains(&"call to action") && j.signals.contains(&"links to another site")
    };
    let mut end = start;
    let mut why = Vec::new();
    let mut first_text = labelled;
    while let Some(b) = judged!(end - start) {
        // the reasons are only spelled out when explaining (`Removed::log`)
        let (heading, score, signals) =
            (b.heading, b.ad_score, if explain { b.signals.join(", ") } else { String::new() });
        if blocks[end].text_len == 0 {
            if score == 0 && !first_text {
                // a spacer inside the ad, or the end of it
                if judged!(end - start + 1).is_some_and(|n| n.ad_score >= 2) {
                    why.push(if explain { "an empty spacer inside the ad".to_string() } else { String::new() });
                    end += 1;
                    continue;
                }
                break;
            }
            why.push(if !explain {
                String::new()
            } else if signals.is_empty() {
                "an empty spacer inside the ad".to_string()
            } else {
                format!("part of the ad ({signals})")
            });
            end += 1;
            continue;
        }
        if heading && !(first_text && score >= 2) {
            break;
        }
        if first_text {
            first_text = false;
            why.push(if explain { "the block the label labels".to_string() } else { String::new() });
            end += 1;
            continue;
        }
        if score >= 2 {
            why.push(if explain { format!("still promotional ({signals})") } else { String::new() });
            end += 1;
            continue;
        }
        // promo text whose call to action follows shortly
        let mut take = None;
        for k in 1..=LOOKAHEAD {
            // A long paragraph without a link elsewhere is neither a call to action nor a
            // heading: skip judging it (the common case: the article resumes).
            if rest.get(end - start + k).is_some_and(|b| b.text_len > SHORT_BLOCK && !b.foreign_link) {
                continue;
            }
            match judged!(end - start + k) {
                Some(j) if cta_link(j) => {
                    take = Some(k);
                    break;
                }
                Some(j) if j.heading => break,
                Some(_) => {}
                None => break,
            }
        }
        match take {
            Some(k) => {
                for _ in 0..k {
                    why.push(if explain { "promo text before its call to action".to_string() } else { String::new() });
                    end += 1;
                }
            }
            None => break,
        }
    }
    (end, why)
}

/// The box holding the ad right after a standalone label: the outermost ad container
/// (`AD_CONTAINER_TAGS`) that begins with block `next`, does not hold the label, and holds
/// little of the item's text.
fn ad_box_after(
    doc: &Html,
    label: NodeId,
    next: NodeId,
    root: NodeId,
    total_text: usize,
    stats: &FxHashMap<NodeId, Stats>,
) -> Option<NodeId> {
    let mut found = None;
    let mut node = doc.tree.get(next)?;
    while let Some(parent) = node.parent() {
        if parent.id() == root || parent.descendants().any(|d| d.id() == label) {
            break;
        }
        // `next` must be the first thing with content in the parent
        let first = parent.children().find(|c| {
            let s = stats[&c.id()];
            s.text_len > 0 || s.media
        });
        if first.map(|f| f.id()) != Some(node.id()) {
            break;
        }
        let el = parent.value().as_element()?;
        let len = stats[&parent.id()].text_len;
        if len > 1500 || len * 2 >= total_text.max(1) {
            break;
        }
        if AD_CONTAINER_TAGS.contains(&el.name()) && stats[&parent.id()].block_inside {
            found = Some(parent.id());
        }
        node = parent;
    }
    found
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
            let fixed: Vec<String> = srcset_candidates(&v)
                .into_iter()
                .filter_map(|(u, desc)| {
                    let abs = absolutize(u, base).unwrap_or_else(|| u.to_string());
                    // only web images: no javascript:, no data: documents
                    is_web_url(&abs).then(|| if desc.is_empty() { abs } else { format!("{abs} {desc}") })
                })
                .collect();
            if fixed.is_empty() {
                el.attrs.retain(|k, _| &*k.local != "srcset");
            } else {
                set_attr(el, "srcset", &fixed.join(", "));
            }
        }
    }
}

/// An absolute http(s) URL (or one relative to the page, which stays on the feed's site).
fn is_web_url(u: &str) -> bool {
    let lower = u.trim_start().get(..8).unwrap_or(u).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || !u.contains(':')
}

/// The candidates of a `srcset` as (URL, descriptors), split as the HTML standard does: a URL
/// runs to the next whitespace (a trailing comma ends it), descriptors run to the next comma.
/// Commas inside URLs (`data:` URIs, query strings) stay in the URL.
pub(crate) fn srcset_candidates(v: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = v;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if rest.is_empty() {
            break;
        }
        let url_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let url = &rest[..url_end];
        if url.ends_with(',') {
            out.push((url.trim_end_matches(','), ""));
            rest = &rest[url_end..];
            continue;
        }
        let after = &rest[url_end..];
        let desc_end = after.find(',').unwrap_or(after.len());
        out.push((url, after[..desc_end].trim()));
        rest = &after[desc_end..];
    }
    out
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

/// Is an element of this name content even when it holds nothing (`MEDIA_TAGS`)?
pub(crate) fn counts_without_content(name: &str) -> bool {
    MEDIA_TAGS.iter().any(|m| m.eq_ignore_ascii_case(name))
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
