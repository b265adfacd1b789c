//! `feedscrub clean FILE`: one document through the cleaner (optionally as a configured
//! feed's items are cleaned, with what they taught), and `--explain`'s list of removals.

use std::path::Path;

use super::{load, print_stdout, read_input, AppError, Exit};
use crate::clean::{text, Cleaner};
use crate::cli::CleanFormat;
use crate::model::Body;
use crate::store::Store;

/// A configured feed's cleaning rules and what was learned from its items (`clean --feed`).
pub(super) struct FeedRules {
    cleaner: Cleaner,
    learned: crate::model::LearnedRules,
}

pub(super) fn feed_rules(config: &Path, name: &str) -> Result<FeedRules, AppError> {
    let cfg = load(config)?;
    let feed =
        cfg.feed(name).ok_or_else(|| AppError::Usage(format!("{}: no feed named {name:?}", cfg.path.display())))?;
    let store = Store::for_settings(&cfg.settings)?;
    let learned = store.feed_state(name)?.map(|s| s.learned).unwrap_or_default();
    Ok(FeedRules { cleaner: Cleaner::new(&feed.remove, &feed.remove_text), learned })
}

pub(super) fn clean_cmd(
    base: Option<&url::Url>,
    format: CleanFormat,
    explain: bool,
    feed: Option<&FeedRules>,
    quiet: bool,
    file: Option<&Path>,
) -> Result<Exit, AppError> {
    let input = crate::charset::decode_feed(&read_input(file)?, None);
    let is_html = text::looks_like_html(&input);
    let body = if is_html { Body::Html(input) } else { Body::Text(input) };
    if base.is_none() && !quiet {
        // `fetch` always has the item's link: without it, what reads links judges less.
        eprintln!(
            "feedscrub clean: no --base-url, so links to other sites cannot be told from the item's own: \
             ad extents after a label and trailing pitches were judged without that signal (fetch uses the item's link)"
        );
    }
    let cleaner = feed.map_or_else(Cleaner::default, |f| f.cleaner.clone());
    let cleaner = if explain { cleaner.explaining() } else { cleaner };
    let mut cleaned = cleaner.clean(&body, base);
    if let Some(f) = feed {
        // one item teaches nothing new; what the feed's items taught applies
        cleaned = crate::clean::Learned::new(&[], &f.learned).strip(cleaned);
    }
    let as_text = match format {
        CleanFormat::Auto => !is_html,
        CleanFormat::Html => false,
        CleanFormat::Text => true,
    };
    if explain {
        eprint!("{}", explain_removals(&cleaned.removed));
    }
    let mut out = if as_text { text::html_to_text(cleaned.html.as_str()) } else { cleaned.html.into_string() };
    out.push('\n');
    print_stdout(&out)?;
    Ok(Exit::Success)
}

/// `clean --explain`: one line per removed element: the rule, its first words, why.
fn explain_removals(removed: &crate::clean::Removed) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "removed {} ads and {} boilerplate blocks ({} elements){}",
        removed.ads,
        removed.boilerplate,
        removed.log.len(),
        if removed.log.is_empty() { "" } else { ":" }
    );
    for r in &removed.log {
        // the first words of what went (the item page shows more)
        let mut words: Vec<&str> = r.what.split_whitespace().take(9).collect();
        if words.len() == 9 {
            words[8] = "…";
        }
        let _ = writeln!(o, "  {:<16} {:<48} {}", r.rule, format!("{:?}", words.join(" ")), r.why);
    }
    o
}
