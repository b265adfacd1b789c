//! The integration tests: ONE test binary (fast to link) driving the real `feedscrub` binary
//! against a local origin on 127.0.0.1 (see `support`).

/// The store every `support::Workspace` uses unless its config names one (`tests/on_postgres.rs`
/// runs the pipeline tests again with "postgres").
const STORE: &str = "redb";

mod support;

mod add;
mod address_guard;
mod browser;
mod cli;
mod corpus;
mod dedup;
mod faults;
mod fulltext;
mod learning;
mod pages;
mod pipeline;
mod reader;
mod serve;
mod shared;
mod tls;
mod twins;
