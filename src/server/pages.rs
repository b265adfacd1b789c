//! The HTML index page and the OPML subscription list. Plain HTML, no JavaScript.

use std::fmt::Write;

use crate::config::Config;
use crate::export::xml_escape as esc;
use crate::store::{Store, StoreError};

/// Each configured feed with its status and links to its three outputs.
pub fn index(cfg: &Config, store: &Store, base: &str) -> Result<String, StoreError> {
    let mut o = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>feedscrub</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}.err{color:#a00}</style>\
         </head><body><h1>feedscrub</h1>\n",
    );
    let _ = writeln!(
        o,
        "<p>Clean feeds: all merged as <a href=\"{b}/all.rss\">RSS</a>, <a href=\"{b}/all.atom\">Atom</a>, \
         <a href=\"{b}/all.json\">JSON</a>; subscribe to all at once with <a href=\"{b}/feeds.opml\">OPML</a>.</p>",
        b = esc(base)
    );
    o.push_str("<table><tr><th>feed</th><th>items</th><th>ads &amp; junk removed</th><th>last success</th><th>last error</th><th>outputs</th></tr>\n");
    for f in &cfg.feeds {
        let st = store.feed_state(&f.name)?.unwrap_or_default();
        let title = st.meta.title.clone().unwrap_or_else(|| f.name.clone());
        let when = |d: Option<chrono::DateTime<chrono::Utc>>| {
            d.map_or("never".to_string(), |d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        };
        let _ = writeln!(
            o,
            "<tr><td><strong>{name}</strong><br>{title}</td><td>{items}</td><td>{ads}</td><td>{ok}</td><td class=\"err\">{err}</td>\
             <td><a href=\"{b}/feeds/{name}.rss\">RSS</a> <a href=\"{b}/feeds/{name}.atom\">Atom</a> <a href=\"{b}/feeds/{name}.json\">JSON</a></td></tr>",
            name = esc(&f.name),
            title = esc(&title),
            items = st.item_count,
            ads = st.ads_removed,
            ok = when(st.last_success),
            err = esc(st.last_error.as_deref().unwrap_or("")),
            b = esc(base),
        );
    }
    o.push_str("</table></body></html>\n");
    Ok(o)
}

/// OPML 2.0 listing the clean feeds' URLs (RSS), so a reader subscribes to all at once.
pub fn opml(cfg: &Config, store: &Store, base: &str) -> Result<String, StoreError> {
    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n<head><title>feedscrub: clean feeds</title></head>\n<body>\n");
    for f in &cfg.feeds {
        let st = store.feed_state(&f.name)?.unwrap_or_default();
        let title = st.meta.title.unwrap_or_else(|| f.name.clone());
        let _ = write!(
            o,
            "<outline type=\"rss\" text=\"{t}\" title=\"{t}\" xmlUrl=\"{}/feeds/{}.rss\"",
            esc(base),
            esc(&f.name),
            t = esc(&title)
        );
        if let Some(site) = st.meta.site_link {
            let _ = write!(o, " htmlUrl=\"{}\"", esc(&site));
        }
        o.push_str("/>\n");
    }
    o.push_str("</body>\n</opml>\n");
    Ok(o)
}
