//! Stable twins of the cargo-fuzz targets in `fuzz/`: the same property checks (this file
//! includes `fuzz/src/lib.rs`, which the targets call), run by proptest over generated inputs
//! shaped like the domain, short enough for every `cargo test`. The fuzzers search for long
//! with raw bytes; these keep the properties from regressing in between.
//!
//! What the fuzzers and these twins found in `src/` is pinned by one-input tests at the end,
//! named after what broke. A bug still open is `#[ignore]`d there with the reason (`cargo test
//! --test it twins -- --ignored` runs them) until its fix lands; none is open now.

use feedscrub::clean::Cleaner;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

#[path = "../../fuzz/src/lib.rs"]
mod props;

// ---------------------------------------------------------------------------------------------
// Generators.

/// URLs as item HTML carries them: web, relative, protocol-relative, tracker and share hosts,
/// video embeds, IDN hosts, and every code-running spelling of RELIABILITY rows 2–3.
fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(vec![
            "https://example.com/a.png",
            "http://example.org/story?id=1&amp;utm_source=rss",
            "/img/rel.png",
            "../up.html",
            "#top",
            "//cdn.example.net/x.jpg",
            "mailto:desk@example.com",
            "https://feeds.feedburner.com/~r/site/~4/abc",
            "https://cpx.golem.de/cpx.php?class=1",
            "https://www.facebook.com/sharer/sharer.php?u=x",
            "https://twitter.com/intent/tweet?url=x",
            "https://www.youtube.com/embed/dQw4w9WgXcQ",
            "https://player.vimeo.com/video/1",
            "http://bücher.example/x.png",
            "https://www.bücher-händler.de/",
            "//例え.jp/x.jpg",
        ])
        .prop_map(String::from),
        3 => select(vec![
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "jav&#x09;ascript:alert(1)",
            "java&#10;script:alert(1)",
            " javascript:alert(1)",
            "&#1;javascript:alert(1)",
            "\tjavascript:alert(1)",
            "javascript&colon;alert(1)",
            "vbscript:msgbox(1)",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "data:image/svg+xml,<svg onload=alert(1)>",
            "DATA:text/html,x",
        ])
        .prop_map(String::from),
        1 => "[a-z]{1,10}:[a-z0-9/.]{0,10}",
        1 => "/[a-z0-9/._-]{0,12}",
    ]
}

/// One attribute, with a leading space; the hostile ones of RELIABILITY rows 1–8 weigh most.
fn attr() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => url().prop_map(|u| format!(" href=\"{u}\"")),
        2 => url().prop_map(|u| format!(" src=\"{u}\"")),
        1 => (url(), url()).prop_map(|(a, b)| format!(" srcset=\"{a} 1x, {b} 2x\"")),
        1 => (select(vec!["cite", "poster", "action", "formaction", "background", "xlink:href", "to", "values"]), url())
            .prop_map(|(n, u)| format!(" {n}=\"{u}\"")),
        2 => ("[oO][nN][a-z]{2,9}", select(vec!["alert(1)", "", "x"])).prop_map(|(n, v)| format!(" {n}=\"{v}\"")),
        1 => select(vec![
            " srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"",
            " style=\"x:expression(alert(1))\"",
            " attributeName=\"href\"",
            " encoding=\"text/html\"",
            " target=\"_blank\"",
            " class=\"ad\"",
            " class=\"share-buttons\"",
            " class=\"newsletter\"",
            " title=\"&lt;/noscript&gt;&lt;img src=x onerror=alert(1)&gt;\"",
            " title=\"</iframe><img src onerror=alert(1)>\"",
            " width=\"1\" height=\"1\"",
            " id=\"x\"",
            " http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\"",
        ])
        .prop_map(String::from),
    ]
}

/// Text as items carry it, with the ad labels and "read more" links the cleaner removes.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[A-Za-z0-9 ,.]{0,24}",
        1 => "[äöüÄÖÜß„“€ a-z]{0,12}",
        1 => select(vec![
            "Anzeige",
            "Annons",
            "Sponsored",
            "Werbung:",
            "Läs mer »",
            "Weiterlesen",
            "Read more",
            "The post x appeared first on y.",
            " This episode is sponsored by Acme. Go now.",
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "&amp;nbsp;&nbsp;&eacute;",
            " <3 & > ",
        ])
        .prop_map(String::from),
    ]
}

/// Elements with no content model of their own, and raw fragments that need no children.
fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => text(),
        1 => select(vec!["br", "hr", "img", "embed", "source", "base", "link", "meta", "input"])
            .prop_flat_map(|tag| vec(attr(), 0..3).prop_map(move |a| format!("<{tag}{}>", a.concat()))),
        1 => select(vec![
            "<script>alert(1)</script>",
            "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
            "<!-- c --!><img src=x onerror=alert(1)> -->",
            "<!--><img src=x onerror=alert(1)>-->",
            "<img src=x width=1 height=1>",
            "<svg><a><set attributeName=href to=javascript:alert(1) /><text>x</text></a></svg>",
            "<svg><iframe><a title=\"</iframe><img src onerror=alert(1)>\"></a></iframe></svg>",
            "<math><annotation-xml encoding=\"text/html\"><style><img src=x onerror=alert(1)></style></annotation-xml></math>",
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
            "<![CDATA[<script>alert(1)</script>]]>",
        ])
        .prop_map(String::from),
    ]
}

/// Random item HTML from a small grammar: the hostile containers (script, iframe, svg, math,
/// noscript, template, style, form, object) and the ordinary ones (div, p, a, blockquote,
/// table, figure), with random attributes, nested up to four deep. `misnested` also leaves
/// tags unclosed and throws in stray start and end tags (`<p>`, `</b>`, `</div>`).
fn html(misnested: bool) -> impl Strategy<Value = String> {
    const TAGS: &[&str] = &[
        "div",
        "div",
        "p",
        "p",
        "span",
        "a",
        "a",
        "b",
        "blockquote",
        "ul",
        "li",
        "table",
        "td",
        "figure",
        "pre",
        "script",
        "iframe",
        "svg",
        "math",
        "annotation-xml",
        "foreignObject",
        "noscript",
        "template",
        "style",
        "form",
        "button",
        "object",
        "video",
        "textarea",
        "title",
        "select",
        "aside",
    ];
    let leaf = if misnested {
        let stray = select(vec!["<p>", "</p>", "<b>", "</b>", "</a>", "<a href=\"/x\">", "</div>", "<li>"]);
        prop_oneof![6 => leaf(), 1 => stray.prop_map(String::from)].boxed()
    } else {
        leaf().boxed()
    };
    leaf.prop_recursive(4, 40, 4, move |inner| {
        (select(TAGS), vec(attr(), 0..3), vec(inner, 0..4), 0u8..8).prop_map(move |(tag, attrs, kids, close)| {
            let end = if misnested && close == 0 { String::new() } else { format!("</{tag}>") };
            format!("<{tag}{}>{}{end}", attrs.concat(), kids.concat())
        })
    })
}

/// Dates as feeds write them (RELIABILITY row 22): RFC 822 with named zones, RFC 3339 with
/// fractions and odd offsets, US style, years 0 to 9999 and beyond, fields out of range, and
/// arbitrary text.
fn date() -> impl Strategy<Value = String> {
    let zone = select(vec!["GMT", "UT", "Z", "EST", "EDT", "PDT", "CEST", "MESZ", "+0200", "-0000", "+9999", "X", ""]);
    let month = select(vec!["Jan", "Feb", "Mar", "Aug", "Dec", "Mai", "Okt", "XYZ", "august"]);
    let weekday = select(vec!["Mon, ", "Tue, ", "Di, ", "Sun,", ""]);
    let offset = select(vec!["Z", "+02:00", "-05:30", "+24:00", "+0200", "", " GMT"]);
    prop_oneof![
        (weekday, 0u32..40, month, 0i32..10_000, 0u32..30, 0u32..70, 0u32..70, zone)
            .prop_map(|(wd, d, mon, y, h, mi, s, z)| format!("{wd}{d} {mon} {y} {h:02}:{mi:02}:{s:02} {z}")),
        (0i32..10_000, 0u32..14, 0u32..33, 0u32..26, 0u32..62, 0u32..62, "(\\.[0-9]{1,12})?", offset).prop_map(
            |(y, mo, d, h, mi, s, frac, off)| format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}{off}")
        ),
        (1u32..13, 1u32..32, 1900i32..2100, 1u32..13, 0u32..60, 0u32..60, select(vec!["AM", "PM", ""]))
            .prop_map(|(mo, d, y, h, mi, s, ap)| format!("{mo}/{d}/{y} {h}:{mi:02}:{s:02} {ap}")),
        select(vec!["", " ", "yesterday", "2099-12-31T23:59:59Z", "1900-01-01T00:00:00Z", "+275760-09-13T00:00:00Z"])
            .prop_map(String::from),
        "[0-9 :.,TZ+-]{0,30}",
        ".{0,24}",
    ]
}

/// One feed item's fields: title, link, date, HTML body, and whether the body goes in CDATA.
fn item() -> impl Strategy<Value = (String, String, String, String, bool)> {
    (text(), url(), date(), html(false), any::<bool>())
}

/// An RSS 2.0 or Atom feed of up to four items built from `item`, bodies escaped or in CDATA.
fn feed_xml() -> impl Strategy<Value = (String, usize)> {
    (any::<bool>(), vec(item(), 0..4)).prop_map(|(atom, items)| {
        let n = items.len();
        let body = |html: &str, cdata: bool| {
            if cdata && !html.contains("]]>") {
                format!("<![CDATA[{html}]]>")
            } else {
                props::xml_text(html)
            }
        };
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        if atom {
            out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title><id>urn:f</id>");
            out.push_str("<updated>2024-01-01T00:00:00Z</updated>");
            for (i, (title, link, date, html, cdata)) in items.iter().enumerate() {
                out.push_str(&format!(
                    "<entry><title>{}</title><id>urn:{i}</id><link href=\"{}\"/><updated>{}</updated>\
                     <content type=\"html\">{}</content></entry>",
                    props::xml_text(title),
                    props::xml_text(link),
                    props::xml_text(date),
                    body(html, *cdata)
                ));
            }
            out.push_str("</feed>");
        } else {
            out.push_str("<rss version=\"2.0\"><channel><title>T</title><link>https://example.com/</link>");
            for (i, (title, link, date, html, cdata)) in items.iter().enumerate() {
                out.push_str(&format!(
                    "<item><title>{}</title><link>{}</link><guid>g{i}</guid><pubDate>{}</pubDate>\
                     <description>{}</description></item>",
                    props::xml_text(title),
                    props::xml_text(link),
                    props::xml_text(date),
                    body(html, *cdata)
                ));
            }
            out.push_str("</channel></rss>");
        }
        (out, n)
    })
}

/// A TOML value of the kinds `feeds.toml` holds, wrong ones included.
fn toml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "\"30s\"",
            "\"0s\"",
            "\"59s\"",
            "\"1h\"",
            "\"-1s\"",
            "\"18446744073709551615s\"",
            "\"soon\"",
            "\"10MiB\"",
            "\"0B\"",
            "\"99999999999999TiB\"",
            "\"12 parsecs\"",
            "\"https://example.com/feed.xml\"",
            "\"ftp://example.com/\"",
            "\"not a url\"",
            "\"local.xml\"",
            "\"../../etc/passwd\"",
            "\"127.0.0.1:8080\"",
            "\"[::1]:0\"",
            "\"nope\"",
            "\"drop\"",
            "\"mark\"",
            "\"keep\"",
            "\"maybe\"",
            "\"golem\"",
            "\"Bad Name\"",
            "\"\"",
            "['(?i)^anzeige', '(unclosed', 'a{99999}{99999}', '[']",
            "[\"div.ad\", \"p > a\", \"#x\", \"div[[\", \"\", \":not(\", \"a::\", \"div,\", \"*\", \"p!\", \"a % b\"]",
            "[1, 2]",
            "[]",
            "{ a = 1 }",
            "true",
            "1.5",
            "1979-05-27T07:32:00Z",
        ])
        .prop_map(String::from),
        any::<i64>().prop_map(|n| n.to_string()),
        (-3i64..100).prop_map(|n| n.to_string()),
        "\"[ -!#-\\[\\]-~]{0,16}\"",
    ]
}

/// Config text that TOML and serde accept (right keys, right types), so that validation
/// proper runs: durations, sizes, URLs, paths, regexes, selectors and numbers right and wrong.
fn config_typed() -> impl Strategy<Value = String> {
    let s = |v: Vec<&'static str>| select(v).prop_map(|v| format!("\"{}\"", v.replace('\\', "\\\\")));
    let duration = || s(vec!["30s", "0s", "59s", "1h", "90 min", "-1s", "18446744073709551615s", "soon", ""]);
    let count = || prop_oneof![-2i64..70, any::<i64>()].prop_map(|n| n.to_string());
    let settings = (
        s(vec!["data/x.db", "/var/lib/feedscrub", "", "../up"]),
        duration(),
        s(vec!["10MiB", "0B", "1", "99999999999999TiB", "12 parsecs", "-5KB"]),
        count(),
        s(vec!["127.0.0.1:8080", "[::1]:0", "localhost:80", "nope", ""]),
        s(vec!["https://feeds.example.org/", "not a url", "ftp://x/", ""]),
        duration(),
        (count(), count(), count(), count()),
    )
        .prop_map(|(db, timeout, max_body, conc, listen, public, interval, (ph, oi, ri, rd))| {
            format!(
                "[settings]\ndb = {db}\ntimeout = {timeout}\nmax_body = {max_body}\nconcurrency = {conc}\n\
                 listen = {listen}\npublic_url = {public}\ninterval = {interval}\nper_host = {ph}\n\
                 output_items = {oi}\nretain_items = {ri}\nretain_days = {rd}\n"
            )
        });
    let list = |v: Vec<&'static str>| {
        vec(select(v), 0..3).prop_map(|l| {
            let quoted: Vec<String> = l.iter().map(|x| format!("'{x}'")).collect();
            format!("[{}]", quoted.join(", "))
        })
    };
    let feed = (
        s(vec!["golem", "a", "a", "Bad Name", "", "x-1", "ünï"]),
        s(vec!["https://example.com/feed.xml", "local.xml", "ftp://x/", "not a url", "", "http://[::1]:9/x"]),
        list(vec!["(?i)^anzeige", "(unclosed", "a{99999}{99999}", "[", ""]),
        list(vec!["div.ad", "p > a", "div[[", "", "p!", "a % b", ":not(", "*"]),
        list(vec!["^Werbung", "(", "x{1,2}"]),
        s(vec!["drop", "mark", "keep", "maybe"]),
        duration(),
        (count(), count()),
    )
        .prop_map(|(name, url, drop, remove, remove_text, ads, interval, (ri, rd))| {
            format!(
                "[[feed]]\nname = {name}\nurl = {url}\ndrop_items = {drop}\nremove = {remove}\n\
                 remove_text = {remove_text}\nads = {ads}\ninterval = {interval}\nretain_items = {ri}\n\
                 retain_days = {rd}\n"
            )
        });
    (proptest::option::of(settings), vec(feed, 0..3)).prop_map(|(settings, feeds)| {
        let mut text = settings.unwrap_or_default();
        text.push_str(&feeds.join("\n"));
        text
    })
}

/// Config text: `[settings]` and `[[feed]]` tables with known and unknown keys, wrong types,
/// duplicates, and junk lines.
fn config_text() -> impl Strategy<Value = String> {
    let key = select(vec![
        "db",
        "timeout",
        "max_body",
        "concurrency",
        "user_agent",
        "listen",
        "public_url",
        "interval",
        "per_host",
        "output_items",
        "retain_items",
        "retain_days",
        "name",
        "url",
        "drop_items",
        "remove",
        "remove_text",
        "ads",
        "unknown",
        "feed",
    ]);
    let line = prop_oneof![
        2 => select(vec!["[settings]", "[[feed]]"]).prop_map(String::from),
        1 => select(vec!["[feed]", "[[settings]]", "[settings.x]", "", "# comment", "name = \"a\"\nurl = \"x.xml\""])
            .prop_map(String::from),
        6 => (key, toml_value()).prop_map(|(k, v)| format!("{k} = {v}")),
        1 => "[ -~]{0,20}",
    ];
    vec(line, 0..16).prop_map(|lines| lines.join("\n"))
}

// ---------------------------------------------------------------------------------------------
// The twins.

/// `cases` cases, and no `proptest-regressions/` file: a failure prints its minimal input, which
/// goes into a named test below.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config(4000))]

    /// Twin of `fuzz_targets/clean.rs` (safety half): no `<script`, no `<iframe>` content, no
    /// `on*`, no `srcdoc`, no code-running URL scheme after cleaning, with and without a base URL.
    #[test]
    fn clean_output_is_safe(html in html(false)) {
        if let Err(why) = props::check_clean_safe(&Cleaner::default(), &html) {
            return Err(TestCaseError::fail(format!("{why}\ninput: {html:?}")));
        }
    }

    /// The same over misnested HTML (unclosed tags, stray end tags: RELIABILITY row 8).
    #[test]

    fn clean_output_of_misnested_html_is_safe(html in html(true)) {
        if let Err(why) = props::check_clean_safe(&Cleaner::default(), &html) {
            return Err(TestCaseError::fail(format!("{why}\ninput: {html:?}")));
        }
    }

    /// Twin of `fuzz_targets/clean.rs` (learning half): what a strip of learned boilerplate
    /// leaves is safe and exactly what the sanitizer writes, so it is not sanitized again.
    #[test]
    fn a_strip_leaves_what_the_sanitizer_writes(html in html(true)) {
        if let Err(why) = props::check_strip_is_sanitized(&Cleaner::default(), &html) {
            return Err(TestCaseError::fail(format!("{why}\ninput: {html:?}")));
        }
    }

    /// Twin of `fuzz_targets/clean.rs` (idempotence half): `clean(clean(x)) == clean(x)`.
    #[test]

    fn clean_is_idempotent(html in html(true)) {
        if let Err(why) = props::check_clean_idempotent(&Cleaner::default(), &html) {
            return Err(TestCaseError::fail(format!("{why}\ninput: {html:?}")));
        }
    }
}

proptest! {
    #![proptest_config(config(2000))]

    /// Twin of `fuzz_targets/parse_feed.rs`: a generated RSS or Atom feed with hostile bodies and
    /// odd dates parses, keeps every item, and every body cleans to safe HTML.
    #[test]
    fn parse_feed_keeps_every_item_and_cleans_every_body_safely((xml, n) in feed_xml()) {
        let parsed = feedscrub::parse::parse_feed(xml.as_bytes(), None, Some(props::BASE));
        let parsed = parsed.map_err(|e| TestCaseError::fail(format!("{e}\n{xml}")))?;
        prop_assert_eq!(parsed.items.len(), n, "{}", xml);
        if let Err(why) = props::check_feed(&Cleaner::default(), xml.as_bytes()) {
            return Err(TestCaseError::fail(format!("{why}\nfeed: {xml}")));
        }
    }

    /// Twin of `fuzz_targets/parse_feed.rs` on arbitrary bytes: no panic, whatever comes in.
    #[test]
    fn parse_feed_never_panics_on_bytes(bytes in vec(any::<u8>(), 0..512)) {
        if let Err(why) = props::check_feed(&Cleaner::default(), &bytes) {
            return Err(TestCaseError::fail(why));
        }
    }

    /// Twin of `fuzz_targets/dates.rs`: a date, however odd, never fails its feed (row 22).
    #[test]
    fn a_date_never_fails_its_feed(date in date()) {
        if let Err(why) = props::check_dates(&date) {
            return Err(TestCaseError::fail(why));
        }
    }

    /// Twin of `fuzz_targets/config.rs`: validation never panics; its errors name at least one
    /// problem, on a line of the text.
    #[test]
    fn config_validation_never_panics(text in prop_oneof![config_text(), config_typed()]) {
        if let Err(why) = props::check_config(&text) {
            return Err(TestCaseError::fail(format!("{why}\ntext:\n{text}")));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What the fuzzers and the twins found (minimized inputs; fuzz/README.md has the details).

/// Regression: a video iframe (an allowed player) kept its content: raw text to a browser, but live markup
/// to any reader that unwraps or re-parses the iframe (RELIABILITY row 4: children go too).
#[test]
fn clean_drops_what_a_video_iframe_holds() {
    let html = "<iframe src=\"https://www.youtube.com/embed/x\"><script>alert(1)</script><img src=x onerror=alert(1)>";
    props::check_clean_safe(&Cleaner::default(), html).unwrap();
}

/// Regression: `dom::url_matches` sliced a host at a byte offset: an IDN image host panicked the cleaner
/// (and with it the refresh of the whole feed).
#[test]
fn clean_keeps_an_idn_image_without_panicking() {
    props::check_clean_safe(&Cleaner::default(), "<img src=\"http://bücher.example/x.png\">").unwrap();
}

/// Regression, the same through `parse_feed`: the fuzzer's minimized feed (NULs in an `<img src>`, which the
/// HTML parser turns into U+FFFD).
#[test]
fn parse_feed_survives_an_img_src_of_nul_characters() {
    let feed = b"<rss><channel><item><description>&lt;img src=\x14\0\0\0;></description></item></channel>";
    props::check_feed(&Cleaner::default(), feed).unwrap();
}

/// Regression: scraper 0.20 panics while rendering the error for a selector with a stray
/// delimiter (rust-scraper/scraper#212), and config formatted that error.
#[test]
fn config_reports_a_selector_with_a_stray_bang() {
    props::check_config("[[feed]]\nname=\"\"\nurl=\"\"\nremove=[\"p!\"]").unwrap();
}

/// Was: the empty `<p>` after a line break went in the first cleaning, and the second turned
/// the line left into a paragraph (`a<br><p>` → `a<br>` → `<p>a</p>`). Now empty elements go
/// before any pass, and a trailing blank line is no paragraph boundary.
#[test]
fn clean_of_a_line_break_before_an_empty_p_is_stable() {
    props::check_clean_idempotent(&Cleaner::default(), "a<br><p>").unwrap();
}

/// Was: an ad label survived the first cleaning beside an empty `<p>`, which that cleaning
/// removed; alone in its block, the second removed it (`<div>Annons<p>` → `<div>Annons</div>`
/// → ``). Fixed the same way.
#[test]
fn clean_of_an_ad_label_beside_an_empty_p_is_stable() {
    props::check_clean_idempotent(&Cleaner::default(), "<div>Annons<p>").unwrap();
}

/// Was: `<p><mglyph>a` → `<p></p>` → ``: the sanitizer, last, dropped content the passes
/// kept (ammonia removes HTML elements named like MathML or SVG ones with their text), and
/// the block left empty went only in the second cleaning. Such elements are `<span>`s now.
#[test]
fn clean_of_a_block_whose_content_the_sanitizer_drops_is_stable() {
    props::check_clean_idempotent(&Cleaner::default(), "<p><mglyph>a").unwrap();
}

/// A formatting element closed around a block (`<b><p>…</b>`, the parser's adoption agency)
/// with two removed siblings inside: `detach` panics in ego-tree (`Option::unwrap` on `None`),
/// and the panic failed the whole feed. Cause: ego-tree 0.6's `reparent_from_id_append`
/// leaves middle children naming their old parent; `clean::tree` relinks such trees.
#[test]
fn clean_survives_two_removed_siblings_in_a_misnested_block() {
    props::check_clean_safe(&Cleaner::default(), "<b><p>A<script></script><script></script>a</b>").unwrap();
}

/// The same misnesting (`</b>` closed around blocks) under an ad label: `ad_box_after` looks a
/// node up in the subtree statistics and did not find it (`no entry found for key`).
#[test]
fn clean_survives_an_ad_label_in_a_misnested_block() {
    props::check_clean_safe(&Cleaner::default(), "<b><p>Anzeige<div> <p><li></b>").unwrap();
}

/// And in the line-paragraph pass: `<font><p>><br><br>W</font>` (the fuzzer's minimized input)
/// panicked in ego-tree while `split_lines` moved the lines into new paragraphs.
#[test]
fn clean_survives_line_breaks_in_a_misnested_block() {
    props::check_clean_safe(&Cleaner::default(), "<font><p>><br><br>W</font>").unwrap();
}

/// Found by the idempotence twin once the above were fixed: a misnested table leaves an `<li>`
/// inside an `<li>`, which the sanitizer's own parse splits, leaving an empty `<li>`; the
/// cleaner now cleans such output once more.
#[test]
fn clean_of_a_list_item_in_a_misnested_table_is_stable() {
    props::check_clean_idempotent(&Cleaner::default(), "<li><table><li>,").unwrap();
}

/// And: an ad label before a box that held only a pixel, and a label whose block held a second
/// lone label. Passes 1–3 take the boxes they empty along, and the block walk repeats until it
/// removes nothing.
#[test]
fn clean_of_labels_beside_what_other_passes_remove_is_stable() {
    for html in
        ["<figure><span>Anzeige<div><img src=x width=1 height=1>", "<video>Anzeige<div>Anzeige", "<div>A<br><script>a"]
    {
        props::check_clean_idempotent(&Cleaner::default(), html).unwrap();
    }
}

/// Found by the idempotence twin: a link that held a "read more" phrase and a lone ad label
/// reads "read more" alone once the label is gone, so the walk judges the links again.
#[test]
fn clean_of_a_read_more_link_that_held_a_label_is_stable() {
    props::check_clean_idempotent(&Cleaner::default(), "<a>Läs mer »<blockquote>Anzeige</blockquote></a>").unwrap();
}

/// A "read more" line glued to a label is cut after the walks (`cut_glued_footer`): the
/// label it leaves alone is cleaned away in the same cleaning, not in the next.
#[test]
fn clean_of_a_label_left_alone_by_a_cut_glued_line_is_stable() {
    props::check_clean_idempotent(&Cleaner::default(), "<aside>Anzeige<br>Läs mer »").unwrap();
}

/// A label removed from inside a quote leaves the quote empty: the quote goes at once, so
/// that the next walk sees the aside around it as the lone label it now is.
#[test]
fn clean_of_a_label_beside_a_quote_emptied_of_its_own_is_stable() {
    for html in [
        "<aside><blockquote><p>Anzeige</p></blockquote>Anzeige</aside>",
        "<aside><blockquote><p>Anzeige</blockquote>Anzeige",
    ] {
        props::check_clean_idempotent(&Cleaner::default(), html).unwrap();
    }
}

/// Was: a script removed between "Anzeige" and "]]>" left two texts side by side; the first
/// cleaning read neither as a label, the reparse joined them into the label "Anzeige]]>" and
/// the second cleaning removed the figure. Texts joined by a removal are joined at once.
#[test]
fn clean_of_a_label_joined_to_text_by_a_removal_is_stable() {
    let html = "<figure>Anzeige<script><![CDATA[<script>alert(1)</script>]]><span>A";
    props::check_clean_idempotent(&Cleaner::default(), html).unwrap();
}
