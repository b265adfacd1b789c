//! Tree operations the passes share: detaching with the boxes left empty, removing empties,
//! finding elements, and serializing a fragment.

use ego_tree::{NodeId, NodeRef};
use html5ever::{LocalName, QualName};
use scraper::{Html, Node};

use super::*;

/// Elements without content or end tag.
pub(super) const VOID_TAGS: &[&str] =
    &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"];
/// Elements whose text is not escaped when serialized.
pub(super) const RAW_TEXT_TAGS: &[&str] =
    &["style", "script", "xmp", "iframe", "noembed", "noframes", "plaintext", "noscript"];

/// HTML serialization of `root`'s children (the HTML fragment serialization algorithm;
/// comments dropped). Iterative, so no depth overflows the stack; writes into one buffer.
pub(super) fn serialize_children(doc: &Html, root: NodeId, size_hint: usize) -> String {
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

pub(super) fn escape_into(out: &mut String, s: &str, attr: bool) {
    // Every character to escape is ASCII or U+00A0 (bytes C2 A0): a byte scan finds them, and
    // the runs between them are copied whole.
    let bytes = s.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        let (rep, len) = match bytes[i] {
            b'&' => ("&amp;", 1),
            b'"' if attr => ("&quot;", 1),
            // in attributes too, as the sanitizer's serializer (html5ever 0.40) writes them
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
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
pub(super) fn fragment_root(doc: &Html) -> NodeId {
    doc.root_element().id()
}

/// `detach_all`, and then every ancestor (below `root`) that the removals left without text or
/// media, as pass 6 would remove it: the block walk must judge the tree the reader gets, not
/// an empty box where an image or a script stood (a label before such a box is alone).
pub(super) fn detach_pruning(doc: &mut Html, root: NodeId, ids: &[NodeId]) {
    let parents: Vec<NodeId> = ids.iter().filter_map(|id| doc.tree.get(*id)?.parent().map(|p| p.id())).collect();
    detach_all(doc, ids);
    for mut id in parents {
        while id != root {
            let Some(node) = doc.tree.get(id) else { break };
            let keep = node.parent().is_none()
                || node.value().as_element().is_none_or(|e| MEDIA_TAGS.contains(&e.name()))
                || node.descendants().any(|d| is_content(d.value()));
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

/// Joins text nodes that stand side by side below `root` (after a removal between them, or an
/// unwrap), as a reparse of the output would: the passes must read `Anzeige]]>` as the one
/// text a second cleaning will see, not as two.
pub(super) fn merge_adjacent_text(doc: &mut Html, root: NodeId) {
    let joined: Vec<NodeId> = doc
        .tree
        .get(root)
        .expect("root")
        .descendants()
        .filter(|n| n.value().is_text() && n.prev_sibling().is_some_and(|p| p.value().is_text()))
        .map(|n| n.id())
        .collect();
    // In document order: the text before each is the first of its run (the ones between are
    // gone already).
    for id in joined {
        let Some(node) = doc.tree.get(id) else { continue };
        let (Some(prev), Some(text)) =
            (node.prev_sibling().map(|p| p.id()), node.value().as_text().map(|t| t.text.clone()))
        else {
            continue;
        };
        if let Some(Node::Text(t)) = doc.tree.get_mut(prev).as_mut().map(|n| n.value()) {
            t.text.push_tendril(&text);
        }
        detach_all(doc, &[id]);
    }
}

pub(super) fn detach_all(doc: &mut Html, ids: &[NodeId]) {
    for id in ids {
        if let Some(mut n) = doc.tree.get_mut(*id) {
            n.detach();
        }
    }
}

/// The elements below `root`, in the HTML namespace (not inside `<svg>` or `<math>`), whose
/// name passes `wanted`.
pub(super) fn html_elements_below(doc: &Html, root: NodeId, wanted: impl Fn(&str) -> bool) -> Vec<NodeId> {
    doc.tree
        .get(root)
        .expect("root")
        .descendants()
        .skip(1)
        .filter(|n| {
            n.value().as_element().is_some_and(|e| &*e.name.ns == "http://www.w3.org/1999/xhtml" && wanted(e.name()))
        })
        .map(|n| n.id())
        .collect()
}

pub(super) fn has_media(n: NodeRef<Node>) -> bool {
    n.descendants().any(|d| d.value().as_element().is_some_and(|e| is_media(e.name())))
}

/// An image, video… (`MEDIA_TAGS` but `<br>`): content a reader sees without text.
pub(super) fn is_media(name: &str) -> bool {
    MEDIA_TAGS.contains(&name) && name != "br"
}

/// A node that is content by itself: text that is not only white space, or media.
pub(super) fn is_content(node: &Node) -> bool {
    match node {
        Node::Text(t) => !t.trim().is_empty(),
        Node::Element(e) => is_media(e.name()),
        _ => false,
    }
}

/// Is an element of this name content even when it holds nothing (`MEDIA_TAGS`)?
pub(crate) fn counts_without_content(name: &str) -> bool {
    MEDIA_TAGS.iter().any(|m| m.eq_ignore_ascii_case(name))
}

pub(super) fn set_attr(el: &mut scraper::node::Element, name: &str, value: &str) {
    let key = QualName::new(None, html5ever::Namespace::from(""), LocalName::from(name));
    el.attrs.insert(key, value.into());
}

/// Pass 6: remove elements that hold neither text nor media (only the outermost of each
/// empty subtree needs detaching).
pub(super) fn remove_empty(doc: &mut Html, root: NodeId) {
    // One walk, bottom-up: an element whose subtree has no content is empty.
    let mut empty: Vec<(NodeId, NodeId)> = Vec::new(); // with its parent
    fold_up(
        doc.tree.get(root).expect("root"),
        |node, inside: bool| {
            let content = inside || is_content(node.value());
            let element = node.value().as_element().is_some_and(|e| !MEDIA_TAGS.contains(&e.name()));
            if node.id() != root && element && !content {
                empty.push((node.id(), node.parent().map_or(root, |p| p.id())));
            }
            content
        },
        |parent, content, _| *parent |= *content,
    );
    // only the outermost of each empty subtree
    let inner: rustc_hash::FxHashSet<NodeId> = empty.iter().map(|(id, _)| *id).collect();
    let empties: Vec<NodeId> =
        empty.iter().filter(|(_, parent)| *parent == root || !inner.contains(parent)).map(|(id, _)| *id).collect();
    // An inline element holding only whitespace (`word<span> </span>word`) separates words:
    // it leaves its space behind, or the words would run together.
    for id in &empties {
        let node = doc.tree.get(*id).expect("empty");
        let spaces = !is_block(node)
            && node.prev_sibling().is_some()
            && node.next_sibling().is_some()
            && node.descendants().any(|d| d.value().as_text().is_some_and(|t| !t.is_empty()));
        if spaces {
            let text = scraper::node::Text { text: " ".into() };
            doc.tree.get_mut(*id).expect("empty").insert_before(Node::Text(text));
        }
    }
    detach_all(doc, &empties);
}
