//! A feed's learned boilerplate: leaf blocks that repeat across the feed's items are removed
//! from clean HTML (`strip_blocks`).

use ego_tree::NodeId;
use rustc_hash::FxHashMap;

use super::*;

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
    let mut doc = crate::clean::tree::parse_fragment(html);
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
