//! Pass 4, the block walk: leaf blocks in reading order; an ad label takes its ad along
//! (`extents`), boilerplate lines and the feed's `remove_text` go, then trailing pitches and
//! related-link lists.

use std::collections::HashSet;

use ego_tree::{NodeId, NodeRef};
use scraper::{Html, Node};

use super::*;
use crate::clean::rules;

/// How the block walk sees one block.
pub(super) struct BlockInfo {
    pub(super) id: NodeId,
    /// Short enough to be a label or a boilerplate line (only these are read as one).
    pub(super) candidate: bool,
    /// Normalized text, read once when first asked for (`text`).
    text: std::cell::OnceCell<String>,
    pub(super) text_len: usize,
    /// A link to another site inside (computed for long blocks only; see `ad_run`).
    pub(super) foreign_link: bool,
    /// What the block says of itself, read once when the walk reaches it (`verdict`).
    verdict: std::cell::OnceCell<Verdict>,
}

/// What a block is by its own content alone, before the walk weighs its neighbours.
#[derive(Clone, Copy)]
enum Verdict {
    /// An ad label (`is_ad_label`): it takes the ad it labels along.
    AdLabel,
    /// The publication's sponsor read ("… is brought to you by …").
    SponsorRead,
    /// Begins with an ad label ("Anzeige: …").
    LabelFirst,
    /// A boilerplate line, with the name of what it is.
    Boilerplate(&'static str),
    /// Matches the feed's `remove_text` of this index.
    RemoveText(usize),
    /// Article text, as far as the block alone tells.
    Plain,
}

/// The blocks a walk kept, as it saw them, for the walk after it, each with its subtree's node
/// count and text length then. Between walks a leaf block can only lose nodes (a removed
/// inline label or "read more" link) or stop being a leaf (its lines become paragraphs), so a
/// block whose two counts are unchanged is the same block, and what the walk read of it
/// (its text, its `Verdict`) need not be read again.
pub(super) type Memos = rustc_hash::FxHashMap<NodeId, ((usize, usize), BlockInfo)>;

/// Blocks longer than this are neither labels nor boilerplate lines.
pub(super) const SHORT_BLOCK: usize = 600;
/// Labels and "read more" lines are shorter than this.
pub(super) const TINY_BLOCK: usize = 64;

impl BlockInfo {
    fn text(&self, doc: &Html) -> &str {
        self.text.get_or_init(|| text_of_sized(doc.tree.get(self.id).expect("block"), self.text_len))
    }

    /// What the block is by its own content (`Verdict`), read once.
    fn verdict(&self, doc: &Html, remove_text: &[Regex]) -> Verdict {
        *self.verdict.get_or_init(|| {
            let text = if self.candidate { self.text(doc) } else { "" };
            if is_ad_label(text) {
                return Verdict::AdLabel;
            }
            let node = doc.tree.get(self.id).expect("block");
            let label_first = starts_with_label(node);
            let read = self.text_len <= SHORT_BLOCK * 2
                && !label_first
                && may_start_a_sponsor_read(node)
                && starts_with_sponsor_read(&first_words(node));
            if read {
                return Verdict::SponsorRead;
            }
            if label_first {
                return Verdict::LabelFirst;
            }
            let name = boilerplate_line(text).or_else(|| {
                (self.text_len <= SHORT_BLOCK && tag_link_list(node)).then_some("a list of tag links (rel=\"tag\")")
            });
            if let Some(name) = name {
                return Verdict::Boilerplate(name);
            }
            if !remove_text.is_empty() {
                let t = self.text(doc);
                if let Some(k) = remove_text.iter().position(|re| re.is_match(t)) {
                    return Verdict::RemoveText(k);
                }
            }
            Verdict::Plain
        })
    }
}

/// What `ad_run` needs to know of a block after a label (computed only there).
pub(super) struct Judged {
    pub(super) heading: bool,
    /// Signals of promotional content, summed (see `ad_score`).
    pub(super) ad_score: u32,
    /// The signals, named, for `--explain`.
    pub(super) signals: Vec<&'static str>,
    /// An `h1`–`h6` (not a line that only looks like a heading).
    pub(super) heading_tag: bool,
    /// Reads like an entry of a sponsor list: a name, then a dash, colon or parenthesis and
    /// its pitch ("Squarespace – Build a website…", "Stamps.com (offer code reply)").
    pub(super) entry: bool,
}

/// `sponsors`: the block may be an entry of a sponsor list (else `entry` is not read).
pub(super) fn judge(doc: &Html, b: &BlockInfo, home_host: Option<&str>, sponsors: bool) -> Judged {
    let node = doc.tree.get(b.id).expect("block");
    let tag = node.value().as_element().map(|e| e.name()).unwrap_or("");
    let text = b.text(doc);
    let heading_tag = HEADING_TAGS.contains(&tag);
    let heading = heading_tag || looks_like_heading(text, node);
    let mut signals = Vec::new();
    let ad_score = ad_score(node, text, home_host, &mut signals);
    let entry = sponsors && sponsor_entry(text);
    Judged { heading, heading_tag, ad_score, signals, entry }
}

/// Pass 4: ad labels with their ads, boilerplate lines, the feed's `remove_text`, trailing
/// pitches. Counts and logs into `removed`; returns the kept blocks with at least
/// `LEARN_MIN_TEXT` bytes of text (the ones `Fragment::blocks` fingerprints: only the last
/// walk's are, once the walks are done).
pub(super) fn block_pass(
    doc: &mut Html,
    root: NodeId,
    opts: &Options,
    removed: &mut Removed,
    memos: &mut Memos,
) -> Vec<NodeId> {
    let home_host = opts.base.and_then(|u| u.host_str()).map(str::to_string);
    let stats = subtree_stats(doc, root);
    let blocks: Vec<BlockInfo> = leaf_blocks(doc, root, &stats)
        .into_iter()
        .map(|id| {
            let text_len = stats[&id].text_len;
            let sig = (stats[&id].nodes, text_len);
            if let Some((_, seen)) = memos.remove(&id).filter(|(then, _)| *then == sig) {
                return seen;
            }
            let node = doc.tree.get(id).expect("block");
            let candidate = text_len <= TINY_BLOCK
                || (text_len < SHORT_BLOCK && (starts_like_boilerplate(node) || ends_like_boilerplate(node)));
            let foreign_link = text_len > SHORT_BLOCK
                && node.descendants().any(|d| {
                    d.value().as_element().is_some_and(|e| {
                        e.name() == "a"
                            && e.attr("href")
                                .and_then(absolute_host)
                                .is_some_and(|h| home_host.as_deref().is_some_and(|home| !same_site(h, home)))
                    })
                });
            BlockInfo { id, candidate, text: Default::default(), text_len, foreign_link, verdict: Default::default() }
        })
        .collect();
    memos.clear();
    let total_text: usize = blocks.iter().map(|b| b.text_len).sum();
    let mut doomed: HashSet<NodeId> = HashSet::new();
    let mut i = 0;
    while i < blocks.len() {
        let b = &blocks[i];
        let verdict = b.verdict(doc, opts.remove_text);
        if let Verdict::AdLabel = verdict {
            let text = b.text(doc);
            removed.ads += 1;
            let label = text.to_string();
            // "Our sponsors:" labels a list, every sponsor of it with its pitch
            let sponsors = is_sponsor_lead(text);
            // The label and its ad share a small container: the container goes whole.
            if let Some(c) = ad_container(doc, b.id, root, total_text, &stats) {
                note!(removed, doc, c, Kind::Ad, "ad-label", format!("the container of the ad label {label:?}"));
                doomed.insert(c);
                let inside: HashSet<NodeId> =
                    doc.tree.get(c).expect("container").descendants().map(|d| d.id()).collect();
                while i < blocks.len() && inside.contains(&blocks[i].id) {
                    i += 1;
                }
                continue;
            }
            note!(removed, doc, b.id, Kind::Ad, "ad-label", "an ad label standing alone");
            doomed.insert(b.id);
            i += 1;
            // The ad in a box of its own right after the label: the box goes whole.
            if let Some(c) = blocks.get(i).and_then(|n| ad_box_after(doc, b.id, n.id, root, total_text, &stats)) {
                note!(removed, doc, c, Kind::Ad, "ad-label", format!("the box the ad label {label:?} labels"));
                doomed.insert(c);
                let inside: HashSet<NodeId> = doc.tree.get(c).expect("box").descendants().map(|d| d.id()).collect();
                while i < blocks.len() && inside.contains(&blocks[i].id) {
                    i += 1;
                }
                let after = format!("follows the ad label {label:?}");
                i = take_ad_run(doc, &blocks, i, (false, sponsors), home_host.as_deref(), &after, removed, &mut doomed);
                continue;
            }
            let after = format!("follows the ad label {label:?}");
            i = take_ad_run(doc, &blocks, i, (true, sponsors), home_host.as_deref(), &after, removed, &mut doomed);
            continue;
        }
        let read = matches!(verdict, Verdict::SponsorRead);
        if read || matches!(verdict, Verdict::LabelFirst) {
            removed.ads += 1;
            let (rule, why) = if read {
                ("sponsor-read", "the publication's sponsor read (\"… is brought to you by …\", \"thanks to … for sponsoring this episode\")")
            } else {
                ("ad-label", "begins with an ad label")
            };
            note!(removed, doc, b.id, Kind::Ad, rule, why);
            doomed.insert(b.id);
            i += 1;
            i = take_ad_run(
                doc,
                &blocks,
                i,
                (false, false),
                home_host.as_deref(),
                "follows an ad",
                removed,
                &mut doomed,
            );
            continue;
        }
        match verdict {
            Verdict::Boilerplate(name) => {
                removed.boilerplate += 1;
                note!(removed, doc, b.id, Kind::Boilerplate, "boilerplate", name);
                doomed.insert(b.id);
            }
            Verdict::RemoveText(k) => {
                removed.boilerplate += 1;
                note!(
                    removed,
                    doc,
                    b.id,
                    Kind::Boilerplate,
                    "feed-remove-text",
                    format!("matches the feed's remove_text {:?}", opts.remove_text[k].as_str()),
                );
                doomed.insert(b.id);
            }
            _ => {}
        }
        i += 1;
    }
    trailing_pitches(doc, &blocks, &mut doomed, home_host.as_deref(), removed);
    related_lists(doc, &blocks, &mut doomed, removed);
    // Labels that are not blocks of their own (`<div><span>Anzeige</span><img><p>…</p></div>`):
    // the outermost element holding just the label, with its small container if it has one.
    let inline_labels: Vec<NodeId> = doc
        .tree
        .get(root)
        .expect("root")
        .descendants()
        .skip(1)
        // A label is short: bounding the subtree keeps this scan linear.
        .filter(|n| {
            n.value().is_element() && !is_block(*n) && stats[&n.id()].nodes <= 16 && stats[&n.id()].text_len <= 40
        })
        .filter(|n| is_ad_label(&text_of(*n)))
        .filter(|n| n.parent().is_some_and(|p| p.id() == root || stats[&p.id()].text_len > stats[&n.id()].text_len))
        // "Sie gab eine <a>Anzeige</a> auf": a word inside a sentence is the sentence's
        .filter(|n| !inside_a_sentence(*n, root))
        .map(|n| n.id())
        .collect();
    for label in inline_labels {
        let node = doc.tree.get(label).expect("label");
        if node.ancestors().any(|a| doomed.contains(&a.id())) {
            continue;
        }
        removed.ads += 1;
        let target = ad_container(doc, label, root, total_text, &stats);
        let why = match target {
            Some(_) => format!("the container of the inline ad label {:?}", text_of(node)),
            None => "an inline ad label".to_string(),
        };
        let target = target.unwrap_or(label);
        note!(removed, doc, target, Kind::Ad, "ad-label", why);
        doomed.insert(target);
    }
    let kept =
        blocks.iter().filter(|b| b.text_len >= LEARN_MIN_TEXT && !doomed.contains(&b.id)).map(|b| b.id).collect();
    for b in blocks.into_iter().filter(|b| !doomed.contains(&b.id)) {
        memos.insert(b.id, ((stats[&b.id].nodes, b.text_len), b));
    }
    // What a removal leaves empty goes with it, so that the next walk sees the block around
    // it as what it now is: `<aside><blockquote><p>Anzeige</p></blockquote>Anzeige</aside>`
    // is a lone label in an aside once the quote's label has gone.
    let ids: Vec<NodeId> = doomed.into_iter().collect();
    detach_pruning(doc, root, &ids);
    kept
}

/// A block that is mostly links marked as tags (`rel="tag"`, the microformat blog engines
/// write): "[tags: netneutrality, cluetrain]", whatever words lead it.
fn tag_link_list(node: NodeRef<Node>) -> bool {
    let tag = |e: &scraper::node::Element| {
        e.attr("rel").is_some_and(|r| r.split_ascii_whitespace().any(|w| w.eq_ignore_ascii_case("tag")))
    };
    // cheap first: most blocks have no tag link at all
    if !node.descendants().any(|d| d.value().as_element().is_some_and(|e| e.name() == "a" && tag(e))) {
        return false;
    }
    let (tagged, all) = link_letters(node, tag);
    tagged > 0 && tagged * 2 >= all
}

/// Letters of a block inside links that `pick` accepts, and all its letters.
pub(super) fn link_letters(node: NodeRef<Node>, pick: impl Fn(&scraper::node::Element) -> bool) -> (usize, usize) {
    let (mut linked, mut all) = (0usize, 0usize);
    for d in node.descendants() {
        if let Node::Text(t) = d.value() {
            let letters = t.chars().filter(|c| c.is_alphanumeric()).count();
            all += letters;
            if in_link(d, node, &pick) {
                linked += letters;
            }
        }
    }
    (linked, all)
}

/// Related links: a heading that announces them (`signals::is_related_heading`: "Related
/// posts", "Articles en rapport", "Mehr zum Thema") and the run of short blocks under it that
/// are mostly link text, one link per other article. Both go when the run has a link block,
/// and the heading alone when it ends the item (its list is gone); a heading over prose
/// stays, and so does a run that is all of the item's text. Only the
/// headings of generated lists: "Further reading" or "See also" are the author's own picks.
fn related_lists(doc: &Html, blocks: &[BlockInfo], doomed: &mut HashSet<NodeId>, removed: &mut Removed) {
    // a share heading ("Share this:") may be gone already as a button: its list goes with it
    let live: Vec<&BlockInfo> = blocks.iter().filter(|b| b.text_len > 0).collect();
    let item_text: usize = live.iter().filter(|b| !doomed.contains(&b.id)).map(|b| b.text_len).sum();
    let mut i = 0;
    while i < live.len() {
        let heading = live[i];
        let label = related_label(doc, heading);
        let Some(label) = label else {
            i += 1;
            continue;
        };
        let mut end = i + 1;
        let kept = |b: &BlockInfo| if doomed.contains(&b.id) { 0 } else { b.text_len };
        let mut run_text = kept(heading);
        while let Some(b) = live.get(end) {
            let node = doc.tree.get(b.id).expect("block");
            let (linked, all) = link_letters(node, |_| true);
            // mostly link text, or an entry that begins with its link and adds a teaser
            // ("<a>Title</a> <small>The first words…</small>"), or a short line around its one
            // link ("17. September 2009 -- <a>Title</a> (2)": a date, a comment count)
            let entry = || {
                (node.value().as_element().is_some_and(|e| e.name() == "li") && begins_with_link(node))
                    || (b.text_len <= RELATED_ENTRY_MAX && links_in(node) == 1 && linked * 3 >= all)
            };
            if b.text_len > 300 || all == 0 || (linked * 10 < all * 7 && !entry()) {
                break;
            }
            run_text += kept(b);
            end += 1;
        }
        // the heading labels the links, as an ad label its ad: the run may outweigh a teaser
        // before it, but an item that is nothing but the list keeps it
        if end == i + 1 || run_text >= item_text {
            i += 1;
            continue;
        }
        removed.boilerplate += 1;
        let fresh: Vec<&BlockInfo> = live[i..end].iter().copied().filter(|b| !doomed.contains(&b.id)).collect();
        for b in fresh {
            let why = if b.id == heading.id {
                "a heading announcing related links".to_string()
            } else {
                format!("a related link under {label:?}")
            };
            note!(removed, doc, b.id, Kind::Boilerplate, "related", why);
            doomed.insert(b.id);
        }
        i = end;
    }
    // Headings with nothing after them, whose list is gone (the page's script fills it, or a
    // pass above took it), announce nothing: they go from the end, unless they are all the
    // item says.
    let mut left: usize = live.iter().filter(|b| !doomed.contains(&b.id)).map(|b| b.text_len).sum();
    while let Some(last) = live.iter().rev().find(|b| !doomed.contains(&b.id)) {
        if last.text_len >= left || related_label(doc, last).is_none() {
            break;
        }
        left -= last.text_len;
        removed.boilerplate += 1;
        note!(
            removed,
            doc,
            last.id,
            Kind::Boilerplate,
            "related",
            "a heading announcing related links, with none after it".to_string()
        );
        doomed.insert(last.id);
    }
}

/// The text of a block that is a heading announcing related links (`signals::is_related_heading`).
fn related_label<'d>(doc: &'d Html, b: &'d BlockInfo) -> Option<&'d str> {
    (b.text_len <= 60).then(|| b.text(doc)).filter(|t| is_related_heading(t))
}

/// A related-links entry with text around its one link is at most this long (bytes).
const RELATED_ENTRY_MAX: usize = 160;

/// Links (`<a href>`) inside a block.
fn links_in(node: NodeRef<Node>) -> usize {
    node.descendants()
        .filter(|d| d.value().as_element().is_some_and(|e| e.name() == "a" && e.attr("href").is_some()))
        .count()
}

/// Does `d` stand inside a link below `block` that `pick` accepts?
fn in_link(d: NodeRef<Node>, block: NodeRef<Node>, pick: impl Fn(&scraper::node::Element) -> bool) -> bool {
    d.ancestors()
        .take_while(|a| a.id() != block.id())
        .any(|a| a.value().as_element().is_some_and(|e| e.name() == "a" && pick(e)))
}

/// Does the block's first text stand inside a link?
fn begins_with_link(node: NodeRef<Node>) -> bool {
    node.descendants()
        .find(|d| d.value().as_text().is_some_and(|t| !t.trim().is_empty()))
        .is_some_and(|t| in_link(t, node, |_| true))
}

/// A trailing pitch names its subscription within this many blocks from the end.
pub(super) const PITCH_LOOKBACK: usize = 6;

/// Newsletter and subscription pitches at the end of an item, standing apart from the
/// article. Walking back from the last block, a block belongs to the pitch while it is
/// promotional (a call to action or addressing the reader, and a second signal, see
/// `ad_score`; a link to another site alone is a link list's, not a pitch's), or names a
/// subscription (`signals::pitch_words`) and also links somewhere, addresses the reader or is a
/// short heading ("Newsletter"). The walk stops at the first block that is neither. The run
/// goes only if some block of it asks the reader to subscribe (`rules::PITCH_ASKS`, `PITCH_ASKS_ONLY`: an item
/// that merely talks about newsletters is an article), it never takes the first block of the
/// item (a one-paragraph item about a newsletter is the article), and never half of the
/// item's text (a weekly link round-up is the article, not a pitch).
pub(super) fn trailing_pitches(
    doc: &Html,
    blocks: &[BlockInfo],
    doomed: &mut HashSet<NodeId>,
    home_host: Option<&str>,
    removed: &mut Removed,
) {
    let live: Vec<&BlockInfo> = blocks.iter().filter(|b| b.text_len > 0 && !doomed.contains(&b.id)).collect();
    // Cheap first: most items end without naming a subscription in their last blocks.
    let names_one = |b: &&BlockInfo| rx().pitch.is_match(b.text(doc));
    // (pitches are short blocks: the walk below stops at the first long one anyway)
    if !live.iter().skip(1).rev().take(PITCH_LOOKBACK).take_while(|b| b.text_len <= SHORT_BLOCK).any(names_one) {
        return;
    }
    let mut run = Vec::new();
    let mut named = None;
    let (mut asks, mut run_text) = (false, 0);
    // blocks read walking back, and whether the run that ends the item has ended
    let (mut read, mut ended) = (0, false);
    for b in live.iter().skip(1).rev() {
        let node = doc.tree.get(b.id).expect("block");
        if node.ancestors().any(|a| doomed.contains(&a.id())) {
            continue;
        }
        read += 1;
        if b.text_len > SHORT_BLOCK || (ended && read > PITCH_LOOKBACK) {
            break;
        }
        let text = b.text(doc);
        let lower = text.to_lowercase();
        let word = pitch_words().find(|w| lower.contains(*w));
        // above the run, only a pitch of its own goes (below), and a pitch names a subscription
        if ended && word.is_none() {
            continue;
        }
        let mut signals = Vec::new();
        let score = ad_score(node, text, home_host, &mut signals);
        let promo = score >= 2 && signals.iter().any(|s| *s == "call to action" || *s == "addresses the reader");
        let has_link = node.descendants().any(|d| d.value().as_element().is_some_and(|e| e.name() == "a"));
        // A heading of the pitch ("Newsletter", "Jetzt abonnieren"): short, not a sentence.
        let heading = text.chars().count() <= 60 && !text.trim_end().ends_with(['.', '!', '?', '…', ':', ';', ',']);
        let pitch = word.is_some() && (score >= 2 || has_link || addresses_reader(text) || heading);
        let asking = if ended {
            // above the run: a pitch of its own that asks and links ("For more, subscribe in
            // iTunes or wherever you get your podcasts") above the show's credits
            if !(pitch && has_link && asks_to_subscribe(node, &lower)) {
                continue;
            }
            true
        } else {
            if !(promo || pitch) {
                ended = true;
                continue;
            }
            asks_to_subscribe(node, &lower)
        };
        named = named.or(word);
        asks |= asking;
        run_text += b.text_len;
        run.push((b.id, signals));
    }
    let Some(word) = named else { return };
    let item_text: usize = live.iter().map(|b| b.text_len).sum();
    if !asks || run_text * 2 > item_text {
        return;
    }
    for (id, signals) in run.into_iter().rev() {
        let why = if signals.is_empty() {
            format!("a trailing pitch ({word:?})")
        } else {
            format!("a trailing pitch ({word:?}; {})", signals.join(", "))
        };
        removed.boilerplate += 1;
        note!(removed, doc, id, Kind::Boilerplate, "pitch", why);
        doomed.insert(id);
    }
}

/// Does a block ask the reader to subscribe, not merely use the word? An ask
/// (`rules::PITCH_ASKS`, `PITCH_ASKS_ONLY`) counts when the block names a subscription
/// (`rules::PITCH_NAMES`), when a link's text holds it ("Subscribe here"), or when it opens a
/// sentence or clause, as an imperative does ("Sign up today", "Jetzt abonnieren", ", subscribe
/// to…"), or follows a request's lead ("don't forget to subscribe", `rules::ASK_LEADS`). "The last step is to subscribe to the calendar" is a tutorial's step, not a pitch.
fn asks_to_subscribe(node: NodeRef<Node>, lower: &str) -> bool {
    let asks = || rules::PITCH_ASKS.iter().chain(rules::PITCH_ASKS_ONLY);
    if !asks().any(|a| lower.contains(a)) {
        return false;
    }
    if rules::PITCH_NAMES.iter().any(|n| lower.contains(n)) {
        return true;
    }
    let in_link = node.descendants().filter(|d| d.value().as_element().is_some_and(|e| e.name() == "a")).any(|a| {
        let text: String = a.descendants().filter_map(|d| d.value().as_text().map(|t| &**t)).collect();
        let text = text.to_lowercase();
        asks().any(|w| text.contains(w))
    });
    // the first three words of each sentence or clause
    in_link
        || lower.split(['.', '!', '?', ',', ';', ':', '\n', '|', '–', '—']).any(|clause| {
            let head: Vec<&str> = clause.split_whitespace().take(3).collect();
            let head = head.join(" ");
            asks().any(|w| head.contains(w) || rules::ASK_LEADS.iter().any(|l| lead_then(clause, l, w)))
        })
}

/// Does `clause` hold `lead`, a space, then `word` ("don't forget to subscribe")?
fn lead_then(clause: &str, lead: &str, word: &str) -> bool {
    clause
        .match_indices(lead)
        .any(|(at, _)| clause[at + lead.len()..].strip_prefix(' ').is_some_and(|r| r.starts_with(word)))
}

/// The ad that begins at `blocks[start]` (see `ad_run`; `mode` is its `labelled` and
/// `sponsors`) goes, each block logged as "`after`: why". Returns where the walk goes on.
#[allow(clippy::too_many_arguments)]
fn take_ad_run(
    doc: &Html,
    blocks: &[BlockInfo],
    start: usize,
    (labelled, sponsors): (bool, bool),
    home_host: Option<&str>,
    after: &str,
    removed: &mut Removed,
    doomed: &mut HashSet<NodeId>,
) -> usize {
    let (end, why) =
        ad_run(blocks, start, labelled, sponsors, removed.explaining(), |b| judge(doc, b, home_host, sponsors));
    for (blk, why) in blocks[start..end].iter().zip(why) {
        note!(removed, doc, blk.id, Kind::Ad, "ad-label", format!("{after}: {why}"));
        doomed.insert(blk.id);
    }
    end
}

/// Does an inline element stand inside a running sentence: a word or a comma right before
/// it, or a lowercase word right after it, within its block?
fn inside_a_sentence(node: NodeRef<Node>, root: NodeId) -> bool {
    let before = neighbour_char(node, root, true);
    let after = neighbour_char(node, root, false);
    before.is_some_and(|c| c.is_alphanumeric() || c == ',') || after.is_some_and(char::is_lowercase)
}

/// The nearest non-space character before (or after) `node` in the text of its block.
fn neighbour_char(node: NodeRef<Node>, root: NodeId, before: bool) -> Option<char> {
    let mut cur = node;
    loop {
        let mut sibling = if before { cur.prev_sibling() } else { cur.next_sibling() };
        while let Some(sib) = sibling {
            if is_block(sib) || sib.value().as_element().is_some_and(|e| e.name() == "br") {
                return None;
            }
            let texts: Vec<&str> = sib.descendants().filter_map(|d| d.value().as_text().map(|t| &**t)).collect();
            let found = if before {
                texts.iter().rev().find_map(|t| t.trim_end().chars().next_back())
            } else {
                texts.iter().find_map(|t| t.trim_start().chars().next())
            };
            if found.is_some() {
                return found;
            }
            sibling = if before { sib.prev_sibling() } else { sib.next_sibling() };
        }
        let parent = cur.parent()?;
        if parent.id() == root || is_block(parent) {
            return None;
        }
        cur = parent;
    }
}

/// A heading that ends the item heads nothing, nor does a short line that ends in a colon
/// ("Weitere Informationen:", "Related posts:"): what it announced (a list of links, a
/// pitch, a box) was removed, or never came with the item. It goes, and the heading before it
/// if that now ends the item, unless it is all the item has. Content after it (an image, a
/// table) is what it announces: it stays.
pub(super) fn dangling_headings(doc: &mut Html, root: NodeId, removed: &mut Removed) {
    while let Some((id, why)) = dangling_heading(doc, root) {
        removed.boilerplate += 1;
        note!(removed, doc, id, Kind::Boilerplate, "dangling-heading", why);
        detach_pruning(doc, root, &[id]);
    }
}

/// The heading or colon line that ends the item, if one does (see `dangling_headings`).
fn dangling_heading(doc: &Html, root: NodeId) -> Option<(NodeId, &'static str)> {
    let mut contents = doc.tree.get(root).expect("root").descendants().filter(|d| is_content(d.value()));
    let first = contents.next()?;
    let last = contents.last().unwrap_or(first);
    let below_root = || last.ancestors().take_while(|a| a.id() != root);
    let heading = below_root().find(|a| a.value().as_element().is_some_and(|e| HEADING_TAGS.contains(&e.name())));
    let block = heading.or_else(|| below_root().find(|a| is_block(*a)))?;
    let text = text_of(block);
    // (a heading that is a sentence, or long, is a page written in headings; one with a link
    // or in a quote names a source: "Author, <a>Title</a>, May 2006" under a quotation)
    let quoted = || block.ancestors().any(|a| a.value().as_element().is_some_and(|e| e.name() == "blockquote"));
    if text.chars().count() > DANGLING_LINE_MAX
        || text.ends_with(['.', '!', '?'])
        || has_media(block)
        || links_in(block) > 0
        || quoted()
    {
        return None;
    }
    let why = if heading.is_some() {
        "a heading that ends the item heads nothing"
    } else if text.ends_with(':') {
        "a line that ends in a colon and ends the item announces nothing"
    } else {
        return None;
    };
    // something else must stay: the item's first content is not inside the block
    (!first.ancestors().any(|a| a.id() == block.id())).then_some((block.id(), why))
}

/// A heading or colon line that ends the item is dropped up to this many characters.
const DANGLING_LINE_MAX: usize = 80;
