//! The cleaner: item HTML or plain text in, safe clean HTML out.
//!
//! `Cleaner::clean` runs the passes of `dom` (ads, boilerplate, pixels, share links, URLs,
//! empties; order documented there) and then ammonia, LAST, so every string this module
//! returns as `CleanHtml` has passed the sanitizer. Rule tables live in `rules`; plain-text
//! conversion in `text`. Pure: no I/O, no clock.
//!
//! Item-level decisions (is this whole item an ad?) are here too, as `is_ad_item`.

pub mod dom;
pub mod learn;
pub mod rules;
pub mod text;
mod tracking;
mod tree;

use std::sync::OnceLock;

use regex::Regex;
use rustc_hash::FxHashMap;
use scraper::Selector;
use url::Url;

use crate::model::{Body, CleanHtml};

pub use dom::{is_ad_label, Kind, Removal, Removed, WHAT_MAX};
pub use learn::Learned;
pub use tracking::strip_tracking;

/// Per-feed cleaning rules, compiled once per refresh.
#[derive(Default, Clone)]
pub struct Cleaner {
    remove: Vec<(String, Selector)>,
    remove_text: Vec<Regex>,
    explain: bool,
}

/// The result of cleaning one body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    pub html: CleanHtml,
    pub removed: Removed,
    /// Fingerprints of the kept blocks, for `Learned` (see `dom::Fragment::blocks`).
    pub blocks: Vec<u64>,
    /// Its plain text: what identity, change detection and near-duplicates read, and what a
    /// feed's templates are learned from (its short paragraphs are the item's lines).
    pub text: String,
}

impl Cleaner {
    /// `remove` selectors must already be validated (config does); invalid ones are skipped.
    pub fn new(remove: &[String], remove_text: &[Regex]) -> Cleaner {
        Cleaner {
            remove: remove.iter().filter_map(|s| Some((s.clone(), Selector::parse(s).ok()?))).collect(),
            remove_text: remove_text.to_vec(),
            explain: false,
        }
    }

    /// This cleaner, keeping the log of every removal (`Removed::log`, for `--explain`).
    pub fn explaining(mut self) -> Cleaner {
        self.explain = true;
        self
    }

    /// Cleans an item body. `base` resolves relative URLs (the item link, else the feed URL).
    pub fn clean(&self, body: &Body, base: Option<&Url>) -> Cleaned {
        match body {
            Body::Html(h) => self.clean_html(h, base),
            Body::Text(t) => self.clean_html(&text::text_to_html(t), base),
        }
    }

    pub fn clean_html(&self, html: &str, base: Option<&Url>) -> Cleaned {
        let opts = dom::Options { base, remove: &self.remove, remove_text: &self.remove_text, explain: self.explain };
        let f = dom::clean_fragment(html, &opts);
        // The sanitizer parses what the passes wrote. When that HTML is malformed (a misnested
        // table leaves an `<li>` in an `<li>`, which the sanitizer's parse splits), or when
        // that parse left an empty element, its tree differs from theirs, and cleaning the
        // result would change it again: it is cleaned until it stays the same, so that
        // cleaning is idempotent. Input the parser found malformed is written out well-formed
        // by the passes almost always (the parser repaired it: 755 of the 760 malformed
        // items of the shared corpus), and is then cleaned once, as well-formed input is; only
        // for such input is what the passes wrote parsed to ask.
        let malformed = f.malformed && tree::is_malformed(&f.html);
        let mut out = Cleaned { html: sanitize(&f.html), removed: f.removed, blocks: f.blocks, text: f.text };
        if malformed || has_empty_element(out.html.as_str()) {
            out = settle(out, &opts);
        }
        // one glued line may stand before another ("… Read more. The post … appeared first
        // on …"): cut until none is left, so that cleaning again changes nothing
        let mut cut = false;
        for _ in 0..MAX_CLEANING_ROUNDS {
            match cut_glued_footer(&out) {
                Some((html, more)) => (out, cut) = (out.restripped(&html, more), true),
                None => break,
            }
        }
        // what is left of the block the line was cut from is a block the walk has not seen
        // ("Anzeige<br>Läs mer »" leaves a lone label)
        if cut {
            out = settle(out, &opts);
        }
        out
    }
}

/// A boilerplate line glued to the end of the item's last paragraph ("… the gauge read
/// 104 cm. Read the rest of Pankaj's review.", "… The post X appeared first on Y.") goes
/// as it would standing alone: the HTML without it, and what was removed. Only the last
/// sentence, and only when it is the whole line a pattern describes; a photo credit at the
/// end of a paragraph is the paragraph's. So does a sponsor read that is the last sentence
/// of a flattened description ("… is an original story. This episode is sponsored by …"),
/// when it is at most half of the item's text. Also after the feed's learned boilerplate
/// went (`learn::Learned::strip`): the read may have stood before the feed's own last line.
pub(super) fn cut_glued_footer(c: &Cleaned) -> Option<(String, Removed)> {
    use dom::TailCut;
    let glued = |tail: &str| {
        // a photo credit at the end of a paragraph is the paragraph's; so is the call to
        // comment that ends the author's question ("Which would you pick? (leave a comment)")
        let name =
            dom::boilerplate_line(tail).filter(|name| !name.contains("photo credit") && *name != "a comments line")?;
        Some((Kind::Boilerplate, "boilerplate", format!("{name}, glued to the end of the last paragraph")))
    };
    let read = |tail: &str| {
        (tail.len() * 2 <= c.text.len() && dom::is_sponsor_read(tail)).then(|| {
            let why = "the publication's sponsor read, glued to the end of the last paragraph";
            (Kind::Ad, "sponsor-read", why.to_string())
        })
    };
    // cheap first, on the plain text: most items end with a sentence of their own
    let (cut, decide): (_, &dyn Fn(&str) -> _) = if learn::tail_of(&c.text, TailCut::Sentence).and_then(glued).is_some()
    {
        (TailCut::Sentence, &glued)
    } else if learn::tail_of(&c.text, TailCut::SponsorRead).and_then(read).is_some() {
        (TailCut::SponsorRead, &read)
    } else {
        return None;
    };
    dom::strip_tail(c.html.as_str(), c.removed.explaining(), cut, |tail, _| decide(tail))
}

impl Cleaned {
    /// This item after a strip (`dom::strip_tail`, `dom::strip_blocks`) left `html` and
    /// removed `more`: its text taken anew (see `after_strip` for the HTML).
    pub(crate) fn restripped(self, html: &str, more: Removed) -> Cleaned {
        let html = after_strip(html);
        let text = text::html_to_text(html.as_str());
        self.with(html, more, text)
    }

    /// `restripped` when the strip's tree gave the text already (`dom::strip_blocks`): the
    /// passes' tree reads as the sanitizer's output does, as in `clean_html`.
    pub(crate) fn restripped_with_text(self, html: &str, more: Removed, text: String) -> Cleaned {
        self.with(after_strip(html), more, text)
    }

    fn with(self, html: CleanHtml, more: Removed, text: String) -> Cleaned {
        let mut removed = self.removed;
        removed.absorb(more);
        Cleaned { html, removed, blocks: self.blocks, text }
    }
}

/// `out` cleaned again until it stays the same (at most `MAX_CLEANING_ROUNDS` times), what
/// each round removed added to its log.
fn settle(mut out: Cleaned, opts: &dom::Options) -> Cleaned {
    for _ in 0..MAX_CLEANING_ROUNDS {
        let again = dom::clean_fragment(out.html.as_str(), opts);
        let html = sanitize(&again.html);
        if html == out.html {
            break;
        }
        out.removed.absorb(again.removed);
        out = Cleaned { html, blocks: again.blocks, text: again.text, ..out };
    }
    out
}

/// Cleanings of a malformed body after the first, at most (see `Cleaner::clean_html`).
const MAX_CLEANING_ROUNDS: usize = 3;

/// The HTML a strip (`dom::strip_blocks`, `dom::strip_tail`) made of a `CleanHtml`: its parse,
/// with nodes taken away or a text cut short, written by `dom::serialize_children`, which
/// escapes as the sanitizer's serializer does. The sanitizer would give back the same string (a
/// strip adds no element, attribute or URL, and the sanitizer's output reads back as the tree
/// it wrote), so it is not run a second time: this saves a parse, a walk and a serialization
/// for every item a feed's learned boilerplate is stripped from. Debug builds (every test)
/// check the claim on each call, and the twin `a_strip_leaves_what_the_sanitizer_writes`
/// (`tests/it/twins.rs`) checks it on generated bodies.
fn after_strip(html: &str) -> CleanHtml {
    let out = CleanHtml::from_sanitized(tidy(html.to_string()));
    debug_assert_eq!(out, sanitize(html), "a strip's output is not what the sanitizer makes of it");
    out
}

/// What `sanitize` does to ammonia's output: blank lines left where removed blocks stood
/// collapsed (not inside <pre>, where they are content), the ends trimmed.
fn tidy(mut out: String) -> String {
    // (a copy only where there is a blank line to collapse; most items have none)
    if !out.contains("<pre") && out.split_inclusive('\n').any(|line| line.trim().is_empty()) {
        out = collapse_blank_lines(&out);
    }
    out.truncate(out.trim_end().len());
    let start = out.len() - out.trim_start().len();
    out.drain(..start);
    out
}

/// The final pass: ammonia with links forced to `noopener noreferrer` and only web and mail
/// URL schemes. Nothing that skipped this function is ever wrapped in `CleanHtml`.
pub fn sanitize(html: &str) -> CleanHtml {
    // written straight into one buffer (`to_string` writes a buffer, then copies it); the
    // serializer writes UTF-8 into memory, which cannot fail, else this is `to_string`
    let doc = ammonia().clean(html);
    let mut out = Vec::with_capacity(html.len());
    let out = match doc.write_to(&mut out).map(|()| String::from_utf8(out)) {
        Ok(Ok(s)) => s,
        _ => doc.to_string(),
    };
    CleanHtml::from_sanitized(tidy(out))
}

/// Does `sanitize` keep elements of this (lowercase) name? Others it unwraps (keeping their
/// content), or drops whole (`sanitizer_drops_content`).
pub(crate) fn sanitizer_keeps(name: &str) -> bool {
    static TAGS: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    TAGS.get_or_init(|| ammonia().clone_tags()).contains(name)
}

/// The sanitizer's configuration, built once.
fn ammonia() -> &'static ammonia::Builder<'static> {
    static AMMONIA: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    AMMONIA.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.link_rel(Some("noopener noreferrer"))
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .add_tag_attributes("img", ["srcset", "loading"])
            .add_tag_attributes("source", ["srcset", "media", "type"])
            .add_tags(["picture", "source", "figure", "figcaption", "video", "audio"])
            .add_tag_attributes("video", ["src", "poster", "controls"])
            .add_tag_attributes("audio", ["src", "controls"])
            .add_tags(["iframe"])
            .add_tag_attributes("iframe", ["src", "width", "height", "title", "allowfullscreen"])
            .set_tag_attribute_value("iframe", "sandbox", rules::VIDEO_SANDBOX)
            .attribute_filter(|element, attribute, value| {
                // Only the video players of `rules::VIDEO_EMBEDS` may fill an iframe (one
                // without src shows nothing), and every iframe gets the sandbox.
                match (element, attribute) {
                    ("iframe", "src") => dom::is_video_embed(value).then(|| value.into()),
                    // ammonia checks the scheme of href/src, not of these URL lists and URLs
                    (_, "srcset") => {
                        let ok: Vec<String> = dom::srcset_candidates(value)
                            .into_iter()
                            .filter(|(u, _)| web_or_relative(u))
                            .map(|(u, d)| if d.is_empty() { u.to_string() } else { format!("{u} {d}") })
                            .collect();
                        (!ok.is_empty()).then(|| ok.join(", ").into())
                    }
                    (_, "cite" | "poster") => web_or_relative(value).then(|| value.into()),
                    _ => Some(value.into()),
                }
            })
            .rm_tags(["noscript"]);
        b
    })
}

/// Does `sanitize` remove an element of this name with everything in it? (ammonia does so
/// for HTML elements named like SVG or MathML elements, which it takes for a namespace
/// confusion.) Asked of the sanitizer itself, once per name: the answer follows ammonia
/// whatever its version. Names of common HTML elements are answered without asking.
pub(crate) fn sanitizer_drops_content(name: &str) -> bool {
    const KEPT: &[&str] = &[
        "p",
        "a",
        "div",
        "span",
        "br",
        "img",
        "b",
        "i",
        "em",
        "strong",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "figure",
        "figcaption",
        "table",
        "tr",
        "td",
        "th",
        "tbody",
        "thead",
        "html",
        "body",
        "head",
        "section",
        "article",
        "aside",
        "header",
        "footer",
        "nav",
        "main",
        "u",
        "s",
        "small",
        "sup",
        "sub",
        "code",
        "pre",
        "hr",
        "picture",
        "source",
        "video",
        "audio",
        "center",
        "cite",
        "q",
        "abbr",
        "dl",
        "dt",
        "dd",
        "caption",
        "iframe",
        "time",
        "mark",
        "ins",
        "del",
        "big",
        "tt",
        "noscript",
    ];
    /// Distinct names remembered at most (hostile input can invent any number of names).
    const REMEMBER: usize = 4096;
    static SEEN: OnceLock<std::sync::Mutex<FxHashMap<String, bool>>> = OnceLock::new();
    if KEPT.contains(&name) {
        return false;
    }
    let seen = SEEN.get_or_init(Default::default);
    if let Some(known) = seen.lock().unwrap_or_else(|e| e.into_inner()).get(name) {
        return *known;
    }
    const PROBE: &str = "feedscrub-probe";
    let drops = !sanitize(&format!("<{name}>{PROBE}</{name}>")).as_str().contains(PROBE);
    let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
    if seen.len() < REMEMBER {
        seen.insert(name.to_string(), drops);
    }
    drops
}

/// Does sanitized HTML hold an element with nothing in it (`<li></li>`, `<p> </p>`) that
/// pass 6 would remove? Elements that count without content (`dom::MEDIA_TAGS`) do not.
fn has_empty_element(html: &str) -> bool {
    static EMPTY: OnceLock<Regex> = OnceLock::new();
    let rx =
        EMPTY.get_or_init(|| Regex::new(r"<([a-zA-Z][a-zA-Z0-9]*)(?:\s[^>]*)?>\s*</([a-zA-Z][a-zA-Z0-9]*)>").unwrap());
    html.contains("></")
        && rx.captures_iter(html).any(|c| c[1].eq_ignore_ascii_case(&c[2]) && !dom::counts_without_content(&c[1]))
}

/// An http(s) URL, or a relative one (no scheme at all).
fn web_or_relative(u: &str) -> bool {
    let u = u.trim_start();
    let scheme_end = u.find(':');
    let first_sep = u.find(['/', '?', '#']);
    match scheme_end {
        None => true,
        Some(i) if first_sep.is_some_and(|s| s < i) => true,
        Some(i) => matches!(u[..i].to_ascii_lowercase().as_str(), "http" | "https"),
    }
}

fn collapse_blank_lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut newline_run = false;
    for line in s.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        if blank && newline_run {
            continue;
        }
        newline_run = blank || line.ends_with('\n');
        out.push_str(if blank { "\n" } else { line });
    }
    out
}

/// Is the whole item an ad? Its title starts with an ad word (`Anzeige:`, `[Sponsored]`,
/// `ADV:`) or ends with one in brackets (`… [Sponsor]`), is made of ad words only
/// (`Featured Advertiser`), or thanks a sponsor (`rules::AD_TITLE_PATTERNS`); a category
/// holds an ad word as a whole word (`Sponsored Post` yes, `werbefrei` no), or its link path
/// has an ad segment (`/anzeige/`, `/sponsored/`). What the item's text says of itself is
/// `says_it_is_an_ad`; a feed's own promotions are learned (`learn::Promos`).
pub fn is_ad_item(title: Option<&str>, categories: &[String], link: Option<&Url>) -> bool {
    static RX: OnceLock<(Regex, Regex, Regex, Regex)> = OnceLock::new();
    let (title_rx, suffix_rx, thanks_rx, category_rx) = RX.get_or_init(|| {
        let alt = rules::AD_ITEM_WORDS.iter().map(|w| regex::escape(w)).collect::<Vec<_>>().join("|");
        (
            Regex::new(&format!(r"(?i)^\s*[\[(*|-]?\s*(?:{alt})\s*(?:[\]):|*–—-]|$)")).expect("ad title regex"),
            Regex::new(&format!(r"(?i)[\[(]\s*(?:{alt})\s*[\])]\s*$")).expect("ad title suffix regex"),
            Regex::new(&ascii_boundaries(
                &rules::AD_TITLE_PATTERNS.iter().map(|p| format!("(?:{p})")).collect::<Vec<_>>().join("|"),
            ))
            .expect("ad title patterns"),
            Regex::new(&format!(r"(?i)(?:^|[^\w-])(?:{alt})(?:$|[^\w-])")).expect("ad category regex"),
        )
    });
    if let Some(t) = title {
        let lower = t.trim().to_lowercase();
        let words: Vec<&str> =
            lower.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).collect();
        let only_ad_words = !words.is_empty()
            && words.iter().all(|w| rules::AD_TITLE_ONLY_WORDS.contains(w))
            && words
                .iter()
                .any(|w| rules::AD_ITEM_WORDS.contains(w) || ["advertiser", "advertisers", "sponsors"].contains(w));
        if title_rx.is_match(t) || suffix_rx.is_match(t) || thanks_rx.is_match(&lower) || only_ad_words {
            return true;
        }
    }
    if categories.iter().any(|c| category_rx.is_match(c)) {
        return true;
    }
    link.is_some_and(|u| {
        u.path_segments()
            .is_some_and(|mut segs| segs.any(|s| rules::AD_LINK_SEGMENTS.contains(&s.to_lowercase().as_str())))
    })
}

/// The notes an item keeps of what the cleaner removed: the first `REMOVALS_KEPT` of its log
/// (`Removed::log`, as `clean --explain` prints it), texts trimmed to `clean::WHAT_MAX`.
pub fn removal_notes(removed: &Removed) -> Vec<crate::model::RemovalNote> {
    removed
        .log
        .iter()
        .take(crate::model::REMOVALS_KEPT)
        .map(|r| crate::model::RemovalNote {
            kind: match (r.rule, r.kind) {
                ("ad-item", _) => "ad-item",
                (_, Kind::Ad) => "ad",
                _ => "boilerplate",
            }
            .to_string(),
            rule: r.rule.to_string(),
            why: r.why.clone(),
            what: r.what.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests;

/// Does the item's text say that the item itself is an ad (`rules::AD_SELF_DISCLOSURES`: "this
/// post is sponsored by", "thanks to Acme for sponsoring this week's feed", an affiliate list
/// that "helps support this site")? `text` is the cleaned plain text; its first and last 600
/// bytes are read, where an item says such a thing.
pub fn says_it_is_an_ad(text: &str) -> bool {
    static RX: OnceLock<Regex> = OnceLock::new();
    let rx = RX.get_or_init(|| {
        Regex::new(&ascii_boundaries(
            &rules::AD_SELF_DISCLOSURES.iter().map(|p| format!("(?:{p})")).collect::<Vec<_>>().join("|"),
        ))
        .expect("ad disclosure regex")
    });
    // An item says so where it begins or ends: only those are read.
    const SPAN: usize = 600;
    let floor = |i: usize| (0..=i.min(text.len())).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
    let head = &text[..floor(SPAN)];
    let tail = &text[floor(text.len().saturating_sub(SPAN)).max(head.len())..];
    // cheap first: every disclosure names a sponsor, support, an ad, or a post of some kind
    const HINTS: &[&str] =
        &["sponsor", "support", "ad by", "beitrag", "artikel", "text", "post", "article", "review", "story", "piece"];
    [head, tail].iter().any(|part| {
        let lower = part.to_ascii_lowercase();
        HINTS.iter().any(|h| lower.contains(h)) && rx.is_match(&lower)
    })
}

/// `\b` as an ASCII word boundary: the rule patterns put it between ASCII words, and with it
/// the regex engine's fast automata can run over text with umlauts (a Unicode `\b` sends
/// them to the slow one).
pub(crate) fn ascii_boundaries(pattern: &str) -> String {
    pattern.replace(r"\b", r"(?-u:\b)")
}

/// A rule pattern for a `regex::bytes::Regex` whose bounded gaps count bytes: `[^.!?]{0,60}`
/// becomes `(?-u:[^.!?]){0,60}` and `.{1,80}` becomes `(?-u:[^\n]){1,80}` (with
/// `ascii_boundaries`). A Unicode class repeated N times is N copies of a UTF-8 automaton, and
/// the boilerplate patterns' bounded gaps made their regex cost 0.44 G instructions and about
/// 20 MB to build, in every process that cleaned one item; a byte is one state. Only negated
/// classes of ASCII characters spelled out are rewritten, so a gap still never crosses what it
/// excludes; it is as long in bytes as before in characters (a gap of accented or non-Latin
/// text ends sooner).
pub(crate) fn byte_gaps(pattern: &str) -> String {
    let p = ascii_boundaries(pattern);
    let b = p.as_bytes();
    let mut out = String::with_capacity(p.len() + 64);
    let (mut i, mut last) = (0, 0);
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'[' => {
                // the class's end: a `]` right after `[` or `[^` is a member
                let mut j = i + 1 + usize::from(b.get(i + 1) == Some(&b'^'));
                j += usize::from(b.get(j) == Some(&b']'));
                while j < b.len() && b[j] != b']' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                let end = (j + 1).min(b.len());
                let class = &p[i..end];
                // members spelled out: a Perl class (`\w`, `\s`, `\p{..}`) is ASCII-only over bytes
                let spelled = class
                    .split('\\')
                    .skip(1)
                    .all(|e| e.starts_with(|c: char| !c.is_ascii_alphabetic() || "ntr".contains(c)));
                if class.starts_with("[^")
                    && class.is_ascii()
                    && spelled
                    && !class.contains("[:")
                    && b.get(end) == Some(&b'{')
                {
                    out.push_str(&p[last..i]);
                    out.push_str("(?-u:");
                    out.push_str(class);
                    out.push(')');
                    last = end;
                }
                i = end;
            }
            b'.' if b.get(i + 1) == Some(&b'{') => {
                out.push_str(&p[last..i]);
                out.push_str(r"(?-u:[^\n])");
                i += 1;
                last = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&p[last..]);
    out
}
