//! How far an ad reaches: the blocks after its label (`ad_run`), the box right after a
//! label, the small container holding label and ad.

use ego_tree::NodeId;
use rustc_hash::FxHashMap;
use scraper::Html;

use super::*;

/// Where the ad that starts at `blocks[start]` (right after its label) ends, exclusive, and
/// why each block up to there belongs to it.
///
/// With `labelled`, the first block with text is what the label labels and goes unless it is
/// a heading (images before it, a banner, go with it). The ad then goes on while blocks are
/// promotional (score >= 2, e.g. the call-to-action paragraph), or while a call to action
/// to another site follows within `LOOKAHEAD` blocks (promo text, then its link); it stops at
/// a heading or at the next normal paragraph of the article.
///
/// With `sponsors` (the label leads a sponsor list), each entry of the list goes too: a block
/// with one promotional signal, or one that reads like a sponsor entry, and a short line that
/// only looks like a heading is a sponsor's name.
pub(super) fn ad_run(
    blocks: &[BlockInfo],
    start: usize,
    labelled: bool,
    sponsors: bool,
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
        let (heading, entry) = if sponsors { (b.heading_tag, b.entry) } else { (heading, false) };
        if heading && !(first_text && score >= 2) {
            // The ad's headline: a heading right after the label whose next block is the
            // pitch goes with the ad; a heading followed by article text is the article's.
            let pitch_follows = first_text && judged!(end - start + 1).is_some_and(|n| n.ad_score >= 2);
            if !pitch_follows {
                break;
            }
            first_text = false;
            why.push(if explain { "the ad's headline (its pitch follows)".to_string() } else { String::new() });
            end += 1;
            continue;
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
        if sponsors && (score >= 1 || entry) && blocks[end].text_len <= SHORT_BLOCK {
            why.push(if explain { "a sponsor of the list".to_string() } else { String::new() });
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
pub(super) fn ad_box_after(
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
pub(super) fn ad_container(
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
