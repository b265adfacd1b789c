//! Full text through the real binary: a teaser feed on the local origin links to
//! article pages written for the project (`tests/fixtures/pages/`, in the shapes of German
//! and English news sites); with `full_text = true` each item gets its whole article, cleaned,
//! in all three export formats; the consent wall is rejected and its teaser kept; unchanged
//! items are not fetched again; and without `allow_private` no page on 127.0.0.1 is asked for.

use crate::support::*;

/// The pages the teaser feed links to, and whether each is an article.
const PAGES: &[(&str, bool)] = &[
    ("de-zeitung", true),
    ("de-boerse", true),
    ("en-news", true),
    ("en-blog", true),
    ("de-liveblog-short", true),
    ("consent-wall", false),
];

/// The labels of a page (`NAME.toml`).
struct Labels {
    teaser: String,
    keep: Vec<String>,
    remove: Vec<String>,
}

fn labels(name: &str) -> Labels {
    let text = String::from_utf8(read_fixture(&format!("pages/{name}.toml"))).unwrap();
    let t: toml::Table = toml::from_str(&text).unwrap();
    let list =
        |k: &str| -> Vec<String> { t[k].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect() };
    Labels { teaser: t["teaser"].as_str().unwrap().to_string(), keep: list("keep"), remove: list("remove") }
}

/// An origin serving the teaser feed (its links on this origin) and every page.
fn origin() -> Origin {
    let o = Origin::start();
    let base = o.url("");
    let feed =
        String::from_utf8(read_fixture("pages/teaser-feed.xml")).unwrap().replace("{BASE}", base.trim_end_matches('/'));
    o.serve("/feed.xml", Route::feed(feed, "application/rss+xml"));
    for (name, _) in PAGES {
        o.serve(&format!("/{name}.html"), Route::feed(read_fixture(&format!("pages/{name}.html")), "text/html"));
    }
    o
}

fn workspace(o: &Origin, allow_private: bool) -> Workspace {
    Workspace::with_config(&format!(
        "[settings]\ndb = \"db\"\ntimeout = \"10s\"\nallow_private = {allow_private}\n\n[[feed]]\nname = \"news\"\nurl = \"{}\"\nfull_text = true\n",
        o.url("/feed.xml")
    ))
}

/// Collapses whitespace, as the labels are written.
fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The plain text of each exported item, by title, from one export format.
fn texts(ws: &Workspace, format: &str) -> Vec<(String, String)> {
    parse_back(&ws.export(Some("news"), format))
        .entries
        .iter()
        .map(|e| {
            let html = e
                .content
                .as_ref()
                .and_then(|c| c.body.clone())
                .or_else(|| e.summary.as_ref().map(|s| s.content.clone()))
                .unwrap_or_default();
            (
                e.title.as_ref().map(|t| t.content.clone()).unwrap_or_default(),
                squeeze(&feedscrub::clean::text::html_to_text(&html)),
            )
        })
        .collect()
}

#[test]
fn teasers_become_whole_clean_articles_in_every_format() {
    let o = origin();
    let ws = workspace(&o, true);
    let run = ws.fetch(0);
    for (name, _) in PAGES {
        assert_eq!(o.hits(&format!("/{name}.html")), 1, "{name}: fetched once\n{}", run.stderr);
    }
    for format in ["rss", "atom", "json"] {
        let items = texts(&ws, format);
        assert_eq!(items.len(), PAGES.len(), "{format}");
        for (name, article) in PAGES {
            let l = labels(name);
            let first = squeeze(l.teaser.split_inclusive(". ").next().unwrap());
            let (_, text) = items
                .iter()
                .find(|(_, t)| t.contains(first.trim()))
                .unwrap_or_else(|| panic!("{format}/{name}: no item with the teaser's first sentence {first:?}"));
            if *article {
                for k in &l.keep {
                    assert!(text.contains(&squeeze(k)), "{format}/{name}: lost {k:?}\n{text}");
                }
                for r in &l.remove {
                    assert!(!text.contains(&squeeze(r)), "{format}/{name}: kept junk {r:?}\n{text}");
                }
            } else {
                assert_eq!(text, &squeeze(&l.teaser), "{format}/{name}: the teaser stays");
            }
        }
    }
    // the rejected page is marked, in every format
    assert!(ws.export(Some("news"), "rss").contains("<feedscrub:fulltext>rejected: "));
    assert!(ws.export(Some("news"), "atom").contains("<feedscrub:fulltext>rejected: "));
    assert!(ws.export(Some("news"), "json").contains("\"full_text\": \"rejected: "));
    let stats = ws.run(&["stats"]);
    assert!(stats.stdout.contains("5 kept, 1 rejected, 0 failed"), "{}", stats.stdout);

    // Unchanged items: no page is asked for again.
    ws.fetch(0);
    for (name, _) in PAGES {
        assert_eq!(o.hits(&format!("/{name}.html")), 1, "{name}: not fetched again");
    }
}

#[test]
fn without_allow_private_no_page_on_loopback_is_requested() {
    let o = origin();
    let ws = workspace(&o, false);
    ws.fetch(0);
    for (name, _) in PAGES {
        assert_eq!(o.hits(&format!("/{name}.html")), 0, "{name}: refused before any request");
    }
    let json = ws.export(Some("news"), "json");
    assert_eq!(json.matches("\"full_text\": \"failed: ").count(), PAGES.len(), "{json}");
    assert!(json.contains("loopback"), "{json}");
    // the teasers are served as they came
    let items = texts(&ws, "json");
    let l = labels("de-zeitung");
    assert!(items.iter().any(|(_, t)| t == &squeeze(&l.teaser)), "{items:?}");
}

/// A changed teaser asks for its page again, conditionally: the page answers 304 and the stored
/// article stays; a changed page is extracted anew.
#[test]
fn a_changed_item_revalidates_its_page() {
    let o = origin();
    let ws = workspace(&o, true);
    ws.fetch(0);
    let keep = &labels("de-zeitung").keep[2];
    let feed_with = |teaser_suffix: &str| {
        let base = o.url("");
        String::from_utf8(read_fixture("pages/teaser-feed.xml"))
            .unwrap()
            .replace("{BASE}", base.trim_end_matches('/'))
            .replace(
                "Saison ohne Becken in der Stadt einstellen.",
                &format!("Saison ohne Becken in der Stadt einstellen.{teaser_suffix}"),
            )
    };

    // the teaser changes, the page does not: one conditional request, answered 304
    o.serve("/feed.xml", Route::feed(feed_with(" (aktualisiert)"), "application/rss+xml"));
    let run = ws.fetch(0);
    assert_eq!(counts(&run.stdout, "news").2, 1, "one item updated\n{}", run.stdout);
    assert_eq!((o.hits("/de-zeitung.html"), o.not_modified("/de-zeitung.html")), (2, 1));
    assert_eq!(o.hits("/en-news.html"), 1, "unchanged items are not asked again");
    let texts_now = texts(&ws, "json");
    assert!(texts_now.iter().any(|(_, t)| t.contains(&squeeze(keep))), "the stored article stays after a 304");

    // the page changes too: fetched and extracted anew
    let page = String::from_utf8(read_fixture("pages/de-zeitung.html")).unwrap();
    let changed = page.replace(
        "Der Stadtrat soll am 26. März über die Mehrkosten abstimmen.",
        "Der Stadtrat hat die Mehrkosten am 26. März gebilligt.",
    );
    assert_ne!(page, changed, "the fixture sentence exists");
    o.serve("/de-zeitung.html", Route::feed(changed, "text/html"));
    o.serve("/feed.xml", Route::feed(feed_with(" (erneut aktualisiert)"), "application/rss+xml"));
    ws.fetch(0);
    assert_eq!((o.hits("/de-zeitung.html"), o.not_modified("/de-zeitung.html")), (3, 1));
    let text =
        texts(&ws, "json").into_iter().map(|(_, t)| t).find(|t| t.contains("gebilligt")).expect("the new article text");
    assert!(!text.contains("über die Mehrkosten abstimmen"), "{text}");
}
