//! Renderer tests: escaping, validity-critical elements, and snapshots of each format.

use chrono::{TimeZone, Utc};

use super::*;
use crate::model::CleanHtml;

fn item(id: &str, title: &str, day: u32) -> Item {
    Item {
        title: title.into(),
        link: Some(format!("https://news.example.org/{day}")),
        html: CleanHtml::from_sanitized("<p>Body &amp; more</p>".into()),
        authors: vec!["Ana".into()],
        categories: vec!["Politik".into()],
        published: Some(Utc.with_ymd_and_hms(2026, 3, day, 8, 0, 0).unwrap()),
        first_seen: Utc.with_ymd_and_hms(2026, 3, 20, 0, 0, 0).unwrap(),
        ..Item::sample("news", id)
    }
}

fn channel() -> Channel {
    Channel {
        name: "news".into(),
        title: "News <&>".into(),
        site_link: Some("https://news.example.org/".into()),
        description: "D".into(),
        self_url: Some("http://127.0.0.1:8080/feeds/news.rss".into()),
        merged: false,
    }
}

fn sample() -> Vec<Item> {
    let mut two = item("guid:https://news.example.org/2", "Two \u{1} <b>bold</b> ]]>", 2);
    two.removed = 3;
    vec![two, item("hash:abc", "One", 1)]
}

fn render_all(format: Format) -> String {
    let src =
        SourceFeed { feed: "news".into(), title: "News".into(), url: Some("https://news.example.org/feed".into()) };
    let items = sample();
    let entries: Vec<Entry> = items.iter().map(|i| Entry { item: i, source: &src, also: Vec::new() }).collect();
    render(format, &channel(), &entries)
}

#[test]
fn xml_escape_drops_illegal_characters() {
    assert_eq!(xml_escape("a<b>&\"'\u{0}\u{1}\t\n\u{FFFE}z"), "a&lt;b&gt;&amp;&quot;&apos;\t\nz");
}

#[test]
fn every_format_parses_back_with_titles_intact() {
    for format in [Format::Rss, Format::Atom, Format::Json] {
        let out = render_all(format);
        let feed = feed_rs::parser::parse(out.as_bytes()).unwrap_or_else(|e| panic!("{format:?}: {e}\n{out}"));
        let titles: Vec<String> = feed.entries.iter().map(|e| e.title.clone().unwrap().content).collect();
        assert_eq!(titles, vec!["Two  <b>bold</b> ]]>", "One"], "{format:?}: U+0001 dropped, markup kept as text");
        assert_eq!(feed.entries[0].id, "https://news.example.org/2", "{format:?}: URL guids are kept");
        assert!(feed.entries[1].id.starts_with("urn:feedscrub:news:"), "{format:?}");
    }
}

#[test]
fn public_ids_are_stable_and_prefer_the_feeds_own() {
    assert_eq!(public_id(&item("guid:https://a.example/1", "t", 1)), "https://a.example/1");
    // identified by canonical URL (no scheme): published as the item's link
    assert_eq!(public_id(&item("url:news.example.org/1", "t", 1)), "https://news.example.org/1");
    let urn = public_id(&item("guid:1234", "t", 1));
    assert!(urn.starts_with("urn:feedscrub:news:"));
    assert_eq!(urn, public_id(&item("guid:1234", "other title", 3)), "depends on identity only");
}

#[test]
fn newest_first() {
    let mut items = vec![item("a", "a", 1), item("b", "b", 3), item("c", "c", 2)];
    sort_newest_first(&mut items);
    assert_eq!(items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["b", "c", "a"]);
}

#[test]
fn rss_snapshot() {
    insta::assert_snapshot!(render_all(Format::Rss));
}

#[test]
fn atom_snapshot() {
    insta::assert_snapshot!(render_all(Format::Atom));
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!(render_all(Format::Json));
}
