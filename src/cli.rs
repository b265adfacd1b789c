//! Command-line definitions (clap). Only the shape of the arguments; `commands` runs them.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use url::Url;

use crate::export::Format;

/// Polls news feeds, removes ads, boilerplate and tracking, and re-exports clean feeds.
#[derive(Debug, Parser)]
#[command(name = "feedscrub", version, about, propagate_version = true)]
pub struct Cli {
    /// Config file (feeds and settings).
    #[arg(long, global = true, env = "FEEDSCRUB_CONFIG", default_value = crate::config::DEFAULT_CONFIG, value_name = "PATH")]
    pub config: PathBuf,
    /// More log output on stderr (-v info, -vv debug). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// No progress output on stderr (the summary still goes to stdout).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Refresh every feed (or the named ones) once, store the clean items, print a summary.
    ///
    /// Exit code 0 when every feed succeeded (304 Not Modified counts as success), 1 when some
    /// failed (the others are still stored), 2 for usage or config errors.
    Fetch {
        /// Only this feed (repeatable).
        #[arg(long = "feed", value_name = "NAME")]
        feeds: Vec<String>,
    },
    /// Write a clean feed from the store: one feed, or all feeds merged (newest first).
    Export {
        /// The feed to export; all feeds merged when absent.
        #[arg(long, value_name = "NAME")]
        feed: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Rss)]
        format: Format,
        /// Write here instead of stdout (replaced atomically).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The URL this output is published at (atom:link rel=self, JSON feed_url).
        #[arg(long, value_name = "URL")]
        self_url: Option<Url>,
        /// At most this many items, newest first (default: `settings.output_items`; 0: all).
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
    },
    /// Clean one document (HTML fragment, or plain text with blank-line paragraphs) and print it.
    Clean {
        /// Resolve relative URLs against this URL.
        #[arg(long, value_name = "URL")]
        base_url: Option<Url>,
        /// Output form; `auto` prints HTML for HTML input and text for text input.
        #[arg(long, value_enum, default_value_t = CleanFormat::Auto)]
        format: CleanFormat,
        /// Also print to stderr each removed block: the rule that removed it, its first words
        /// and why.
        #[arg(long)]
        explain: bool,
        /// Clean as this configured feed's items are cleaned: its `remove` and `remove_text`
        /// rules, and the templates learned from its items (read from the store).
        #[arg(long, value_name = "NAME")]
        feed: Option<String>,
        /// The document; stdin when absent or `-`.
        file: Option<PathBuf>,
    },
    /// Extract the article of one HTML page (a file, stdin, or an http(s) URL to fetch), clean it
    /// and print it.
    Extract {
        /// Output form: the clean article HTML, or its text (paragraphs separated by blank lines).
        #[arg(long, value_enum, default_value_t = ExtractFormat::Html)]
        format: ExtractFormat,
        /// The page's URL, to resolve relative URLs (default: the URL fetched, else the page's
        /// canonical URL).
        #[arg(long, value_name = "URL")]
        base_url: Option<Url>,
        /// Print the text after every step instead (parsed, pruned, picked by the scorer, the
        /// JSON-LD body taken or the lead put back when they are, cleaned), each under a
        /// `== step` line: where article text was lost.
        #[arg(long)]
        trace: bool,
        /// The page: a file, `-` or nothing for stdin, or an http(s) URL (fetched with the
        /// address guard of full-text mode: no private or loopback addresses).
        input: Option<String>,
    },
    /// Run the daemon: poll every feed on its schedule and serve the clean feeds over HTTP.
    ///
    /// SIGINT/SIGTERM stop it cleanly (refreshes in flight finish, the store is flushed);
    /// SIGHUP reloads the config (an invalid file is logged and the old config kept).
    Serve {
        /// Address to listen on (default: `settings.listen`, else 127.0.0.1:8080).
        #[arg(long, value_name = "ADDR")]
        listen: Option<std::net::SocketAddr>,
        /// What this node does: poll and serve (`all`), poll only (`worker`, still answering
        /// /healthz and /metrics) or serve only (`web`). `worker` and `web` need a shared
        /// database (`store = "postgres"`); see docs/SCALING.md.
        #[arg(long, value_enum, default_value_t = Role::All)]
        role: Role,
    },
    /// Copy the store into another, empty one: a PostgreSQL database
    /// (`postgres://user@host/db`) or a store folder (redb). Items, tombstones and every
    /// feed's state (validators, schedule, what the cleaner learned) are copied; the source is
    /// only read. Then point `[settings]` at the new store.
    Migrate {
        /// Where to: a PostgreSQL URL, or a folder for a new redb store.
        #[arg(long, value_name = "URL|DIR")]
        to: String,
    },
    /// Validate the config and print what was understood.
    Check,
    /// Per feed: items stored, duplicates collapsed in the merged output, tombstones, how items
    /// are identified, last fetch and errors; and the store's size on disk.
    Stats,
    /// Add a feed to the config, given its address or a site's: the feed the page announces
    /// (`<link rel="alternate">`), else one at a usual path (/feed, /rss.xml, /atom.xml, …),
    /// fetched and parsed to prove it works. Comments and layout of the file are kept.
    Add {
        /// The feed's or the site's http(s) address.
        url: Url,
        /// The feed's name (default: a slug of its title).
        #[arg(long)]
        name: Option<String>,
        /// Fetch each new item's article page (`full_text = true`).
        #[arg(long)]
        full_text: bool,
        /// When the page announces several feeds: take the Nth of the list `add` prints.
        #[arg(long, value_name = "N")]
        pick: Option<usize>,
    },
    /// Remove a feed from the config (its comment lines go with it; the rest is kept).
    Remove {
        /// The feed's name.
        name: String,
    },
    /// Move subscriptions in and out as OPML.
    Opml {
        #[command(subcommand)]
        action: OpmlAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum OpmlAction {
    /// Add the feeds of an OPML file to the config (comments and layout kept; feeds already
    /// configured are skipped; only http(s) URLs are taken).
    Import {
        /// The OPML file (`-` for stdin).
        file: PathBuf,
    },
    /// Print the configured source feeds as OPML.
    Export,
}

/// The role of a `serve` node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Role {
    All,
    Worker,
    Web,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CleanFormat {
    Auto,
    Html,
    Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExtractFormat {
    Html,
    Text,
}
