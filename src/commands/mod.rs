//! The commands, one file each: what every subcommand does, from validated arguments to
//! output. The exit status of every command is decided here as an `Exit` value and mapped to a
//! process exit code in exactly one place (`Exit::code`); `run` dispatches the parsed command
//! line, and the helpers every command shares (loading the config, reading input, writing
//! output) live here.

mod add;
mod check;
mod clean;
mod export;
mod extract;
mod fetch;
mod migrate;
mod opml;
mod serve;
mod stats;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::cli::{Cli, Command, OpmlAction};
use crate::config::{Config, ConfigError};
use crate::fetch::FetchError;
use crate::store::StoreError;

pub use fetch::summary_table;

/// How a command ended, as the process will report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything succeeded.
    Success,
    /// Some feeds failed (the others were stored), or a runtime error.
    Failed,
    /// Bad arguments or configuration.
    Usage,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failed => 1,
            Exit::Usage => 2,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Fetch(#[from] FetchError),
    #[error("{0}")]
    Io(String),
}

impl AppError {
    pub fn exit(&self) -> Exit {
        match self {
            // The store is held by a running `serve`: using it now is a usage error.
            AppError::Config(_) | AppError::Usage(_) | AppError::Store(StoreError::Locked { .. }) => Exit::Usage,
            _ => Exit::Failed,
        }
    }
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<Exit, AppError> {
    match cli.command {
        Command::Fetch { feeds } => fetch::fetch(&cli.config, &feeds, cli.quiet).await,
        Command::Export { feed, format, output, self_url, limit } => export::export_cmd(
            &cli.config,
            feed.as_deref(),
            format,
            output.as_deref(),
            self_url.map(String::from),
            limit,
        ),
        Command::Clean { base_url, format, explain, feed, file } => {
            let feed = feed.map(|name| clean::feed_rules(&cli.config, &name)).transpose()?;
            clean::clean_cmd(base_url.as_ref(), format, explain, feed.as_ref(), cli.quiet, file.as_deref())
        }
        Command::Extract { format, base_url, trace, input } => {
            extract::extract_cmd(format, base_url, trace, input.as_deref()).await
        }
        Command::Check => check::check(&cli.config),
        Command::Stats => stats::stats(&cli.config),
        Command::Serve { listen, role } => serve::serve(&cli.config, listen, role).await,
        Command::Migrate { to } => migrate::migrate(&cli.config, &to).await,
        Command::Opml { action: OpmlAction::Export } => {
            print_stdout(&crate::opml::export(&load(&cli.config)?))?;
            Ok(Exit::Success)
        }
        Command::Opml { action: OpmlAction::Import { file } } => opml::opml_import(&cli.config, &file),
        Command::Add { url, name, full_text, pick } => {
            add::add(&cli.config, &url, name.as_deref(), full_text, pick).await
        }
        Command::Remove { name } => add::remove(&cli.config, &name),
    }
}

/// Writes the config text an edit made, only if it loads (a command never leaves a config
/// that would not).
pub(super) fn write_config(config: &Path, text: &str) -> Result<(), AppError> {
    Config::parse(text, config, Config::dir_of(config))?;
    write_atomically(config, text.as_bytes())
}

pub(super) fn load(path: &Path) -> Result<Config, AppError> {
    Ok(Config::load(path)?)
}

/// The bytes of FILE, or of stdin when it is absent or `-`.
pub(super) fn read_input(file: Option<&Path>) -> Result<Vec<u8>, AppError> {
    match file {
        Some(p) if p != Path::new("-") => {
            std::fs::read(p).map_err(|e| AppError::Usage(format!("cannot read {}: {e}", p.display())))
        }
        _ => {
            let mut bytes = Vec::new();
            std::io::stdin().read_to_end(&mut bytes).map_err(|e| AppError::Io(format!("cannot read stdin: {e}")))?;
            Ok(bytes)
        }
    }
}

pub(super) fn print_stdout(s: &str) -> Result<(), AppError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        // A closed pipe (`| head`) is not an error of ours.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| AppError::Io(format!("cannot write to stdout: {e}"))),
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`.
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    let err = |e: std::io::Error| AppError::Io(format!("cannot write {}: {e}", path.display()));
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).map_or(PathBuf::from("."), Path::to_path_buf);
    let tmp =
        dir.join(format!(".{}.tmp{}", path.file_name().and_then(|n| n.to_str()).unwrap_or("out"), std::process::id()));
    let mut f = std::fs::File::create(&tmp).map_err(err)?;
    f.write_all(bytes).and_then(|_| f.sync_all()).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}
