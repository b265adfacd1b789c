//! Identity, canonical URLs and change detection. Pure.
//!
//! An item's identity is stable across polls. While a feed's guids are good it is the guid;
//! a feed whose guids are judged bad (`IdentityMode::Url`, decided in `refresh`) uses the
//! canonical URL instead; an item with neither gets a hash of its title and date (never a
//! random id). The canonical URL (`canonical_url`, compared by `canonical_key`) is the link
//! without tracking parameters and fragment, the same for http and https. The content hash
//! covers what a reader reads, so cosmetic changes are not updates. Near-identical texts across
//! feeds are found by `near`.

use url::Url;

use crate::clean::strip_tracking;
use crate::clean::text::squash;
pub use crate::model::IdentityMode;

/// The item link as feedscrub publishes it: absolute (against `base`), http(s) only, tracking
/// parameters removed.
pub fn clean_link_url(link: &str, base: Option<&Url>) -> Option<Url> {
    let link = link.trim();
    if link.is_empty() {
        return None;
    }
    let url = match Url::parse(link) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(link).ok()?,
        Err(_) => return None,
    };
    matches!(url.scheme(), "http" | "https").then(|| strip_tracking(&url))
}

/// The canonical URL of an item link: tracking parameters and fragment removed. (`Url`
/// already lowercases scheme and host and drops default ports.)
pub fn canonical_url(url: &Url) -> Url {
    let mut u = strip_tracking(url);
    u.set_fragment(None);
    u
}

/// What canonical URLs are compared by: host, port, path and query, without the scheme, so
/// `http://` and `https://` of the same URL are one.
pub fn canonical_key(url: &Url) -> String {
    let u = canonical_url(url);
    let mut k = String::with_capacity(u.as_str().len());
    k.push_str(u.host_str().unwrap_or(""));
    if let Some(p) = u.port() {
        k.push(':');
        k.push_str(&p.to_string());
    }
    k.push_str(u.path());
    if let Some(q) = u.query() {
        k.push('?');
        k.push_str(q);
    }
    k
}

/// Canonical keys of one fetch's item links (`canonical_key`), except that links which differ
/// only in their fragment keep it: a page that lists several items as anchors
/// (`index.html#item-1`, `#item-2`) gives each item its own key instead of one for all.
pub fn canonical_keys(links: &[Option<&Url>]) -> Vec<Option<String>> {
    let mut keys: Vec<Option<String>> = links.iter().map(|l| l.map(canonical_key)).collect();
    let mut fragments: std::collections::HashMap<&str, std::collections::HashSet<&str>> = Default::default();
    for (k, l) in keys.iter().zip(links) {
        if let (Some(k), Some(l)) = (k, l) {
            fragments.entry(k.as_str()).or_default().insert(l.fragment().unwrap_or(""));
        }
    }
    let shared: std::collections::HashSet<String> =
        fragments.into_iter().filter(|(_, f)| f.len() > 1).map(|(k, _)| k.to_string()).collect();
    if shared.is_empty() {
        return keys;
    }
    for (k, l) in keys.iter_mut().zip(links) {
        if let (Some(key), Some(Some(frag))) = (k.as_mut(), l.map(Url::fragment)) {
            if shared.contains(key.as_str()) && !frag.is_empty() {
                key.push('#');
                key.push_str(frag);
            }
        }
    }
    keys
}

/// `keys` (one fetch's `canonical_keys`) without those that stand for items with different
/// titles: a feed that links every item to its home page, or to a link such as `?feed=RSS`,
/// lists different stories under one link, and that link identifies none of them. Their keys
/// become `None`, so that `identity` tells the items apart by title and date, and no other feed's
/// item is taken for theirs. Items with one link and one title stay one (a story listed twice).
pub fn unshared_keys(mut keys: Vec<Option<String>>, titles: &[Option<&str>]) -> Vec<Option<String>> {
    let shared: std::collections::HashSet<String> = keys_with_two_values(
        keys.iter().zip(titles).filter_map(|(k, t)| Some((k.as_deref()?, squash(t.unwrap_or("")).to_lowercase()))),
    )
    .into_iter()
    .map(str::to_string)
    .collect();
    if !shared.is_empty() {
        for k in &mut keys {
            if k.as_ref().is_some_and(|k| shared.contains(k)) {
                *k = None;
            }
        }
    }
    keys
}

/// The keys that `pairs` give two different values, in the order their second value shows:
/// a guid used for two links, a link used for two titles.
pub fn keys_with_two_values<'a, V: PartialEq>(pairs: impl IntoIterator<Item = (&'a str, V)>) -> Vec<&'a str> {
    let mut first: std::collections::HashMap<&str, V> = std::collections::HashMap::new();
    let mut found = Vec::new();
    for (k, v) in pairs {
        match first.get(k) {
            Some(f) if *f != v && !found.contains(&k) => found.push(k),
            Some(_) => {}
            None => {
                first.insert(k, v);
            }
        }
    }
    found
}

/// The identity of an item within its feed under `mode`: the guid (in `Guid` mode), else the
/// canonical URL key, else a hash of the title and the date, else of the text (an item with
/// no guid, link, title or date).
pub fn identity(
    mode: IdentityMode,
    guid: Option<&str>,
    canonical: Option<&str>,
    title: Option<&str>,
    date: Option<&str>,
    text: &str,
) -> String {
    if mode == IdentityMode::Guid {
        if let Some(g) = guid.map(str::trim).filter(|g| !g.is_empty()) {
            return format!("guid:{g}");
        }
    }
    if let Some(c) = canonical.filter(|c| !c.is_empty()) {
        return format!("url:{c}");
    }
    let mut h = blake3::Hasher::new();
    let title = title.unwrap_or("").trim();
    let date = date.unwrap_or("");
    h.update(title.as_bytes());
    h.update(b"\0");
    if title.is_empty() && date.is_empty() {
        h.update(squash(text).as_bytes());
    } else {
        h.update(date.as_bytes());
    }
    format!("hash:{}", &h.finalize().to_hex()[..32])
}

/// Fixed-size storage key for an identity (identities can be long URLs).
pub fn storage_key(identity: &str) -> String {
    blake3::hash(identity.as_bytes()).to_hex()[..32].to_string()
}

/// Hash over the fields a reader sees. Whitespace differences do not count as a change.
pub fn content_hash(parts: &[&str]) -> String {
    let mut buf = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for p in parts {
        for (i, word) in p.split_ascii_whitespace().enumerate() {
            if i > 0 {
                buf.push(' ');
            }
            buf.push_str(word);
        }
        buf.push('\x1f');
    }
    blake3::hash(buf.as_bytes()).to_hex()[..32].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_made_absolute_and_web_only() {
        let base = Url::parse("https://news.example.org/section/").unwrap();
        let clean_link = |l: &str, b: Option<&Url>| clean_link_url(l, b).map(String::from);
        assert_eq!(clean_link("../a?utm_source=x", Some(&base)).as_deref(), Some("https://news.example.org/a"));
        assert_eq!(clean_link("javascript:alert(1)", Some(&base)), None);
        assert_eq!(clean_link("  ", Some(&base)), None);
        assert_eq!(clean_link("/x", None), None);
    }

    /// Regression: a page listing several items as anchors (`index.shtml#a`, `#b`) gave all of
    /// them one key, and all but one item were dropped as duplicates.
    #[test]
    fn links_that_differ_only_in_their_fragment_keep_it() {
        let urls: Vec<Url> =
            ["https://m.example/index.shtml#a", "https://m.example/index.shtml#b", "https://m.example/x#top"]
                .iter()
                .map(|u| Url::parse(u).unwrap())
                .collect();
        let links: Vec<Option<&Url>> = urls.iter().map(Some).chain([None]).collect();
        let keys = canonical_keys(&links);
        assert_eq!(keys[0].as_deref(), Some("m.example/index.shtml#a"));
        assert_eq!(keys[1].as_deref(), Some("m.example/index.shtml#b"));
        assert_eq!(keys[2].as_deref(), Some("m.example/x"), "a lone fragment is not identity");
        assert_eq!(keys[3], None);
    }

    /// Regression: a 2006 feed linked all nine of its items to "?feed=RSS"; they had one key,
    /// and eight of them were dropped as duplicates of the first.
    #[test]
    fn a_link_shared_by_different_titles_is_no_identity() {
        let key = |s: &str| Some(s.to_string());
        let keys = vec![key("s.example/?feed=RSS"), key("s.example/?feed=RSS"), key("s.example/a"), key("s.example/b")];
        let titles = [Some("One story"), Some("Another story"), Some("A"), Some("B")];
        assert_eq!(unshared_keys(keys, &titles), vec![None, None, key("s.example/a"), key("s.example/b")]);
        // the same story listed twice (case and spacing aside) keeps its key
        let twice = vec![key("s.example/a"), key("s.example/a")];
        assert_eq!(unshared_keys(twice.clone(), &[Some("Big  News"), Some("big news")]), twice);
        assert_eq!(unshared_keys(twice.clone(), &[Some("A"), None]), vec![None, None]);
    }

    #[test]
    fn identity_prefers_guid_then_canonical_url_then_title_and_date() {
        use IdentityMode::*;
        assert_eq!(identity(Guid, Some(" g1 "), Some("a/1"), None, None, ""), "guid:g1");
        assert_eq!(identity(Url, Some("g1"), Some("a/1"), None, None, ""), "url:a/1", "bad guids are ignored");
        assert_eq!(identity(Guid, Some(""), Some("a/1"), None, None, ""), "url:a/1");
        let a = identity(Guid, None, None, Some("T"), Some("2026-01-01"), "some text");
        assert!(a.starts_with("hash:"));
        assert_eq!(a, identity(Guid, None, None, Some("T"), Some("2026-01-01"), "changed text"), "text edits keep it");
        assert_ne!(a, identity(Guid, None, None, Some("T"), Some("2026-01-02"), "some text"));
        let t = identity(Guid, None, None, None, None, "some  text");
        assert_eq!(t, identity(Guid, None, None, None, None, "some text"), "whitespace-insensitive");
    }

    #[test]
    fn canonical_urls_drop_tracking_fragment_scheme_and_default_port() {
        let key = |s: &str| canonical_key(&Url::parse(s).unwrap());
        assert_eq!(key("HTTPS://News.Example.org:443/a/b?id=2&utm_source=rss#top"), "news.example.org/a/b?id=2");
        assert_eq!(key("http://news.example.org:80/a/b?id=2"), "news.example.org/a/b?id=2");
        assert_eq!(key("http://news.example.org:8080/a"), "news.example.org:8080/a");
        assert_ne!(key("https://news.example.org/a"), key("https://news.example.org/b"));
        assert_eq!(canonical_url(&Url::parse("http://a.example/x?fbclid=1#c").unwrap()).as_str(), "http://a.example/x");
    }

    #[test]
    fn content_hash_ignores_whitespace_only() {
        assert_eq!(content_hash(&["a  b", "c"]), content_hash(&["a b", " c "]));
        assert_ne!(content_hash(&["a b", "c"]), content_hash(&["a b", "d"]));
        assert_ne!(content_hash(&["ab", "c"]), content_hash(&["a", "bc"]), "field boundaries count");
    }
}
