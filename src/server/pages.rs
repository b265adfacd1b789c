//! The pages a person reads in a browser: the dashboard (`/`), a feed's items
//! (`/feeds/{name}`), one item with what the cleaner removed from it
//! (`/feeds/{name}/items/{id}`), and the OPML subscription list. Server-rendered HTML, no
//! JavaScript, one stylesheet (`STYLE`, served at `/style.css`). Feed text is escaped; item
//! bodies are the sanitized HTML the store keeps (only the sanitizer's output is stored); removed
//! text is shown escaped, as text.

use std::fmt::Write;

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

use crate::config::Config;
use crate::export::xml_escape as esc;
use crate::model::Item;
use crate::store::{Store, StoreError};

/// The one stylesheet: readable on a phone and a desktop, visible focus for keyboard use.
pub const STYLE: &str = "\
:root{color-scheme:light dark;--muted:#666;--line:#ddd;--bad:#a00}\
*{box-sizing:border-box}\
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem}\
img,video{max-width:100%;height:auto}\
a:focus,a:hover{outline:2px solid #36c;outline-offset:2px}\
nav{margin-bottom:1rem}nav a{margin-right:1rem}\
table{border-collapse:collapse;width:100%}td,th{padding:.3em .5em;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}\
.err{color:var(--bad)}.muted{color:var(--muted);font-size:.9em}\
article{border-bottom:1px solid var(--line);padding:.5rem 0 1rem}\
.body{overflow-wrap:anywhere}\
.removed td:first-child{white-space:nowrap}\
.removed td:last-child{font-family:ui-monospace,monospace;font-size:.85em;white-space:pre-wrap;overflow-wrap:anywhere}\
.ad{background:#fee;padding:.5em}\
@media (max-width:40rem){.wide{display:none}td,th{padding:.3em .25em}}\
";

/// Items per page of `/feeds/{name}`.
pub const PER_PAGE: usize = 20;

/// The page's start: doctype, `lang`, title, stylesheet, navigation.
fn head(title: &str, base: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"stylesheet\" href=\"{b}/style.css\"></head><body>\
         <nav><a href=\"{b}/\">feedscrub</a><a href=\"{b}/all.atom\">all feeds (Atom)</a><a href=\"{b}/feeds.opml\">OPML</a></nav>\n",
        t = esc(title),
        b = esc(base)
    )
}

/// An item's address: `/feeds/{name}/items/{id}`, the id percent-encoded.
pub fn item_path(base: &str, feed: &str, id: &str) -> String {
    format!("{}/feeds/{}/items/{}", base, feed, utf8_percent_encode(id, NON_ALPHANUMERIC))
}

fn when(d: Option<chrono::DateTime<chrono::Utc>>) -> String {
    d.map_or("never".to_string(), |d| d.format("%Y-%m-%d %H:%M UTC").to_string())
}

/// Each configured feed with its status and links to its page and its three outputs.
pub fn index(cfg: &Config, store: &Store, base: &str) -> Result<String, StoreError> {
    let mut o = head("feedscrub", base);
    o.push_str("<h1>feedscrub</h1>\n");
    let _ = writeln!(
        o,
        "<p>Clean feeds: all merged as <a href=\"{b}/all.rss\">RSS</a>, <a href=\"{b}/all.atom\">Atom</a>, \
         <a href=\"{b}/all.json\">JSON</a>; subscribe to all at once with <a href=\"{b}/feeds.opml\">OPML</a>.</p>",
        b = esc(base)
    );
    o.push_str("<table><tr><th>feed</th><th>items</th><th>ads &amp; junk removed (last fetch)</th><th class=\"wide\">last success · next poll</th><th>last error</th><th class=\"wide\">outputs</th></tr>\n");
    for f in &cfg.feeds {
        let st = store.feed_state(&f.name)?.unwrap_or_default();
        let title = feed_title(f, &st);
        let _ = writeln!(
            o,
            "<tr><td><a href=\"{b}/feeds/{name}\"><strong>{name}</strong></a><br>{title}</td><td>{items}</td><td>{ads} ({last_ads} ad items, {last_blocks} blocks)<br><a href=\"{b}/feeds/{name}/ads\" class=\"muted\">{ad_items} whole-ad items</a>{ft}</td><td class=\"wide\">{ok}<br><span class=\"muted\">next: {next}{backoff}</span></td><td class=\"err\">{err}</td>\
             <td class=\"wide\"><a href=\"{b}/feeds/{name}.rss\">RSS</a> <a href=\"{b}/feeds/{name}.atom\">Atom</a> <a href=\"{b}/feeds/{name}.json\">JSON</a></td></tr>",
            name = esc(&f.name),
            title = esc(&title),
            items = st.item_count,
            ads = st.ads_removed,
            ok = when(st.last_success),
            next = if st.gone { "never (410 Gone)".to_string() } else { st.next_poll.map_or("at start".to_string(), |d| when(Some(d))) },
            backoff = if st.failures > 0 { format!(", backing off after {} failures", st.failures) } else { String::new() },
            ad_items = st.ad_items.len(),
            last_ads = st.last_removed.0,
            last_blocks = st.last_removed.1,
            ft = if f.full_text {
                format!("<br><span class=\"muted\">full text: {} kept, {} rejected, {} failed</span>", st.full_text.kept, st.full_text.rejected, st.full_text.failed)
            } else {
                String::new()
            },
            err = esc(st.last_error.as_deref().unwrap_or("")),
            b = esc(base),
        );
    }
    o.push_str("</table></body></html>\n");
    Ok(o)
}

/// A feed's newest items as a reader sees them, `PER_PAGE` per page (`page` from 1), newest
/// first. `None` when no such feed is configured.
pub fn feed_page(
    cfg: &Config,
    store: &Store,
    base: &str,
    name: &str,
    page: usize,
) -> Result<Option<String>, StoreError> {
    let Some(f) = cfg.feed(name) else { return Ok(None) };
    let st = store.feed_state(&f.name)?.unwrap_or_default();
    let title = feed_title(f, &st);
    let mut items = store.items(&f.name)?;
    items.sort_by(|a, b| date_of(b).cmp(&date_of(a)).then_with(|| a.id.cmp(&b.id)));
    let pages = items.len().div_ceil(PER_PAGE).max(1);
    let page = page.clamp(1, pages);
    let mut o = head(&title, base);
    let _ = writeln!(
        o,
        "<h1>{t}</h1><p class=\"muted\">{n} items stored · <a href=\"{b}/feeds/{name}/ads\">{ads} whole-ad items</a> · last success {ok}{err} · <a href=\"{b}/feeds/{name}.atom\">Atom</a> <a href=\"{b}/feeds/{name}.rss\">RSS</a> <a href=\"{b}/feeds/{name}.json\">JSON</a></p>",
        t = esc(&title),
        n = items.len(),
        ads = st.ad_items.len(),
        ok = when(st.last_success),
        err = st.last_error.as_deref().map(|e| format!(" · <span class=\"err\">last error: {}</span>", esc(e))).unwrap_or_default(),
        b = esc(base),
        name = esc(&f.name),
    );
    for item in items.iter().skip((page - 1) * PER_PAGE).take(PER_PAGE) {
        let href = item_path(base, &f.name, &item.id);
        let _ = writeln!(
            o,
            "<article><h2><a href=\"{href}\">{t}</a></h2><p class=\"muted\">{date}{src} · {removed} removed</p><div class=\"body\">{body}</div></article>",
            href = esc(&href),
            t = esc(if item.title.is_empty() { "(untitled)" } else { &item.title }),
            date = when(Some(date_of(item))),
            src = source_link(item),
            removed = item.removed,
            body = item.html.as_str(),
        );
    }
    if pages > 1 {
        o.push_str("<nav>");
        if page > 1 {
            let _ = write!(o, "<a href=\"{}/feeds/{}?page={}\">newer</a>", esc(base), esc(&f.name), page - 1);
        }
        let _ = write!(o, "<span class=\"muted\">page {page} of {pages}</span>");
        if page < pages {
            let _ = write!(o, " <a href=\"{}/feeds/{}?page={}\">older</a>", esc(base), esc(&f.name), page + 1);
        }
        o.push_str("</nav>");
    }
    o.push_str("</body></html>\n");
    Ok(Some(o))
}

/// An item's date for a reader: published, else updated, else when feedscrub first saw it.
fn date_of(item: &Item) -> chrono::DateTime<chrono::Utc> {
    item.published.or(item.updated).unwrap_or(item.first_seen)
}

/// " · source" linking an item's page, or nothing.
fn source_link(item: &Item) -> String {
    item.link.as_deref().map(|l| format!(" · <a href=\"{}\">source</a>", esc(l))).unwrap_or_default()
}

/// A feed's title as its source gives it, else its name.
fn feed_title(f: &crate::config::FeedConfig, st: &crate::model::FeedState) -> String {
    st.meta.title.clone().unwrap_or_else(|| f.name.clone())
}

/// One item: the clean article, and every block the cleaner removed with its rule, the reason
/// and the start of its text (escaped). `None` when there is no such feed or item.
pub fn item_page(cfg: &Config, store: &Store, base: &str, name: &str, id: &str) -> Result<Option<String>, StoreError> {
    let Some(f) = cfg.feed(name) else { return Ok(None) };
    let Some(item) = store.item(&f.name, id)? else { return Ok(None) };
    let mut o = head(&item.title, base);
    let _ = writeln!(
        o,
        "<p class=\"muted\"><a href=\"{b}/feeds/{name}\">{name}</a></p><article><h1>{t}</h1><p class=\"muted\">{date}{src}</p><div class=\"body\">{body}</div></article>",
        b = esc(base),
        name = esc(&f.name),
        t = esc(&item.title),
        date = when(Some(date_of(&item))),
        src = source_link(&item),
        body = item.html.as_str(),
    );
    if let Some(ad) = item.removals.iter().find(|r| r.kind == "ad-item") {
        let _ = writeln!(o, "<p class=\"ad\">This whole item is an ad, kept and marked because the feed has <code>ads = \"mark\"</code>: {}.</p>", esc(&ad.why));
    }
    let blocks: Vec<_> = item.removals.iter().filter(|r| r.kind != "ad-item").collect();
    let _ = writeln!(o, "<h2>What feedscrub removed</h2>");
    if blocks.is_empty() {
        o.push_str("<p>Nothing: the item came clean.</p>\n");
    } else {
        let _ = writeln!(
            o,
            "<p class=\"muted\">{} removals ({} of ads, {} of boilerplate){}</p><table class=\"removed\"><tr><th>rule</th><th>why</th><th>removed text</th></tr>",
            blocks.len(),
            blocks.iter().filter(|r| r.kind == "ad").count(),
            blocks.iter().filter(|r| r.kind == "boilerplate").count(),
            if item.removals.len() >= crate::model::REMOVALS_KEPT { "; the first ones are listed" } else { "" },
        );
        for r in blocks {
            let _ = writeln!(
                o,
                "<tr><td>{}<br><span class=\"muted\">{}</span></td><td>{}</td><td>{}</td></tr>",
                esc(&r.rule),
                esc(&r.kind),
                esc(&r.why),
                esc(&r.what)
            );
        }
        o.push_str("</table>\n");
    }
    o.push_str("</body></html>\n");
    Ok(Some(o))
}

/// The items of a feed judged ads as a whole (dropped, or kept marked), newest first, with the
/// rule that judged them: where a false positive shows. `None` when no such feed.
pub fn ads_page(cfg: &Config, store: &Store, base: &str, name: &str) -> Result<Option<String>, StoreError> {
    let Some(f) = cfg.feed(name) else { return Ok(None) };
    let st = store.feed_state(&f.name)?.unwrap_or_default();
    let title = feed_title(f, &st);
    let mut o = head(&format!("{title}: whole-ad items"), base);
    let _ = writeln!(
        o,
        "<p class=\"muted\"><a href=\"{b}/feeds/{name}\">{name}</a></p><h1>Whole-ad items</h1>\
         <p>Items of this feed judged ads as a whole (the latest {max}); with <code>ads = \"{mode}\"</code> they are {what}.</p>",
        b = esc(base),
        name = esc(&f.name),
        max = crate::model::AD_ITEMS_KEPT,
        mode = f.ads.as_str(),
        what = match f.ads {
            crate::config::AdsMode::Drop => "dropped",
            crate::config::AdsMode::Mark => "kept with \"[Ad]\" before the title",
            crate::config::AdsMode::Keep => "kept as they are",
        },
    );
    if st.ad_items.is_empty() {
        o.push_str("<p>None so far.</p>\n");
    } else {
        o.push_str("<table><tr><th>title</th><th class=\"wide\">seen</th><th>why</th><th>done</th></tr>\n");
        for a in &st.ad_items {
            let title = match &a.link {
                Some(l) => format!("<a href=\"{}\">{}</a>", esc(l), esc(&a.title)),
                None => esc(&a.title).to_string(),
            };
            let _ = writeln!(
                o,
                "<tr><td>{title}</td><td class=\"wide\">{}</td><td>{}</td><td>{}</td></tr>",
                when(Some(a.seen)),
                esc(&a.why),
                esc(&a.action)
            );
        }
        o.push_str("</table>\n");
    }
    o.push_str("</body></html>\n");
    Ok(Some(o))
}

/// OPML 2.0 listing the clean feeds' URLs (RSS), so a reader subscribes to all at once.
pub fn opml(cfg: &Config, store: &Store, base: &str) -> Result<String, StoreError> {
    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n<head><title>feedscrub: clean feeds</title></head>\n<body>\n");
    for f in &cfg.feeds {
        let st = store.feed_state(&f.name)?.unwrap_or_default();
        let title = feed_title(f, &st);
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
