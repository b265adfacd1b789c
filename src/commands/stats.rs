//! `feedscrub stats`: the store, per configured feed: items, duplicates, tombstones,
//! identity, full-text health, last fetch, errors, and what each feed taught the cleaner.

use std::path::Path;

use super::{load, print_stdout, AppError, Exit};
use crate::store::Store;

/// `stats`: the store, per configured feed.
/// `stats`' full-text column: how the feed's site fared (`-` without `full_text`).
fn full_text_health(f: &crate::config::FeedConfig, state: &crate::model::FeedState) -> String {
    let h = state.full_text;
    if !f.full_text {
        return "-".into();
    }
    format!("{} kept, {} rejected, {} failed", h.kept, h.rejected, h.failed)
}

pub(super) fn stats(config: &Path) -> Result<Exit, AppError> {
    use std::fmt::Write as _;
    let cfg = load(config)?;
    let store = Store::for_settings(&cfg.settings)?;
    let metas: Vec<crate::model::Item> =
        store.all_item_metas()?.into_iter().filter(|i| cfg.feed(&i.feed).is_some()).collect();
    // Items of each feed that the merged output shows under another feed's copy.
    let mut collapsed: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut sorted = metas.clone();
    crate::export::sort_newest_first(&mut sorted);
    for (_, also) in crate::publish::collapse(&sorted) {
        for j in also {
            *collapsed.entry(cfg.feed(&sorted[j].feed).map_or("", |f| f.name.as_str())).or_default() += 1;
        }
    }
    let mut rows = vec![["FEED", "ITEMS", "DUPLICATES", "TOMBSTONES", "IDENTITY", "FULL TEXT", "LAST FETCH", "ERRORS"]
        .map(String::from)
        .to_vec()];
    let mut notes = Vec::new();
    for f in &cfg.feeds {
        let state = store.feed_state(&f.name)?.unwrap_or_default();
        let items = metas.iter().filter(|i| i.feed == f.name).count();
        // A pruned item's tombstone is kept under its identity and its canonical URL: count items.
        let ts = store.tombstones(&f.name)?;
        let aliased: std::collections::HashSet<&str> =
            ts.iter().filter(|t| !t.id.starts_with("url:")).filter_map(|t| t.canonical.as_deref()).collect();
        let tombstones = ts
            .iter()
            .filter(|t| !t.id.starts_with("url:") || t.canonical.as_deref().is_none_or(|c| !aliased.contains(c)))
            .count();
        let last = state.last_attempt.map_or("never".to_string(), |t| t.format("%Y-%m-%d %H:%M UTC").to_string());
        let errors = match (&state.last_error, state.failures) {
            (None, _) => "-".to_string(),
            (Some(e), n) if n > 1 => format!("{n} in a row: {e}"),
            (Some(e), _) => e.clone(),
        };
        if let Some(n) = &state.identity_note {
            notes.push(format!("{}: identified by {} because {n}", f.name, state.identity.as_str()));
        }
        for (what, learnt) in [("template", &state.learned.templates), ("promo title", &state.learned.promos)] {
            for l in learnt {
                notes.push(format!(
                    "{}: learned {what} {:?} ({} items{}), e.g. {:?}",
                    f.name,
                    l.pattern,
                    l.items,
                    if l.missed > 0 { format!(", missing from the last {} fetches", l.missed) } else { String::new() },
                    l.sample
                ));
            }
        }
        rows.push(vec![
            f.name.clone(),
            items.to_string(),
            collapsed.get(f.name.as_str()).copied().unwrap_or(0).to_string(),
            tombstones.to_string(),
            state.identity.as_str().to_string(),
            full_text_health(f, &state),
            last,
            errors,
        ]);
    }
    let widths: Vec<usize> =
        (0..rows[0].len()).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut o = String::new();
    for r in &rows {
        let line: Vec<String> = r.iter().zip(&widths).map(|(v, w)| format!("{v:<w$}")).collect();
        let _ = writeln!(o, "{}", line.join("  ").trim_end());
    }
    for n in notes {
        let _ = writeln!(o, "{n}");
    }
    let _ = writeln!(
        o,
        "store {} ({}): {} on disk",
        cfg.settings.db.display(),
        store.backend(),
        bytesize::ByteSize(store.size_on_disk()?).to_string_as(true)
    );
    print_stdout(&o)?;
    Ok(Exit::Success)
}
