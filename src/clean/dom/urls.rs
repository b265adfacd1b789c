//! Pass 5: lazy images, absolute URLs, tracking parameters stripped.

use ego_tree::NodeId;
use scraper::{Html, Node};
use url::Url;

use super::*;
use crate::clean::strip_tracking;

/// Pass 5: lazy images, absolute URLs, tracking parameters.
pub(super) fn fix_urls(doc: &mut Html, root: NodeId, base: Option<&Url>) {
    let ids: Vec<NodeId> =
        doc.tree.get(root).expect("root").descendants().filter(|n| n.value().is_element()).map(|n| n.id()).collect();
    for id in ids {
        let mut node = doc.tree.get_mut(id).expect("element");
        let Node::Element(el) = node.value() else { continue };
        if el.name() == "img" || el.name() == "source" {
            for (lazy, real) in
                [("data-src", "src"), ("data-lazy-src", "src"), ("data-original", "src"), ("data-srcset", "srcset")]
            {
                let Some(v) = el.attr(lazy).map(str::to_string) else { continue };
                let current = el.attr(real).unwrap_or("");
                if current.is_empty()
                    || current.starts_with("data:")
                    || current.contains("placeholder")
                    || current.contains("blank.gif")
                {
                    set_attr(el, real, &v);
                }
            }
        }
        for attr in ["href", "src", "poster", "cite"] {
            if let Some(v) = el.attr(attr) {
                if let Some(abs) = absolutize(v, base) {
                    set_attr(el, attr, &abs);
                }
            }
        }
        if let Some(v) = el.attr("srcset").map(str::to_string) {
            let fixed: Vec<String> = srcset_candidates(&v)
                .into_iter()
                .filter_map(|(u, desc)| {
                    let abs = absolutize(u, base).unwrap_or_else(|| u.to_string());
                    // only web images: no javascript:, no data: documents
                    is_web_url(&abs).then(|| if desc.is_empty() { abs } else { format!("{abs} {desc}") })
                })
                .collect();
            if fixed.is_empty() {
                el.attrs.retain(|k, _| &*k.local != "srcset");
            } else {
                set_attr(el, "srcset", &fixed.join(", "));
            }
        }
    }
}

/// An absolute http(s) URL (or one relative to the page, which stays on the feed's site).
pub(super) fn is_web_url(u: &str) -> bool {
    let lower = u.trim_start().get(..8).unwrap_or(u).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || !u.contains(':')
}

/// The candidates of a `srcset` as (URL, descriptors), split as the HTML standard does: a URL
/// runs to the next whitespace (a trailing comma ends it), descriptors run to the next comma.
/// Commas inside URLs (`data:` URIs, query strings) stay in the URL.
pub(crate) fn srcset_candidates(v: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = v;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if rest.is_empty() {
            break;
        }
        let url_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let url = &rest[..url_end];
        if url.ends_with(',') {
            out.push((url.trim_end_matches(','), ""));
            rest = &rest[url_end..];
            continue;
        }
        let after = &rest[url_end..];
        let desc_end = after.find(',').unwrap_or(after.len());
        out.push((url, after[..desc_end].trim()));
        rest = &after[desc_end..];
    }
    out
}

/// Absolute form of a URL attribute with tracking parameters removed; `None` leaves it as is
/// (e.g. `mailto:`, or a relative URL with no base). Unsafe schemes are the sanitizer's job.
pub(super) fn absolutize(v: &str, base: Option<&Url>) -> Option<String> {
    let v = v.trim();
    if v.is_empty() || v.starts_with('#') {
        return None;
    }
    // Already absolute and nothing to strip: keep as is (most links and images; skips a parse).
    if (v.starts_with("https://") || v.starts_with("http://")) && !v.contains(['?', ' ', '\\']) {
        return None;
    }
    let url = match Url::parse(v) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(v).ok()?,
        Err(_) => return None,
    };
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    Some(strip_tracking(&url).to_string())
}
