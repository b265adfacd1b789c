//! Before scoring: lazy images resolved, and what is never the article removed from the DOM.
//!
//! Removed: `rules::DROP_TAGS` and `DROP_ROLES` anywhere; `<header>`/`<footer>` outside the
//! article (`<article>`, `<main>`, `[itemprop=articleBody]`); elements whose class/id words are
//! in `DROP_WORDS`/`DROP_PHRASES`; and rails opened by a heading in `RAIL_HEADINGS`
//! ("Mehr zum Thema", "Related stories", "Kommentare"…). An element that holds the article
//! (an `<h1>`, `<article>`, `<main>` or `articleBody` inside, or more than half the page's text)
//! is never removed: a `class="has-sidebar"` on a page wrapper must not take the article along;
//! nor is one that holds more than half the page's prose (`<p>` text outside links).
//! Image captions (`<figcaption>`, `caption`/`credit`/`gallery` classes), bylines and date lines
//! go the same way: they are about the article, not part of it.
//!
//! After scoring, `trim` works on the article alone: lists whose every item is only a link and
//! short paragraphs that are a single link (not a bare URL) are teasers of other stories.

use dom_query::{Document, NodeData, NodeRef};
use url::Url;

use super::meta::absolute;
use super::rules::{
    AUTHOR_BOX_WORDS, BODY_MARKS, COMMENT_HEADINGS, DROP_PHRASES, DROP_ROLES, DROP_SUFFIXES, DROP_TAGS, DROP_WORDS,
    LAZY_SRC, LAZY_SRCSET, LEAD_WORDS, RAIL_HEADINGS, RAIL_PREFIXES,
};

/// Lazy images (the real URL from `data-src` & co. into `src`, `data-srcset` into `srcset`)
/// and relative URLs (`href`, `src`, `srcset`, `poster`) made absolute against `base`.
pub fn fix_urls(doc: &Document, base: Option<&Url>) {
    for n in doc.select("img, source, a[href], video[poster], audio[src], iframe[src]").nodes() {
        if let Some(real) = LAZY_SRC.iter().find_map(|a| n.attr(a).filter(|v| !v.trim().is_empty())) {
            n.set_attr("src", &real);
        }
        if let Some(set) = LAZY_SRCSET.iter().find_map(|a| n.attr(a).filter(|v| !v.trim().is_empty())) {
            n.set_attr("srcset", &set);
        }
        let Some(base) = base else { continue };
        for attr in ["href", "src", "poster"] {
            if let Some(v) = n.attr(attr) {
                let v = v.trim();
                if !v.starts_with('#') && !v.starts_with("data:") && !v.contains("://") {
                    if let Some(abs) = absolute(v, Some(base)) {
                        n.set_attr(attr, &abs);
                    }
                }
            }
        }
        if let Some(set) = n.attr("srcset") {
            let fixed: Vec<String> = set
                .split(',')
                .filter_map(|c| {
                    let mut parts = c.split_whitespace();
                    let u = absolute(parts.next()?, Some(base))?;
                    Some(std::iter::once(u).chain(parts.map(str::to_string)).collect::<Vec<_>>().join(" "))
                })
                .collect();
            n.set_attr("srcset", &fixed.join(", "));
        }
    }
}

/// Characters of `n`'s text that are not white space, counted in place (no copy of the text).
fn text_chars(n: &NodeRef) -> usize {
    std::iter::once(*n)
        .chain(n.descendants_it())
        .map(|d| {
            d.query_or(0, |t| match &t.data {
                NodeData::Text { contents } => contents.chars().filter(|c| !c.is_whitespace()).count(),
                _ => 0,
            })
        })
        .sum()
}

fn link_chars(n: &NodeRef) -> usize {
    n.descendants_it().filter(|d| d.has_name("a")).map(|a| text_chars(&a)).sum()
}

/// Whether `n` holds the article (see the module doc).
fn holds_article(n: &NodeRef, page_chars: usize) -> bool {
    n.descendants_it().any(|d| {
        d.is_element() && (d.has_name("h1") || d.has_name("article") || d.has_name("main") || is_article_body(&d))
    }) || (page_chars > 0 && text_chars(n) * 2 > page_chars)
}

/// Whether `n` is marked as the article's body by microdata: `itemprop` is a list of
/// property names (`itemprop="description articleBody"`), so one of its tokens.
fn is_article_body(n: &NodeRef) -> bool {
    n.attr("itemprop").is_some_and(|p| p.split_whitespace().any(|t| t.eq_ignore_ascii_case("articleBody")))
}

fn inside_article(n: &NodeRef) -> bool {
    n.ancestors_it(None).any(|a| a.has_name("article") || a.has_name("main") || is_article_body(&a))
}

/// How strongly an element's class/id marks it as furniture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    None,
    /// A whole class/id token is a rule word or phrase (`class="comments"`, `id="related-posts"`).
    Strong,
    /// Only a part of a token is (`l-sidebar-fixed`, `sd-sharing`): removed only when the
    /// element reads like furniture (mostly links, or little text).
    Weak,
}

fn mark(n: &NodeRef) -> Mark {
    let mut m = Mark::None;
    for attr in ["class", "id"] {
        let Some(v) = n.attr(attr) else { continue };
        for token in v.split_whitespace() {
            let t = token.to_ascii_lowercase();
            if about_the_author(&t) {
                return Mark::Strong;
            }
            if DROP_WORDS.contains(&t.as_str()) || DROP_PHRASES.contains(&t.as_str()) {
                return Mark::Strong;
            }
            if m == Mark::None
                && (t.split(['-', '_']).any(|w| DROP_WORDS.contains(&w))
                    || DROP_PHRASES.iter().any(|p| t.ends_with(p) || t.starts_with(p))
                    || DROP_SUFFIXES.iter().any(|s| t.ends_with(s)))
            {
                m = Mark::Weak;
            }
        }
    }
    m
}

/// Characters of `<p>` text outside links: the prose in `n`.
fn prose_chars(n: &NodeRef) -> usize {
    n.descendants_it().filter(|d| d.has_name("p")).map(|p| text_chars(&p).saturating_sub(link_chars(&p))).sum()
}

/// A class/id token of a box about the author ("author-box--content", "mvp-author-box-text",
/// "entry-author-info", "author-description"): "author" with a word of `AUTHOR_BOX_WORDS`.
fn about_the_author(token: &str) -> bool {
    let words = || token.split(['-', '_']);
    words().any(|w| w == "author" || w == "autor") && words().any(|w| AUTHOR_BOX_WORDS.contains(&w))
}

/// Mostly links or little text, and no run of prose (300 characters of `<p>` text outside links).
fn reads_like_furniture(n: &NodeRef) -> bool {
    let chars = text_chars(n);
    if !(chars < 200 || link_chars(n) * 100 >= chars * 35) {
        return false;
    }
    prose_chars(n) < 300
}

fn normalized_heading(s: &str) -> String {
    let t = squash(s);
    t.trim_end_matches([':', '…', '.', '!', '?']).trim().to_string()
}

fn is_rail_heading(n: &NodeRef) -> bool {
    let heading_tag = ["h2", "h3", "h4", "h5", "h6"].iter().any(|h| n.has_name(h));
    let leaf = !heading_tag && n.first_element_child().is_none();
    if !heading_tag && !(leaf && (n.has_name("div") || n.has_name("span") || n.has_name("p") || n.has_name("strong"))) {
        return false;
    }
    let t = n.text();
    if t.len() > 80 {
        return false;
    }
    let h = normalized_heading(&t);
    RAIL_HEADINGS.contains(&h.as_str()) || RAIL_PREFIXES.iter().any(|p| h.starts_with(p))
}

/// A `<noscript>` (read as markup, see `extract::noscript_as_markup`) that is no article kept
/// for readers without JavaScript but a notice asking for it, or a pixel: little text, or
/// a short text that names JavaScript.
fn noscript_notice(n: &NodeRef) -> bool {
    let chars = text_chars(n);
    chars < 400 || (chars < 1500 && n.text().to_ascii_lowercase().contains("javascript"))
}

/// Removes what is never the article (see the module doc).
pub fn prune(doc: &Document) {
    let Some(body) = doc.body() else { return };
    let page_chars = text_chars(&body);
    let page_prose = std::cell::OnceCell::new();
    let mut drop: Vec<NodeRef> = Vec::new();
    let mut rails: Vec<NodeRef> = Vec::new();
    for n in body.descendants_it() {
        if !n.is_element() {
            continue;
        }
        let name = n.node_name().map(|s| s.to_ascii_lowercase()).unwrap_or_default();
        let by_tag = DROP_TAGS.contains(&name.as_str())
            || (name == "fs-noscript" && noscript_notice(&n))
            || ((name == "header" || name == "footer") && !inside_article(&n))
            || n.attr("role").is_some_and(|r| DROP_ROLES.contains(&r.to_ascii_lowercase().as_str()))
            || n.has_attr("hidden")
            || n.attr("aria-hidden").is_some_and(|v| v.as_ref() == "true");
        let m = if by_tag { Mark::Strong } else { mark(&n) };
        if m == Mark::Strong || (m == Mark::Weak && reads_like_furniture(&n)) {
            drop.push(n);
        } else if is_rail_heading(&n) {
            rails.push(n);
        }
    }
    for n in drop {
        // the page's prose, whatever the class says ("entry themeform share"): a wrapper's
        // class word marks the wrapper, not what it wraps
        let prose = || {
            let page = *page_prose.get_or_init(|| prose_chars(&body));
            page > 1000 && prose_chars(&n) * 2 > page
        };
        if n.parent().is_some() && !holds_article(&n, page_chars) && !prose() {
            n.remove_from_parent();
        }
    }
    for h in rails {
        if h.parent().is_none() {
            continue;
        }
        remove_rail(&h, page_chars);
    }
}

/// A rail heading: its container when that is mostly links and does not hold the article, else
/// the heading and the link-heavy siblings after it.
fn remove_rail(h: &NodeRef, page_chars: usize) {
    let mut container = h.parent();
    // A wrapper around the heading alone (`<div class=title><h2>…</h2></div>`): one level up.
    if let Some(c) = &container {
        if text_chars(c) <= text_chars(h) + 2 {
            container = c.parent();
        }
    }
    if let Some(c) = container {
        let chars = text_chars(&c);
        if !c.has_name("body")
            && !holds_article(&c, page_chars)
            && chars > 0
            && (link_chars(&c) * 10 >= chars * 3 || chars < 400)
        {
            c.remove_from_parent();
            return;
        }
    }
    let comments = COMMENT_HEADINGS.contains(&normalized_heading(&h.text()).as_str());
    let mut next = h.next_element_sibling();
    h.remove_from_parent();
    while let Some(s) = next {
        next = s.next_element_sibling();
        if comments {
            // the comments run on to the container's end (their own headings included)
            if holds_article(&s, page_chars) {
                break;
            }
            s.remove_from_parent();
            continue;
        }
        if is_heading(&s) {
            break;
        }
        let chars = text_chars(&s);
        if chars == 0 || link_chars(&s) * 2 >= chars {
            s.remove_from_parent();
        } else {
            break;
        }
    }
}

/// On a page of several articles one after another (infinite scroll: the story asked for,
/// then the next ones), the articles whose headline is not the page's title (`title`). Only
/// when there are two or more articles of at least `NEXT_STORY_MIN` characters (none inside
/// another) and exactly one of them has the title as its `<h1>`/`<h2>`.
pub fn drop_next_stories(doc: &Document, title: Option<&str>) {
    let Some(title) = title.map(squash).filter(|t| t.len() >= 12) else { return };
    let Some(body) = doc.body() else { return };
    let long: Vec<NodeRef> =
        body.descendants_it().filter(|n| n.has_name("article") && text_chars(n) >= NEXT_STORY_MIN).collect();
    let leaves: Vec<&NodeRef> = long
        .iter()
        .filter(|a| !a.descendants_it().skip(1).any(|d| d.has_name("article") && text_chars(&d) >= NEXT_STORY_MIN))
        .collect();
    if leaves.len() < 2 {
        return;
    }
    let titled = |a: &NodeRef| {
        a.descendants_it().filter(|d| d.has_name("h1") || d.has_name("h2")).take(2).any(|h| {
            let h = squash(&h.text());
            h.len() >= 12 && (title.contains(&h) || h.contains(&title))
        })
    };
    let (asked, others): (Vec<&&NodeRef>, Vec<&&NodeRef>) = leaves.iter().partition(|a| titled(a));
    if asked.len() == 1 {
        for a in others {
            a.remove_from_parent();
        }
    }
}

/// An article of a page of several is at least this long (a teaser card is not one).
const NEXT_STORY_MIN: usize = 500;

/// Lower case, white space collapsed: headlines compared with the page's title.
fn squash(s: &str) -> String {
    super::squash(s).to_lowercase()
}

/// The article's lead as the page marks it: the first element in a `<header>` of the article
/// (`<article>`, `<main>`, `articleBody`), or with a class/id word in `rules::LEAD_WORDS`, that
/// is a paragraph of prose (`LEAD_MIN`–`LEAD_MAX` characters, under a fifth of it link text, no
/// heading or list in it, not in a list). Read after pruning, as HTML and text. `None` when
/// there is none.
pub fn marked_lead(doc: &Document) -> Option<(String, String)> {
    let body = doc.body()?;
    let has_article = body.descendants_it().any(|d| d.has_name("article") || d.has_name("main"));
    let lead = body.descendants_it().filter(|n| n.is_element()).find(|n| {
        let marked = ["class", "id"].iter().any(|a| {
            n.attr(a).is_some_and(|v| {
                v.split(|c: char| c.is_whitespace() || c == '-' || c == '_')
                    .any(|w| LEAD_WORDS.iter().any(|l| l.eq_ignore_ascii_case(w)))
            })
        });
        let in_header = (n.has_name("p") || n.has_name("div"))
            && n.ancestors_it(None).any(|a| a.has_name("header"))
            && inside_article(n);
        if !(marked || in_header) || (has_article && !inside_article(n)) {
            return false;
        }
        lead_prose(n, text_chars(n))
            && !n
                .descendants_it()
                .any(|d| ["h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table"].iter().any(|t| d.has_name(t)))
            && !n.ancestors_it(None).any(|a| a.has_name("li"))
    })?;
    Some((lead.inner_html().to_string(), lead.text().to_string()))
}

/// The blocks that follow the page's headline, for `Placed::lead`: where the scorer's pick
/// begins among them, and what stands before it.
pub struct Placed {
    /// The leaf blocks after the headline, in page order.
    blocks: Vec<Block>,
}

struct Block {
    /// White space collapsed.
    text: String,
    /// Characters of text, white space aside (`text_chars`).
    chars: usize,
    /// Its HTML, when it reads like a lead.
    lead: Option<String>,
}

/// Whether `n`, of `chars` characters (`text_chars`), is a lead's prose: `LEAD_MIN`–`LEAD_MAX`
/// characters, under a fifth of them in links.
fn lead_prose(n: &NodeRef, chars: usize) -> bool {
    (LEAD_MIN..=LEAD_MAX).contains(&chars) && link_chars(n) * 5 < chars
}

/// Leaf blocks read after the headline, at most (the body begins soon after it).
const PLACED_MAX: usize = 80;

/// Short lines that may stand between a lead and the body (byline, date, reading time,
/// caption, share links), at most.
const PLACED_GAP: usize = 8;

/// Elements that make a block of their own, for `placed_after_headline`: a leaf block is one
/// with none of them inside.
#[rustfmt::skip]
const LEAF_BLOCK_TAGS: &[&str] = &[
    "p", "div", "section", "article", "header", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "table", "td",
    "blockquote", "figure", "figcaption", "pre", "main", "aside", "nav", "footer", "form",
];

/// The leaf blocks after the page's headline (`<h1>`; the one in the article when the page
/// marks one), read after pruning: those whose text is a lead's keep their HTML. `None` when the
/// page has no headline.
pub fn placed_after_headline(doc: &Document) -> Option<Placed> {
    let body = doc.body()?;
    let h1s: Vec<NodeRef> = body.descendants_it().filter(|d| d.has_name("h1")).collect();
    let h1 = h1s.iter().find(|h| inside_article(h)).or(h1s.first())?;
    let is_block = |n: &NodeRef| LEAF_BLOCK_TAGS.iter().any(|t| n.has_name(t));
    let mut blocks = Vec::new();
    let mut after = false;
    for d in body.descendants_it() {
        if d.id == h1.id {
            after = true;
            continue;
        }
        if !after || !d.is_element() || !is_block(&d) || d.descendants_it().any(|c| c.is_element() && is_block(&c)) {
            continue;
        }
        if d.ancestors_it(None).any(|a| a.id == h1.id) {
            continue;
        }
        let text = super::squash(&d.text());
        if text.is_empty() {
            continue;
        }
        let chars = text_chars(&d);
        let lead = (d.has_name("p") || d.has_name("div"))
            && lead_prose(&d, chars)
            && text.ends_with(['.', '!', '?', '…', '"', '”', '“', '»', '«'])
            && !pull_quote(&text)
            && !d.ancestors_it(None).any(|a| {
                ["li", "figure", "figcaption", "aside", "nav", "footer", "form", "blockquote"]
                    .iter()
                    .any(|t| a.has_name(t))
            });
        blocks.push(Block { text, chars, lead: lead.then(|| d.inner_html().to_string()) });
        if blocks.len() >= PLACED_MAX {
            break;
        }
    }
    Some(Placed { blocks })
}

/// A text that is one quotation from its first character to its last: a pull quote set
/// between headline and body, not the lead.
fn pull_quote(text: &str) -> bool {
    text.starts_with(['"', '“', '„', '»', '«']) && text.ends_with(['"', '”', '“', '»', '«'])
}

impl Placed {
    /// The lead that stands before the pick: the pick's first line found among the blocks
    /// after the headline, and before it, past short lines only (at most `PLACED_GAP`), a
    /// paragraph of prose (`LEAD_MIN`–`LEAD_MAX` characters, under a fifth of it link text,
    /// ending a sentence, not in a list, figure, quote or rail). As HTML and text.
    pub fn lead(&self, picked_text: &str) -> Option<(String, String)> {
        let first = picked_text.lines().map(super::squash).find(|l| l.chars().count() >= 40)?;
        let probe: String = first.chars().take(40).collect();
        let k = self.blocks.iter().position(|b| b.text.contains(&probe))?;
        for (gap, b) in self.blocks[..k].iter().rev().enumerate() {
            if let Some(html) = &b.lead {
                return Some((html.clone(), b.text.clone()));
            }
            if b.chars >= LEAD_MIN || gap >= PLACED_GAP {
                return None;
            }
        }
        None
    }
}

/// A lead is longer than a subheadline ("Twenty teams have punched tickets…", which benchmarks
/// count as furniture) …
const LEAD_MIN: usize = 120;
/// … and shorter than a body.
const LEAD_MAX: usize = 1000;

/// After scoring, on the article alone: what the scorer keeps inside the article container but
/// is not the article. Returns whether anything was removed.
///
/// - a list (`ul`/`ol`, two items or more) of which every item is only a link: a "related" or
///   "more on this" list inside the article body;
/// - a short paragraph (200 characters at most) that is one link and nothing else ("Lesen Sie
///   auch" teasers, "Get the app" pitches), unless the link's text is a bare URL (a source).
///
/// Nothing goes when that would be half of the article's text or more: a page of links (a
/// link blog's post, a reading list) is its own article.
pub fn trim(frag: &Document) -> bool {
    let mut doomed: Vec<NodeRef> = Vec::new();
    // (what stands inside a doomed list goes with it: not counted twice)
    let inside = |n: &NodeRef, doomed: &[NodeRef]| doomed.iter().any(|d| n.ancestors_it(None).any(|a| a.id == d.id));
    for list in frag.select("ul, ol").nodes() {
        if list.parent().is_none() || inside(list, &doomed) {
            continue;
        }
        let items: Vec<NodeRef> = list.children_it(false).filter(|c| c.has_name("li")).collect();
        if items.len() < 2 {
            continue;
        }
        let all_links = items.iter().all(|li| {
            let chars = text_chars(li);
            chars > 0 && link_chars(li) * 10 >= chars * 9
        });
        if all_links {
            doomed.push(*list);
        }
    }
    for p in frag.select("p").nodes() {
        let chars = text_chars(p);
        if chars == 0 || chars > 200 || p.parent().is_none() || inside(p, &doomed) {
            continue;
        }
        let links: Vec<NodeRef> = p.descendants_it().filter(|d| d.has_name("a")).collect();
        let bare_url = || {
            let t = links[0].text();
            let t = t.trim();
            t.starts_with("http") || t.starts_with("www.")
        };
        if links.len() == 1 && text_chars(&links[0]) * 20 >= chars * 19 && !bare_url() {
            doomed.push(*p);
        }
    }
    let gone: usize = doomed.iter().map(text_chars).sum();
    if doomed.is_empty() || gone * 2 >= text_chars(&frag.html_root()) {
        return false;
    }
    for d in doomed {
        d.remove_from_parent();
    }
    true
}

/// Elements whose text is one paragraph (the blocks `prose_within` counts).
#[rustfmt::skip]
const PARAGRAPH_TAGS: &[&str] = &[
    "p", "li", "dd", "td", "th", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "div", "section", "article",
];

/// A paragraph counts as prose from this many characters (outside links) …
const PROSE_MIN: usize = 80;

/// … when less than a third of its text is link text.
const PROSE_LINK_SHARE: f64 = 1.0 / 3.0;

/// Characters of prose in `root`: the text of its paragraphs that have `PROSE_MIN` characters
/// outside links and less than `PROSE_LINK_SHARE` of link text.
fn prose_within(root: &NodeRef) -> usize {
    // per paragraph (the nearest paragraph element above a text; text straight in the root is
    // a paragraph of its own): text characters, link characters, sentence ends
    let mut paragraphs: rustc_hash::FxHashMap<dom_query::NodeId, (usize, usize, usize)> = Default::default();
    for t in root.descendants_it().filter(|n| n.is_text()) {
        if t.parent().is_some_and(|p| ["script", "style", "template", "textarea", "svg"].iter().any(|n| p.has_name(n)))
        {
            continue;
        }
        let chars = text_chars(&t);
        if chars == 0 {
            continue;
        }
        let mut in_link = false;
        let mut block = None;
        for a in t.ancestors_it(None) {
            in_link |= a.has_name("a");
            if PARAGRAPH_TAGS.iter().any(|p| a.has_name(p)) {
                block = Some(a.id);
                break;
            }
            if a.id == root.id {
                break;
            }
        }
        let e = paragraphs.entry(block.unwrap_or(root.id)).or_default();
        e.0 += chars;
        e.1 += if in_link { chars } else { 0 };
        e.2 += t.query_or(0, |n| match &n.data {
            NodeData::Text { contents } => sentence_ends(contents),
            _ => 0,
        });
    }
    paragraphs
        .into_values()
        .filter(|(chars, links, _)| chars - links >= PROSE_MIN && (*links as f64) < *chars as f64 * PROSE_LINK_SHARE)
        // a long run of words without a sentence end is a table, a list or a tag cloud
        // written as one block, not prose: it counts as far as its sentences go
        .map(|(chars, links, ends)| (chars - links).min((ends + 1) * SENTENCE_MAX))
        .sum()
}

/// A sentence has at most this many characters (white space aside) as `prose_within` counts.
const SENTENCE_MAX: usize = 500;

/// Sentence ends in a text: `.`, `!`, `?` (and their CJK forms) before white space or at
/// the end of the text node (where an inline element may follow).
fn sentence_ends(text: &str) -> usize {
    let mut chars = text.chars().peekable();
    let mut ends = 0;
    while let Some(c) = chars.next() {
        if matches!(c, '.' | '!' | '?' | '。' | '！' | '？') && chars.peek().is_none_or(|n| n.is_whitespace()) {
            ends += 1;
        }
    }
    ends
}

/// Characters of prose in a fragment (see `prose_within`): the scorer's pick, measured as
/// `marked_body` measures the body the page marks.
pub fn prose_of(frag: &Document) -> usize {
    prose_within(&frag.html_root())
}

/// The element the page marks as the article's body (`itemprop="articleBody"`, a class/id of
/// `BODY_MARKS`) that holds the most prose (of two with as much, the one with more text: a
/// body of links has none): its inner HTML and its prose characters. Read after pruning, for
/// a second opinion beside the scorer's pick.
pub fn marked_body(doc: &Document) -> Option<(String, usize)> {
    let body = doc.body()?;
    let marked = |n: &NodeRef| {
        is_article_body(n)
            || ["class", "id"].iter().any(|a| {
                n.attr(a)
                    .is_some_and(|v| v.split_whitespace().any(|t| BODY_MARKS.iter().any(|m| t.eq_ignore_ascii_case(m))))
            })
    };
    let (best, prose, chars) = body
        .descendants_it()
        .filter(|n| n.is_element() && marked(n))
        .map(|n| {
            let prose = prose_within(&n);
            let chars = text_chars(&n);
            (n, prose, chars)
        })
        .max_by_key(|(_, prose, chars)| (*prose, *chars))?;
    (prose > 0 || chars > 0).then(|| (best.inner_html().to_string(), prose))
}

/// The article's sections, when the page writes it as sibling boxes of one kind (an export
/// of headed sections, `<section class="chapter">` after `<section class="chapter">`): the
/// groups of two or more sibling `div`/`section` elements with the same class that open with
/// a heading, at least two of them with prose (a layout's rows are siblings of one class
/// too, but they open with no heading; a list's cards are no sections, their text is links).
/// For each, the members' HTML in order, each member's text, and the group's prose. Read after pruning, for a second opinion beside the scorer's pick, which
/// takes the one section with most text.
pub fn section_groups(doc: &Document) -> Vec<SectionGroup> {
    let Some(body) = doc.body() else { return Vec::new() };
    // one walk: the `div`/`section` elements with a class, by parent and class, in the
    // order of the page
    let mut groups: Vec<Vec<NodeRef>> = Vec::new();
    let mut index: rustc_hash::FxHashMap<(dom_query::NodeId, String), usize> = Default::default();
    for n in body.descendants_it() {
        if !(n.has_name("div") || n.has_name("section")) {
            continue;
        }
        let (Some(parent), Some(class)) = (n.parent(), n.attr("class")) else { continue };
        let class = squash(&class);
        if class.is_empty() {
            continue;
        }
        match index.entry((parent.id, class)) {
            std::collections::hash_map::Entry::Occupied(i) => groups[*i.get()].push(n),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(groups.len());
                groups.push(vec![n]);
            }
        }
    }
    groups
        .into_iter()
        // the cheap test first: most groups are a layout's, and open with no heading
        .filter(|members| members.iter().filter(|m| opens_with_heading(m)).take(2).count() == 2)
        .filter_map(|mut members| {
            // a card whose text is a link (a playlist's, a teaser list's) is no section
            members.retain(|m| (link_chars(m) as f64) < text_chars(m) as f64 * PROSE_LINK_SHARE);
            let proses: Vec<usize> = members.iter().map(prose_within).collect();
            let sections = members.iter().zip(&proses).filter(|(m, p)| **p > 0 && opens_with_heading(m)).count();
            (sections >= 2).then(|| SectionGroup {
                html: members.iter().map(|m| m.html().to_string()).collect(),
                texts: members.iter().map(|m| m.text().to_string()).collect(),
                prose: proses.iter().sum(),
            })
        })
        .collect()
}

/// Whether `n` is a heading (`h1`–`h6`).
fn is_heading(n: &NodeRef) -> bool {
    ["h1", "h2", "h3", "h4", "h5", "h6"].iter().any(|h| n.has_name(h))
}

/// Whether `n` opens with a heading: its first element child is one, or that child's first
/// (a heading in a `<header>`, or wrapped in a link target), two levels down at most.
fn opens_with_heading(n: &NodeRef) -> bool {
    let mut at = n.first_element_child();
    for _ in 0..2 {
        let Some(c) = at else { return false };
        if is_heading(&c) {
            return true;
        }
        at = c.first_element_child();
    }
    false
}

/// A group of sibling sections (`section_groups`).
pub struct SectionGroup {
    pub html: String,
    pub texts: Vec<String>,
    pub prose: usize,
}
