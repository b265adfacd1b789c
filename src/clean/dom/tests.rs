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

/// Leaving the gated patterns out of the alternation (`rules::BOILERPLATE_GATES`) changes
/// nothing: a line is boilerplate exactly when one of all the patterns matches it, and is named
/// by the first that does. Checked on every line and paragraph of the fixture corpus and on lines
/// made to match the gated patterns, or nearly.
#[test]
fn gated_boilerplate_patterns_judge_as_the_whole_alternation() {
    let all: Vec<regex::bytes::Regex> = crate::clean::rules::BOILERPLATE_PATTERNS
        .iter()
        .map(|(_, p)| regex::bytes::Regex::new(&crate::clean::byte_gaps(p)).expect("pattern"))
        .collect();
    let mut texts: Vec<String> = vec![
        "Why we moved was originally published in Acme Engineering on Medium, where people are continuing the conversation by highlighting and responding to this story.".into(),
        "WHY WE MOVED WAS ORIGINALLY PUBLISHED IN ACME ON MEDIUM, WHERE PEOPLE ARE CONTINUING THE CONVERSATION BY HIGHLIGHTING AND RESPONDING TO THIS STORY".into(),
        format!("{} was originally published in Acme on Medium, where people are continuing the conversation by highlighting and responding to this story.", "x".repeat(301)),
        "It was originally published in 1902 and never reprinted.".into(),
        "Copyright 2024 Beispiel Verlag GmbH".into(),
        "© Beispiel Verlag. Alle Rechte vorbehalten.".into(),
        "Tous droits réservés".into(),
        "TOUS DROITS RÉSERVÉS.".into(),
        "Todos los derechos reservados, 2023".into(),
        format!("{} all rights reserved", "y".repeat(121)),
        "The copyright of the photographs stays with the agency, who said so twice!".into(),
        "(c) Acme | Permalink | 3 comments".into(),
        "Foto: Max Muster / Stadt".into(),
        "BILDER: dpa".into(),
        "© Beispiel".into(),
        "AFP / MARCO BERTORELLO".into(),
        "Augusta National/Getty Images".into(),
        "picture-alliance / KEYSTONE".into(),
        "The agency AFP reported it first.".into(),
        "More after the jump...".into(),
        "Hit the jump for the full list".into(),
        "Mehr nach dem Klick »".into(),
        "Read on for the details".into(),
        "He crossed the line after the jump, and the crowd went quiet.".into(),
    ];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/clean");
    for entry in std::fs::read_dir(dir).expect("fixture corpus") {
        let body = std::fs::read_to_string(entry.expect("fixture").path()).unwrap_or_default();
        let text = crate::clean::text::html_to_text(&body);
        texts.extend(text.lines().map(str::to_string));
        texts.extend(text.split("\n\n").map(|p| p.split_whitespace().collect::<Vec<_>>().join(" ")));
    }
    assert!(texts.len() > 1000, "{} texts", texts.len());
    let mut named = 0;
    for t in texts.iter().filter(|t| !t.is_empty()) {
        let first = all.iter().position(|re| re.is_match(t.as_bytes()));
        let want = first.map(|i| crate::clean::rules::BOILERPLATE_PATTERNS[i].0);
        assert_eq!(boilerplate_line(t), want, "{t:?}");
        named += usize::from(want.is_some_and(|n| crate::clean::rules::BOILERPLATE_GATES.iter().any(|(g, _)| *g == n)));
    }
    // the gated patterns were tried where they match
    assert!(named >= 14, "{named} lines of the gated patterns");
}
