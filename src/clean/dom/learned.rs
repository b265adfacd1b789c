//! Removing what a feed taught: the leaf blocks of clean HTML are shown to a decision
//! (`clean::learn` holds the feed's repeated blocks and templates), and the blocks it names go
//! (`strip_blocks`).

use ego_tree::NodeId;

use super::*;

/// One leaf block of clean HTML, as the decision in `strip_blocks` sees it.
pub struct LeafBlock {
    /// `block_hash` of its text when it has at least `LEARN_MIN_TEXT` bytes, else `None`.
    pub hash: Option<u64>,
    /// Its whitespace-normalized text when it has at most `LINE_MAX_TEXT` bytes, else `None`.
    pub line: Option<String>,
    /// Bytes of trimmed text.
    pub text_len: usize,
}

/// One block the decision removes: its index in the slice it was shown, the rule and why.
pub type Strike = (usize, &'static str, String);

/// Shows the leaf blocks of `html` to `decide` and removes those it returns. `None` when it
/// returns nothing, or when the blocks it returns are all the text the item has (then they are
/// its content, not furniture around it).
pub fn strip_blocks(
    html: &str,
    explain: bool,
    decide: impl FnOnce(&[LeafBlock]) -> Vec<Strike>,
) -> Option<(String, Removed)> {
    let mut doc = crate::clean::tree::parse_fragment(html);
    let root = fragment_root(&doc);
    let stats = subtree_stats(&doc, root);
    let ids = leaf_blocks(&doc, root, &stats);
    let blocks: Vec<LeafBlock> = ids
        .iter()
        .map(|id| {
            let node = doc.tree.get(*id).expect("block");
            let text_len = stats[id].text_len;
            LeafBlock {
                hash: (text_len >= LEARN_MIN_TEXT).then(|| block_hash(node)),
                line: (text_len > 0 && text_len <= LINE_MAX_TEXT).then(|| text_of(node)),
                text_len,
            }
        })
        .collect();
    let strikes = decide(&blocks);
    let struck: usize = strikes.iter().map(|(i, _, _)| blocks[*i].text_len).sum();
    if strikes.is_empty() || struck >= stats[&root].text_len {
        return None;
    }
    let mut removed = Removed { explain, ..Removed::default() };
    for (i, rule, why) in &strikes {
        removed.boilerplate += 1;
        note!(removed, &doc, ids[*i], Kind::Boilerplate, rule, why.clone());
    }
    let doomed: Vec<NodeId> = strikes.iter().map(|(i, _, _)| ids[*i]).collect();
    detach_all(&mut doc, &doomed);
    remove_empty(&mut doc, root);
    Some((serialize_children(&doc, root, html.len()), removed))
}
