//! Identity and change detection. Pure.
//!
//! An item's identity is stable across polls: the feed's guid, else its link without tracking
//! parameters, else a hash of title and cleaned text (never a random id). The content hash
//! covers what a reader sees, so an unchanged item is recognised and a changed one is updated
//! in place. Cross-feed near-duplicate detection is not here yet (issue 5).

use url::Url;

use crate::clean::rules;

/// `url` without tracking parameters (`utm_*`, `fbclid`, … from `clean::rules`). Other
/// parameters keep their order; an emptied query is removed.
pub fn strip_tracking(url: &Url) -> Url {
    let Some(q) = url.query() else { return url.clone() };
    let is_tracking = |k: &str| {
        let k = k.to_ascii_lowercase();
        rules::TRACKING_PARAMS.contains(&k.as_str()) || rules::TRACKING_PARAM_PREFIXES.iter().any(|p| k.starts_with(p))
    };
    let kept: Vec<&str> = q
        .split('&')
        .filter(|pair| {
            let k = pair.split('=').next().unwrap_or("");
            !pair.is_empty() && !is_tracking(&percent_decode(k))
        })
        .collect();
    let mut out = url.clone();
    if kept.is_empty() {
        out.set_query(None);
    } else {
        out.set_query(Some(&kept.join("&")));
    }
    out
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(s.as_bytes()).next().map(|(k, _)| k.into_owned()).unwrap_or_default()
}

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

/// The identity of an item within its feed. `guid` and `link` as given by the feed (the link
/// already cleaned), `text` the cleaned plain text.
pub fn identity(guid: Option<&str>, link: Option<&str>, title: Option<&str>, text: &str) -> String {
    if let Some(g) = guid.map(str::trim).filter(|g| !g.is_empty()) {
        return format!("guid:{g}");
    }
    if let Some(l) = link.filter(|l| !l.is_empty()) {
        return format!("url:{l}");
    }
    let mut h = blake3::Hasher::new();
    h.update(title.unwrap_or("").trim().as_bytes());
    h.update(b"\0");
    h.update(normalize_ws(text).as_bytes());
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

fn normalize_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_strip(input: &str, expected: &str) {
        assert_eq!(strip_tracking(&Url::parse(input).unwrap()).as_str(), expected);
    }

    #[test]
    fn tracking_parameters_are_stripped() {
        check_strip("https://a.de/x?utm_source=rss&utm_medium=feed", "https://a.de/x");
        check_strip("https://a.de/x?id=2&utm_source=rss&fbclid=abc&b=3", "https://a.de/x?id=2&b=3");
        check_strip("https://a.de/x?UTM_Campaign=1&gclid=2#frag", "https://a.de/x#frag");
        check_strip("https://a.de/x?page=2", "https://a.de/x?page=2");
        check_strip("https://a.de/x?mc_cid=1&mc_eid=2&mtm_kwd=3&igshid=4", "https://a.de/x");
    }

    #[test]
    fn links_are_made_absolute_and_web_only() {
        let base = Url::parse("https://news.example.org/section/").unwrap();
        let clean_link = |l: &str, b: Option<&Url>| clean_link_url(l, b).map(String::from);
        assert_eq!(clean_link("../a?utm_source=x", Some(&base)).as_deref(), Some("https://news.example.org/a"));
        assert_eq!(clean_link("javascript:alert(1)", Some(&base)), None);
        assert_eq!(clean_link("  ", Some(&base)), None);
        assert_eq!(clean_link("/x", None), None);
    }

    #[test]
    fn identity_prefers_guid_then_link_then_hash() {
        assert_eq!(identity(Some(" g1 "), Some("https://a/1"), None, ""), "guid:g1");
        assert_eq!(identity(Some(""), Some("https://a/1"), None, ""), "url:https://a/1");
        let a = identity(None, None, Some("T"), "some  text");
        assert!(a.starts_with("hash:"));
        assert_eq!(a, identity(None, None, Some("T"), "some text"), "stable, whitespace-insensitive");
        assert_ne!(a, identity(None, None, Some("T2"), "some text"));
    }

    #[test]
    fn content_hash_ignores_whitespace_only() {
        assert_eq!(content_hash(&["a  b", "c"]), content_hash(&["a b", " c "]));
        assert_ne!(content_hash(&["a b", "c"]), content_hash(&["a b", "d"]));
        assert_ne!(content_hash(&["ab", "c"]), content_hash(&["a", "bc"]), "field boundaries count");
    }
}
