//! The article extractor: a whole HTML page in, its main content and metadata out.
//!
//! Takes text (callers decode the bytes with `charset::decode_page`). Steps, in order: parse once (dom_query, html5ever);
//! read the metadata (`meta`: `<meta>`, OpenGraph, JSON-LD, microdata, canonical); resolve lazy
//! images; prune what is never the article (`prune`: navigation, page header/footer, asides,
//! forms, consent banners, share bars, comment sections, related/newsletter rails, author
//! boxes, the next stories of an infinite-scroll page — rules as data in `rules`); then let
//! dom_smoothie (a Readability port: text and link density scoring) pick the article on that
//! same DOM, and `prune::trim` drops link-only lists and single-link teaser paragraphs from what
//! it picked. When the pick holds less than half the prose of the body the page marks
//! (`itemprop="articleBody"`, "entry-content"…: `prune::marked_body`) and is a part of it, the
//! marked body is taken instead (the scorer took one of its paragraph boxes); so it is when the
//! pick is a scrap (`SCRAP_PICK`: a sidebar's line beside a body of links). When the pick is
//! one of the article's headed sibling sections (`prune::section_groups`), they replace it
//! (`SECTIONS_RATIO`). When the DOM
//! yields much less text than the page's JSON-LD `articleBody`, that body is used instead.
//! The lead the page marks (`prune::marked_lead`), which the scorer often leaves out, is put
//! back before it; when the page marks none, the paragraph of prose that stands between the
//! headline and the pick's first line, past short lines only (`prune::Placed`). `trace` shows
//! the text after each step.
//!
//! It does NOT remove ads or sanitize: the returned HTML goes through `clean::Cleaner` after,
//! which removes "Anzeige"/"Advertisement" blocks, boilerplate and tracking, and sanitizes last.
//! No I/O; never panics (a failure is an empty `html`).

mod meta;
mod prune;
pub mod rules;
#[cfg(test)]
mod tests;

use std::sync::LazyLock;

use dom_query::Document;
use url::Url;

// white space collapsed: the one normalization of the extractor's texts (`meta::norm` and
// `prune::squash` build on it)
use crate::clean::text::squash;

/// An extracted article. `html` is not sanitized yet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Article {
    /// The article's HTML (absolute URLs, lazy images resolved); empty when nothing was found.
    pub html: String,
    pub title: Option<String>,
    pub author: Option<String>,
    /// ISO 8601 as the page gives it.
    pub published: Option<String>,
    /// Absolute.
    pub lead_image: Option<String>,
    /// `<link rel=canonical>`, else `og:url`, else JSON-LD `url`; absolute.
    pub canonical: Option<String>,
}

/// The article of an HTML page. Never panics; an empty `html` when nothing was found.
pub fn extract(page: &str, url: Option<&Url>) -> Article {
    guarded(url, || extract_inner(page, url, &mut |_, _| {}))
}

/// `run`, and a default (an empty article) when it panics.
fn guarded<T: Default>(url: Option<&Url>, run: impl FnOnce() -> T) -> T {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|_| {
        tracing::warn!(url = url.map(Url::as_str), "the extractor panicked on this page");
        T::default()
    })
}

/// Below this many characters of text the DOM's result is checked against JSON-LD `articleBody`.
const LD_BODY_RATIO: usize = 2;

/// When the scorer's pick holds less than one character in this many of the prose of the body
/// the page marks (`prune::marked_body`), the marked body is taken instead.
const MARKED_RATIO: usize = 2;

/// A pick with fewer characters of text than this (white space aside) is a scrap: the marked
/// body replaces it even when it does not hold it.
const SCRAP_PICK: usize = 250;

/// The article's sibling sections (`prune::section_groups`) replace the pick that is one of
/// them when they hold at least this much more prose (3/2).
const SECTIONS_RATIO: (usize, usize) = (3, 2);

/// `<noscript>` in the body as an element of its own (`<fs-noscript>`): a parser with scripting
/// on reads its content as text, but sites put whole articles in it for readers without
/// JavaScript (and `<noscript>` in `<head>` stays as it is, where only links and styles go).
fn noscript_as_markup(page: &str) -> std::borrow::Cow<'_, str> {
    static BODY: LazyLock<regex::Regex> = LazyLock::new(|| regex::Regex::new(r"(?i)<body[\s>]").expect("valid regex"));
    static NOSCRIPT: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"(?i)<(/?)noscript([\s>])").expect("valid regex"));
    let Some(body) = BODY.find(page) else { return page.into() };
    let rest = &page[body.start()..];
    if !NOSCRIPT.is_match(rest) {
        return page.into();
    }
    let mut out = String::with_capacity(page.len() + 64);
    out.push_str(&page[..body.start()]);
    out.push_str(&NOSCRIPT.replace_all(rest, "<${1}fs-noscript${2}"));
    out.into()
}

/// `extract`, and the HTML after each of its steps (`parsed` body, `pruned` body, `picked` by
/// the scorer and trimmed, the `json-ld` body taken instead, the page's `lead` put back): where
/// a page's text is lost. `feedscrub extract --trace` prints it.
pub fn trace(page: &str, url: Option<&Url>) -> (Article, Vec<(&'static str, String)>) {
    guarded(url, || {
        let mut steps = Vec::new();
        let article = extract_inner(page, url, &mut |step, html| steps.push((step, html())));
        (article, steps)
    })
}

/// Body HTML of a document, for `trace`.
fn body_html(doc: &Document) -> String {
    doc.body().map(|b| b.inner_html().to_string()).unwrap_or_default()
}

/// `trace`'s hook: a step's name and its HTML, made only when asked for.
type Tracer<'t> = &'t mut dyn FnMut(&'static str, &dyn Fn() -> String);

fn extract_inner(page: &str, url: Option<&Url>, trace: Tracer) -> Article {
    let page = noscript_as_markup(page);
    let doc = Document::from(&*page);
    trace("parsed", &|| body_html(&doc));
    let m = meta::read(&doc);
    // The base for relative URLs: the page's own URL, else its absolute canonical.
    let canonical_abs = m.canonical.as_deref().and_then(|c| meta::absolute(c, url));
    let base: Option<Url> = url.cloned().or_else(|| canonical_abs.as_deref().and_then(|c| Url::parse(c).ok()));
    let base = base.as_ref();

    prune::fix_urls(&doc, base);
    prune::prune(&doc);
    prune::drop_next_stories(&doc, m.title.as_deref());
    trace("pruned", &|| body_html(&doc));
    let lead = prune::marked_lead(&doc);
    // read only when the page marks no lead: it is the fallback
    let placed = if lead.is_none() { prune::placed_after_headline(&doc) } else { None };
    let marked = prune::marked_body(&doc);
    let sections = prune::section_groups(&doc);

    let first_img = std::cell::OnceCell::new();
    let (mut html, mut text, mut picked_prose) = run_readability(doc, base, &first_img);
    trace("picked", &|| html.clone());

    // A second opinion: the body the page marks, when the scorer picked a part of it only
    // (one paragraph of a body that wraps each paragraph in a box of its own).
    if let Some((marked_html, prose)) = marked {
        let scrap = letters(&text) < SCRAP_PICK;
        if picked_prose * MARKED_RATIO < prose || scrap {
            let frag = trimmed(&marked_html);
            let marked_text = frag.html_root().text().to_string();
            // it must hold what the scorer picked: else it is another text, not more of it
            // (unless the pick is a scrap, a widget's line beside an article of links)
            let more = letters(&marked_text) >= SCRAP_PICK * 2;
            if holds(&marked_text, &text) || (scrap && more) {
                html = frag.html_root().inner_html().to_string();
                text = marked_text;
                picked_prose = prune::prose_of(&frag);
                trace("marked", &|| html.clone());
            }
        }
    }

    // A third: the article's sibling sections, when the scorer picked one of them.
    let held = sections.iter().filter(|g| g.texts.iter().any(|t| holds(t, &text)));
    if let Some(g) =
        held.max_by_key(|g| g.prose).filter(|g| g.prose * SECTIONS_RATIO.1 >= picked_prose * SECTIONS_RATIO.0)
    {
        let frag = trimmed(&g.html);
        html = frag.html_root().inner_html().to_string();
        text = frag.html_root().text().to_string();
        trace("sections", &|| html.clone());
    }

    if let Some(body) = &m.body {
        let (dom_len, ld_len) = (letters(&text), letters(body));
        if ld_len > 500 && dom_len * LD_BODY_RATIO < ld_len {
            html = crate::clean::text::text_to_html(body);
            text = body.clone();
            trace("json-ld", &|| html.clone());
        }
    }

    // the lead the page marks, else the paragraph that stands between headline and pick
    let lead = lead.or_else(|| placed.and_then(|p| p.lead(&text)));
    if let Some((lead, lead_text)) = lead {
        if let Some(with_lead) = with_lead(&html, &text, (&lead, &lead_text)) {
            html = with_lead;
            trace("lead", &|| html.clone());
        }
    }

    let lead_image =
        m.image.as_deref().and_then(|i| meta::absolute(i, base)).or_else(|| first_img.get().cloned().flatten());
    Article { html, title: m.title, author: m.author, published: m.published, lead_image, canonical: canonical_abs }
}

/// dom_smoothie over the pruned DOM: the article HTML, or empty. Sets `first_img` to the first
/// image of the article (absolute), the lead image when the metadata names none.
fn run_readability(
    doc: Document,
    base: Option<&Url>,
    first_img: &std::cell::OnceCell<Option<String>>,
) -> (String, String, usize) {
    let cfg = dom_smoothie::Config { max_elements_to_parse: 0, ..Default::default() };
    let result = dom_smoothie::Readability::with_document(doc, base.map(Url::as_str), Some(cfg))
        .or_else(|_| dom_smoothie::Readability::with_document(Document::from(""), None, None))
        .and_then(|mut r| r.parse());
    match result {
        Ok(a) => {
            let mut html = a.content.to_string();
            let frag = Document::fragment(html.as_str());
            if prune::trim(&frag) {
                html = frag.html_root().inner_html().to_string();
            }
            let img = frag.select("img[src]").iter().find_map(|i| i.attr("src").and_then(|s| meta::absolute(&s, base)));
            let _ = first_img.set(img);
            if a.text_content.trim().is_empty() {
                (String::new(), String::new(), 0)
            } else {
                let text = frag.html_root().text().to_string();
                (html, text, prune::prose_of(&frag))
            }
        }
        Err(e) => {
            tracing::debug!(error = %e, "dom_smoothie found no article");
            (String::new(), String::new(), 0)
        }
    }
}

/// A candidate's HTML parsed as a fragment, with `prune::trim` applied (as to the scorer's pick).
fn trimmed(html: &str) -> Document {
    let frag = Document::fragment(html);
    prune::trim(&frag);
    frag
}

/// Characters of a text, white space aside: how the extractor's candidates are weighed.
fn letters(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// Whether `outer` holds `inner`'s longest line (white space aside): `inner` is a part of it.
fn holds(outer: &str, inner: &str) -> bool {
    let Some(line) = inner.lines().max_by_key(|l| l.len()).map(squash).filter(|l| !l.is_empty()) else {
        return false;
    };
    squash(outer).contains(&line)
}

/// The picked article (its HTML and text) with the page's lead (its HTML and text) before it,
/// when the pick does not hold the lead already (and holds something: a lead alone is no
/// article).
fn with_lead(picked: &str, picked_text: &str, (lead, lead_text): (&str, &str)) -> Option<String> {
    let (p, l) = (squash(picked_text), squash(lead_text));
    if p.len() < 200 || l.is_empty() || p.contains(&l) {
        return None;
    }
    Some(format!("<p>{lead}</p>{picked}"))
}
