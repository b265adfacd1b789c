//! One story, one item: canonical URLs, identity when guids go bad, the same story from
//! several feeds in the merged output, retention with tombstones. Through the real binary.

use crate::support::*;

const RSS: &str = "application/rss+xml";

/// An agency story, long enough for near-duplicate detection.
const STORY: [&str; 4] = [
    "Die Stadtwerke Nordheim erhöhen zum ersten Januar die Preise für Fernwärme um durchschnittlich neun Prozent, wie der Versorger am Dienstag mitteilte.",
    "Als Grund nannte das Unternehmen gestiegene Kosten für Erdgas und den Ausbau des Leitungsnetzes in den östlichen Stadtteilen, der bis 2028 abgeschlossen sein soll.",
    "Ein Haushalt mit einem Jahresverbrauch von zehntausend Kilowattstunden zahlt damit rund hundertzwanzig Euro mehr im Jahr, rechnete die Verbraucherzentrale vor.",
    "Der Stadtrat will sich in seiner Sitzung am Donnerstag mit der Erhöhung befassen; die Opposition fordert einen Härtefallfonds für Haushalte mit geringem Einkommen.",
];

const OTHER: &str = "Die Stadtwerke Nordheim eröffnen im Frühjahr ein neues Kundenzentrum am Bahnhof. Dort sollen Bürger künftig auch Fragen zu Solaranlagen, Wärmepumpen und Förderprogrammen stellen können. Das Gebäude wird derzeit umgebaut, die Kosten liegen bei zwei Millionen Euro, teilte eine Sprecherin mit.";

fn html(paras: &[&str]) -> String {
    paras.iter().map(|p| format!("<p>{p}</p>")).collect()
}

/// An RSS document; each item is (guid, link, title, body HTML, day of November).
fn rss(items: &[(&str, &str, &str, String, u32)]) -> Vec<u8> {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>T</title><link>https://site.example/</link><description>d</description>",
    );
    for (guid, link, title, body, day) in items {
        out.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{}</guid><link>{}</link><title>{}</title><pubDate>{day:02} Nov 2026 08:00:00 +0000</pubDate><description>{}</description></item>",
            esc(guid),
            esc(link),
            esc(title),
            esc(body)
        ));
    }
    out.push_str("</channel></rss>");
    out.into_bytes()
}

fn json_items(ws: &Workspace, feed: Option<&str>) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(&ws.export(feed, "json")).unwrap();
    v["items"].as_array().unwrap().clone()
}

#[test]
fn one_story_in_three_feeds_is_one_item_with_three_sources() {
    let o = Origin::start();
    // the agency copy; a copy with another headline and an ad in the middle; one with a paragraph more
    let with_ad =
        html(&[STORY[0], STORY[1], "Anzeige", "Jetzt Depot eröffnen und 100 Euro Bonus sichern!", STORY[2], STORY[3]]);
    let longer = html(&[
        STORY[0],
        STORY[1],
        STORY[2],
        STORY[3],
        "Die Stadtwerke versorgen rund 40.000 Haushalte mit Fernwärme.",
    ]);
    o.serve(
        "/a.xml",
        Route::feed(
            rss(&[(
                "a1",
                "https://agentur.example/fernwaerme?utm_source=rss",
                "Fernwärme wird teurer",
                html(&STORY),
                3,
            )]),
            RSS,
        ),
    );
    o.serve(
        "/b.xml",
        Route::feed(
            rss(&[
                ("b1", "https://kurier.example/lokales/preise", "Nordheim: Heizen kostet mehr", with_ad, 3),
                (
                    "b2",
                    "https://kurier.example/lokales/kundenzentrum",
                    "Neues Kundenzentrum",
                    format!("<p>{OTHER}</p>"),
                    4,
                ),
            ]),
            RSS,
        ),
    );
    o.serve(
        "/c.xml",
        Route::feed(rss(&[("c1", "https://blatt.example/x/1", "Stadtwerke erhöhen Preise", longer, 3)]), RSS),
    );
    let ws = Workspace::with_feeds(&[("a", &o.url("/a.xml")), ("b", &o.url("/b.xml")), ("c", &o.url("/c.xml"))]);
    ws.fetch(0);

    let merged = json_items(&ws, None);
    assert_eq!(merged.len(), 2, "the story once, and the other article\n{merged:#?}");
    let story = merged.iter().find(|i| i["content_html"].as_str().unwrap().contains("neun Prozent")).unwrap();
    let mut feeds: Vec<&str> = vec![story["_feedscrub"]["source"]["feed"].as_str().unwrap()];
    feeds.extend(story["_feedscrub"]["also"].as_array().unwrap().iter().map(|a| a["feed"].as_str().unwrap()));
    feeds.sort();
    assert_eq!(feeds, ["a", "b", "c"], "{story:#}");
    // each per-feed output keeps its own items
    for (f, n) in [("a", 1), ("b", 2), ("c", 1)] {
        assert_eq!(json_items(&ws, Some(f)).len(), n, "feed {f}");
    }
    // the RSS and Atom merged outputs name the other feeds too
    for format in ["rss", "atom"] {
        let out = ws.export(None, format);
        assert_eq!(out.matches("<feedscrub:also ").count(), 2, "{format}:\n{out}");
    }
    let stats = ws.run(&["stats"]);
    assert_eq!(stats.code, 0, "{}", stats.stderr);
    let dup = |feed: &str| summary_row(&stats.stdout, feed)[2].parse::<usize>().unwrap();
    assert_eq!(dup("a") + dup("b") + dup("c"), 2, "two copies collapsed\n{}", stats.stdout);
}

#[test]
fn guid_switch_from_http_to_https_makes_no_duplicate() {
    let o = Origin::start();
    let body = html(&STORY);
    o.serve(
        "/f.xml",
        Route::feed(rss(&[("http://site.example/a/1", "http://site.example/a/1", "Eins", body.clone(), 3)]), RSS)
            .without_validators(),
    );
    let ws = Workspace::with_feeds(&[("f", &o.url("/f.xml"))]);
    ws.fetch(0);
    let first_seen = json_items(&ws, Some("f"))[0]["date_published"].clone();
    o.serve(
        "/f.xml",
        Route::feed(rss(&[("https://site.example/a/1", "https://site.example/a/1", "Eins", body, 3)]), RSS)
            .without_validators(),
    );
    let run = ws.fetch(0);
    let items = json_items(&ws, Some("f"));
    assert_eq!(items.len(), 1, "{}\n{items:#?}", run.stdout);
    assert_eq!(items[0]["date_published"], first_seen);
    let stats = ws.run(&["stats"]);
    assert_eq!(summary_row(&stats.stdout, "f")[4], "url", "{}", stats.stdout);
    assert!(stats.stdout.contains("f: identified by url because the guid of"), "{}", stats.stdout);
}

#[test]
fn a_feed_with_duplicate_guids_falls_back_to_url_identity() {
    let o = Origin::start();
    o.serve(
        "/f.xml",
        Route::feed(
            rss(&[
                ("same", "https://site.example/a", "A", html(&STORY[..2]), 3),
                ("same", "https://site.example/b", "B", format!("<p>{OTHER}</p>"), 4),
            ]),
            RSS,
        ),
    );
    let ws = Workspace::with_feeds(&[("f", &o.url("/f.xml"))]);
    ws.fetch(0);
    let mut titles: Vec<String> =
        json_items(&ws, Some("f")).iter().map(|i| i["title"].as_str().unwrap().to_string()).collect();
    titles.sort();
    assert_eq!(titles, ["A", "B"], "both stories are kept");
    let stats = ws.run(&["stats"]);
    assert_eq!(summary_row(&stats.stdout, "f")[4], "url", "{}", stats.stdout);
    assert!(stats.stdout.contains("one fetch used the guid \"same\" for different links"), "{}", stats.stdout);
}

#[test]
fn items_that_share_one_link_but_not_their_title_are_all_kept() {
    // No guids, and every item links to the same page (a 2006 CMS wrote "?feed=RSS"): the link
    // identifies none of them. The last two are one story listed twice.
    let item = |title: &str, body: &str, day: u32| {
        format!(
            "<item><link>https://site.example/?feed=RSS</link><title>{title}</title><pubDate>{day:02} Nov 2026 08:00:00 +0000</pubDate><description>&lt;p&gt;{body}&lt;/p&gt;</description></item>"
        )
    };
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><link>https://site.example/</link><description>d</description>{}{}{}{}</channel></rss>",
        item("Neue Mitgliedschaften", STORY[0], 3),
        item("Ein neues Logo", OTHER, 4),
        item("Foren umgezogen", STORY[2], 5),
        item("Foren umgezogen", STORY[2], 5),
    );
    let o = Origin::start();
    o.serve("/f.xml", Route::feed(feed.into_bytes(), RSS));
    let ws = Workspace::with_feeds(&[("f", &o.url("/f.xml"))]);
    ws.fetch(0);
    let mut titles: Vec<String> =
        json_items(&ws, Some("f")).iter().map(|i| i["title"].as_str().unwrap().to_string()).collect();
    titles.sort();
    assert_eq!(titles, ["Ein neues Logo", "Foren umgezogen", "Neue Mitgliedschaften"]);
    // a second fetch of the same document changes nothing
    ws.fetch(0);
    assert_eq!(json_items(&ws, Some("f")).len(), 3);
}

#[test]
fn retention_prunes_and_tombstones_keep_pruned_items_out() {
    let o = Origin::start();
    let view = three_days(|d| format!("<p>Meldung vom Tag {d}.</p>"));
    o.serve("/f.xml", Route::feed(rss(&view), RSS).without_validators());
    let ws = Workspace::with_config(&format!(
        "[settings]\ndb = \"db\"\nretain_items = 5\n\n[[feed]]\nname = \"f\"\nurl = \"{}\"\nretain_items = 2\n",
        o.url("/f.xml")
    ));
    ws.fetch(0);
    let titles = |ws: &Workspace| -> Vec<String> {
        json_items(ws, Some("f")).iter().map(|i| i["title"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(titles(&ws), ["Tag 3", "Tag 2"], "the two newest are kept");
    // fetched again, the source still lists the pruned item: it does not come back as new
    let run = ws.fetch(0);
    assert_eq!(counts(&run.stdout, "f").1, 0, "nothing new\n{}", run.stdout);
    assert_eq!(titles(&ws), ["Tag 3", "Tag 2"]);
    let stats = ws.run(&["stats"]);
    let row = summary_row(&stats.stdout, "f");
    assert_eq!((row[1].as_str(), row[3].as_str()), ("2", "1"), "2 items, 1 tombstone\n{}", stats.stdout);
}

#[test]
fn feedburner_links_become_the_original_url() {
    let o = Origin::start();
    let doc = "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:feedburner=\"http://rssnamespace.org/feedburner/ext/1.0\"><channel><title>T</title><link>https://blog.example/</link><description>d</description>\
        <item><title>Post</title><guid isPermaLink=\"false\">p1</guid><link>http://feedproxy.google.com/~r/Blog/~3/abc/</link><feedburner:origLink>https://blog.example/2026/11/post/?utm_source=feedburner#more</feedburner:origLink><description>Text.</description></item>\
        </channel></rss>";
    o.serve("/f.xml", Route::feed(doc, RSS));
    let ws = Workspace::with_feeds(&[("f", &o.url("/f.xml"))]);
    ws.fetch(0);
    assert_eq!(json_items(&ws, Some("f"))[0]["url"], "https://blog.example/2026/11/post/#more");
}

#[test]
fn cosmetic_changes_are_not_updates_and_real_ones_keep_the_identity() {
    let o = Origin::start();
    let doc = |body: &str| rss(&[("g1", "https://site.example/a/1", "Fernwärme", body.to_string(), 3)]);
    let v1 = format!(
        "<p>{}</p><p>Anzeige</p><p>Jetzt Depot eröffnen und 100 Euro Bonus sichern!</p><p>{} <a href=\"https://site.example/x?utm_source=rss\">mehr</a></p><img src=\"https://site.example/i.jpg\" width=\"640\">",
        STORY[0], STORY[1]
    );
    // whitespace, a rotated ad, another tracking parameter, another image size
    let v2 = format!(
        "<p>{}\n  </p><p>Anzeige</p><p>Jetzt Kredit vergleichen und 50 Euro sparen!</p><p>{}   <a href=\"https://site.example/x?utm_source=mail&amp;fbclid=9\">mehr</a></p><img src=\"https://site.example/i.jpg\" width=\"1280\">",
        STORY[0], STORY[1]
    );
    o.serve("/f.xml", Route::feed(doc(&v1), RSS).without_validators());
    let ws = Workspace::with_feeds(&[("f", &o.url("/f.xml"))]);
    ws.fetch(0);
    let before = ws.export(Some("f"), "json");
    o.serve("/f.xml", Route::feed(doc(&v2), RSS).without_validators());
    let run = ws.fetch(0);
    assert_eq!(counts(&run.stdout, "f").2, 0, "cosmetic changes are no update\n{}", run.stdout);
    assert_eq!(ws.export(Some("f"), "json"), before, "the stored item is untouched");
    // a real change: updated in place under the same identity
    o.serve("/f.xml", Route::feed(doc(&format!("{v2}<p>{}</p>", STORY[2])), RSS).without_validators());
    let run = ws.fetch(0);
    assert_eq!((counts(&run.stdout, "f").1, counts(&run.stdout, "f").2), (0, 1), "{}", run.stdout);
    let (old, new) = (json_items_from(&before), json_items(&ws, Some("f")));
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["id"], old[0]["id"]);
    assert!(new[0]["content_html"].as_str().unwrap().contains("Verbraucherzentrale"));
}

/// Three items, one a day (guid `gD`, link `https://site.example/D`, title `Tag D`), each with
/// the body `body(D)`, as `rss` takes them.
fn three_days(body: impl Fn(u32) -> String) -> Vec<(&'static str, &'static str, &'static str, String, u32)> {
    [
        ("g1", "https://site.example/1", "Tag 1"),
        ("g2", "https://site.example/2", "Tag 2"),
        ("g3", "https://site.example/3", "Tag 3"),
    ]
    .into_iter()
    .zip(1..)
    .map(|((g, l, t), d)| (g, l, t, body(d), d))
    .collect()
}

fn json_items_from(export: &str) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(export).unwrap();
    v["items"].as_array().unwrap().clone()
}

#[test]
fn retention_also_runs_when_the_feed_answers_304() {
    let o = Origin::start();
    let view = three_days(|d| format!("<p>Meldung {d}.</p>"));
    o.serve("/f.xml", Route::feed(rss(&view), RSS));
    let config = |n: usize| {
        format!(
            "[settings]\ndb = \"db\"\n\n[[feed]]\nname = \"f\"\nurl = \"{}\"\nretain_items = {n}\n",
            o.url("/f.xml")
        )
    };
    let ws = Workspace::with_config(&config(3));
    ws.fetch(0);
    assert_eq!(json_items(&ws, Some("f")).len(), 3);
    std::fs::write(ws.config(), config(1)).unwrap();
    let run = ws.fetch(0);
    assert_eq!(summary_row(&run.stdout, "f")[1], "304", "{}", run.stdout);
    let titles: Vec<String> =
        json_items(&ws, Some("f")).iter().map(|i| i["title"].as_str().unwrap().to_string()).collect();
    assert_eq!(titles, ["Tag 3"], "the lowered retention applied without a new document");
}
