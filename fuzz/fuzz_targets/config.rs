//! Any bytes as `feeds.toml` text (UTF-8, lossily): validation never panics, and its errors
//! are well-formed (`feedscrub_fuzz::check_config`).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(why) = feedscrub_fuzz::check_config(&String::from_utf8_lossy(data)) {
        panic!("{why}");
    }
});
