//! Unit tests of the helpers; the passes are tested through `Cleaner` in `clean::tests`.

use super::*;

#[test]
fn escaping() {
    let mut out = String::new();
    escape_into(&mut out, "a&b<c>\"d\u{a0}é\u{c2}", false);
    assert_eq!(out, "a&amp;b&lt;c&gt;\"d&nbsp;é\u{c2}");
    out.clear();
    // in an attribute `<` and `>` are escaped too, as ammonia's serializer writes them: a
    // strip's output must be byte for byte what the sanitizer would write (`clean::after_strip`)
    escape_into(&mut out, "a&b<c>\"d\u{a0}", true);
    assert_eq!(out, "a&amp;b&lt;c&gt;&quot;d&nbsp;");
}

#[test]
fn url_patterns_match_hosts_subdomains_and_path_prefixes() {
    let p = compile_patterns(&["feeds.feedburner.com/~r/", "vgwort.de", "www.facebook.com/sharer"]);
    for yes in [
        "http://feeds.feedburner.com/~r/x/~4/abc",
        "https://ssl-vg03.met.vgwort.de/na/1",
        "https://VGWORT.DE/x",
        "https://facebook.com/sharer/sharer.php?u=1",
        "https://www.facebook.com/sharer.php",
        "//vgwort.de:443/p",
    ] {
        assert!(url_matches(yes, &p), "{yes}");
    }
    for no in [
        "https://feeds.feedburner.com/other",
        "https://notvgwort.de/",
        "https://facebook.com/page",
        "https://evil.example/vgwort.de",
    ] {
        assert!(!url_matches(no, &p), "{no}");
    }
}
