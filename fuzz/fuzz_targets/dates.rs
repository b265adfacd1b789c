//! Any bytes as a date (UTF-8, lossily, XML-escaped) in an RSS `<pubDate>` and an Atom
//! `<updated>`: parsing never panics and the date never fails the feed
//! (`feedscrub_fuzz::check_dates`, RELIABILITY row 22).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(why) = feedscrub_fuzz::check_dates(&String::from_utf8_lossy(data)) {
        panic!("{why}");
    }
});
