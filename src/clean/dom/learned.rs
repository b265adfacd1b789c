//! Removing what a feed taught: the leaf blocks of clean HTML are shown to a decision
//! (`clean::learn` holds the feed's repeated blocks and templates), and the blocks it names go
//! (`strip_blocks`).

use ego_tree::{NodeId, NodeRef};
use scraper::{Html, Node};

use super::*;

/// One leaf block of clean HTML, as the decision in `strip_blocks` sees it.
pub struct LeafBlock {
    /// `block_hash` of its text when it has at least `LEARN_MIN_TEXT` bytes, else `None`.
    pub hash: Option<u64>,
    /// Its whitespace-normalized text when it has at most `LINE_MAX_TEXT` bytes, else `None`.
    pub line: Option<String>,
    /// Bytes of trimmed text.
    pub text_len: usize,
    /// Is it a heading (`h1`–`h6`)?
    pub heading: bool,
    /// Is it a line of text (at most `LINE_MAX_TEXT` bytes, no image or video) all inside links?
    pub linked: bool,
}

/// One block the decision removes: its index in the slice it was shown, the rule and why.
pub type Strike = (usize, &'static str, String);

/// Shows the leaf blocks of `html` to `decide` (with their hashes and lines when asked for)
/// and removes those it returns. `None` when it
/// returns nothing, or when the blocks it returns are all the text the item has (then they are
/// its content, not furniture around it).
pub fn strip_blocks(
    html: &str,
    explain: bool,
    (hashes, lines): (bool, bool),
    decide: impl FnOnce(&[LeafBlock]) -> Vec<Strike>,
) -> Option<(String, Removed, String)> {
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
                hash: (hashes && text_len >= LEARN_MIN_TEXT).then(|| block_hash(node)),
                line: (lines && text_len > 0 && text_len <= LINE_MAX_TEXT).then(|| text_of(node)),
                text_len,
                heading: node.value().as_element().is_some_and(|e| super::HEADING_TAGS.contains(&e.name())),
                linked: text_len > 0 && text_len <= LINE_MAX_TEXT && !stats[id].media && {
                    let (linked, all) = blocks::link_letters(node, |_| true);
                    linked == all
                },
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
    let text = crate::clean::text::node_to_text(doc.tree.get(root).expect("root"));
    Some((serialize_children(&doc, root, html.len()), removed, text))
}

/// The last sentence of an item is at most this many characters for `last_sentence` to
/// offer it (footers glued to the text are short).
const TAIL_MAX: usize = 200;

/// Where the last sentence of the item's last leaf block begins: the text node and the byte
/// offset right after the sentence end before it (". ", "! ", "? ", "… "). `None` when the
/// block is one sentence, or its last sentence is longer than `TAIL_MAX` characters. What
/// follows the offset is the item's *tail*, such as "Leia mais no Massa News!" glued to a
/// teaser, which `clean::learn` may know as a template of the feed.
fn last_sentence(doc: &Html, root: NodeId, cut: TailCut) -> Option<(NodeId, NodeId, usize)> {
    // The last block in document order that has text is a leaf of text (a block inside it
    // would come after it); blocks of images only (an ad banner, a pixel) after it are not the
    // end of the text; a body of inline content only (a teaser without <p>) is its own block.
    let has_text =
        |n: &NodeRef<Node>| n.descendants().any(|d| d.value().as_text().is_some_and(|t| !t.trim().is_empty()));
    let block = doc
        .tree
        .get(root)?
        .descendants()
        .skip(1)
        .filter(|n| is_block(*n) && has_text(n))
        .last()
        .map_or(root, |n| n.id());
    // A `<br>` is the line break the plain text has there ("\n"); the source's own line
    // breaks inside text are spaces, as a reader sees them (same byte length: offsets hold).
    let texts: Vec<(NodeId, std::borrow::Cow<str>)> = doc
        .tree
        .get(block)?
        .descendants()
        .filter_map(|d| match d.value() {
            Node::Text(t) if t.contains('\n') => Some((d.id(), t.replace('\n', " ").into())),
            Node::Text(t) => Some((d.id(), (&**t).into())),
            Node::Element(e) if e.name() == "br" => Some((d.id(), "\n".into())),
            _ => None,
        })
        .collect();
    let (k, offset) = cut.start(&texts.iter().map(|(_, t)| &**t).collect::<Vec<_>>())?;
    Some((block, texts[k].0, offset))
}

/// Where the last sentence of a text given in pieces begins: the piece and byte offset right
/// after the last sentence end (". ", "! ", "? ", "… ", also before closing quotes or brackets:
/// `rant)." [Link]`) or line break (`<br>`, "\n" in the plain text) that has text after it, at most `TAIL_MAX` characters of it. The one rule
/// for the tail of a DOM block and of a plain-text paragraph (`clean::learn`).
fn last_sentence_start(pieces: &[&str]) -> Option<(usize, usize)> {
    const CLOSERS: &[char] = &['"', '”', '’', '\'', ')', ']', '»'];
    let mut seen = 0usize; // characters of the tail, walking back
    let mut next_is_space = true; // the character after the position (none at the end)
    let mut closers = 0usize; // bytes of closing marks right after the position, in this piece
    for (k, t) in pieces.iter().enumerate().rev() {
        for (i, c) in t.char_indices().rev() {
            if (matches!(c, '.' | '!' | '?' | '…') && next_is_space || c == '\n') && seen > 0 {
                return Some((k, i + c.len_utf8() + closers));
            }
            if CLOSERS.contains(&c) && next_is_space {
                closers += c.len_utf8();
                continue;
            }
            closers = 0;
            if !c.is_whitespace() {
                seen += 1;
                if seen > TAIL_MAX {
                    return None;
                }
            }
            next_is_space = c.is_whitespace();
        }
        closers = 0;
    }
    None
}

/// Where an item's tail begins: after its last sentence ("… Leia mais no Massa News!"), at
/// the bracketed groups its last sentence ends with ("Von Frank W. (Raumfahrt, Nasa)",
/// "… [Link] [Tags: Web] [Comment]"), which a byline or the sentence itself may precede, at
/// the start of a short last block ("[tags: netneutrality]" in a block of its own), or at the
/// sentence that begins a sponsor read running to the end ("… This episode is sponsored by
/// Acme, an anthology series. They're […]").
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TailCut {
    Sentence,
    Brackets,
    Block,
    SponsorRead,
}

impl TailCut {
    /// The piece and byte offset where the tail begins in a text given in pieces.
    pub fn start(self, pieces: &[&str]) -> Option<(usize, usize)> {
        match self {
            TailCut::Sentence => last_sentence_start(pieces),
            TailCut::Brackets => trailing_brackets_start(pieces),
            TailCut::Block => {
                let chars = pieces.iter().flat_map(|t| t.chars()).filter(|c| !c.is_whitespace()).count();
                (chars > 0 && chars <= TAIL_MAX).then_some((0, 0))
            }
            TailCut::SponsorRead => sponsor_read_start(pieces),
        }
    }
}

/// A sponsor read that ends a block runs at most this many sentences.
const READ_SENTENCES: usize = 3;

/// Where the sponsor read that ends a text given in pieces begins (`signals::is_sponsor_read`):
/// the start of one of its last `READ_SENTENCES` sentences, the earliest that begins a read,
/// never the start of the text (a block that is all read is the block walk's).
fn sponsor_read_start(pieces: &[&str]) -> Option<(usize, usize)> {
    let mut ends: Vec<(usize, usize)> = Vec::with_capacity(READ_SENTENCES);
    let mut upto: Vec<&str> = pieces.to_vec();
    for _ in 0..READ_SENTENCES {
        let Some((k, offset)) = last_sentence_start(&upto) else { break };
        ends.push((k, offset));
        // what stands before this sentence start, for the next look back (its end mark and
        // closers stay: the sentence before ends there)
        upto.truncate(k + 1);
        upto[k] = &upto[k][..offset];
    }
    let rest = |(k, offset): (usize, usize)| {
        let mut out = pieces[k][offset..].to_string();
        pieces[k + 1..].iter().for_each(|p| out.push_str(p));
        out
    };
    ends.into_iter().rev().find(|at| super::signals::is_sponsor_read(rest(*at).trim_start()))
}

/// Where the run of bracketed groups ("(…)", "[…]", separated by white space) that ends a
/// text begins: the piece and byte offset of its first opening bracket, which follows white
/// space. `None` when the text does not end with one, the run is the whole text, is glued to a
/// word ("f(x)") or is longer than `TAIL_MAX` characters.
fn trailing_brackets_start(pieces: &[&str]) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    let mut seen = 0usize;
    let mut start = None; // the last opener that closed a group, walking back
    let mut after_space = false; // the character after the position is white space
    for (k, t) in pieces.iter().enumerate().rev() {
        for (i, c) in t.char_indices().rev() {
            if !c.is_whitespace() {
                seen += 1;
                if seen > TAIL_MAX {
                    return None;
                }
            }
            match c {
                ')' | ']' => depth += 1,
                '(' | '[' if depth > 0 => {
                    depth -= 1;
                    if depth == 0 {
                        start = Some((k, i));
                    }
                }
                c if depth == 0 && !c.is_whitespace() => return start.filter(|_| after_space),
                _ => {}
            }
            after_space = c.is_whitespace();
        }
    }
    None
}

/// The text pieces of a block from `node` at `offset` on (`node` is a text node, or the
/// `<br>` the tail follows): the tail and what holds it.
fn tail_pieces(doc: &Html, block: NodeId, node: NodeId, offset: usize) -> Vec<(NodeRef<'_, Node>, &str)> {
    let mut out = Vec::new();
    let mut started = false;
    for d in doc.tree.get(block).into_iter().flat_map(|b| b.descendants()) {
        if d.id() == node {
            started = true;
            if let Some(t) = d.value().as_text() {
                out.push((d, t.get(offset..).unwrap_or("")));
            }
            continue;
        }
        let Some(t) = d.value().as_text() else { continue };
        if started {
            out.push((d, &**t));
        }
    }
    out
}

/// The share of a block's tail (from `node` at `offset` on) that is link text, by letters.
fn link_share(doc: &Html, block: NodeId, node: NodeId, offset: usize) -> f32 {
    let (mut linked, mut all) = (0usize, 0usize);
    for (d, piece) in tail_pieces(doc, block, node, offset) {
        let letters = piece.chars().filter(|c| c.is_alphanumeric()).count();
        all += letters;
        if d.ancestors()
            .take_while(|a| a.id() != block)
            .any(|a| a.value().as_element().is_some_and(|e| e.name() == "a"))
        {
            linked += letters;
        }
    }
    if all == 0 {
        0.0
    } else {
        linked as f32 / all as f32
    }
}

/// The text of the item's tail (see `last_sentence`), whitespace-normalized.
fn tail_text(doc: &Html, root: NodeId, cut: TailCut) -> Option<String> {
    let (block, node, offset) = last_sentence(doc, root, cut)?;
    let out = tail_pieces(doc, block, node, offset)
        .into_iter()
        .flat_map(|(_, piece)| piece.split_whitespace())
        .collect::<Vec<_>>()
        .join(" ");
    (!out.is_empty()).then_some(out)
}

/// Removes the item's tail (see `last_sentence`) when `decide` names what it is and the rule
/// (given the tail's text and the share of it that is link text): the text after the last sentence end,
/// and everything after it in its block. `None` when there is
/// no tail, `decide` keeps it, or it is all the text the item has.
pub fn strip_tail(
    html: &str,
    explain: bool,
    cut: TailCut,
    decide: impl FnOnce(&str, f32) -> Option<(Kind, &'static str, String)>,
) -> Option<(String, Removed)> {
    let mut doc = crate::clean::tree::parse_fragment(html);
    let root = fragment_root(&doc);
    let tail = tail_text(&doc, root, cut)?;
    let (block, node, offset) = last_sentence(&doc, root, cut)?;
    let (kind, rule, why) = decide(&tail, link_share(&doc, block, node, offset))?;
    // everything after the text node, up to the block, goes; the node keeps its head
    let mut doomed = Vec::new();
    let mut cur = doc.tree.get(node)?;
    while cur.id() != block {
        doomed.extend(cur.next_siblings().map(|s| s.id()));
        cur = cur.parent()?;
    }
    let mut removed = Removed { explain, ..Removed::default() };
    if kind == Kind::Ad {
        removed.ads += 1;
    } else {
        removed.boilerplate += 1;
    }
    if removed.explaining() {
        let what = super::explain::trimmed(&tail);
        removed.log.push(Removal { kind, rule, why, what });
    }
    if let Some(Node::Text(t)) = doc.tree.get_mut(node).map(|mut n| n.value().clone()) {
        let head: String = t[..offset].to_string();
        if let Some(mut n) = doc.tree.get_mut(node) {
            *n.value() = Node::Text(scraper::node::Text { text: head.into() });
        }
    }
    detach_all(&mut doc, &doomed);
    remove_empty(&mut doc, root);
    let html = serialize_children(&doc, root, html.len());
    let stats = subtree_stats(&doc, root);
    (stats[&root].text_len > 0).then_some((html, removed))
}
