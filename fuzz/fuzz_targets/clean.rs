//! Any bytes as item HTML (UTF-8, lossily), cleaned with and without a base URL: the output is
//! safe (`feedscrub_fuzz::check_clean_safe`) and a fixed point
//! (`feedscrub_fuzz::check_clean_idempotent`); stripped of what a feed of it learned, it is
//! safe and what the sanitizer writes (`feedscrub_fuzz::check_strip_is_sanitized`).
//!
//! `FEEDSCRUB_FUZZ_SKIP_IDEMPOTENCE=1` checks safety only: while a known idempotence bug is open
//! (fuzz/README.md), the fixed-point check stops every run within a second, and this is how the
//! safety properties still get fuzzed. Unset, the target checks both.

#![no_main]

use std::sync::OnceLock;

use feedscrub::clean::Cleaner;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static SETUP: OnceLock<(Cleaner, bool)> = OnceLock::new();
    let (cleaner, idempotence) = SETUP.get_or_init(|| {
        let skip = std::env::var_os("FEEDSCRUB_FUZZ_SKIP_IDEMPOTENCE").is_some_and(|v| v != "0" && !v.is_empty());
        (Cleaner::default(), !skip)
    });
    let html = String::from_utf8_lossy(data);
    if let Err(why) = feedscrub_fuzz::check_clean_safe(cleaner, &html) {
        panic!("{why}");
    }
    if let Err(why) = feedscrub_fuzz::check_strip_is_sanitized(cleaner, &html) {
        panic!("{why}");
    }
    if *idempotence {
        if let Err(why) = feedscrub_fuzz::check_clean_idempotent(cleaner, &html) {
            panic!("{why}");
        }
    }
});
