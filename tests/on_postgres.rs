//! The refresh tests again, on PostgreSQL: the pipeline suite (`tests/it/pipeline.rs`: fetch,
//! clean, identify, update in place, 304s, failures that keep what was stored, retention,
//! merged export) with every workspace on a database of its own in the tests' cluster
//! (`support::pg`) instead of a redb folder. A second binary, so that the same test files run
//! once per backend.

/// The store every `support::Workspace` of this binary uses.
const STORE: &str = "postgres";

#[path = "it/support/mod.rs"]
#[allow(dead_code, unused_imports)]
mod support;

#[path = "it/pipeline.rs"]
mod pipeline;
