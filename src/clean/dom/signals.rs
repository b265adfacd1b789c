//! What a block's text and links say about it: ad labels, boilerplate lines, headings, and
//! the signals of promotional text (`ad_score`). Reads; never changes the tree.

use std::sync::OnceLock;

use ego_tree::NodeRef;
use regex::Regex;
use scraper::Node;

use crate::clean::rules;
use crate::clean::text::squash;

pub(super) struct Rx {
    /// All of `rules::BOILERPLATE_PATTERNS` as one alternation, over bytes (`clean::byte_gaps`),
    /// but for the gated ones (`rules::BOILERPLATE_GATES`).
    pub(super) boilerplate: regex::bytes::Regex,
    /// The gated patterns: each gate, and the pattern's index in `boilerplate_each`.
    pub(super) boilerplate_gated: Vec<(regex::bytes::Regex, usize)>,
    /// Each of them with its name, to say which one matched: compiled when first asked (most
    /// runs ask a few of them, and compiling all took more instructions than cleaning 500
    /// items).
    pub(super) boilerplate_each: Vec<(&'static str, Lazy)>,
    pub(super) cta: Regex,
    pub(super) second_person: Regex,
    /// The formal German "you" (`Sie`, `Ihnen`, `Ihr`…): capitalized inside a sentence.
    pub(super) formal_you: Regex,
    /// Any of `rules::PITCH_NAMES` or `rules::PITCH_ASKS`, any case.
    pub(super) pitch: Regex,
    /// Any of `rules::SPONSOR_LEADS`.
    pub(super) sponsor_lead: Regex,
    /// Any of `rules::SPONSOR_READS`, any case.
    pub(super) sponsor_read: Regex,
    /// A URL written as text, with its host.
    pub(super) text_url: Regex,
    /// `rules::RELATED_HEADING`.
    pub(super) related_heading: Regex,
}

/// A boilerplate pattern, compiled as the alternation is (`clean::byte_gaps`) on first use.
pub(super) struct Lazy {
    pattern: &'static str,
    regex: OnceLock<regex::bytes::Regex>,
}

impl Lazy {
    pub(super) fn get(&self) -> &regex::bytes::Regex {
        self.regex.get_or_init(|| regex::bytes::Regex::new(&crate::clean::byte_gaps(self.pattern)).expect("rule regex"))
    }
}

pub(super) fn rx() -> &'static Rx {
    static RX: OnceLock<Rx> = OnceLock::new();
    RX.get_or_init(|| {
        let words = |list: &[&str]| {
            let alt = list.iter().map(|w| regex::escape(w)).collect::<Vec<_>>().join("|");
            Regex::new(&format!(r"(?i)(?:^|[^\w%])(?:{alt})(?:$|[^\w])")).expect("word list regex")
        };
        Rx {
            // ASCII word boundaries: the patterns put `\b` between ASCII words, and with it the
            // regex engine's automata run over any text (a Unicode `\b` sends them to the slow
            // backtracker)
            boilerplate: regex::bytes::RegexBuilder::new(&crate::clean::byte_gaps(
                &rules::BOILERPLATE_PATTERNS
                    .iter()
                    .filter(|(n, _)| !rules::BOILERPLATE_GATES.iter().any(|(g, _)| g == n))
                    .map(|(_, p)| format!("(?:{p})"))
                    .collect::<Vec<_>>()
                    .join("|"),
            ))
            .dfa_size_limit(64 << 20)
            .build()
            .expect("rule regex"),
            boilerplate_gated: rules::BOILERPLATE_GATES
                .iter()
                .map(|(name, gate)| {
                    let i = rules::BOILERPLATE_PATTERNS.iter().position(|(n, _)| n == name).expect("gated pattern");
                    (regex::bytes::Regex::new(gate).expect("gate regex"), i)
                })
                .collect(),
            boilerplate_each: rules::BOILERPLATE_PATTERNS
                .iter()
                .map(|(n, p)| (*n, Lazy { pattern: p, regex: OnceLock::new() }))
                .collect(),
            cta: words(rules::CTA_PHRASES),
            second_person: words(rules::SECOND_PERSON),
            formal_you: Regex::new(&format!(
                r"[^.!?:\s]\s+(?:{})(?:$|[^\w])",
                rules::FORMAL_SECOND_PERSON.iter().map(|w| regex::escape(w)).collect::<Vec<_>>().join("|")
            ))
            .expect("formal you regex"),
            pitch: Regex::new(&format!("(?i){}", pitch_words().map(regex::escape).collect::<Vec<_>>().join("|")))
                .expect("pitch regex"),
            sponsor_lead: Regex::new(
                &rules::SPONSOR_LEADS.iter().map(|p| format!("(?:{p})")).collect::<Vec<_>>().join("|"),
            )
            .expect("sponsor lead regex"),
            sponsor_read: Regex::new(&crate::clean::ascii_boundaries(&format!(
                "(?i){}",
                rules::SPONSOR_READS.iter().map(|p| format!("(?:{p})")).collect::<Vec<_>>().join("|")
            )))
            .expect("sponsor read regex"),
            text_url: Regex::new(r"(?i)(?-u:\b)(?:https?://|www\.)([a-z0-9][a-z0-9.-]*\.[a-z]{2,})")
                .expect("url regex"),
            related_heading: Regex::new(rules::RELATED_HEADING).expect("related heading regex"),
        }
    })
}

/// Words that name a subscription: `rules::PITCH_NAMES` and `rules::PITCH_ASKS`.
pub(super) fn pitch_words() -> impl Iterator<Item = &'static str> {
    rules::PITCH_NAMES.iter().chain(rules::PITCH_ASKS).copied()
}

/// Is this short line a heading that announces related links (`rules::RELATED_HEADING`)?
pub(super) fn is_related_heading(text: &str) -> bool {
    line_form(text, ':', 60).is_some_and(|t| rx().related_heading.is_match(&t))
}

/// A short line as the line rules read it: decorations (`rules::LABEL_DECORATION`, and
/// `also`) trimmed at both ends, runs of white space one space, lowercase; `None` when what
/// is left is longer than `max` bytes.
fn line_form(text: &str, also: char, max: usize) -> Option<String> {
    let t = text.trim_matches(|c: char| c.is_whitespace() || rules::LABEL_DECORATION.contains(&c) || c == also);
    (t.len() <= max).then(|| squash(t).to_lowercase())
}

/// Does the block's text begin like one of the long boilerplate lines (`rules::BOILERPLATE_STARTS`)?
/// Cheap: looks at the first words only, so ordinary paragraphs skip the text and the patterns.
pub(super) fn starts_like_boilerplate(node: NodeRef<Node>) -> bool {
    let Some(first) = first_text(node) else {
        return false;
    };
    // lower-cased beyond ASCII: "À lire aussi" starts like "à lire"; once, then all the
    // starts at once (one anchored automaton)
    static STARTS: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
    let starts = STARTS.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .start_kind(aho_corasick::StartKind::Anchored)
            .build(rules::BOILERPLATE_STARTS)
            .expect("boilerplate starts build")
    });
    // cheap first: most blocks begin with a letter no start begins with
    static INITIALS: OnceLock<Vec<char>> = OnceLock::new();
    let initials = INITIALS.get_or_init(|| {
        let mut v: Vec<char> = rules::BOILERPLATE_STARTS.iter().filter_map(|s| s.chars().next()).collect();
        v.sort_unstable();
        v.dedup();
        v
    });
    let first_char = first.chars().next().into_iter().flat_map(char::to_lowercase).next();
    if first_char.is_none_or(|c| initials.binary_search(&c).is_err()) {
        return false;
    }
    // (on the stack: a char lowercases to at most 3 chars of at most 4 bytes)
    let mut head = [0u8; 24 * 3 * 4];
    let mut len = 0;
    for c in first.chars().take(24).flat_map(char::to_lowercase) {
        len += c.encode_utf8(&mut head[len..]).len();
    }
    starts.is_match(aho_corasick::Input::new(&head[..len]).anchored(aho_corasick::Anchored::Yes))
}

/// Does the block's text end like one of the boilerplate lines that begin with the item's own
/// words (`rules::BOILERPLATE_ENDS`)? Cheap: looks at the last text only.
pub(super) fn ends_like_boilerplate(node: NodeRef<Node>) -> bool {
    let Some(last) = last_text(node) else {
        return false;
    };
    // compared from the end without lowercasing the text (the endings are lowercase)
    let last = last.as_bytes();
    rules::BOILERPLATE_ENDS
        .iter()
        .any(|e| last.len() >= e.len() && last[last.len() - e.len()..].eq_ignore_ascii_case(e.as_bytes()))
}

/// The first text of `node` with something in it, trimmed at its start.
fn first_text(node: NodeRef<'_, Node>) -> Option<&str> {
    node.descendants().filter_map(|d| d.value().as_text()).map(|t| t.trim_start()).find(|t| !t.is_empty())
}

/// The last text of `node` with something in it, trimmed at its end: found from the end, so
/// a long block costs its depth, not its size.
fn last_text(node: NodeRef<'_, Node>) -> Option<&str> {
    for child in node.children().rev() {
        let found = match child.value() {
            Node::Text(t) => Some(t.trim_end()).filter(|t| !t.is_empty()),
            _ => last_text(child),
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Is this text an ad label standing alone (decorations allowed), or a short line naming the
/// sponsor of what follows ("Sponsored by ACME")?
pub fn is_ad_label(text: &str) -> bool {
    let t = text.trim_matches(|c: char| c.is_whitespace() || rules::LABEL_DECORATION.contains(&c));
    if t.is_empty() || t.len() > 80 {
        return false;
    }
    let t = squash(t).to_lowercase();
    (t.len() <= 40 && rules::AD_LABELS.contains(&t.as_str()))
        || is_sponsor_lead_normalized(&t)
        || (!t.contains(['.', '!', '?']) || t.ends_with('.') && t.matches('.').count() <= 2)
            && rules::SPONSOR_LINE_STARTS.iter().any(|s| t.starts_with(s) && t.len() > s.len() + 1)
}

/// Is this line the lead of a sponsor list (`rules::SPONSOR_LEADS`)? Then the list under it
/// is the ad (see `ad_run`).
pub(super) fn is_sponsor_lead(text: &str) -> bool {
    line_form(text, '!', 120).is_some_and(|t| is_sponsor_lead_normalized(&t))
}

/// `is_sponsor_lead` of a trimmed, whitespace-normalized, lowercase line.
fn is_sponsor_lead_normalized(t: &str) -> bool {
    // cheap first (this runs for every short line and inline element): every lead is longer
    // than "sponsor" and names sponsors, or says by whom
    const WORDS: &[&str] = &["sponsor", " by", "präsentiert", "unterstützt", "gesponsert", "partenaires", "patrocinad"];
    let t = t.trim_end_matches(['!', '.', ':', ' ']);
    (8..=120).contains(&t.len()) && WORDS.iter().any(|w| t.contains(w)) && rx().sponsor_lead.is_match(t)
}

/// Does this block begin with a sponsor read (`rules::SPONSOR_READS`): the feed's own
/// episode or newsletter "is brought to you by" someone? Given the block's `first_words`.
pub(super) fn starts_with_sponsor_read(first_words: &str) -> bool {
    rx().sponsor_read.is_match(first_words.trim_start())
}

/// Is this line a sponsor read (`rules::SPONSOR_READS`), at most as long as a block read
/// as one (`blocks::SHORT_BLOCK` twice)?
pub fn is_sponsor_read(line: &str) -> bool {
    line.len() <= 2 * super::SHORT_BLOCK && starts_with_sponsor_read(line)
}

/// Could this block begin with a sponsor read? Its first word is one a read begins with
/// (`rules::SPONSOR_READS`): cheap, so that most blocks skip `first_words` and the regex.
pub(super) fn may_start_a_sponsor_read(node: NodeRef<Node>) -> bool {
    const FIRST: &[&str] =
        &["the ", "this ", "today", "our ", "diese ", "die ", "thank", "many ", "big ", "special ", "a big "];
    first_text(node).is_some_and(|t| {
        FIRST.iter().any(|f| t.len() >= f.len() && t.as_bytes()[..f.len()].eq_ignore_ascii_case(f.as_bytes()))
    })
}

/// The first words of a block (about 160 characters), without reading all of a long one.
pub(super) fn first_words(node: NodeRef<Node>) -> String {
    let mut out = String::new();
    for t in node.descendants().filter_map(|d| d.value().as_text()) {
        for w in t.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
            if out.len() >= 160 {
                return out;
            }
        }
    }
    out
}

/// Does a line read like an entry of a sponsor list: a short name (at most five words), then
/// " – ", " - ", ": " or " (" and the pitch, or a bare web address?
pub(super) fn sponsor_entry(text: &str) -> bool {
    let t = text.trim();
    if t.len() > 400 {
        return false;
    }
    let bare_url = !t.contains(' ') && (t.starts_with("http") || t.starts_with("www."));
    let named = [" – ", " — ", " - ", ": ", " ("].iter().filter_map(|sep| t.find(sep)).min().is_some_and(|at| {
        let name = &t[..at];
        (1..=5).contains(&name.split_whitespace().count()) && !name.ends_with(['.', '!', '?'])
    });
    bare_url || named
}

/// Does this block begin with an ad label followed by its ad ("ANZEIGE: Jetzt …",
/// "[Anzeige] Ihr Auto …", "Annons: Spara 20 % …")? Reads only the first text of the block.
pub(super) fn starts_with_label(node: NodeRef<Node>) -> bool {
    first_text(node).is_some_and(begins_with_label)
}

/// Does a text begin with an ad label and a separator ("Anzeige: …", "[Sponsored] …",
/// "Sponsor Message: …")?
pub(super) fn begins_with_label(first: &str) -> bool {
    let head = &first[..first.char_indices().nth(48).map_or(first.len(), |(at, _)| at)];
    // cheap first: a label is followed by one of these, and most blocks have none up front
    // (bytes first: '–' and '—' begin with 0xE2)
    if !head.bytes().any(|b| matches!(b, b':' | b'|' | b']' | b')' | b'*' | b'-' | 0xE2))
        || !head.contains([':', '|', ']', ')', '*', '–', '—', '-'])
    {
        return false;
    }
    let head = head.trim_start_matches(|c: char| c.is_whitespace() || "[(*-–—|•".contains(c)).to_lowercase();
    rules::AD_LABELS.iter().any(|l| {
        head.strip_prefix(l).is_some_and(|rest| {
            let rest = rest.trim_start_matches(' ');
            rest.starts_with([':', '|', ']', ')', '*', '–', '—']) || rest.starts_with("- ")
        })
    })
}

/// A short line without closing punctuation and without a pitch: a section heading in plain
/// text or a CMS that writes headings as bold paragraphs.
pub(super) fn looks_like_heading(text: &str, node: NodeRef<Node>) -> bool {
    let t = text.trim_end_matches(['"', '“', '”', '«', '»', '\'', ' ']);
    let words = t.split_whitespace().count();
    let has_link = node.descendants().any(|d| d.value().as_element().is_some_and(|e| e.name() == "a"));
    !t.is_empty()
        && t.chars().count() <= 120
        && (1..=14).contains(&words)
        && !t.ends_with(['.', '!', '?', '…', ':', ';', ','])
        && !has_link
        && !rx().cta.is_match(t)
}

/// Signals that a block is promotional: call-to-action phrases, addressing the reader, links
/// to another site, mostly-link text, image-only. Two or more signals make a block ad-like;
/// a news paragraph that merely says "kostenlos" scores one. The signals found are added to
/// `signals` by name.
pub(super) fn ad_score(
    node: NodeRef<Node>,
    text: &str,
    home_host: Option<&str>,
    signals: &mut Vec<&'static str>,
) -> u32 {
    let r = rx();
    let ctas = r.cta.find_iter(text).count().min(3) as u32;
    let mut score = ctas;
    if ctas > 0 {
        signals.push("call to action");
    }
    if addresses_reader(text) {
        score += 1;
        signals.push("addresses the reader");
    }
    let mut link_text = 0usize;
    let mut foreign = false;
    let mut images = 0;
    for d in node.descendants() {
        if let Some(e) = d.value().as_element() {
            match e.name() {
                "a" => {
                    link_text +=
                        d.descendants().filter_map(|t| t.value().as_text()).map(|t| t.trim().len()).sum::<usize>();
                    if let (Some(href), Some(home)) = (e.attr("href"), home_host) {
                        if let Some(h) = absolute_host(href) {
                            if !same_site(h, home) {
                                foreign = true;
                            }
                        }
                    }
                }
                "img" | "picture" | "video" => images += 1,
                _ => {}
            }
        }
    }
    if !foreign && text.contains(['/', '.']) {
        // a URL written as text ("Stamps.com (http://stamps.com)") is a link to the reader
        if let Some(home) = home_host {
            foreign = rx().text_url.captures_iter(text).any(|c| !same_site(&c[1], home));
        }
    }
    if foreign {
        score += 2;
        signals.push("links to another site");
    }
    if !text.is_empty() && link_text * 2 > text.len() {
        score += 2;
        signals.push("mostly link text");
    }
    if text.is_empty() && images > 0 {
        score += 2;
        signals.push("image only");
    }
    score
}

/// Does the text speak to the reader (`du`, `you`, `vous`, the formal `Sie`…)?
pub(super) fn addresses_reader(text: &str) -> bool {
    let r = rx();
    r.second_person.is_match(text) || r.formal_you.is_match(text)
}

/// The host of an absolute http(s) URL, without parsing the rest (relative URLs: `None`).
pub(super) fn absolute_host(href: &str) -> Option<&str> {
    let h = href.trim();
    let rest = h.strip_prefix("https://").or_else(|| h.strip_prefix("http://")).or_else(|| {
        let lower = h.get(..8)?.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            return None;
        }
        Some(&h[h.find("//")? + 2..])
    })?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split_once(':').map_or(host, |(h, _)| h);
    (!host.is_empty()).then_some(host)
}

/// The same site: equal hosts, or one a subdomain of the other (`www.` ignored, any case).
pub(super) fn same_site(a: &str, b: &str) -> bool {
    let strip = |h: &str| h.strip_prefix("www.").unwrap_or(h).to_string();
    let (a, b) = (strip(&a.to_ascii_lowercase()), strip(&b.to_ascii_lowercase()));
    let sub = |x: &str, y: &str| x.len() > y.len() && x.ends_with(y) && x.as_bytes()[x.len() - y.len() - 1] == b'.';
    a == b || sub(&a, &b) || sub(&b, &a)
}

/// The name of the boilerplate line `text` is (`rules::BOILERPLATE_PATTERNS`), if any.
pub fn boilerplate_line(text: &str) -> Option<&'static str> {
    let (rx, t) = (rx(), text.as_bytes());
    let gated =
        || rx.boilerplate_gated.iter().any(|(gate, i)| gate.is_match(t) && rx.boilerplate_each[*i].1.get().is_match(t));
    if text.is_empty() || !(rx.boilerplate.is_match(t) || gated()) {
        return None;
    }
    rx.boilerplate_each.iter().find(|(_, re)| re.get().is_match(t)).map(|(n, _)| *n)
}
