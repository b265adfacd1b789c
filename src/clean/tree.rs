//! Parsing an HTML fragment into a tree the passes can edit safely.
//!
//! html5ever's adoption agency (a formatting element closed around blocks, `<b><p>…</b>`)
//! moves a node's children with ego-tree 0.6's `reparent_from_id_append`, which sets the new
//! parent on the first and the last child only (ego-tree issues #2 and #44): every child in
//! between still names its old parent. Child and sibling links are right, so reading the tree
//! works, but detaching such a node edits the wrong parent and panics. A tree with any such
//! node is copied along its child links, which gives every node its true parent; trees
//! without one (all but misnested HTML) are used as parsed.

use ego_tree::Tree;
use scraper::{Html, Node};

/// `Html::parse_fragment`, with parent links that agree with child links.
pub fn parse_fragment(html: &str) -> Html {
    let mut doc = Html::parse_fragment(html);
    if !parents_agree(&doc.tree) {
        doc.tree = relinked(&doc.tree);
    }
    doc
}

/// Does every node's every child name that node as its parent?
fn parents_agree(tree: &Tree<Node>) -> bool {
    tree.nodes().all(|n| n.children().all(|c| c.parent().map(|p| p.id()) == Some(n.id())))
}

/// A copy of the tree reachable from the root along child links (detached nodes stay behind).
fn relinked(tree: &Tree<Node>) -> Tree<Node> {
    let mut out = Tree::new(tree.root().value().clone());
    let mut todo = vec![(tree.root(), out.root().id())];
    while let Some((from, to)) = todo.pop() {
        for child in from.children() {
            let copy = out.get_mut(to).expect("just added").append(child.value().clone()).id();
            todo.push((child, copy));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree `<b><p>A<i></i><i></i>a</b>` parses to has a middle child with a stale parent
    /// (the bug this module works around); after `parse_fragment` it has none, and it still
    /// serializes to the same HTML.
    #[test]
    fn misnested_formatting_gets_true_parents() {
        let html = "<b><p>A<i></i><i></i>a</b>";
        let raw = Html::parse_fragment(html);
        assert!(!parents_agree(&raw.tree), "ego-tree 0.6 no longer leaves stale parents: drop this module");
        let fixed = parse_fragment(html);
        assert!(parents_agree(&fixed.tree));
        assert_eq!(fixed.root_element().html(), raw.root_element().html());
    }

    #[test]
    fn well_formed_trees_are_used_as_parsed() {
        let doc = parse_fragment("<p>a <b>b</b> <i>c</i></p><ul><li>d</li></ul>");
        assert!(parents_agree(&doc.tree));
        assert_eq!(doc.root_element().html(), "<html><p>a <b>b</b> <i>c</i></p><ul><li>d</li></ul></html>");
    }
}
