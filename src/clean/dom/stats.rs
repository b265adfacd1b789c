//! Facts about subtrees computed once per walk (text length, media, blocks inside), leaf
//! blocks in reading order, their text and fingerprints.

use ego_tree::{NodeId, NodeRef};
use rustc_hash::FxHashMap;
use scraper::{Html, Node};

use super::*;
use crate::clean::text::is_block_tag;

/// Facts about a subtree, computed for every node in one bottom-up walk so the passes stay
/// linear even on 100,000 nested elements.
#[derive(Default, Clone, Copy)]
pub(super) struct Stats {
    /// Bytes of trimmed text in the subtree.
    pub(super) text_len: usize,
    /// Nodes in the subtree, itself included.
    pub(super) nodes: usize,
    /// A block element below this node.
    pub(super) block_inside: bool,
    /// An image, video… below this node (or this node).
    pub(super) media: bool,
}

pub(super) fn subtree_stats(doc: &Html, root: NodeId) -> FxHashMap<NodeId, Stats> {
    let root = doc.tree.get(root).expect("root");
    // (every node of the tree, detached ones too: an upper bound, known without a walk)
    let mut stats: FxHashMap<NodeId, Stats> =
        FxHashMap::with_capacity_and_hasher(doc.tree.nodes().len(), Default::default());
    fold_up(
        root,
        |node, mut s: Stats| {
            s.nodes += 1;
            match node.value() {
                Node::Text(t) => s.text_len += t.trim().len(),
                Node::Element(e) if is_media(e.name()) => s.media = true,
                _ => {}
            }
            stats.insert(node.id(), s);
            s
        },
        |p, s, node| {
            p.text_len += s.text_len;
            p.nodes += s.nodes;
            p.media |= s.media;
            p.block_inside |= s.block_inside || is_block(node);
        },
    );
    stats
}

/// One bottom-up walk of `root`'s subtree, without recursion (item HTML can nest 100,000
/// deep): what a node's children `add` into its value is summed on a stack while the node is
/// open, and `close` finishes the value when it closes (the caller keeps what it needs).
pub(super) fn fold_up<T: Default>(
    root: NodeRef<Node>,
    mut close: impl FnMut(NodeRef<Node>, T) -> T,
    add: impl Fn(&mut T, &T, NodeRef<Node>),
) {
    let mut open: Vec<T> = Vec::with_capacity(32);
    for edge in root.traverse() {
        match edge {
            ego_tree::iter::Edge::Open(_) => open.push(T::default()),
            ego_tree::iter::Edge::Close(node) => {
                let value = close(node, open.pop().unwrap_or_default());
                if let Some(parent) = open.last_mut() {
                    add(parent, &value, node);
                }
            }
        }
    }
}

/// Hash of a block's whitespace-normalized text, computed without building the string.
pub(super) fn block_hash(node: NodeRef<Node>) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    for d in node.descendants() {
        if let Node::Text(t) = d.value() {
            if t.is_ascii() {
                // the same words as `split_whitespace` (in ASCII, white space is these six
                // bytes), without decoding characters
                let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r');
                for w in t.as_bytes().split(space).filter(|w| !w.is_empty()) {
                    h.write(w);
                    h.write_u8(0);
                }
            } else {
                for w in t.split_whitespace() {
                    h.write(w.as_bytes());
                    h.write_u8(0);
                }
            }
        }
    }
    h.finish()
}

/// Whitespace-normalized text of a subtree, as a reader sees it: inline tags join their text
/// ("[t<span>ag</span>s:" is "[tags:"), block boundaries and `<br>` separate it.
pub(super) fn text_of(node: NodeRef<Node>) -> String {
    text_of_sized(node, 64)
}

/// `text_of` of a subtree known to hold about `len` bytes of text (`Stats::text_len`).
pub(super) fn text_of_sized(node: NodeRef<Node>, len: usize) -> String {
    let mut s = String::with_capacity(len + 8);
    let mut gap = false; // white space or a block boundary since the last word
    for edge in node.traverse() {
        let d = match edge {
            ego_tree::iter::Edge::Open(d) | ego_tree::iter::Edge::Close(d) => d,
        };
        match d.value() {
            Node::Text(t) if matches!(edge, ego_tree::iter::Edge::Open(_)) => {
                for (i, word) in t.split_whitespace().enumerate() {
                    if !s.is_empty() && (gap || i > 0 || t.starts_with(char::is_whitespace)) {
                        s.push(' ');
                    }
                    s.push_str(word);
                    gap = false;
                }
                gap |= t.ends_with(char::is_whitespace);
            }
            Node::Element(e) if d.id() != node.id() && (is_block_tag(e.name()) || e.name() == "br") => gap = true,
            _ => {}
        }
    }
    s
}

pub(super) fn is_block(node: NodeRef<Node>) -> bool {
    node.value().as_element().is_some_and(|e| is_block_tag(e.name()))
}

/// Leaf blocks in document order: block elements with no block inside. Text that sits directly
/// in the fragment root or a container next to blocks is not a block of its own (it stays).
pub(super) fn leaf_blocks(doc: &Html, root: NodeId, stats: &FxHashMap<NodeId, Stats>) -> Vec<NodeId> {
    doc.tree
        .get(root)
        .expect("root")
        .descendants()
        .skip(1)
        .filter(|n| is_block(*n) && !stats[&n.id()].block_inside)
        .map(|n| n.id())
        .collect()
}
