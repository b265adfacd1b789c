//! What a feed teaches about itself: boilerplate is what repeats across its items.
//!
//! - **Repeated blocks**: a block of text that recurs word for word in most of the items of
//!   one fetched document (a fixed trading-letter ad, a disclaimer) is boilerplate. One that
//!   recurs in fewer of them (a fifth) is boilerplate where it ends an item (contact lines
//!   under some episodes of a podcast); where it begins one, it is a series' intro.
//! - **Templates**: a short line whose *shape* recurs: the same words with a different
//!   category, count, author, date or title ("Posted by Ann at 10:42 | 3 comments",
//!   "Comment on <title>…", "L'articolo <title> sembra essere il primo su …"). The words every
//!   such line shares are learned from the document: a word found in the short lines of most
//!   items is a template word, every other word and every number is a gap. A shape that most
//!   items have is a template. Templates are kept with the feed (`model::LearnedRules`), so the
//!   one new item of a later fetch still loses its footer; a template that no item of a fetch
//!   has for `FORGET_AFTER` fetches in a row is forgotten.
//!
//! A template line goes where furniture stands: in the run of template lines that ends the
//! item; a long, nearly exact template (six words or more, fewer than one other word in its
//! line per four) goes wherever it stands. The run that begins an item is the show's own
//! words as often as a byline: "Tema de la Semana: …", "Zu Gast im Trekcast: …", a recurring
//! intro with the episode's number; a short template there stays (on the tuning parts that
//! rule removed 3 snippets for 13 article sentences). A short templated sentence inside the article stays, and templates never take
//! more than half of an item's text. Nothing here reads a site's name or a word list: it is all learned from the feed.
//!
//! Pure: the fetch's cleaned items in, decisions out; `refresh` stores what `remember` writes.

use rustc_hash::{FxHashMap, FxHashSet};

use super::dom::{self, LeafBlock, Strike, TailCut};
use super::Cleaned;
use crate::model::{LearnedRules, Learnt};

/// At least this many items must share a block or a template before it counts as boilerplate.
pub const LEARN_MIN_ITEMS: usize = 3;
/// And more than this share of the fetched document's items.
pub const LEARN_SHARE: f64 = 0.5;
/// A block that repeats word for word in fewer items, but in more than this share, is
/// learned only where furniture stands: in the run of learned blocks and template lines that
/// ends an item (a podcast's contact lines under some of its episodes), never as part of a
/// templated box. At the beginning of an item the same repeat is a series' intro, the
/// article's own (on the tuning parts: 18 snippets more removed, 8 sentences lost, most of
/// them sign-offs; 0.3 gave 11 for 4).
pub const TAIL_SHARE: f64 = 0.2;
/// A repeated block shorter than this is struck only where furniture stands (in the run that
/// ends the item), however many items repeat it: short headings ("Themen unter anderem:",
/// "Links, Picks, and Tips:") open each item's own list, while a short line at the end
/// ("Join the discussion on", "* = Affiliate Links") is the feed's. On the tuning parts,
/// struck anywhere: 31 snippets more removed, 15 article sentences lost; only in that run: 17
/// more removed, 4 lost (podcast credits in a run of furniture). A short block that is one
/// link ("Support the show", "Read full article >>") is struck anywhere, unless the item's own
/// text follows it (a host's name over this episode's picks).
pub(super) const ANYWHERE_MIN_TEXT: usize = 24;
/// A learned template that no item of this many fetches in a row had is forgotten.
pub const FORGET_AFTER: u32 = 4;
/// A template line of more than this many words, of which the template's are fewer than a
/// quarter, is not furniture (on the tuning parts: 17 article sentences kept, no snippet left).
const THIN_LINE_WORDS: usize = 12;
/// Templates kept per feed, at most (the most widespread).
pub const MAX_TEMPLATES: usize = 32;
/// Words a template match may leave before its first or after its last word, and words one
/// of its gaps may span, at most.
const SLACK: usize = 16;
/// A template of this many words or more, whose line has fewer than one other word per four of
/// the template's, goes wherever the line stands, not only at the item's beginning or
/// end: a subscribe box or a sponsor read the feed repeats between its stories. A sentence
/// with a number or a name in every few words ("The gauge read 104 cm on day 4") is a
/// report's, and stays where it stands.
const STRONG_WORDS: usize = 6;

/// A feed's learned boilerplate for one fetch: its repeated blocks and its templates (the
/// stored ones and those this fetch's document shows).
pub struct Learned {
    repeated: FxHashMap<u64, usize>,
    /// Lines (by `line_hash`) that end items and nearly repeat in a few others (see
    /// `near_repeats`), with the number of items.
    near: FxHashMap<u64, usize>,
    items: usize,
    templates: Vec<Template>,
    /// Hashes of the lines of this fetch that a template matches (see `line_hash`).
    matched: FxHashSet<u64>,
    /// Skeletons of link lists glued to the end of most items (see `skeleton`), with the
    /// number of items: learned from this fetch, or stored.
    skeletons: FxHashMap<String, usize>,
    /// Every skeleton of this fetch's tails, with the number of items (for `remember`).
    skeleton_seen: FxHashMap<String, usize>,
    /// The skeletons the feed's stored rules held.
    stored_skeletons: Vec<Learnt>,
}

/// Lines of this many words or more may nearly repeat (shorter ones are templates' or
/// repeat exactly).
const NEAR_MIN_WORDS: usize = 5;
/// … and at most this many (contact lines, credits and notes are short; a paragraph is the
/// item's own).
const NEAR_MAX_WORDS: usize = 24;
/// The lines that end an item, this many, are compared with other items' ends.
const NEAR_TAIL_LINES: usize = 4;
/// Two lines nearly repeat when their sets of words (numbers aside) overlap this much
/// (shared words over all words: 7 in 10).
const NEAR_OVERLAP: (usize, usize) = (7, 10);
/// Items whose ends are compared, at most (the first the document lists).
const NEAR_MAX_ITEMS: usize = 200;

/// The lines `near_repeats` compares: among the last `NEAR_TAIL_LINES` of each of the first
/// `NEAR_MAX_ITEMS` items, those of `NEAR_MIN_WORDS`–`NEAR_MAX_WORDS` words, each with its
/// item and its set of words (sorted, numbers aside).
fn item_ends<'a>(lines: &[Vec<(Vec<u32>, &'a str)>]) -> Vec<(usize, Vec<u32>, &'a str)> {
    let mut ends = Vec::new();
    for (i, item) in lines.iter().enumerate().take(NEAR_MAX_ITEMS) {
        for (w, raw) in item.iter().rev().take(NEAR_TAIL_LINES) {
            if (NEAR_MIN_WORDS..=NEAR_MAX_WORDS).contains(&w.len()) {
                let mut set: Vec<u32> = w.iter().copied().filter(|w| *w != NUMBER).collect();
                set.sort_unstable();
                set.dedup();
                ends.push((i, set, *raw));
            }
        }
    }
    ends
}

/// Lines among the last `NEAR_TAIL_LINES` of an item whose words nearly repeat in the
/// ends of other items, more than `TAIL_SHARE` of them in all: contact lines that change a
/// word from episode to episode ("Comments, ideas and insults: …" / "Comments, ideas,
/// threats and insults: …"), a count that grows ("Over 3,000 listeners have joined…").
/// By `line_hash`, with the number of items.
fn near_repeats(lines: &[Vec<(Vec<u32>, &str)>], n: usize) -> FxHashMap<u64, usize> {
    let ends = item_ends(lines);
    let (share, of) = NEAR_OVERLAP;
    let near = |a: &[u32], b: &[u32]| {
        let (mut i, mut j, mut both) = (0, 0, 0);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => (both, i, j) = (both + 1, i + 1, j + 1),
            }
        }
        both * of >= share * (a.len() + b.len() - both)
    };
    // Only lines that share a rare word are compared (prefix filtering, as similarity joins
    // do it): two sets that share `share / of` of their words share one of the rarest
    // |set| - ⌈|set| · share / of⌉ + 1 words of each.
    let mut freq: FxHashMap<u32, u32> = FxHashMap::default();
    for w in ends.iter().flat_map(|e| &e.1) {
        *freq.entry(*w).or_default() += 1;
    }
    let prefixes: Vec<Vec<u32>> = ends
        .iter()
        .map(|(_, set, _)| {
            let mut rare = set.clone();
            rare.sort_unstable_by_key(|w| (freq[w], *w));
            rare.truncate(set.len() + 1 - (set.len() * share).div_ceil(of));
            rare
        })
        .collect();
    let mut index: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
    for (k, prefix) in prefixes.iter().enumerate() {
        for w in prefix {
            index.entry(*w).or_default().push(k);
        }
    }
    let mut out = FxHashMap::default();
    let mut seen = vec![usize::MAX; ends.len()];
    for (k, (i, set, raw)) in ends.iter().enumerate() {
        let mut items: Vec<usize> = Vec::new();
        for j in prefixes[k].iter().flat_map(|w| &index[w]) {
            let (other_item, other, _) = &ends[*j];
            // (the shared words are at most the smaller set: a cheap first look)
            let sizes = (set.len().min(other.len()), set.len().max(other.len()));
            if seen[*j] != k && other_item != i && sizes.0 * of >= share * sizes.1 && near(set, other) {
                items.push(*other_item);
            }
            seen[*j] = k;
        }
        items.sort_unstable();
        items.dedup();
        // the item itself, and the others
        let count = items.len() + 1;
        if shared_by(count, n.min(NEAR_MAX_ITEMS), TAIL_SHARE) {
            out.insert(line_hash(raw), count);
        }
    }
    out
}

/// Do `count` of `n` items share something: at least `LEARN_MIN_ITEMS`, and more than `share`
/// of them?
fn shared_by(count: usize, n: usize, share: f64) -> bool {
    count >= LEARN_MIN_ITEMS && (count as f64) > share * n as f64
}

/// Is this stored pattern a skeleton (`skeleton`), not a template of words?
fn is_skeleton(pattern: &str) -> bool {
    pattern.contains(['(', '[', '|'])
}

/// Where a templated box that ends the item begins, if one does: a block of furniture
/// (`furniture`: a template line or a repeated block) from which on, to the end, at least
/// `BOX_MIN_LINES` of the non-empty blocks are furniture, at least `BOX_SHARE` of them, the
/// last one too; the earliest such start before `tail_start` (where the run of furniture alone
/// begins), and only when the run holds at most half of the item's text. A box about the
/// company a post names ("<box heading> / <NAME> / Company: … / Website: … / <the company's
/// description> / Learn more"): template lines with the item's own words between them.
fn templated_box(
    blocks: &[LeafBlock],
    tail_start: usize,
    total: usize,
    furniture: &impl Fn(usize) -> bool,
) -> Option<usize> {
    let n = blocks.len();
    let last = (0..n).rev().find(|i| blocks[*i].text_len > 0)?;
    if !furniture(last) {
        return None;
    }
    // From the end: from block k on, how many non-empty blocks, how many of them furniture, and
    // their text; the earliest start that qualifies is the last one met.
    let (mut kept, mut lines, mut text) = (0usize, 0usize, 0usize);
    let mut start = None;
    // consecutive lines of the item's own words: more than BOX_OWN_RUN of them end the box
    let mut run = 0;
    for k in (0..n).rev().filter(|k| blocks[*k].text_len > 0) {
        run = if furniture(k) { 0 } else { run + 1 };
        if run > BOX_OWN_RUN {
            break;
        }
        lines += 1;
        kept += usize::from(furniture(k));
        text += blocks[k].text_len;
        if k < tail_start && furniture(k) && kept >= BOX_MIN_LINES && kept as f64 >= lines as f64 * BOX_SHARE {
            start = Some((k, text));
        }
    }
    // the box whole or not at all: a part of it is no box
    let (start, text) = start?;
    (text * 2 <= total).then_some(start)
}

/// A box holds at most this many of the item's own lines in a row: a longer run is the
/// item's text (a tracklist, show notes), not a company's description between the box's
/// fields (on the tuning parts: 7 article sentences kept, no snippet left).
const BOX_OWN_RUN: usize = 3;
/// A templated box has at least this many furniture lines …
const BOX_MIN_LINES: usize = 3;
/// … and at least this share of its lines are furniture (the tuning part's boxes hold up to
/// one line in two of the item's own words; two in three lost a third of them there).
const BOX_SHARE: f64 = 0.5;

fn line_hash(line: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(line)
}

/// A template: words and gaps, never beginning or ending with a gap.
#[derive(Debug, Clone)]
struct Template {
    words: Vec<Option<String>>,
    /// `words` as text, `*` for a gap (what is stored).
    pattern: String,
    /// Words that are not gaps.
    literals: usize,
    /// Items of this fetch that have a line of this shape.
    seen: usize,
    /// Stored before this fetch (else learned from it).
    stored: Option<Learnt>,
    /// A line it was learned from.
    sample: String,
}

impl Template {
    fn new(words: Vec<Option<String>>) -> Option<Template> {
        let literals = words.iter().filter(|w| w.is_some()).count();
        // One of its words longer than "a", "de" or "the": else many short lines would share
        // the shape ("the", "at * of").
        let telling = words.iter().flatten().any(|w| w.chars().count() >= 4);
        if literals == 0 || !telling {
            return None;
        }
        let pattern = words.iter().map(|w| w.as_deref().unwrap_or("*")).collect::<Vec<_>>().join(" ");
        Some(Template { words, pattern, literals, seen: 0, stored: None, sample: String::new() })
    }

    fn parse(stored: &Learnt) -> Option<Template> {
        if is_skeleton(&stored.pattern) {
            return None;
        }
        let words = stored.pattern.split(' ').map(|w| (w != "*").then(|| w.to_string())).collect();
        let mut t = Template::new(words)?;
        t.stored = Some(stored.clone());
        t.sample = stored.sample.clone();
        Some(t)
    }

    /// Does a line (as `words`) have this shape? Its words in order, a gap standing for one
    /// to `SLACK` words, and at most `SLACK` words after; before, as many only for a template
    /// of two or more words: a one-word template ("tags", "source") begins its line.
    fn matches(&self, line: &[String]) -> bool {
        glob(&self.words, line, self.literals >= 2)
    }

    /// `matches` for a line as it reads: a one-word template also needs its word to stand
    /// alone ("Digg", "-- Mike", "Comments (3)") or as a field's label ("Tags: …", "Source:
    /// …"); "Mike's summary grade…" is a sentence of the item's, not the sign-off "-- Mike".
    #[cfg(test)]
    fn matches_line(&self, raw: &str) -> bool {
        self.matches_read(&words(raw), raw)
    }

    /// `matches_line` for a line whose `words` are read already.
    fn matches_read(&self, words: &[String], raw: &str) -> bool {
        self.matches(words) && self.may_take(raw)
    }

    /// The condition `matches_line` adds to the words' match (see there).
    fn may_take(&self, raw: &str) -> bool {
        self.literals >= 2 || alone_or_label(raw)
    }
}

/// Does a line's first word stand alone (nothing but numbers and punctuation after it) or
/// as a field's label: a colon after it, or a value that begins with a capital or a digit
/// ("Company Google")? Not when a sentence goes on in lowercase ("Mike's summary …").
fn alone_or_label(raw: &str) -> bool {
    let t = raw.trim_start_matches(|c: char| !c.is_alphanumeric());
    let rest = &t[t.find(|c: char| !c.is_alphanumeric()).unwrap_or(t.len())..];
    let next = rest.trim_start_matches(|c: char| !c.is_alphanumeric()).chars().next();
    rest.trim_start().starts_with(':') || next.is_none_or(|c| c.is_uppercase() || c.is_numeric())
}

/// `Template::matches` over any kind of word (strings, or a fetch's word ids).
///
/// The template's words must come in order, each gap standing for one to `SLACK` words, with
/// at most `SLACK` words after the last (and as many before when `lead`). Read as a walk over
/// (template position, line position), each pair judged once: a line that holds the
/// template's words many times over ("the", "of") would otherwise be tried in every split.
fn glob<T: PartialEq>(template: &[Option<T>], line: &[T], lead: bool) -> bool {
    // cheap first: the template's words must be in the line, in order
    let mut rest = line.iter();
    if !template.iter().flatten().all(|w| rest.any(|l| l == w)) {
        return false;
    }
    let width = line.len() + 1;
    // 0: not judged yet, 1: no match from here, 2: a match
    let mut memo = vec![0u8; (template.len() + 1) * width];
    fn at<T: PartialEq>(t: &[Option<T>], ti: usize, line: &[T], li: usize, memo: &mut [u8]) -> bool {
        let key = ti * (line.len() + 1) + li;
        if memo[key] != 0 {
            return memo[key] == 2;
        }
        let left = line.len() - li;
        let ok = match t.get(ti) {
            None => left <= SLACK,
            Some(Some(w)) => line.get(li).is_some_and(|l| l == w) && at(t, ti + 1, line, li + 1, memo),
            Some(None) => (1..=SLACK.min(left)).any(|k| at(t, ti + 1, line, li + k, memo)),
        };
        memo[key] = if ok { 2 } else { 1 };
        ok
    }
    let lead = if lead { SLACK.min(line.len()) } else { 0 };
    (0..=lead).any(|skip| at(template, 0, line, skip, &mut memo))
}

impl Template {
    /// `matches`, with the template's first word as the line's first word.
    fn matches_from_start(&self, line: &[String]) -> bool {
        glob(&self.words, line, false)
    }
}

/// An item's lines: the paragraphs of its plain text (one per leaf block) of at most
/// `dom::LINE_MAX_TEXT` bytes, and its tail (`tail_of`): footers glued to the text ("… Leia
/// mais no Massa News!") repeat like footers that stand apart.
fn lines_of(text: &str) -> impl Iterator<Item = &str> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty() && p.len() <= dom::LINE_MAX_TEXT)
        .chain(tail_of(text, TailCut::Sentence))
}

/// The last sentence of an item's last paragraph, when it is short and not the whole
/// paragraph: the text after the last ". ", "! ", "? " or "… " that has text after it, as
/// `dom::strip_tail` cuts it.
pub(super) fn tail_of(text: &str, cut: TailCut) -> Option<&str> {
    let last = text.trim_end().rsplit("\n\n").next()?;
    let (_, offset) = cut.start(&[last])?;
    Some(last[offset..].trim())
}

/// The skeleton of an item's tail, and where the tail is cut for it: the bracketed groups the
/// text ends with when there are some (a byline may stand before them in one item and not in
/// the next), else the last sentence, else a short last paragraph of its own (never the
/// item's only one).
fn tail_skeleton(text: &str) -> Option<(String, TailCut)> {
    let cuts: &[TailCut] = if text.trim().contains("\n\n") {
        &[TailCut::Brackets, TailCut::Sentence, TailCut::Block]
    } else {
        &[TailCut::Brackets, TailCut::Sentence]
    };
    cuts.iter().copied().find_map(|cut| tail_of(text, cut).and_then(skeleton).map(|s| (s, cut)))
}

/// The punctuation skeleton of a tail that is a list of links glued to the last sentence: its
/// words as `w` (a run of words and separators as one), its brackets, parentheses, pipes and
/// colons kept: "(Tesla, Elektroauto)" is `(w)`, "[Link] [Tags: Networks, Web] [Comment]" is
/// `[w][w:w][w]`, whatever the tags. `None` without a bracket, parenthesis or pipe.
fn skeleton(tail: &str) -> Option<String> {
    let mut out = String::new();
    for c in tail.chars() {
        if c.is_alphanumeric() {
            if !out.ends_with('w') {
                out.push('w');
            }
        } else if "()[]|:".contains(c) {
            out.push(c);
        }
    }
    (out.contains(['(', '[', '|']) && out.len() <= 24).then_some(out)
}

/// A line as words: lowercase runs of letters and digits; a word with a digit is `#`, which
/// no template word equals.
fn words(line: &str) -> Vec<String> {
    line.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| if w.chars().any(|c| c.is_ascii_digit()) { "#".to_string() } else { w.to_lowercase() })
        .collect()
}

/// The shape of a line given the document's template words (`keep`): other words become
/// gaps, runs of gaps one gap, and gaps at either end go. Also: did the line begin with a gap?
fn shape<T: Clone>(line: &[T], keep: impl Fn(&T) -> bool) -> (Vec<Option<T>>, bool) {
    let mut out: Vec<Option<T>> = Vec::new();
    for w in line {
        let word = keep(w).then(|| w.clone());
        if word.is_none() && out.last().is_some_and(Option::is_none) {
            continue;
        }
        out.push(word);
    }
    while out.last().is_some_and(Option::is_none) {
        out.pop();
    }
    let start = out.iter().position(Option::is_some).unwrap_or(out.len());
    (out.split_off(start), start > 0)
}

/// The words of one fetch's lines as ids, so that learning compares and hashes numbers, not
/// strings. `NUMBER` stands for every word with a digit.
struct Interner<'a> {
    ids: FxHashMap<std::borrow::Cow<'a, str>, u32>,
    words: Vec<std::borrow::Cow<'a, str>>,
}

const NUMBER: u32 = u32::MAX;

impl<'a> Interner<'a> {
    /// `words(line)` as ids (a word is lowercased only when it has capitals).
    fn line(&mut self, line: &'a str) -> Vec<u32> {
        line.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| {
                if w.chars().any(|c| c.is_ascii_digit()) {
                    return NUMBER;
                }
                let w: std::borrow::Cow<'a, str> =
                    if w.chars().any(char::is_uppercase) { w.to_lowercase().into() } else { w.into() };
                if let Some(id) = self.ids.get(&*w) {
                    return *id;
                }
                let id = self.words.len() as u32;
                self.words.push(w.clone());
                self.ids.insert(w, id);
                id
            })
            .collect()
    }

    /// A template's words as ids (`None` inside for a word no line of the fetch has: then no
    /// line can match it).
    fn template(&self, t: &Template) -> Option<Vec<Option<u32>>> {
        t.words
            .iter()
            .map(|w| w.as_ref().map_or(Some(None), |w| self.ids.get(w.as_str()).map(|id| Some(*id))))
            .collect()
    }
}

/// Stretches of a shape a template may be: every run of its word groups, gaps between (a
/// title in the middle of a footer brings its own common words, "comment on * to *", so the
/// shared part is a stretch, "comment on"), as ranges of the shape. A stretch of one word only
/// where the line begins with it ("Tags: …", "Source"), as a one-word template matches
/// (`Template::matches`). At most `MAX_GROUPS` groups are looked at.
fn stretches<T>(shape: &[Option<T>], lead_gap: bool, label: Option<usize>) -> Vec<std::ops::Range<usize>> {
    const MAX_GROUPS: usize = 6;
    let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
    for (k, w) in shape.iter().enumerate() {
        match (w, groups.last_mut()) {
            (None, _) => {}
            (Some(_), Some(g)) if g.end == k => g.end = k + 1,
            (Some(_), _) => groups.push(k..k + 1),
        }
    }
    groups.truncate(MAX_GROUPS);
    let mut out = Vec::new();
    // a field's label that begins the line is a stretch of its own when words most items use
    // follow it: "Topics: Creativity, News…" is "topics", "Products: Creative Cloud" "products"
    if let (Some(first), Some(k)) = (groups.first().filter(|_| !lead_gap), label) {
        if k < first.len() {
            out.push(first.start..first.start + k);
        }
    }
    for i in 0..groups.len() {
        for j in i..groups.len() {
            let r = groups[i].start..groups[j].end;
            if r.len() > 1 || (i == 0 && !lead_gap) {
                out.push(r);
            }
        }
    }
    out
}

/// The words of a field's label that begins a line ("Topics: …", "Filed under: …"): how
/// many words stand before its colon, one to three.
fn field_label(raw: &str) -> Option<usize> {
    // counted as `words` splits them, without building them: this runs for every line
    let k = raw[..raw.find(':')?].split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).count();
    (1..=3).contains(&k).then_some(k)
}

fn hash_of(words: &[Option<u32>]) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(words)
}

/// Where a stretch of a line's shape stands: item, line, words.
type Stretch = (usize, usize, std::ops::Range<usize>);
/// A widespread stretch as words, with the items that have it, a line it stands in, and
/// whether it is a whole line of its own.
type Candidate<'a> = (Vec<Option<String>>, (usize, &'a str, bool));

impl Learned {
    /// Learns from the cleaned items of one fetched document, on top of what the feed taught
    /// before (`stored`).
    pub fn new(items: &[&Cleaned], stored: &LearnedRules) -> Learned {
        // The same story listed twice (or four times) repeats all its blocks: an item counts
        // once however often the document lists its text, else a feed of copies would learn
        // its one article as boilerplate.
        let mut texts = FxHashSet::default();
        let items: Vec<&Cleaned> = items.iter().copied().filter(|c| texts.insert(line_hash(&c.text))).collect();
        let n = items.len();
        let widespread = |count: usize| shared_by(count, n, LEARN_SHARE);

        let mut counts: FxHashMap<u64, usize> = FxHashMap::default();
        for c in &items {
            let mut seen = FxHashSet::default();
            for h in &c.blocks {
                if seen.insert(*h) {
                    *counts.entry(*h).or_default() += 1;
                }
            }
        }
        // (the blocks of fewer than LEARN_SHARE of the items are struck only in the tail)
        counts.retain(|_, count| shared_by(*count, n, TAIL_SHARE));

        let mut interner = Interner { ids: FxHashMap::default(), words: Vec::new() };
        let lines: Vec<Vec<(Vec<u32>, &str)>> =
            items.iter().map(|c| lines_of(&c.text).map(|l| (interner.line(l), l)).collect()).collect();
        let mut templates: Vec<Template> = stored.templates.iter().filter_map(Template::parse).collect();
        let near = near_repeats(&lines, n);
        if n >= LEARN_MIN_ITEMS {
            // Template words: in the short lines of most items.
            let mut in_items = vec![(0usize, usize::MAX); interner.words.len()];
            for (i, item) in lines.iter().enumerate() {
                for id in item.iter().flat_map(|(w, _)| w).filter(|w| **w != NUMBER) {
                    let e = &mut in_items[*id as usize];
                    if e.1 != i {
                        *e = (e.0 + 1, i);
                    }
                }
            }
            let template_word = |id: &u32| *id != NUMBER && in_items[*id as usize].0 * 2 > n;
            // Stretches are counted by hash (no allocation per stretch): per hash, the items
            // that have it, the last item counted, and where one of them stands.
            let mut shapes: Vec<Vec<Vec<Option<u32>>>> = Vec::with_capacity(n);
            let mut counted: FxHashMap<u64, (usize, usize, Stretch)> = FxHashMap::default();
            for (i, item) in lines.iter().enumerate() {
                let mut item_shapes = Vec::with_capacity(item.len());
                for (l, (w, raw)) in item.iter().enumerate() {
                    let (sh, lead_gap) = shape(w, template_word);
                    for r in stretches(&sh, lead_gap, field_label(raw)) {
                        let e = counted.entry(hash_of(&sh[r.clone()])).or_insert((0, usize::MAX, (i, l, r)));
                        if e.1 != i {
                            e.0 += 1;
                            e.1 = i;
                        }
                    }
                    item_shapes.push(sh);
                }
                shapes.push(item_shapes);
            }
            let as_words = |ids: &[Option<u32>]| -> Vec<Option<String>> {
                ids.iter().map(|id| id.map(|id| interner.words[id as usize].to_string())).collect()
            };
            // every line of the fetch as its words, to know a stretch that is a line of its own
            let whole_lines: FxHashSet<&[u32]> = lines.iter().flatten().map(|(w, _)| w.as_slice()).collect();
            let widespread: Vec<Candidate> = counted
                .into_values()
                .filter(|(count, _, _)| widespread(*count))
                .map(|(count, _, (i, l, r))| {
                    let ids = &shapes[i][l][r];
                    let literal: Option<Vec<u32>> = ids.iter().copied().collect();
                    let whole = literal.is_some_and(|w| whole_lines.contains(w.as_slice()));
                    (as_words(ids), (count, lines[i][l].1, whole))
                })
                .collect();
            // Only the longest: "comment on" is learned, not also "comment" beside it. A
            // line that is all of a template's words and nothing else stays a template of its
            // own even inside a longer one: the last line of a report written in lines is
            // also part of the paragraph's shape, and it is that line that is cut.
            let text = |w: &[Option<String>]| {
                format!(" {} ", w.iter().map(|w| w.as_deref().unwrap_or("*")).collect::<Vec<_>>().join(" "))
            };
            let mut learned: Vec<Candidate> = widespread
                .iter()
                .filter(|(a, (ca, _, whole))| {
                    let ta = text(a);
                    *whole
                        || !widespread
                            .iter()
                            .any(|(b, (cb, _, _))| b.len() > a.len() && cb >= ca && text(b).contains(&ta))
                })
                .cloned()
                .collect();
            learned.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then_with(|| a.0.cmp(&b.0)));
            learned.truncate(MAX_TEMPLATES);
            for (words, (_, raw, _)) in learned {
                if let Some(mut t) = Template::new(words) {
                    if !templates.iter().any(|o| o.pattern == t.pattern) {
                        t.sample = raw.chars().take(100).collect();
                        templates.push(t);
                    }
                }
            }
        }
        // Which lines (by hash of their text) some template matches: `strip` looks only at
        // items that have one.
        let mut matched = FxHashSet::default();
        for t in &mut templates {
            let Some(ids) = interner.template(t) else { continue };
            for item in &lines {
                let mut seen = false;
                for (w, raw) in item {
                    if glob(&ids, w, t.literals >= 2) && t.may_take(raw) {
                        seen = true;
                        matched.insert(line_hash(raw));
                    }
                }
                t.seen += usize::from(seen);
            }
        }
        // Link lists glued to the end ("(Tesla, Elektroauto)") share a skeleton, not words;
        // skeletons are kept with the templates (their patterns have brackets, words never do).
        let mut skeleton_seen: FxHashMap<String, usize> = FxHashMap::default();
        for c in items {
            if let Some((s, _)) = tail_skeleton(&c.text) {
                *skeleton_seen.entry(s).or_default() += 1;
            }
        }
        let mut skeletons: FxHashMap<String, usize> =
            skeleton_seen.iter().filter(|(_, count)| widespread(**count)).map(|(s, c)| (s.clone(), *c)).collect();
        let stored_skeletons: Vec<Learnt> =
            stored.templates.iter().filter(|t| is_skeleton(&t.pattern)).cloned().collect();
        for s in &stored_skeletons {
            skeletons.entry(s.pattern.clone()).or_insert(s.items as usize);
        }
        Learned { repeated: counts, near, items: n, templates, matched, skeletons, skeleton_seen, stored_skeletons }
    }

    pub fn is_empty(&self) -> bool {
        self.repeated.is_empty() && self.near.is_empty() && self.templates.is_empty() && self.skeletons.is_empty()
    }

    /// `c` without its learned blocks and template lines (sanitized again: the sanitizer stays
    /// last).
    pub fn strip(&self, c: Cleaned) -> Cleaned {
        // A line of this fetch is known by its hash; another (`clean --feed`, one item) is read.
        let template_line =
            |l: &str| self.matched.contains(&line_hash(l)) || (self.items == 0 && self.template_of(l).is_some());
        // one walk over the item's lines for both (each walk cuts the tail sentence again)
        let learned_line =
            |l: &str| (!self.templates.is_empty() && template_line(l)) || self.near.contains_key(&line_hash(l));
        let could = c.blocks.iter().any(|h| self.repeated.contains_key(h))
            || ((!self.templates.is_empty() || !self.near.is_empty()) && lines_of(&c.text).any(learned_line));
        let tail = tail_of(&c.text, TailCut::Sentence).map(str::to_string);
        // the tail's skeleton is read only when the feed has learned some
        let glued = if self.skeletons.is_empty() {
            None
        } else {
            tail_skeleton(&c.text).filter(|(s, _)| self.skeletons.contains_key(s))
        };
        let c = if !could {
            c
        } else {
            // lines for the templates, and for the leads that repeated blocks leave alone
            let wanted = (!self.repeated.is_empty(), true);
            match dom::strip_blocks(c.html.as_str(), c.removed.explaining(), wanted, |blocks| self.decide(blocks)) {
                None => c,
                // the text as the strip's own tree gives it, as `clean_fragment` does
                Some((html, more, text)) => {
                    let c = self.restored(c.restripped_with_text(&html, more, text));
                    // the strip may have uncovered a line glued to what is now the end
                    match super::cut_glued_footer(&c) {
                        Some((html, more)) => c.restripped(&html, more),
                        None => c,
                    }
                }
            }
        };
        let templated = tail.as_deref().is_some_and(|t| template_line(t) && self.tail_template(t).is_some());
        let cut = match (templated, &glued) {
            (true, _) => TailCut::Sentence,
            (false, Some((_, cut))) => *cut,
            (false, None) => return c,
        };
        match dom::strip_tail(c.html.as_str(), c.removed.explaining(), cut, |tail, links| {
            if let Some(t) = self.tail_template(tail).filter(|_| cut == TailCut::Sentence) {
                let why = format!("the end of the last paragraph is the feed's template {:?}", t.pattern);
                return Some((dom::Kind::Boilerplate, "tail", why));
            }
            // a link list: mostly link text, in the shape most items end with
            let s = skeleton(tail).filter(|s| links >= 0.5 && self.skeletons.contains_key(s))?;
            Some((
                dom::Kind::Boilerplate,
                "tail",
                format!("a list of links that ends {} of the feed's {} items ({s})", self.skeletons[&s], self.items),
            ))
        }) {
            None => c,
            Some((html, more)) => self.restored(c.restripped(&html, more)),
        }
    }

    /// `c` after a strip (`Cleaned::restripped`: sanitized again, the sanitizer stays last),
    /// without the fingerprints of the repeated blocks it lost.
    fn restored(&self, mut c: Cleaned) -> Cleaned {
        c.blocks.retain(|h| !self.repeated.contains_key(h));
        c
    }

    /// The first template a line matches (`Template::matches_line`), its words read once, and
    /// only when some template's words are all in the lowercased line (most lines of an item
    /// are its own, and splitting each into words is most of what matching costs).
    fn template_of(&self, raw: &str) -> Option<&Template> {
        if self.templates.is_empty() {
            return None;
        }
        let lower = raw.to_lowercase();
        let digits = raw.bytes().any(|b| b.is_ascii_digit());
        // A word with a digit is "#" (`words`). A word lowercased alone may end in "ς" where
        // the whole line has "σ" ("ΟΔΟΣ'Α"): such a word is not looked for.
        let has = |w: &String| if w == "#" { digits } else { w.contains('ς') || lower.contains(w.as_str()) };
        if !self.templates.iter().any(|t| t.words.iter().flatten().all(has)) {
            return None;
        }
        let w = words(raw);
        self.templates.iter().find(|t| t.matches_read(&w, raw))
    }

    /// The template an item's tail is, if any: all of the tail from its first word, nearly
    /// exact (fewer than one other word per four of the template's). A templated last
    /// sentence with a number or name every few words ("The gauge read 104 cm.") is the
    /// article's.
    fn tail_template(&self, tail: &str) -> Option<&Template> {
        let w = words(tail);
        self.templates.iter().find(|t| {
            t.literals >= 2 && w.len().saturating_sub(t.literals) * 4 < t.literals && t.matches_from_start(&w)
        })
    }

    /// Which of an item's leaf blocks go: repeated blocks anywhere, template lines in the runs
    /// that begin and end the item (see the module doc).
    fn decide(&self, blocks: &[LeafBlock]) -> Vec<Strike> {
        let mut out: Vec<Strike> = Vec::new();
        // repeated in most items and long: struck anywhere, but for a section heading (below)
        let mut anywhere: Vec<(usize, usize)> = Vec::new();
        let mut repeated = vec![false; blocks.len()];
        // repeated in fewer items: struck only in the furniture that ends the item
        let mut fewer = vec![None; blocks.len()];
        // repeated in most items but short: struck only in the furniture that ends the item
        let mut short = vec![None; blocks.len()];
        for (i, b) in blocks.iter().enumerate() {
            let exact = b.hash.and_then(|h| self.repeated.get(&h));
            if let Some(count) = exact.filter(|count| shared_by(**count, self.items, LEARN_SHARE)) {
                repeated[i] = true;
                if b.text_len >= ANYWHERE_MIN_TEXT {
                    anywhere.push((i, *count));
                } else {
                    short[i] = Some(*count);
                    // a short link the feed repeats in most items ("Support the show") is its
                    // furniture wherever it stands (unless it heads the item's own text, below)
                    if b.linked {
                        anywhere.push((i, *count));
                    }
                }
            } else if let Some(count) = exact.or_else(|| b.line.as_deref().and_then(|l| self.near.get(&line_hash(l)))) {
                repeated[i] = true;
                fewer[i] = Some(*count);
            }
        }
        let template: Vec<Option<&Template>> =
            blocks.iter().map(|b| b.line.as_deref().and_then(|line| self.template_of(line))).collect();
        let furniture = |i: usize| repeated[i] || template[i].is_some() || blocks[i].text_len == 0;
        // A heading the feed repeats over the item's own text is a series' section heading
        // ("Les vidéos/podcasts de la semaine" over this week's links): the item's structure.
        // So is a short link over it: a regular panelist's name over this episode's picks.
        for (i, count) in anywhere {
            let next = (i + 1..blocks.len()).find(|j| blocks[*j].text_len > 0);
            let heads = blocks[i].heading || (blocks[i].linked && blocks[i].text_len < ANYWHERE_MIN_TEXT);
            if heads && next.is_some_and(|j| !furniture(j)) {
                continue;
            }
            out.push((i, "learned", format!("repeats in {count} of the feed's {} items", self.items)));
        }
        let head = (0..blocks.len()).take_while(|i| furniture(*i)).count();
        if head == blocks.len() {
            // nothing but template lines: they are what the item says
            return out;
        }
        let tail_start = (0..blocks.len()).rev().take_while(|i| furniture(*i)).last().unwrap_or(blocks.len());
        let total: usize = blocks.iter().map(|b| b.text_len).sum();
        // a box is made of what the feed repeats everywhere
        let boxed_furniture = |i: usize| furniture(i) && fewer[i].is_none();
        let (tail_start, boxed) = match templated_box(blocks, tail_start, total, &boxed_furniture) {
            Some(k) => (k, k..tail_start),
            None => (tail_start, 0..0),
        };
        for (i, count) in short.iter().enumerate().skip(tail_start) {
            if let Some(count) = count {
                let why = format!(
                    "a short line that ends the item, and repeats in {count} of the feed's {} items",
                    self.items
                );
                out.push((i, "learned", why));
            }
        }
        let mut lines: Vec<Strike> = Vec::new();
        for (i, count) in fewer.iter().enumerate().skip(tail_start) {
            if let Some(count) = count {
                let why = format!("ends the item, and repeats in {count} of the feed's {} items", self.items);
                lines.push((i, "learned", why));
            }
        }
        for i in boxed.clone().filter(|i| !furniture(*i)) {
            lines.push((i, "template", "inside the feed's templated box that ends the item".to_string()));
        }
        for (i, t) in template.iter().enumerate() {
            let Some(t) = t else { continue };
            // a template matched the block, so it has a line
            let len = blocks[i].line.as_deref().map_or(0, |l| words(l).len());
            // Where furniture stands, or anywhere for a long template that is nearly all its
            // own words (a subscribe box, a sponsor read the feed repeats between its stories).
            let long = t.literals >= STRONG_WORDS && len.saturating_sub(t.literals) * 4 < t.literals;
            // (a repeated block is struck already: anywhere, or in the tail when in fewer items)
            if (repeated[i] && (fewer[i].is_none() || i >= tail_start)) || !(i >= tail_start || long) {
                continue;
            }
            // A long line with a few of the template's words is the item's own, wherever it
            // stands: show notes whose sections repeat their heading ("Tema de la Semana: WWDC
            // 2009 -Nuevos Portatiles … -IPhone 3GS", "Picks: …, …, and …").
            if len > THIN_LINE_WORDS && t.literals * 4 < len {
                continue;
            }
            let why = match &t.stored {
                Some(s) => format!("a line of the feed's template {:?} (learned from {} items)", t.pattern, s.items),
                None => format!("a line of the feed's template {:?} ({} of {} items)", t.pattern, t.seen, self.items),
            };
            lines.push((i, "template", why));
        }
        let taken: usize = lines.iter().map(|(i, _, _)| blocks[*i].text_len).sum();
        if taken * 2 <= total {
            out.extend(lines);
        }
        let orphans = orphan_leads(blocks, &out);
        out.extend(orphans);
        out.sort_by_key(|(i, _, _)| *i);
        // a short link may be struck both anywhere and where furniture ends the item
        out.dedup_by_key(|(i, _, _)| *i);
        out
    }

    /// Writes what this fetch taught into the feed's stored rules: new templates join, stored
    /// ones that an item had are confirmed, the others move towards being forgotten.
    pub fn remember(&self, rules: &mut LearnedRules) {
        let mut kept: Vec<Learnt> = Vec::new();
        for t in &self.templates {
            match &t.stored {
                Some(s) => kept.extend(carried(s, t.seen)),
                None => kept.push(Learnt {
                    pattern: t.pattern.clone(),
                    sample: t.sample.clone(),
                    items: t.seen as u32,
                    missed: 0,
                }),
            }
        }
        for s in &self.stored_skeletons {
            kept.extend(carried(s, self.skeleton_seen.get(&s.pattern).copied().unwrap_or(0)));
        }
        for (pattern, count) in &self.skeletons {
            if !kept.iter().any(|k| &k.pattern == pattern) {
                kept.push(Learnt {
                    pattern: pattern.clone(),
                    sample: pattern.clone(),
                    items: *count as u32,
                    missed: 0,
                });
            }
        }
        rules.templates = widest(kept);
    }
}

/// A lead line is short and ends with a colon ("Show sponsors:", "Featured posts:"): it
/// announces the blocks after it.
fn is_lead(b: &LeafBlock) -> bool {
    b.line.as_deref().is_some_and(|l| l.len() <= LEAD_MAX && l.trim_end().ends_with(':'))
}

/// Lead lines are at most this many bytes.
const LEAD_MAX: usize = 60;

/// The lead lines that `struck` leaves without anything to lead: every block with text after
/// one, up to the next lead or the item's end, is struck (the feed's repeated sponsor list
/// under "Show sponsors:" goes, and so does its lead). A lead whose section keeps a block of
/// its own stays.
fn orphan_leads(blocks: &[LeafBlock], struck: &[Strike]) -> Vec<Strike> {
    let mut gone = vec![false; blocks.len()];
    for (i, _, _) in struck {
        gone[*i] = true;
    }
    let mut out = Vec::new();
    for i in (0..blocks.len()).filter(|i| !gone[*i] && is_lead(&blocks[*i])) {
        let mut section = (i + 1..blocks.len())
            .take_while(|j| !is_lead(&blocks[*j]) || gone[*j])
            .filter(|j| blocks[*j].text_len > 0)
            .peekable();
        if section.peek().is_some() && section.all(|j| gone[j]) {
            out.push((i, "learned", "the lead of blocks the feed repeats, left without them".to_string()));
        }
    }
    out
}

/// A stored rule after a fetch in which `seen` items had it: confirmed (and its count raised)
/// when some did, else one fetch nearer to being forgotten, and gone at `FORGET_AFTER`.
fn carried(stored: &Learnt, seen: usize) -> Option<Learnt> {
    if seen > 0 {
        Some(Learnt { items: stored.items.max(seen as u32), missed: 0, ..stored.clone() })
    } else {
        (stored.missed + 1 < FORGET_AFTER).then(|| Learnt { missed: stored.missed + 1, ..stored.clone() })
    }
}

/// The rules kept: the most widespread first, at most `MAX_TEMPLATES`.
fn widest(mut kept: Vec<Learnt>) -> Vec<Learnt> {
    kept.sort_by(|a, b| b.items.cmp(&a.items).then_with(|| a.pattern.cmp(&b.pattern)));
    kept.truncate(MAX_TEMPLATES);
    kept
}

/// A feed's own promotions, learned from its titles: an affix (a bracketed tag at either end,
/// the words before a colon or dash, the first or last four words) that several items share,
/// most of them with two or more words of an offer (`rules::OFFER_WORDS`: tickets, a course, a
/// discount, a price…), marks those that sell as ads; the affix is kept with the feed, so a
/// later item with it that sells anything is one too. An affix that more than half of a
/// fetch's items share is the feed's own format ("Podcast: …"), not a promotion.
pub struct Promos {
    /// Per item of the fetch: the affix that makes it a promotion.
    hits: Vec<Option<String>>,
    /// Affixes learned from this fetch, with the items that share them and a sample title.
    learned: Vec<(String, usize, String)>,
    stored: Vec<Learnt>,
    /// Affixes (stored ones) that an item of this fetch had.
    seen: FxHashSet<String>,
}

/// Words of a title for its affixes: lowercase, a word with a digit is `#`.
fn affixes(title: &str) -> Vec<String> {
    let t = title.trim();
    let mut out = Vec::new();
    let first_word = |s: &str| words(s).into_iter().next();
    if let Some(rest) = t.strip_prefix(['[', '(']) {
        if let Some(w) = rest.split([']', ')']).next().and_then(first_word) {
            out.push(format!("[{w} …] …"));
        }
    }
    if let Some(head) = t.strip_suffix([']', ')']) {
        if let Some(w) = head.rsplit(['[', '(']).next().filter(|_| head.contains(['[', '('])).and_then(first_word) {
            out.push(format!("… [{w} …]"));
        }
    }
    let sep = [": ", " | ", " – ", " — ", " - "].iter().filter_map(|s| t.find(s)).min();
    if let Some(at) = sep.filter(|at| *at <= 60) {
        let w = words(&t[..at]);
        if (1..=6).contains(&w.len()) {
            out.push(format!("{}: …", w.join(" ")));
        }
    }
    let w = words(t);
    if w.len() >= 5 {
        out.push(format!("{} …", w[..4].join(" ")));
        out.push(format!("… {}", w[w.len() - 4..].join(" ")));
    }
    out
}

/// Distinct offer words (`rules::OFFER_WORDS`) in a lowercase text, a price counting as one.
fn offer_words(lower: &str) -> usize {
    static PRICE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let price = PRICE.get_or_init(|| {
        regex::Regex::new(r"[$€£]\s?\d|\d(?:[.,]\d\d)?\s?(?:€|eur(?-u:\b)|euro(?-u:\b)|usd(?-u:\b)|dollars?(?-u:\b))")
            .expect("price regex")
    });
    super::rules::OFFER_WORDS.iter().filter(|w| lower.contains(*w)).count() + usize::from(price.is_match(lower))
}

impl Promos {
    /// `items`: (title, cleaned text) of each item of the fetched document, in order.
    pub fn new(items: &[(&str, &str)], stored: &[Learnt]) -> Promos {
        let n = items.len();
        let per_item: Vec<Vec<String>> = items.iter().map(|(t, _)| affixes(t)).collect();
        // only items with an affix another item (or the stored rules) has are read for offers
        let mut affix_count: FxHashMap<&str, usize> = FxHashMap::default();
        for a in per_item.iter().flatten() {
            *affix_count.entry(a.as_str()).or_default() += 1;
        }
        let offers: Vec<bool> = items
            .iter()
            .zip(&per_item)
            .map(|((t, text), a)| {
                a.iter().any(|x| affix_count[x.as_str()] >= 2 || stored.iter().any(|s| &s.pattern == x))
                    && offer_words(&format!("{} {}", t.to_lowercase(), text.to_lowercase())) >= 2
            })
            .collect();
        let mut sharing: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
        for (i, a) in per_item.iter().enumerate() {
            for x in a {
                let v = sharing.entry(x.as_str()).or_default();
                if v.last() != Some(&i) {
                    v.push(i);
                }
            }
        }
        let mut learned: Vec<(String, usize, String)> = sharing
            .iter()
            .filter(|(_, v)| {
                let selling = v.iter().filter(|i| offers[**i]).count();
                selling >= 2 && selling * 2 >= v.len() && v.len() * 2 <= n
            })
            .map(|(a, v)| (a.to_string(), v.len(), items[v[0]].0.chars().take(100).collect()))
            .collect();
        learned.sort();
        let mut hits = vec![None; n];
        let mut seen = FxHashSet::default();
        for (i, a) in per_item.iter().enumerate() {
            for x in a {
                // a promotion sells: the affix alone does not make an item one
                let sells = || offers[i] || offer_words(&items[i].1.to_lowercase()) >= 1;
                if stored.iter().any(|s| &s.pattern == x) {
                    seen.insert(x.clone());
                    if sells() {
                        hits[i].get_or_insert_with(|| x.clone());
                    }
                } else if offers[i] && learned.iter().any(|(l, _, _)| l == x) {
                    hits[i].get_or_insert_with(|| x.clone());
                }
            }
        }
        Promos { hits, learned, stored: stored.to_vec(), seen }
    }

    /// The affix that makes item `i` of the fetch a promotion, if any.
    pub fn hit(&self, i: usize) -> Option<&str> {
        self.hits.get(i)?.as_deref()
    }

    /// Writes this fetch's affixes into the feed's stored rules (see `Learned::remember`).
    pub fn remember(&self, rules: &mut LearnedRules) {
        // (a stored affix seen counts as seen once: its item count is raised below when this
        // fetch learned it anew)
        let mut kept: Vec<Learnt> =
            self.stored.iter().filter_map(|s| carried(s, usize::from(self.seen.contains(&s.pattern)))).collect();
        for (a, count, sample) in &self.learned {
            match kept.iter_mut().find(|k| &k.pattern == a) {
                Some(k) => k.items = k.items.max(*count as u32),
                None => {
                    kept.push(Learnt { pattern: a.clone(), sample: sample.clone(), items: *count as u32, missed: 0 })
                }
            }
        }
        rules.promos = widest(kept);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `glob` as its rule reads, every split tried: the reference for the walk `glob` does.
    fn glob_by_the_rule(template: &[Option<u8>], line: &[u8], lead: bool) -> bool {
        fn at(t: &[Option<u8>], line: &[u8]) -> bool {
            match t.split_first() {
                None => line.len() <= SLACK,
                Some((Some(w), rest)) => line.first() == Some(w) && at(rest, &line[1..]),
                Some((None, rest)) => (1..=SLACK.min(line.len())).any(|k| at(rest, &line[k..])),
            }
        }
        let lead = if lead { SLACK.min(line.len()) } else { 0 };
        (0..=lead).any(|skip| at(template, &line[skip..]))
    }

    proptest::proptest! {
        /// Over a small vocabulary (so words repeat, as "the" and "of" do), with gaps, and lines
        /// longer than twice `SLACK` words, `glob` agrees with the rule.
        #[test]
        fn glob_matches_as_its_rule_reads(
            template in proptest::collection::vec(proptest::option::of(0u8..4), 0..6),
            line in proptest::collection::vec(0u8..4, 0..40),
            lead: bool,
        ) {
            proptest::prop_assert_eq!(glob(&template, &line, lead), glob_by_the_rule(&template, &line, lead));
        }
    }

    fn template(p: &str) -> Template {
        Template::parse(&Learnt { pattern: p.into(), sample: String::new(), items: 3, missed: 0 }).unwrap()
    }

    #[test]
    fn promo_affixes_are_learned_from_offers_that_share_a_title() {
        let items = [
            (
                "The line-up for dConstruct 2022 …revealed!",
                "Names of the speakers. Get your ticket now, early bird price ends soon.",
            ),
            ("Notes on a quiet week", "I read a book and walked the dog."),
            ("The line-up for dConstruct 2022", "The line-up is complete. Tickets are on sale; register today."),
            ("The line-up for a good talk", "What makes a talk good: a story, and a point."),
            ("Links for Tuesday", "Three links worth reading."),
            ("On gardens", "The roses are out."),
            ("A walk in the hills", "It rained."),
        ];
        let p = Promos::new(&items, &[]);
        assert_eq!(p.hit(0), Some("the line up for …"));
        assert_eq!(p.hit(2), Some("the line up for …"));
        assert_eq!(p.hit(3), None, "shares the words, but sells nothing: the affix needs every sharer to sell");
        let mut rules = LearnedRules::default();
        let p = Promos::new(&items, &[]);
        p.remember(&mut rules);
        assert_eq!(rules.promos.len(), 1, "{rules:?}");
        // a later fetch with one such item: the stored affix marks it
        let later = Promos::new(&[("The line-up for dConstruct 2023", "Save the date: tickets soon.")], &rules.promos);
        assert!(later.hit(0).is_some());
        let later = Promos::new(&[("The line-up for dConstruct 2023 was great", "We had fun.")], &rules.promos);
        assert!(later.hit(0).is_none(), "sells nothing");
        // an affix that most items share is the feed's format
        let format = [
            ("Podcast: one", "buy tickets $5"),
            ("Podcast: two", "buy tickets $5"),
            ("Podcast: three", "buy tickets $5"),
        ];
        assert_eq!(Promos::new(&format, &[]).hit(0), None);
    }

    /// Prefix filtering finds every pair that comparing all pairs finds: the count of every
    /// line with twins in two other items or more is the same.
    #[test]
    fn near_repeats_are_those_a_comparison_of_all_pairs_finds() {
        let mut seed = 7u64;
        let mut next = |m: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        // words of letters only (a word with a digit is a number)
        let word = |k: u64| format!("w{}{}", char::from(b'a' + (k % 26) as u8), char::from(b'a' + (k / 26) as u8));
        for vocabulary in [6, 8, 10, 12, 14] {
            let texts: Vec<Vec<String>> = (0..30)
                .map(|_| {
                    (0..next(6))
                        .map(|_| (0..3 + next(26)).map(|_| word(next(vocabulary))).collect::<Vec<_>>().join(" "))
                        .collect()
                })
                .collect();
            let mut interner = Interner { ids: FxHashMap::default(), words: Vec::new() };
            let lines: Vec<Vec<(Vec<u32>, &str)>> =
                texts.iter().map(|item| item.iter().map(|l| (interner.line(l), l.as_str())).collect()).collect();
            // the same lines, every pair of them compared
            let ends = item_ends(&lines);
            let (share, of) = NEAR_OVERLAP;
            // n = 3: a line with twins in two other items is counted
            let mut expected = FxHashMap::default();
            for (i, a, raw) in &ends {
                let mut items: Vec<usize> = ends
                    .iter()
                    .filter(|(j, b, _)| {
                        let both = a.iter().filter(|w| b.contains(w)).count();
                        j != i && both * of >= share * (a.len() + b.len() - both)
                    })
                    .map(|e| e.0)
                    .collect();
                items.dedup();
                if items.len() >= 2 {
                    expected.insert(line_hash(raw), items.len() + 1);
                }
            }
            assert!(expected.len() > 5, "vocabulary of {vocabulary}: a test of something");
            assert_eq!(near_repeats(&lines, 3), expected, "vocabulary of {vocabulary}");
        }
    }

    #[test]
    fn words_lowercase_and_numbers_become_one_token() {
        assert_eq!(
            words("Posted by Ann at 10:42 | Comments (3)"),
            ["posted", "by", "ann", "at", "#", "#", "comments", "#"]
        );
        assert_eq!(words("L'articolo «Ü» è"), ["l", "articolo", "ü", "è"]);
    }

    #[test]
    fn shapes_keep_the_words_most_items_share() {
        let vocabulary: FxHashSet<&str> = ["comment", "on", "posted", "by"].into_iter().collect();
        let keep = |w: &String| vocabulary.contains(w.as_str());
        let (s, lead) = shape(&words("Comment on Spartans starter headed to jail..."), keep);
        assert_eq!((s, lead), (vec![Some("comment".to_string()), Some("on".to_string())], false));
        let (s, lead) = shape(&words("Jane: posted by Ann on 3 May"), keep);
        assert_eq!(s, [Some("posted".into()), Some("by".into()), None, Some("on".into())]);
        assert!(lead);
        // one-word stretches only where the line begins with the word
        let (sh, lead) = shape(&words("Jane: posted by Ann on 3 May"), keep);
        let st: Vec<&[Option<String>]> = stretches(&sh, lead, None).into_iter().map(|r| &sh[r]).collect();
        assert!(st.contains(&&[Some("posted".to_string()), Some("by".to_string())][..]));
        assert!(!st.contains(&&[Some("on".to_string())][..]));
        // a field's label is a stretch of its own, though words most items use follow it
        let keep = |w: &String| ["topics", "creativity", "news"].contains(&w.as_str());
        for (line, label) in [("Topics: Creativity, News, UK", true), ("Topics creativity news today", false)] {
            let (sh, lead) = shape(&words(line), keep);
            let st: Vec<&[Option<String>]> =
                stretches(&sh, lead, field_label(line)).into_iter().map(|r| &sh[r]).collect();
            assert_eq!(st.contains(&&[Some("topics".to_string())][..]), label, "{line}");
        }
    }

    #[test]
    fn weak_shapes_are_no_templates() {
        assert!(Template::new(vec![Some("the".into())]).is_none(), "no real word");
        assert!(Template::new(vec![Some("at".into()), None, Some("of".into())]).is_none());
        assert!(Template::new(vec![Some("tags".into())]).is_some());
    }

    #[test]
    fn templates_match_lines_of_their_shape() {
        let t = template("posted by * at * comments");
        assert!(t.matches(&words("Posted by Ann at 10:42 AM | Comments (3)")));
        assert!(t.matches(&words("Posted by Jean-Luc Picard at 9:15 PM | Comments (12)")));
        assert!(!t.matches(&words("Posted by Ann")));
        assert!(!t.matches(&words("Comments are closed")));
        let t = template("comment on");
        assert!(t.matches(&words("Comment on Spartans starter headed to jail...")));
        assert!(t.matches(&words("No comment on this one")));
        assert!(!t.matches(&words("The comment was on time")), "its words must stand together");
        let t = template("tags");
        assert!(t.matches(&words("Tags: podcast, ericrice")));
        assert!(!t.matches(&words("Bertg's tags at master - GitHub")), "a one-word template begins its line");
        assert!(t.matches_line("Tags: podcast, ericrice") && t.matches_line("Tags"));
        let t = template("mike");
        assert!(t.matches_line("-- Mike") && t.matches_line("Mike (2)"));
        assert!(!t.matches_line("Mike's AI-generated summary grade of 3.8"), "a sentence is no sign-off");
        assert!(template("company").matches_line("Company Google"), "a label with its value");
    }
}
