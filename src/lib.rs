//! feedscrub: polls news feeds, removes ads, boilerplate and tracking from every item,
//! de-duplicates, keeps the items in an embedded store and re-exports clean feeds.
//!
//! The library holds the whole pipeline; `main.rs` is only argument parsing and the exit code.
//! Stages, each in its own module and named after it:
//!
//! ```text
//! config ─► refresh::refresh_all ─► refresh::refresh_feed ─┬─► fetch  (HTTP / file, conditional GET, limits, charset)
//!                                                          ├─► parse  (feed-rs → RawItem)
//!                                                          ├─► clean  (ads, boilerplate, tracking, sanitize LAST)
//!                                                          ├─► dedup  (identity, canonical URL, change hash)
//!                                                          └─► store  (the ONLY module that touches sled)
//! store ─► export (RSS 2.0 / Atom 1.0 / JSON Feed 1.1, pure) ─► `export` command
//! ```
//!
//! `parse`, `clean`, `dedup` and `export` do no I/O. See ARCHITECTURE.md for the invariants.

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
