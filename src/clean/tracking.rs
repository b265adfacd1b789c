//! Tracking parameters out of URLs: what the cleaner does to every link of an item and what
//! `dedup` does to an item's link before comparing it (the parameter lists are in `rules`).

use url::Url;

use super::rules;

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
}
