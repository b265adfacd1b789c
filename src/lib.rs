//! feedscrub: polls news feeds, removes ads, boilerplate and tracking from every item,
//! de-duplicates, keeps the items in a store and re-exports clean feeds.
//!
//! The library holds the whole pipeline; `main.rs` is only argument parsing and the exit code,
//! and `commands` holds one file per subcommand. Stages, each in its own module:
//!
//! ```text
//! config ─► refresh::refresh_all / scheduler ─► refresh::refresh_feed ─┬─► fetch   (HTTP / file, conditional GET, limits)
//!                                                                      ├─► charset (bytes → text)
//!                                                                      ├─► parse   (feed-rs → RawItem)
//!                                                                      ├─► clean   (ads, boilerplate, tracking, sanitize LAST)
//!                                                                      ├─► fulltext (extract the linked page, judge it)
//!                                                                      ├─► dedup   (identity, canonical URL, change hash)
//!                                                                      └─► store   (redb, sled or PostgreSQL; the only module that touches them)
//! store ─► publish ─► export (RSS 2.0 / Atom 1.0 / JSON Feed 1.1, pure) ─► `export` and `serve`
//! ```
//!
//! `charset`, `parse`, `clean`, `dedup` and `export` do no I/O, and no module imports one that
//! imports it back. See ARCHITECTURE.md for each module's invariant and boundary.

pub mod charset;
pub mod clean;
pub mod cli;
pub mod commands;
pub mod config;
pub mod context;
pub mod daemon;
pub mod dedup;
pub mod discover;
pub mod export;
pub mod extract;
pub mod fetch;
pub mod fulltext;
pub mod memory;
pub mod metrics;
pub mod model;
pub mod near;
pub mod opml;
pub mod parse;
pub mod publish;
pub mod refresh;
pub mod scheduler;
pub mod server;
pub mod store;
