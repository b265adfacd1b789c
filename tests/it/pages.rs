//! The pages `serve` renders for a browser: a feed's items, one item with what was removed,
//! the dashboard; their safety headers; and hostile feed text shown only as text.

use std::time::Duration;

use crate::support::daemon::Daemon;
use crate::support::Workspace;

/// A feed whose title, body and ad carry markup that must never run in our origin.
const HOSTILE: &str = r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>Hostile &lt;b&gt;news&lt;/b&gt;</title><link>https://hostile.example/</link>
<item><title>&lt;script&gt;alert(1)&lt;/script&gt; Rat beschließt Haushalt</title><link>https://hostile.example/a</link><guid>a/1?x=&lt;y&gt;</guid>
<description><![CDATA[<p>Der Rat hat am Dienstag den Haushalt beschlossen, nach einer langen Debatte.</p>
<p>Anzeige</p><p>Jetzt kostenlos testen! <img src=x onerror="alert(2)"> </td><script>alert(3)</script> &lt;/td&gt;&lt;script&gt;alert(4)&lt;/script&gt;</p>
<p>Die Opposition kündigte Widerstand an und will klagen.</p>]]></description></item>
<item><title>ADV: Sparen Sie jetzt beim Strom</title><link>https://hostile.example/adv</link><guid>adv</guid>
<description><![CDATA[<p>Wechseln Sie jetzt den Anbieter und sparen Sie bis zu 300 Euro im Jahr.</p>]]></description></item>
<item><title>Gewinnspiel: &lt;img src=x onerror=alert(5)&gt; Reise gewinnen</title><link>https://hostile.example/win</link><guid>win</guid>
<description>Mitmachen und gewinnen.</description></item>
</channel></rss>"#;

fn workspace() -> Workspace {
    let ws = Workspace::with_config(
        "[settings]\ndb = \"db\"\n\n[[feed]]\nname = \"sample\"\nurl = \"sample.xml\"\n\n[[feed]]\nname = \"hostile\"\nurl = \"hostile.xml\"\nads = \"mark\"\ndrop_items = [\"^Gewinnspiel\"]\n",
    );
    let sample = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample-feed.xml")).unwrap();
    std::fs::write(ws.path().join("sample.xml"), sample).unwrap();
    std::fs::write(ws.path().join("hostile.xml"), HOSTILE).unwrap();
    ws.fetch(0);
    ws
}

/// The response head (lower-cased) and body of a GET.
fn get(addr: &str, path: &str) -> (String, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).unwrap();
    let resp = String::from_utf8_lossy(&resp).into_owned();
    let (head, body) = resp.split_once("\r\n\r\n").unwrap();
    (head.to_lowercase(), body.to_string())
}

/// The links of a page to item pages, as paths.
fn item_links(addr: &str, html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.contains("/items/"))
        .map(|h| h.trim_start_matches(&format!("http://{addr}")).to_string())
        .collect()
}

fn assert_safe_headers(head: &str) {
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("content-type: text/html; charset=utf-8"), "{head}");
    assert!(head.contains("content-security-policy: default-src 'none'; style-src 'self';"), "{head}");
    assert!(
        head.contains("x-content-type-options: nosniff") && head.contains("referrer-policy: no-referrer"),
        "{head}"
    );
}

/// No markup from the feed is live: no script element, no event handler, in what we serve.
fn assert_inert(html: &str) {
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "a script element:\n{html}");
    assert!(!lower.contains("onerror="), "an event handler:\n{html}");
}

/// A feed's page and the item pages it links, each checked for its safety headers.
fn feed_and_items(addr: &str, name: &str) -> (String, Vec<String>) {
    let (head, feed) = get(addr, &format!("/feeds/{name}"));
    assert_safe_headers(&head);
    let pages = item_links(addr, &feed)
        .iter()
        .map(|l| {
            let (head, page) = get(addr, l);
            assert_safe_headers(&head);
            page
        })
        .collect();
    (feed, pages)
}

#[test]
fn the_item_page_shows_the_clean_article_and_what_was_removed() {
    let ws = workspace();
    let d = Daemon::start(&ws);
    let (feed, pages) = feed_and_items(&d.addr, "sample");
    assert!(feed.contains("<html lang=\"en\">") && feed.contains("/style.css"), "{feed}");
    assert_eq!(pages.len(), 2, "{feed}");
    // the seed article's two Anzeige blocks: listed with their rule and their text, gone from the body
    let with_ads = pages
        .iter()
        .find(|p| p.matches("an ad label standing alone").count() == 2)
        .expect("the item with two Anzeige blocks");
    let (article, removed) = with_ads.split_once("What feedscrub removed").unwrap();
    assert!(removed.contains("ad-label") && removed.contains("Anzeige"), "{removed}");
    // the label is gone; "erstatteten Anzeige gegen Unbekannt" is the article's own
    assert!(!article.contains("<p>Anzeige</p>"), "the clean article has no label left:\n{article}");
    assert!(article.contains("erstatteten Anzeige gegen Unbekannt"), "{article}");
    // the stylesheet is ours and served
    let (css_head, css) = get(&d.addr, "/style.css");
    assert!(css_head.contains("text/css") && css.contains("max-width"), "{css_head}");
    // the dashboard links each feed's page
    let (head, index) = get(&d.addr, "/");
    assert_safe_headers(&head);
    assert!(index.contains("/feeds/sample\"") && index.contains("/feeds/hostile\""), "{index}");
    // unknown feeds and items are 404
    assert!(get(&d.addr, "/feeds/nope").0.starts_with("http/1.1 404"));
    assert!(get(&d.addr, "/feeds/sample/items/nope").0.starts_with("http/1.1 404"));
}

#[test]
fn hostile_feed_text_is_shown_as_text() {
    let ws = workspace();
    let d = Daemon::start(&ws);
    let (feed, pages) = feed_and_items(&d.addr, "hostile");
    assert_inert(&feed);
    assert!(feed.contains("Rat beschließt Haushalt"), "{feed}");
    assert_eq!(pages.len(), 2, "{feed}");
    for page in &pages {
        assert_inert(page);
    }
    // the removed ad's text is listed, escaped
    let article = pages.iter().find(|p| p.contains("Rat beschließt")).unwrap();
    assert!(article.contains("Jetzt kostenlos testen!"), "{article}");
    assert!(
        article.contains("&lt;/td&gt;&lt;script&gt;alert(4)&lt;/script&gt;"),
        "the removed text is shown as text:\n{article}"
    );
    // the whole-ad item, kept by ads = "mark", says so and why
    let ad = pages.iter().find(|p| p.contains("Sparen Sie jetzt")).unwrap();
    assert!(ad.contains("This whole item is an ad") && ad.contains("ads = \"mark\""), "{ad}");
    // the feed's whole-ad view lists it and the item drop_items dropped, with their rules
    let (head, ads) = get(&d.addr, "/feeds/hostile/ads");
    assert_safe_headers(&head);
    assert_inert(&ads);
    let row = |needle: &str| {
        ads.split("<tr>").find(|r| r.contains(needle)).unwrap_or_else(|| panic!("no row {needle}:\n{ads}")).to_string()
    };
    let marked = row("Sparen Sie jetzt beim Strom");
    assert!(marked.contains("ad-item:") && marked.contains("marked"), "{marked}");
    let dropped = row("Reise gewinnen");
    assert!(dropped.contains("drop_items:") && dropped.contains("dropped"), "{dropped}");
    assert!(feed.contains("2 whole-ad items"), "{feed}");
    let (_, dashboard) = get(&d.addr, "/");
    assert!(dashboard.contains("/feeds/hostile/ads") && dashboard.contains("next: "), "{dashboard}");
}
