//! Any bytes as a feed document: `parse_feed` never panics, and every item body it yields
//! cleans to safe HTML (`feedscrub_fuzz::check_feed`).

#![no_main]

use std::sync::OnceLock;

use feedscrub::clean::Cleaner;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static CLEANER: OnceLock<Cleaner> = OnceLock::new();
    let cleaner = CLEANER.get_or_init(Cleaner::default);
    if let Err(why) = feedscrub_fuzz::check_feed(cleaner, data) {
        panic!("{why}");
    }
});
