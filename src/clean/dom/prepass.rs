//! Pass 0: what the sanitizer would change is changed first (elements it drops with their
//! text, URLs it drops, elements it unwraps), lazy images, and paragraphs written as lines.

use ego_tree::{NodeId, NodeRef};
use html5ever::{LocalName, QualName};
use scraper::{Html, Node};
use url::Url;

use super::*;
use crate::clean::rules;

/// Pass 0. A lazy image often comes as `<img src="placeholder" data-src=…>` or nothing at all,
/// followed by `<noscript><img src="real"></noscript>` for readers without JavaScript, which is
/// what a feed reader is. The fallback's source goes to the placeholder image before it, or,
/// without one, the fallback image replaces the `<noscript>`.
pub(super) fn noscript_fallbacks(doc: &mut Html, root: NodeId) {
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
        let frag = crate::clean::tree::parse_fragment(&inner);
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
/// and a line that is an ad label, or begins with one ("Sponsor Message: …"), becomes a
/// paragraph of its own. Only elements without
/// block children are split, and only when there is such a boundary in them.
pub(super) fn line_paragraphs(doc: &mut Html, root: NodeId) {
    const SPLIT: &[&str] = &["p", "div", "td", "li", "blockquote", "section", "article", "dd", "center", "font"];
    let candidates = containers(doc, root, SPLIT, |n| n.children().any(is_br) && !n.children().any(is_block));
    for id in candidates {
        split_lines(doc, id, id == root);
    }
}

/// `root` and the elements below it named in `names` that pass `wanted`.
fn containers(doc: &Html, root: NodeId, names: &[&str], wanted: impl Fn(NodeRef<Node>) -> bool) -> Vec<NodeId> {
    doc.tree
        .get(root)
        .expect("root")
        .descendants()
        .filter(|n| n.id() == root || n.value().as_element().is_some_and(|e| names.contains(&e.name())))
        .filter(|n| wanted(*n))
        .map(|n| n.id())
        .collect()
}

/// A new, empty `<p>`, not yet in the tree.
fn new_paragraph(doc: &mut Html) -> NodeId {
    let el = scraper::node::Element::new(
        QualName::new(None, html5ever::Namespace::from("http://www.w3.org/1999/xhtml"), LocalName::from("p")),
        Vec::new(),
    );
    doc.tree.orphan(Node::Element(el)).id()
}

/// Pass 0c. Text that stands beside blocks (`<blockquote>…</blockquote>© Example<p>…</p>`)
/// is a paragraph of its own to a reader (CSS calls it an anonymous block box): such runs of
/// text and inline elements become `<p>`s, one per line where breaks part them, so that the
/// block walk and the learned templates judge them like any other paragraph. Only in
/// containers that hold blocks and are blocks themselves in flow (not in list items or table
/// cells, whose layout a `<p>` would change).
pub(super) fn loose_text_paragraphs(doc: &mut Html, root: NodeId) {
    const CONTAINERS: &[&str] = &["div", "section", "article", "main", "blockquote", "center", "body", "td"];
    let candidates = containers(doc, root, CONTAINERS, |n| n.children().any(is_block));
    for id in candidates {
        let mut runs: Vec<Vec<NodeId>> = vec![Vec::new()];
        let mut breaks: Vec<NodeId> = Vec::new();
        for c in doc.tree.get(id).expect("container").children() {
            if is_block(c) || c.value().is_comment() || is_br(c) {
                // a break between loose lines ends a line: each is a paragraph of its own
                if is_br(c) {
                    breaks.push(c.id());
                }
                if !runs.last().expect("a run").is_empty() {
                    runs.push(Vec::new());
                }
            } else {
                runs.last_mut().expect("a run").push(c.id());
            }
        }
        let has_text = |doc: &Html, run: &[NodeId]| {
            run.iter().any(|i| {
                let n = doc.tree.get(*i).expect("child");
                n.descendants().any(|d| d.value().as_text().is_some_and(|t| !t.trim().is_empty()))
            })
        };
        if !runs.iter().any(|r| has_text(doc, r)) {
            continue;
        }
        detach_all(doc, &breaks);
        for run in runs {
            // a lone <br> between blocks, or whitespace: nothing to wrap
            if !has_text(doc, &run) {
                continue;
            }
            let new = new_paragraph(doc);
            doc.tree.get_mut(run[0]).expect("first").insert_id_before(new);
            for child in run {
                doc.tree.get_mut(new).expect("new p").append_id(child);
            }
        }
    }
}

/// ammonia removes an HTML element named like an SVG or MathML one (`<text>`, `<mglyph>`,
/// `<list>`…) together with its content, as a namespace confusion. Done last, that would leave
/// blocks empty or ad labels alone that the passes already judged, and a second cleaning
/// would remove them: such elements become `<span>`s, so their text stays and every pass sees
/// what the reader will. (Elements pass 1 removes anyway, `<script>` first, are left to it.)
pub(super) fn keep_content_the_sanitizer_drops(doc: &mut Html, root: NodeId) {
    let renamed = html_elements_below(doc, root, |name| {
        !rules::REMOVE_TAGS.contains(&name) && crate::clean::sanitizer_drops_content(name)
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
pub(super) fn unwrap_what_the_sanitizer_unwraps(doc: &mut Html, root: NodeId) {
    let unwrapped = html_elements_below(doc, root, |name| !crate::clean::sanitizer_keeps(name));
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
pub(super) fn drop_urls_the_sanitizer_drops(doc: &mut Html, root: NodeId) {
    const URL_ATTRS: &[&str] = &["href", "src", "poster"];
    // (without a colon there is no scheme: a relative URL, which parsing would only confirm)
    let kept = |v: &str| {
        !v.contains(':')
            || match Url::parse(v) {
                Ok(u) => matches!(u.scheme(), "http" | "https" | "mailto"),
                Err(url::ParseError::RelativeUrlWithoutBase) => true,
                Err(_) => false,
            }
    };
    let doomed: Vec<(NodeId, &'static str)> = doc
        .tree
        .get(root)
        .expect("root")
        .descendants()
        .filter_map(|n| n.value().as_element().map(|e| (n.id(), e)))
        .flat_map(|(id, e)| {
            URL_ATTRS.iter().filter(move |a| e.attr(a).is_some_and(|v| !kept(v))).map(move |a| (id, *a))
        })
        .collect();
    for (id, attr) in doomed {
        if let Some(Node::Element(el)) = doc.tree.get_mut(id).as_mut().map(|n| n.value()) {
            el.attrs.retain(|k, _| &*k.local != attr);
        }
    }
}

pub(super) fn is_br(n: NodeRef<Node>) -> bool {
    n.value().as_element().is_some_and(|e| e.name() == "br")
}

pub(super) fn split_lines(doc: &mut Html, id: NodeId, is_root: bool) {
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
        if is_ad_label(&text) || begins_with_label(&text) {
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
        let new = new_paragraph(doc);
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

/// An `img` whose `src` is missing, empty, a data: URI or an obvious placeholder.
pub(super) fn lacks_real_source(el: &scraper::node::Element) -> bool {
    let src = el.attr("src").unwrap_or("").trim();
    src.is_empty() || src.starts_with("data:") || src.contains("placeholder") || src.contains("blank.gif")
}
