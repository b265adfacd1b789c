//! `feedscrub opml import FILE`: an OPML file's feeds into the config.

use std::path::Path;

use super::{print_stdout, read_input, write_config, AppError, Exit};
use crate::config::Config;

/// Adds an OPML file's feeds to the config file, which is validated before it is replaced.
pub(super) fn opml_import(config: &Path, file: &Path) -> Result<Exit, AppError> {
    let (cfg, text) = Config::read(config)?;
    let opml = String::from_utf8(read_input(Some(file))?)
        .map_err(|_| AppError::Usage(format!("{}: not UTF-8 text", file.display())))?;
    let feeds = crate::opml::parse(&opml).map_err(|e| AppError::Usage(format!("{}: {e}", file.display())))?;
    let (new_text, report) =
        crate::opml::import(&text, &cfg, &feeds).map_err(|e| AppError::Usage(format!("{}: {e}", config.display())))?;
    for (url, why) in &report.refused {
        eprintln!("refused {url}: {why}");
    }
    if !report.added.is_empty() {
        write_config(config, &new_text)?;
    }
    let mut o = String::new();
    for (name, url) in &report.added {
        o.push_str(&format!("added {name}: {url}\n"));
    }
    o.push_str(&format!(
        "{} added, {} already configured, {} refused; {}\n",
        report.added.len(),
        report.skipped.len(),
        report.refused.len(),
        config.display()
    ));
    print_stdout(&o)?;
    Ok(Exit::Success)
}
