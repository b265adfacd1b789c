//! JSON Feed 1.1 renderer (<https://jsonfeed.org/version/1.1>). Cleaned HTML goes into
//! `content_html`; in merged output each item names its source in `_feedscrub.source`, and
//! `_feedscrub.removed_blocks` counts the ad and boilerplate blocks the cleaner removed;
//! `_feedscrub.full_text` says why a full-text feed's item carries the feed's own content
//! (`rejected: …`, `failed: …`).

use serde_json::{json, Map, Value};

use super::{legal_text as t, public_id, Channel, Entry};

pub fn render(ch: &Channel, entries: &[Entry]) -> String {
    let mut feed = Map::new();
    feed.insert("version".into(), json!("https://jsonfeed.org/version/1.1"));
    feed.insert("title".into(), json!(t(&ch.title)));
    if let Some(l) = &ch.site_link {
        feed.insert("home_page_url".into(), json!(l));
    }
    if let Some(s) = &ch.self_url {
        feed.insert("feed_url".into(), json!(s));
    }
    if !ch.description.is_empty() {
        feed.insert("description".into(), json!(t(&ch.description)));
    }
    let items: Vec<Value> = entries
        .iter()
        .map(|e| {
            let it = e.item;
            let mut m = Map::new();
            m.insert("id".into(), json!(public_id(it)));
            if let Some(l) = &it.link {
                m.insert("url".into(), json!(l));
            }
            if !it.title.is_empty() {
                m.insert("title".into(), json!(t(&it.title)));
            }
            m.insert("content_html".into(), json!(t(it.html.as_str())));
            if let Some(p) = it.published.or(it.updated) {
                m.insert("date_published".into(), json!(p.to_rfc3339()));
            }
            if let Some(u) = it.updated {
                m.insert("date_modified".into(), json!(u.to_rfc3339()));
            }
            if !it.authors.is_empty() {
                m.insert("authors".into(), Value::Array(it.authors.iter().map(|a| json!({ "name": t(a) })).collect()));
            }
            if !it.categories.is_empty() {
                m.insert("tags".into(), json!(it.categories.iter().map(|c| t(c)).collect::<Vec<_>>()));
            }
            let mut ext = serde_json::Map::new();
            if ch.merged {
                ext.insert(
                    "source".into(),
                    json!({ "feed": it.feed, "title": t(&e.source.title), "url": e.source.url }),
                );
            }
            if !e.also.is_empty() {
                ext.insert(
                    "also".into(),
                    Value::Array(
                        e.also.iter().map(|a| json!({ "feed": a.feed, "title": t(&a.title), "url": a.url })).collect(),
                    ),
                );
            }
            if it.removed > 0 {
                ext.insert("removed_blocks".into(), json!(it.removed));
            }
            if let Some(f) = it.full_text.as_ref().filter(|f| f.outcome != crate::model::FullTextOutcome::Kept) {
                ext.insert("full_text".into(), json!(f.outcome.describe()));
            }
            if !ext.is_empty() {
                m.insert("_feedscrub".into(), Value::Object(ext));
            }
            Value::Object(m)
        })
        .collect();
    feed.insert("items".into(), Value::Array(items));
    let mut s = serde_json::to_string_pretty(&Value::Object(feed)).expect("JSON values serialize");
    s.push('\n');
    s
}
