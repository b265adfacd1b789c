//! `feedscrub export`: one feed or the merged feeds as RSS, Atom or JSON Feed, to stdout or
//! a file written atomically.

use std::path::Path;

use super::{load, print_stdout, write_atomically, AppError, Exit};
use crate::export::Format;
use crate::publish::{self, PublishError, Scope};
use crate::store::Store;

pub(super) fn export_cmd(
    config: &Path,
    feed: Option<&str>,
    format: Format,
    output: Option<&Path>,
    self_url: Option<String>,
    limit: Option<usize>,
) -> Result<Exit, AppError> {
    let cfg = load(config)?;
    let store = Store::for_settings(&cfg.settings)?;
    let scope = feed.map_or(Scope::All, Scope::Feed);
    let limit = match limit {
        Some(0) => None,
        Some(n) => Some(n),
        None => Some(cfg.settings.output_items.get()),
    };
    let text = publish::render(&cfg, &store, scope, format, self_url, limit).map_err(|e| match e {
        PublishError::UnknownFeed(_) => AppError::Usage(format!("{}: {e}", cfg.path.display())),
        PublishError::Store(s) => AppError::Store(s),
    })?;
    match output {
        Some(path) => write_atomically(path, text.as_bytes())?,
        None => print_stdout(&text)?,
    }
    Ok(Exit::Success)
}
