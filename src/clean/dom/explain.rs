//! What the passes removed and why: the counts every cleaning keeps (`Removed`) and, when
//! explaining, one `Removal` per removed element with its rule (`feedscrub clean --explain`).

use ego_tree::{NodeId, NodeRef};
use scraper::{Html, Node};

/// What the passes did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Removed {
    /// Ad blocks (labels with their ads, ad containers).
    pub ads: usize,
    /// Boilerplate blocks, share links, pixels.
    pub boilerplate: usize,
    /// Every removed element, in the order the passes removed them (only when explaining).
    pub log: Vec<Removal>,
    pub(super) explain: bool,
}

impl Removed {
    /// Is the log kept (`Options::explain`)?
    pub fn explaining(&self) -> bool {
        self.explain
    }

    /// Ads and boilerplate together: the "blocks removed" of an item.
    pub fn blocks(&self) -> usize {
        self.ads + self.boilerplate
    }

    /// Adds what a later cleaning of the same item removed.
    pub fn absorb(&mut self, later: Removed) {
        self.ads += later.ads;
        self.boilerplate += later.boilerplate;
        self.log.extend(later.log);
    }

    pub(super) fn note(&mut self, doc: &Html, id: NodeId, kind: Kind, rule: &'static str, why: impl Into<String>) {
        if !self.explain {
            return;
        }
        let what = doc.tree.get(id).map(describe).unwrap_or_default();
        self.log.push(Removal { kind, rule, why: why.into(), what });
    }
}

/// A removal's text is kept to this many characters (`--explain` prints its first words, the
/// item page shows it).
pub const WHAT_MAX: usize = 300;

/// `text` cut to at most `WHAT_MAX` characters at a word boundary, with " …" when cut.
pub fn trimmed(text: &str) -> String {
    if text.chars().count() <= WHAT_MAX {
        return text.to_string();
    }
    let (mut out, mut chars) = (String::new(), 0); // `chars`: characters of `out`
    for w in text.split_whitespace() {
        let n = w.chars().count();
        if chars + n + 1 > WHAT_MAX {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
            chars += 1;
        }
        out.push_str(w);
        chars += n;
    }
    if out.is_empty() {
        out = text.chars().take(WHAT_MAX).collect();
    }
    out.push_str(" …");
    out
}

/// One removed element: what it was, the rule that removed it and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub kind: Kind,
    /// Short rule name: `ad-label`, `sponsor-read`, `ad-class`, `boilerplate-class`, `button`, `pixel`,
    /// `share-link`, `boilerplate`, `pitch`, `learned`, `template`, `tail`, `feed-remove`,
    /// `feed-remove-text`, `unsafe`.
    pub rule: &'static str,
    pub why: String,
    /// Its text, at most `WHAT_MAX` characters (cut at a word, "…" after), or the element and
    /// its URL when it has no text.
    pub what: String,
}

/// What a removal counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ad,
    Boilerplate,
    /// Script, style, forms and other elements that are never kept (not counted as removed
    /// blocks: the sanitizer would drop them anyway).
    Unsafe,
}

/// The first words of a subtree's text (at most `WORDS`), or `<tag url>` for an element
/// without text. Stops reading once it has enough.
pub fn describe(node: NodeRef<Node>) -> String {
    let out = trimmed(&super::stats::text_of(node));
    if !out.is_empty() {
        return out;
    }
    // the first element with a URL (the image of a pixel, the link of a flare), else the node
    let el = node
        .descendants()
        .find_map(|d| d.value().as_element().filter(|e| e.attr("src").or(e.attr("href")).is_some()))
        .or_else(|| node.value().as_element());
    match el {
        Some(e) => {
            let url = e.attr("src").or(e.attr("href")).unwrap_or("");
            let url: String = url.chars().take(80).collect();
            if url.is_empty() {
                format!("<{}>", e.name())
            } else {
                format!("<{} {url}>", e.name())
            }
        }
        None => String::new(),
    }
}
