//! Parsing an HTML fragment into a tree the passes can edit safely: nesting capped, and
//! malformed HTML parsed once more from its own serialization so that it round-trips.
//!
//! (ego-tree before 0.11 left stale parent links after html5ever's adoption agency moved a
//! misnested node's children, and this module copied such trees along their child links; the
//! test `misnested_formatting_has_true_parents` guards that the parser no longer needs it.)

use scraper::Html;

/// Elements nested deeper than this are cut off with everything after them.
pub const MAX_DEPTH: usize = 1_000;

/// `Html::parse_fragment` of at most `MAX_DEPTH` levels of nesting.
pub fn parse_fragment(html: &str) -> Html {
    parse_fragment_checked(html).0
}

/// `parse_fragment`, and whether the HTML was malformed (the parser reported errors).
pub fn parse_fragment_checked(html: &str) -> (Html, bool) {
    let mut doc = Html::parse_fragment(cap_nesting(html));
    let malformed = !doc.errors.is_empty();
    if malformed {
        // Malformed HTML (misnested tags, stray end tags…) can give a tree that its own
        // serialization does not parse back to, so the sanitizer, which parses what the
        // passes write, would see another tree than they did, and a second cleaning would
        // differ from the first. Parsing the serialization once more gives a tree that
        // round-trips.
        let again = Html::parse_fragment(&doc.root_element().inner_html());
        doc = again;
    }
    (doc, malformed)
}

/// Would `parse_fragment_checked` find `html` malformed? (One parse, no tree kept.)
pub fn is_malformed(html: &str) -> bool {
    !Html::parse_fragment(cap_nesting(html)).errors.is_empty()
}

/// `html` up to the first start tag that would open element number `MAX_DEPTH + 1` on the
/// stack, if any. html5ever's tree builder checks the stack of open elements at every tag,
/// so hostile nesting (100,000 `<div>`s) costs quadratic time, about 38 s; no article nests
/// a thousand levels. Counted from the tags alone: void and self-closed elements and those
/// the parser closes by itself (`<p>`, `<li>`, table cells…) do not deepen it.
fn cap_nesting(html: &str) -> &str {
    /// Never on the stack for long: void, or closed implicitly by their next sibling.
    const FLAT: &[&[u8]] = &[
        b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta", b"param", b"source",
        b"track", b"wbr", b"p", b"li", b"dt", b"dd", b"tr", b"td", b"th", b"option", b"rb", b"rt", b"rp",
    ];
    let bytes = html.as_bytes();
    if bytes.len() < MAX_DEPTH * 3 {
        return html; // cannot hold that many start tags
    }
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(off) = bytes[i..].iter().position(|&b| b == b'<') {
        let at = i + off;
        let rest = &bytes[at + 1..];
        if rest.starts_with(b"!--") {
            // a comment: to its end
            i = match html[at..].find("-->") {
                Some(end) => at + end + 3,
                None => return html,
            };
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = at + 1 + usize::from(closing);
        let name_len = bytes[name_start..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
        i = name_start + name_len;
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            continue; // not a tag: `<` as text, `<!doctype`, `<?`
        }
        if closing {
            depth = depth.saturating_sub(1);
            continue;
        }
        let name = bytes[name_start..i].to_ascii_lowercase();
        let tag_end = bytes[i..].iter().position(|&b| b == b'>').map_or(bytes.len(), |e| i + e);
        let self_closed = tag_end > i && bytes[tag_end - 1] == b'/';
        if self_closed || FLAT.contains(&name.as_slice()) {
            continue;
        }
        depth += 1;
        if depth > MAX_DEPTH {
            return &html[..at];
        }
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use ego_tree::Tree;
    use scraper::Node;

    /// Does every node's every child name that node as its parent?
    fn parents_agree(tree: &Tree<Node>) -> bool {
        tree.nodes().all(|n| n.children().all(|c| c.parent().map(|p| p.id()) == Some(n.id())))
    }

    /// `<b><p>A<i></i><i></i>a</b>` makes the adoption agency move a node's children; with
    /// ego-tree 0.6 the middle child kept a stale parent and detaching it panicked. Every
    /// parent link now agrees with the child links, as parsed.
    #[test]
    fn misnested_formatting_has_true_parents() {
        let html = "<b><p>A<i></i><i></i>a</b>";
        let doc = parse_fragment(html);
        assert!(parents_agree(&doc.tree));
        assert_eq!(doc.root_element().html(), Html::parse_fragment(html).root_element().html());
    }

    #[test]
    fn nesting_is_cut_at_the_cap() {
        let deep = format!("<p>before</p>{}deep text{}<p>after</p>", "<div>".repeat(5_000), "</div>".repeat(5_000));
        let cut = cap_nesting(&deep);
        assert_eq!(cut.matches("<div>").count(), MAX_DEPTH);
        assert!(cut.starts_with("<p>before</p>") && !cut.contains("deep text"));
        // flat, closed, void, self-closed elements, comments and text `<` do not count
        let flat = format!(
            "{}{}{}{}",
            "<div>x</div>".repeat(2_000),
            "<p>x<li>y<br><img src=a><span/>".repeat(2_000),
            "<!-- <div><div><div> -->".repeat(2_000),
            "1 < 2 <3 ".repeat(2_000)
        );
        assert_eq!(cap_nesting(&flat), flat);
    }

    #[test]
    fn well_formed_trees_are_used_as_parsed() {
        let doc = parse_fragment("<p>a <b>b</b> <i>c</i></p><ul><li>d</li></ul>");
        assert!(parents_agree(&doc.tree));
        assert_eq!(doc.root_element().html(), "<html><p>a <b>b</b> <i>c</i></p><ul><li>d</li></ul></html>");
    }
}
