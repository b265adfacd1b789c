//! `feedscrub migrate --to URL|DIR`: copies the config's store into an empty PostgreSQL
//! database or redb folder.

use std::path::Path;

use super::{load, print_stdout, AppError, Exit};
use crate::store::Store;

/// Copies the config's store into an empty PostgreSQL database or redb folder, feed by feed
/// (each feed one commit: a feed is copied whole or not at all).
pub(super) async fn migrate(config: &Path, to: &str) -> Result<Exit, AppError> {
    let cfg = load(config)?;
    let from = Store::for_settings(&cfg.settings)?;
    let target = if to.starts_with("postgres://") || to.starts_with("postgresql://") {
        Store::open_postgres(to)?
    } else {
        let dir = Path::new(to);
        if dir.exists() && std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_some()) {
            return Err(AppError::Usage(format!("{to}: exists and is not empty; migrate writes a new store")));
        }
        Store::open_with(dir, Some(crate::store::Backend::Redb))?
    };
    let held = target.feed_names()?;
    if !held.is_empty() {
        return Err(AppError::Usage(format!(
            "{to} already holds {} feeds (e.g. {}); migrate copies into an empty store",
            held.len(),
            held[0]
        )));
    }
    let (mut feeds, mut items, mut tombstones) = (0usize, 0usize, 0usize);
    for name in from.feed_names()? {
        let mut c = target.changes();
        if let Some(state) = from.feed_state(&name)? {
            c.put_state(&name, &state);
        }
        for item in from.items(&name)? {
            c.put_item(&item);
            items += 1;
        }
        for t in from.tombstones(&name)? {
            c.put_tombstone(&name, &t);
            tombstones += 1;
        }
        target.commit(c).await?;
        feeds += 1;
    }
    target.sync().await?;
    from.sync().await?;
    print_stdout(&format!(
        "copied {feeds} feeds, {items} items, {tombstones} tombstones from the {} store to {}\n",
        from.backend(),
        target.backend()
    ))?;
    Ok(Exit::Success)
}
