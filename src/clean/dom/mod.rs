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
//!    a heading or colon line left at the end heads nothing and goes (`dangling_headings`);
//!    texts a removal left side by side are joined first, as a reparse would join them;
//! 5. fix URLs: lazy images, absolute URLs, tracking parameters stripped;
//! 6. drop elements left empty.
//!
//! Every removal is logged with the rule that made it and why (`Removal`), for
//! `feedscrub clean --explain`.
//!
//! The sanitizer is NOT here: `clean::Cleaner` runs ammonia over this module's output, last.

use ego_tree::NodeId;
use regex::Regex;
use scraper::Selector;
use url::Url;

use super::rules;

/// `removed.note(…)` only when the log is kept: the reason (usually a `format!`) is not even
/// built otherwise, since the pipeline cleans thousands of items without explaining.
macro_rules! note {
    ($removed:expr, $doc:expr, $id:expr, $kind:expr, $rule:expr, $why:expr $(,)?) => {
        if $removed.explaining() {
            $removed.note($doc, $id, $kind, $rule, $why)
        }
    };
}

mod blocks;
mod elements;
mod explain;
mod extents;
mod learned;
mod ops;
mod prepass;
mod signals;
mod stats;
#[cfg(test)]
mod tests;
mod urls;

use blocks::*;
pub use elements::is_video_embed;
use elements::*;
pub use explain::{describe, Kind, Removal, Removed, WHAT_MAX};
use extents::*;
pub use learned::{strip_blocks, strip_tail, LeafBlock, Strike, TailCut};
pub(crate) use ops::counts_without_content;
use ops::*;
use prepass::*;
use signals::*;
pub use signals::{boilerplate_line, is_ad_label, is_sponsor_read};
use stats::*;
pub(crate) use urls::srcset_candidates;
use urls::*;

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
/// "Update:" and other short headings repeat in news without being junk); those shorter than
/// `learn::ANYWHERE_MIN_TEXT` only where they end an item.
pub const LEARN_MIN_TEXT: usize = 8;

/// Leaf blocks (paragraphs of the plain text) with more text than this are never template
/// lines (footers, bylines, category and tag lines are short).
pub const LINE_MAX_TEXT: usize = 300;

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
            } else if let Some(why) = button_link(node) {
                removed.boilerplate += 1;
                note!(removed, &doc, node.id(), Kind::Boilerplate, "button", why);
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
    merge_adjacent_text(&mut doc, root);
    loose_text_paragraphs(&mut doc, root);
    line_paragraphs(&mut doc, root);
    // Removing blocks can make new ones: a box whose only other content was an ad is now a
    // lone label, lines beside a removed block are now lines of their own. Walk again until a
    // walk removes nothing, so that cleaning the result again would remove nothing either (a
    // walk without removals is the common case).
    let mut before = removed.blocks();
    // (what a walk read of the blocks it kept, for the next: `blocks::Memos`)
    let mut memos = Memos::default();
    let mut blocks = block_pass(&mut doc, root, opts, &mut removed, &mut memos);
    dangling_headings(&mut doc, root, &mut removed);
    for _ in 0..MAX_BLOCK_WALKS {
        if removed.blocks() == before {
            break;
        }
        before = removed.blocks();
        // a link that held a removed block may now read "read more" alone
        let links: Vec<NodeId> = doc
            .tree
            .get(root)
            .expect("root")
            .descendants()
            .filter(|n| n.value().as_element().is_some_and(|e| e.name() == "a") && read_more_link(*n))
            .map(|n| n.id())
            .collect();
        for id in &links {
            removed.boilerplate += 1;
            note!(removed, &doc, *id, Kind::Boilerplate, "boilerplate", "a \"read more\" link");
        }
        detach_pruning(&mut doc, root, &links);
        merge_adjacent_text(&mut doc, root);
        line_paragraphs(&mut doc, root);
        blocks = block_pass(&mut doc, root, opts, &mut removed, &mut memos);
        dangling_headings(&mut doc, root, &mut removed);
    }

    // Pass 5: URLs.
    fix_urls(&mut doc, root, opts.base);

    // Pass 6: empties.
    remove_empty(&mut doc, root);

    // (passes 5 and 6 change no text, and take no block that has some)
    let blocks = blocks.into_iter().map(|id| block_hash(doc.tree.get(id).expect("block"))).collect();
    let text = super::text::node_to_text(doc.tree.get(root).expect("root"));
    Fragment { html: serialize_children(&doc, root, html.len()), removed, blocks, text, malformed }
}
