//! Finding a site's feed, for `feedscrub add`: given a site's address or a feed's, the feeds it
//! announces (`<link rel="alternate">` of RSS, Atom and JSON Feed types), else the paths feeds
//! usually live at (`COMMON_PATHS`), each fetched and parsed to prove it works. Then the
//! `[[feed]]` table is appended to `feeds.toml` keeping its comments and layout (toml_edit, as
//! `opml import` does), and `remove` takes one out the same way.
//!
//! The page's links are read here (pure); fetching goes through the feed client (`Fetcher`),
//! with its timeout, body cap and redirect rules.

use url::Url;

use crate::config::{Config, Source};
use crate::fetch::{Fetched, Fetcher};
use crate::model::Validators;

/// MIME types of `<link rel="alternate" type=…>` that announce a feed.
pub const FEED_TYPES: &[&str] = &[
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/x.atom+xml",
    "application/x-atom+xml",
    "text/xml",
];

/// Where feeds live when a page announces none, tried in this order against the site's root.
pub const COMMON_PATHS: &[&str] =
    &["/feed", "/rss.xml", "/atom.xml", "/index.xml", "/feed.xml", "/rss", "/feed.json", "/index.rss", "/?feed=rss2"];

/// A feed a page announces: its absolute URL and the title the link gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announced {
    pub url: String,
    pub title: String,
}

/// The feeds an HTML page announces, in document order, without repeats: `<link>` elements
/// whose `rel` has `alternate` and whose `type` is one of `FEED_TYPES` (`application/json`
/// only with a title or a path that says feed, as some sites announce other JSON so), resolved
/// against the page's `<base href>` or its URL.
pub fn announced_feeds(html: &str, page: &Url) -> Vec<Announced> {
    let doc = scraper::Html::parse_document(html);
    let sel = |s: &str| scraper::Selector::parse(s).expect("valid selector");
    let base = doc
        .select(&sel("base[href]"))
        .next()
        .and_then(|b| b.value().attr("href"))
        .and_then(|h| page.join(h.trim()).ok())
        .unwrap_or_else(|| page.clone());
    let mut out: Vec<Announced> = Vec::new();
    for link in doc.select(&sel("link[rel][href]")) {
        let el = link.value();
        let rel = el.attr("rel").unwrap_or_default();
        if !rel.split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case("alternate")) {
            continue;
        }
        let ty = el.attr("type").unwrap_or_default().split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        if !FEED_TYPES.contains(&ty.as_str()) {
            continue;
        }
        let Some(url) = el.attr("href").and_then(|h| base.join(h.trim()).ok()) else { continue };
        if !matches!(url.scheme(), "http" | "https") {
            continue;
        }
        let title = crate::clean::text::squash(el.attr("title").unwrap_or_default());
        if ty == "application/json" && title.is_empty() && !url.path().to_ascii_lowercase().contains("feed") {
            continue;
        }
        if !out.iter().any(|a| a.url == url.as_str()) {
            out.push(Announced { url: url.to_string(), title });
        }
    }
    out
}

/// A feed that was fetched and parsed: where, its title, how many items it has now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub url: String,
    pub title: String,
    pub items: usize,
}

/// What a URL turned out to be.
#[derive(Debug)]
pub enum Discovery {
    /// The URL is a feed itself.
    Feed(Found),
    /// A page that announces these feeds (those that fetched and parsed; `broken` those that
    /// did not, with why), or that has one at a common path.
    Page { found: Vec<Found>, broken: Vec<(String, String)> },
}

/// Why no feed was found.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("{0}")]
    Fetch(#[from] crate::fetch::FetchError),
    #[error("{url}: answered 304 Not Modified to a request without validators")]
    NoBody { url: String },
    #[error("{url}: neither a feed nor a page that announces one (no <link rel=\"alternate\"> of a feed type, and none of {} answered with a feed)", COMMON_PATHS.join(", "))]
    Nothing { url: String },
    #[error("{url}: the page announces feeds, but none of them works: {why}")]
    AllBroken { url: String, why: String },
}

/// Fetches `url` and the bytes it answers (body, charset).
async fn get(fetcher: &Fetcher, url: &Url) -> Result<(Vec<u8>, Option<String>), DiscoverError> {
    match fetcher.fetch(&Source::Http(url.clone()), &Validators::default(), false).await?.0 {
        Fetched::Modified { body, charset, .. } => Ok((body, charset)),
        Fetched::NotModified { .. } => Err(DiscoverError::NoBody { url: url.to_string() }),
    }
}

/// The feed `url` answered with `body`, if it parses as one.
fn found_in(body: &[u8], charset: Option<&str>, url: &Url) -> Result<Found, String> {
    let parsed = crate::parse::parse_feed(body, charset, Some(url.as_str())).map_err(|e| format!("{url}: {e}"))?;
    Ok(Found { url: url.to_string(), title: parsed.meta.title.unwrap_or_default(), items: parsed.items.len() })
}

/// The feed at `url`, if what it answers parses as one.
async fn try_feed(fetcher: &Fetcher, url: &Url) -> Result<Found, String> {
    let (body, charset) = get(fetcher, url).await.map_err(|e| e.to_string())?;
    found_in(&body, charset.as_deref(), url)
}

/// What `url` is: a feed, or a page with the feeds it announces (else one at a common path).
pub async fn discover(fetcher: &Fetcher, url: &Url) -> Result<Discovery, DiscoverError> {
    let (body, charset) = get(fetcher, url).await?;
    if let Ok(found) = found_in(&body, charset.as_deref(), url) {
        return Ok(Discovery::Feed(found));
    }
    let page = crate::charset::decode_page(&body, charset.as_deref());
    let announced = announced_feeds(&page, url);
    if !announced.is_empty() {
        let (mut found, mut broken) = (Vec::new(), Vec::new());
        for a in announced {
            let target = Url::parse(&a.url).expect("announced URLs are absolute");
            match try_feed(fetcher, &target).await {
                Ok(mut f) => {
                    if f.title.is_empty() {
                        f.title = a.title;
                    }
                    found.push(f);
                }
                Err(why) => broken.push((a.url, why)),
            }
        }
        if found.is_empty() {
            let why = broken.iter().map(|(_, w)| w.as_str()).collect::<Vec<_>>().join("; ");
            return Err(DiscoverError::AllBroken { url: url.to_string(), why });
        }
        return Ok(Discovery::Page { found, broken });
    }
    for path in COMMON_PATHS {
        let Ok(target) = url.join(path) else { continue };
        if let Ok(f) = try_feed(fetcher, &target).await {
            return Ok(Discovery::Page { found: vec![f], broken: Vec::new() });
        }
    }
    Err(DiscoverError::Nothing { url: url.to_string() })
}

/// Appends a `[[feed]]` table for `url` to the config text (comments and layout kept): its name
/// is `name`, else a slug of `title` unique in `cfg`; `full_text` adds `full_text = true`.
/// Returns the new text and the name. Err when the URL is configured already (naming the
/// feed) or the name is taken.
pub fn append_feed(
    config_text: &str,
    cfg: &Config,
    url: &str,
    title: &str,
    name: Option<&str>,
    full_text: bool,
) -> Result<(String, String), String> {
    if let Some(f) = cfg.feeds.iter().find(|f| matches!(&f.source, Source::Http(u) if u.as_str() == url)) {
        return Err(format!("{url} is already configured as {:?}", f.name));
    }
    let taken: Vec<String> = cfg.feeds.iter().map(|f| f.name.clone()).collect();
    let name = match name {
        Some(n) if taken.iter().any(|t| t == n) => return Err(format!("a feed named {n:?} is already configured")),
        Some(n) if !crate::config::is_slug(n) => {
            return Err(format!("{n:?} is not a valid name (lowercase letters, digits, - and _)"));
        }
        Some(n) => n.to_string(),
        None => crate::opml::unique_slug(title, &Url::parse(url).map_err(|e| format!("{url}: {e}"))?, &taken),
    };
    let mut doc: toml_edit::DocumentMut = config_text.parse().map_err(|e| format!("cannot edit the config: {e}"))?;
    let mut table = crate::opml::feed_table(&name, url, title, "added by feedscrub add");
    if full_text {
        table.insert("full_text", toml_edit::value(true));
    }
    crate::opml::push_feed_table(&mut doc, table)?;
    Ok((doc.to_string(), name))
}

/// The config text without the `[[feed]]` table named `name` (its comment lines go with it; the
/// rest of the file is kept as it is). Err when no feed has that name.
pub fn remove_feed(config_text: &str, name: &str) -> Result<String, String> {
    let mut doc: toml_edit::DocumentMut = config_text.parse().map_err(|e| format!("cannot edit the config: {e}"))?;
    let Some(array) = doc.get_mut("feed").and_then(|f| f.as_array_of_tables_mut()) else {
        return Err(format!("no feed named {name:?}: the config has no [[feed]] tables"));
    };
    let Some(i) = array.iter().position(|t| t.get("name").and_then(|n| n.as_str()) == Some(name)) else {
        return Err(format!("no feed named {name:?}"));
    };
    array.remove(i);
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("https://blog.example.org/2026/post.html").unwrap()
    }

    #[test]
    fn announced_feeds_are_read_from_link_tags() {
        let html = r#"<html><head>
            <link rel="stylesheet" href="/s.css">
            <link rel="alternate" type="application/rss+xml" title="Posts" href="/feed/">
            <link rel="alternate nofollow" type="application/atom+xml" href="atom.xml">
            <link rel="alternate" type="application/feed+json" title="JSON" href="https://cdn.example.org/feed.json">
            <link rel="alternate" type="application/rss+xml" href="/feed/">
            <link rel="alternate" type="text/html" hreflang="de" href="/de/">
            <link rel="alternate" type="application/json" href="/wp-json/wp/v2/posts/1">
            <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
        </head><body></body></html>"#;
        let got = announced_feeds(html, &page());
        assert_eq!(
            got,
            vec![
                Announced { url: "https://blog.example.org/feed/".into(), title: "Posts".into() },
                Announced { url: "https://blog.example.org/2026/atom.xml".into(), title: String::new() },
                Announced { url: "https://cdn.example.org/feed.json".into(), title: "JSON".into() },
            ]
        );
    }

    #[test]
    fn a_base_href_resolves_the_links() {
        let html = r#"<head><base href="https://example.net/site/"><link rel=alternate type="application/atom+xml" href="atom.xml"></head>"#;
        assert_eq!(announced_feeds(html, &page())[0].url, "https://example.net/site/atom.xml");
    }

    fn cfg(text: &str) -> Config {
        Config::parse(text, std::path::Path::new("feeds.toml"), std::path::Path::new(".")).unwrap()
    }

    #[test]
    fn append_keeps_the_file_and_remove_takes_the_table_out() {
        let text = "# my feeds\n[settings]\ninterval = \"30m\" # often\n\n# the first\n[[feed]]\nname = \"a\"\nurl = \"https://a.example/feed\"\n";
        let c = cfg(text);
        let (new, name) = append_feed(text, &c, "https://b.example/rss.xml", "Bäckerei News!", None, true).unwrap();
        assert_eq!(name, "baeckerei-news");
        assert!(new.starts_with(text), "the file is kept:\n{new}");
        assert!(
            new.contains("name = \"baeckerei-news\"\nurl = \"https://b.example/rss.xml\"\nfull_text = true"),
            "{new}"
        );
        let c2 = cfg(&new);
        assert_eq!(c2.feeds.len(), 2);
        // the same URL again, or a taken name: refused
        assert!(append_feed(&new, &c2, "https://b.example/rss.xml", "x", None, false)
            .unwrap_err()
            .contains("baeckerei-news"));
        assert!(append_feed(&new, &c2, "https://c.example/", "x", Some("a"), false).is_err());
        assert!(append_feed(&new, &c2, "https://c.example/", "x", Some("Not A Slug"), false).is_err());
        // removing it gives the original file back
        assert_eq!(remove_feed(&new, "baeckerei-news").unwrap(), text);
        assert!(remove_feed(&new, "nope").unwrap_err().contains("nope"));
    }
}
