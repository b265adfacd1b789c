//! Plain text ↔ HTML for the cleaner: plain-text bodies become `<p>` paragraphs, and clean HTML
//! can be read back as plain text (paragraphs separated by blank lines). Pure.

use ego_tree::NodeRef;
use scraper::Node;

/// Paragraphs separated by blank lines become `<p>`s; single newlines inside one become `<br>`.
pub fn text_to_html(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut out = String::with_capacity(text.len() + 64);
    for para in split_paragraphs(&text) {
        out.push_str("<p>");
        for (i, line) in para.lines().enumerate() {
            if i > 0 {
                out.push_str("<br>");
            }
            push_linkified(&mut out, line.trim());
        }
        out.push_str("</p>\n");
    }
    out
}

/// Escapes a line of plain text into `out`, turning bare `http(s)://` and `www.` URLs into
/// links (readers can follow them, and the cleaner sees them as links).
fn push_linkified(out: &mut String, line: &str) {
    static URL: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let rx = URL.get_or_init(|| regex::Regex::new(r"(?i)\b(?:https?://|www\.)[^\s<>\x22]+").expect("url regex"));
    let mut last = 0;
    for m in rx.find_iter(line) {
        // Sentence punctuation and closing quotes after a URL are not part of it.
        let url = m.as_str().trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '»', '“', '”', '\'']);
        if url.len() < 8 {
            continue;
        }
        let end = m.start() + url.len();
        out.push_str(&html_escape::encode_text(&line[last..m.start()]));
        let href = if url.len() > 4 && url[..4].eq_ignore_ascii_case("www.") {
            format!("https://{url}")
        } else {
            url.to_string()
        };
        out.push_str("<a href=\"");
        out.push_str(&html_escape::encode_double_quoted_attribute(&href));
        out.push_str("\">");
        out.push_str(&html_escape::encode_text(url));
        out.push_str("</a>");
        last = end;
    }
    out.push_str(&html_escape::encode_text(&line[last..]));
}

fn split_paragraphs(text: &str) -> impl Iterator<Item = &str> {
    let mut paras = Vec::new();
    let mut start = None;
    let mut last_end = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        if blank {
            if let Some(s) = start.take() {
                paras.push(&text[s..last_end]);
            }
        } else {
            if start.is_none() {
                start = Some(offset);
            }
            last_end = offset + line.trim_end_matches(['\n', '\r']).len();
        }
        offset += line.len();
    }
    if let Some(s) = start {
        paras.push(&text[s..last_end]);
    }
    paras.into_iter()
}

/// Does this body look like HTML rather than plain text?
pub fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2).any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

/// White space collapsed to single spaces, the ends trimmed: a text as a reader sees it on one
/// line (what titles, labels and compared texts are normalized to across the crate).
pub fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Elements that make a block (a paragraph) of their own: shared by the cleaner's block walk
/// and the plain-text rendering. One `match`: it runs for every element of every walk.
pub(crate) fn is_block_tag(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "aside"
            | "header"
            | "footer"
            | "blockquote"
            | "pre"
            | "figure"
            | "figcaption"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "dt"
            | "dd"
            | "table"
            | "thead"
            | "tbody"
            | "tr"
            | "td"
            | "th"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "hr"
            | "center"
            | "main"
            | "nav"
            | "details"
            | "summary"
            | "address"
            | "caption"
    )
}

/// The text of an HTML fragment: one paragraph per block, separated by blank lines, `<br>` as a
/// line break, whitespace inside a paragraph collapsed.
pub fn html_to_text(html: &str) -> String {
    let doc = super::tree::parse_fragment(html);
    node_to_text(*doc.root_element())
}

/// The text of a parsed subtree, as `html_to_text` gives it (the cleaner takes it from its
/// own tree, sparing a parse).
pub(crate) fn node_to_text(node: NodeRef<Node>) -> String {
    let mut out = String::new();
    let mut cur = String::new();
    walk(node, &mut out, &mut cur);
    flush(&mut out, &mut cur);
    out
}

/// Appends the paragraph gathered in `cur` to `out` (blank line between paragraphs): its
/// lines with whitespace collapsed, empty lines dropped. Clears `cur`.
fn flush(out: &mut String, cur: &mut String) {
    let mut first_line = true;
    for line in cur.split('\n') {
        let mut words = line.split_whitespace().peekable();
        if words.peek().is_none() {
            continue;
        }
        if first_line {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            first_line = false;
        } else {
            out.push('\n');
        }
        for (i, w) in words.enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(w);
        }
    }
    cur.clear();
}

/// Depth-first over the subtree without recursion (item HTML can nest 100,000 deep).
fn walk(node: NodeRef<Node>, paras: &mut String, cur: &mut String) {
    use ego_tree::iter::Edge;
    for edge in node.traverse() {
        match edge {
            Edge::Open(n) if n.id() == node.id() => {}
            Edge::Close(n) if n.id() == node.id() => {}
            Edge::Open(n) => match n.value() {
                // a soft hyphen only shows where a line breaks: in text it is no character
                Node::Text(t) if t.contains('\u{ad}') => cur.extend(t.chars().filter(|c| *c != '\u{ad}')),
                Node::Text(t) => cur.push_str(t),
                Node::Element(e) if e.name() == "br" => cur.push('\n'),
                Node::Element(e) if is_block_tag(e.name()) => flush(paras, cur),
                _ => {}
            },
            Edge::Close(n) => {
                if n.value().as_element().is_some_and(|e| e.name() != "br" && is_block_tag(e.name())) {
                    flush(paras, cur);
                }
            }
        }
    }
}
