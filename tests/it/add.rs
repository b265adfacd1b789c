//! `feedscrub add` and `remove` against a local origin: a site page that announces its feed,
//! one that announces none but has `/feed`, one with three feeds, the feed itself, and an
//! address that is neither. The config `add` writes keeps the file's comments and passes
//! `check`.

use crate::support::origin::{Origin, Route};
use crate::support::Workspace;

const CONFIG: &str = "# my feeds, with a comment to keep\n[settings]\ndb = \"db\"\ntimeout = \"5s\"\n";

fn rss(title: &str, n: usize) -> Vec<u8> {
    let items: String = (1..=n)
        .map(|i| format!("<item><title>Post {i}</title><link>https://site.example/p/{i}</link><guid>p-{i}</guid><description>Text {i}.</description></item>"))
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{title}</title><link>https://site.example/</link>{items}</channel></rss>").into_bytes()
}

fn atom(title: &str) -> Vec<u8> {
    format!("<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>{title}</title><id>urn:x</id><updated>2026-12-01T00:00:00Z</updated><entry><title>E</title><id>urn:e</id><updated>2026-12-01T00:00:00Z</updated><link href=\"https://site.example/e\"/></entry></feed>").into_bytes()
}

fn html(head: &str) -> Route {
    Route::feed(
        format!("<!doctype html><html><head><title>Site</title>{head}</head><body><p>Welcome.</p></body></html>"),
        "text/html; charset=utf-8",
    )
}

/// The config's feeds as (name, url) lines, read back through `check`.
fn checked(ws: &Workspace) -> String {
    let r = ws.run(&["check"]);
    assert_eq!(
        r.code,
        0,
        "the written config must load: {}\n{}",
        r.stderr,
        std::fs::read_to_string(ws.config()).unwrap()
    );
    r.stdout
}

#[test]
fn add_finds_the_feed_a_site_page_announces() {
    let origin = Origin::start();
    origin
        .serve("/", html(r#"<link rel="alternate" type="application/rss+xml" title="Site posts" href="/posts.rss">"#));
    origin.serve("/posts.rss", Route::feed(rss("Stadtanzeiger Lokales", 3), "application/rss+xml"));
    let ws = Workspace::with_config(CONFIG);
    let r = ws.run(&["add", &origin.url("/"), "--full-text"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("added stadtanzeiger-lokales") && r.stdout.contains("3 items") && r.stdout.contains("SIGHUP"),
        "{}",
        r.stdout
    );
    let text = std::fs::read_to_string(ws.config()).unwrap();
    assert!(text.starts_with(CONFIG), "the file is kept:\n{text}");
    assert!(text.contains(&format!("url = \"{}\"\nfull_text = true", origin.url("/posts.rss"))), "{text}");
    assert!(checked(&ws).contains("stadtanzeiger-lokales"));
    // the same feed again: refused, the file unchanged
    let again = ws.run(&["add", &origin.url("/posts.rss")]);
    assert_eq!(again.code, 2, "{}", again.stdout);
    assert!(again.stderr.contains("already configured as \"stadtanzeiger-lokales\""), "{}", again.stderr);
    assert_eq!(std::fs::read_to_string(ws.config()).unwrap(), text);
    // and remove takes it out again, back to the file as it was
    let rm = ws.run(&["remove", "stadtanzeiger-lokales"]);
    assert_eq!(rm.code, 0, "{}", rm.stderr);
    assert_eq!(std::fs::read_to_string(ws.config()).unwrap(), CONFIG);
    let missing = ws.run(&["remove", "stadtanzeiger-lokales"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("no feed named"), "{}", missing.stderr);
}

#[test]
fn add_tries_the_usual_paths_when_the_page_announces_nothing() {
    let origin = Origin::start();
    origin.serve("/", html(""));
    origin.serve("/feed", Route::feed(atom("Blog ohne Link-Tag"), "application/atom+xml"));
    let ws = Workspace::with_config(CONFIG);
    let r = ws.run(&["add", &origin.url("/"), "--name", "blog"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(checked(&ws).contains("blog"));
    assert!(std::fs::read_to_string(ws.config())
        .unwrap()
        .contains(&format!("name = \"blog\"\nurl = \"{}\"", origin.url("/feed"))));
}

#[test]
fn add_lists_several_feeds_and_takes_the_one_picked() {
    let origin = Origin::start();
    origin.serve(
        "/",
        html(
            r#"<link rel="alternate" type="application/rss+xml" title="All posts" href="/all.rss">
               <link rel="alternate" type="application/atom+xml" title="Comments" href="/comments.atom">
               <link rel="alternate" type="application/feed+json" title="JSON" href="/feed.json">"#,
        ),
    );
    origin.serve("/all.rss", Route::feed(rss("All posts", 2), "application/rss+xml"));
    origin.serve("/comments.atom", Route::feed(atom("Comments"), "application/atom+xml"));
    let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"JSON posts","items":[{"id":"1","content_text":"x","url":"https://site.example/1"}]}"#;
    origin.serve("/feed.json", Route::feed(json, "application/feed+json"));
    let ws = Workspace::with_config(CONFIG);
    let r = ws.run(&["add", &origin.url("/")]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    for (i, u) in ["/all.rss", "/comments.atom", "/feed.json"].iter().enumerate() {
        assert!(r.stderr.contains(&format!("{}. {}", i + 1, origin.url(u))), "{}", r.stderr);
    }
    assert!(r.stderr.contains("--pick"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(ws.config()).unwrap(), CONFIG, "nothing is written without a choice");
    let r = ws.run(&["add", &origin.url("/"), "--pick", "3"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(checked(&ws).contains("json-posts"));
    let out_of_range = ws.run(&["add", &origin.url("/"), "--pick", "7"]);
    assert_eq!(out_of_range.code, 2);
}

#[test]
fn add_takes_a_feed_address_as_it_is_and_refuses_what_is_neither() {
    let origin = Origin::start();
    origin.serve("/rss.xml", Route::feed(rss("Direkt", 1), "application/rss+xml"));
    origin.serve("/about", html(""));
    let ws = Workspace::with_config(CONFIG);
    let r = ws.run(&["add", &origin.url("/rss.xml")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(checked(&ws).contains("direkt"));
    let before = std::fs::read_to_string(ws.config()).unwrap();
    // a page without feed links on a site where no usual path answers a feed (the origin's
    // /rss.xml is taken: a second origin)
    let bare = Origin::start();
    bare.serve("/about", html(""));
    let r = ws.run(&["add", &bare.url("/about")]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("neither a feed nor a page that announces one") && r.stderr.contains(&bare.url("/about")),
        "{}",
        r.stderr
    );
    // an address nobody answers
    let r = ws.run(&["add", "http://127.0.0.1:9/"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("127.0.0.1:9"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(ws.config()).unwrap(), before);
}
