//! The page's metadata: `<meta>` (OpenGraph, article:*, name=author…), schema.org microdata,
//! JSON-LD (`NewsArticle` and friends) and `<link rel=canonical>`. Read before pruning.

use dom_query::Document;
use serde_json::Value;
use url::Url;

use super::rules::ARTICLE_TYPES;

/// What the page says about itself; every field as found (URLs still relative).
#[derive(Debug, Default, Clone)]
pub struct Meta {
    pub title: Option<String>,
    pub author: Option<String>,
    pub published: Option<String>,
    pub image: Option<String>,
    pub canonical: Option<String>,
    /// JSON-LD `articleBody` (else a `HowTo`'s or `Recipe`'s steps), the fallback when the DOM
    /// gives little.
    pub body: Option<String>,
}

/// Collapses whitespace; `None` for an empty result.
pub(crate) fn norm(s: &str) -> Option<String> {
    let t = super::squash(s);
    (!t.is_empty()).then_some(t)
}

/// The page's `<meta>` elements as (attribute, key, content), read once: `property`, `name`
/// and `itemprop` are the attributes that name a key.
struct Metas(Vec<(usize, String, String)>);

const META_KEY_ATTRS: [&str; 3] = ["property", "name", "itemprop"];

impl Metas {
    fn read(doc: &Document) -> Metas {
        let mut out = Vec::new();
        for m in doc.select("meta[content]").nodes() {
            let Some(content) = m.attr("content") else { continue };
            for (i, attr) in META_KEY_ATTRS.iter().enumerate() {
                let Some(keys) = m.attr(attr) else { continue };
                // `itemprop` names a list of properties ("name headline"); the others one key
                if *attr == "itemprop" {
                    out.extend(keys.split_whitespace().map(|k| (i, k.to_string(), content.to_string())));
                } else {
                    out.push((i, keys.trim().to_string(), content.to_string()));
                }
            }
        }
        Metas(out)
    }

    /// The first key of `keys` that a `<meta>` gives a content (by `property`, then `name`, then
    /// `itemprop`; keys compared ignoring ASCII case; the first such element of the page).
    fn content(&self, keys: &[&str]) -> Option<String> {
        keys.iter().find_map(|key| {
            (0..META_KEY_ATTRS.len()).find_map(|attr| {
                self.0
                    .iter()
                    .filter(|(a, k, _)| *a == attr && k.eq_ignore_ascii_case(key))
                    .find_map(|(_, _, c)| norm(c))
            })
        })
    }
}

/// `@type`s (lowercase) of the JSON-LD objects that carry a page's instructions.
const STEP_TYPES: &[&str] = &["howto", "recipe"];

/// The page's JSON-LD objects (`@graph` flattened), read once: those of an article type, best
/// first, and those of a `STEP_TYPES` type (an object of both is in both).
fn json_ld(doc: &Document) -> (Vec<Value>, Vec<Value>) {
    let (mut articles, mut steps) = (Vec::new(), Vec::new());
    for s in doc.select("script[type=\"application/ld+json\" i]").iter() {
        let text = s.text();
        let Ok(v) = serde_json::from_str::<Value>(text.trim()) else { continue };
        let mut stack = vec![v];
        while let Some(v) = stack.pop() {
            match v {
                Value::Array(a) => stack.extend(a),
                Value::Object(mut o) => {
                    if let Some(g) = o.remove("@graph") {
                        stack.push(g);
                    }
                    let of_type = |types: &[&str]| match o.get("@type") {
                        Some(Value::String(t)) => types.contains(&t.to_ascii_lowercase().as_str()),
                        Some(Value::Array(ts)) => ts
                            .iter()
                            .any(|t| t.as_str().is_some_and(|t| types.contains(&t.to_ascii_lowercase().as_str()))),
                        _ => false,
                    };
                    // (a page has one such object, if any: a copy costs nothing)
                    if of_type(STEP_TYPES) {
                        steps.push(Value::Object(o.clone()));
                    }
                    if of_type(ARTICLE_TYPES) {
                        articles.push(Value::Object(o));
                    }
                }
                _ => {}
            }
        }
    }
    // A WebPage only when nothing more specific is there.
    let is_page = |v: &Value| v.get("@type").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case("webpage"));
    articles.sort_by_key(is_page);
    (articles, steps)
}

/// The text of a page's instructions as JSON-LD gives them (`HowTo`, `Recipe`): the
/// description, the ingredients, then each step (a step's `text`, a section's `name` and
/// steps), one paragraph each, markup taken out. For pages that draw their steps with
/// scripts only; `None` when there are none.
fn ld_steps_body(objects: &[Value]) -> Option<String> {
    fn paragraphs(html: &str, out: &mut Vec<String>) {
        static BREAKS: std::sync::LazyLock<regex::Regex> =
            std::sync::LazyLock::new(|| regex::Regex::new(r"(?i)</p>|<br\s*/?>|</li>|</h[1-6]>").expect("valid regex"));
        for chunk in BREAKS.split(html) {
            let text = if chunk.contains('<') || chunk.contains('&') {
                Document::fragment(chunk).html_root().text().to_string()
            } else {
                chunk.to_string()
            };
            out.extend(norm(&text));
        }
    }
    fn steps(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => paragraphs(s, out),
            Value::Array(a) => a.iter().for_each(|s| steps(s, out)),
            Value::Object(o) => {
                let section = o.get("itemListElement");
                if let Some(name) = o.get("name").and_then(Value::as_str).filter(|_| section.is_some()) {
                    paragraphs(name, out);
                }
                match (o.get("text"), section) {
                    (Some(t), _) => steps(t, out),
                    (None, Some(list)) => steps(list, out),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for o in objects {
        if let Some(d) = o.get("description").and_then(Value::as_str) {
            paragraphs(d, &mut out);
        }
        for key in ["recipeIngredient", "step", "recipeInstructions"] {
            if let Some(v) = o.get(key) {
                steps(v, &mut out);
            }
        }
    }
    (!out.is_empty()).then(|| out.join("\n\n"))
}

fn ld_str(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => norm(s),
        Value::Array(a) => a.iter().find_map(ld_str),
        Value::Object(o) => ["url", "@id", "contentUrl"].iter().find_map(|k| o.get(*k).and_then(ld_str)),
        _ => None,
    }
}

fn ld_names(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => norm(s).into_iter().collect(),
        Value::Array(a) => a.iter().flat_map(ld_names).collect(),
        Value::Object(o) => o.get("name").and_then(|n| n.as_str()).and_then(norm).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// A value that is only a URL is no author name (`article:author` often is one).
fn is_name(s: &str) -> bool {
    !s.starts_with("http://") && !s.starts_with("https://") && !s.starts_with('/') && s.len() < 200
}

pub fn read(doc: &Document) -> Meta {
    let (ld, steps) = json_ld(doc);
    let ld_get = |k: &str| ld.iter().find_map(|o| o.get(k));
    let metas = Metas::read(doc);

    let h1 = doc.select("article h1, main h1, h1").iter().find_map(|h| norm(&h.text()));
    let page_title = doc.select("head title").iter().find_map(|t| norm(&t.text()));
    let title = ld_get("headline")
        .and_then(ld_str)
        .or_else(|| {
            doc.select("[itemprop~=headline]")
                .iter()
                .find_map(|h| h.attr("content").or(Some(h.text())).and_then(|t| norm(&t)))
        })
        .or_else(|| metas.content(&["og:title", "twitter:title"]))
        .or_else(|| h1.clone().filter(|h| page_title.as_deref().is_some_and(|t| t.contains(h.as_str()))))
        .or_else(|| page_title.as_deref().map(strip_site_name))
        .or(h1);

    let ld_author = ld_get("author").map(ld_names).unwrap_or_default();
    let author = (!ld_author.is_empty())
        .then(|| ld_author.join(", "))
        .or_else(|| {
            metas.content(&["author", "article:author", "dc.creator", "byl", "sailthru.author"]).filter(|a| is_name(a))
        })
        .or_else(|| {
            doc.select("[itemprop~=author] [itemprop~=name], [itemprop~=author], [rel=author]").iter().find_map(|a| {
                a.attr("content").or(Some(a.text())).and_then(|t| norm(&t)).filter(|t| is_name(t) && t.len() < 100)
            })
        })
        .map(|a| a.trim_start_matches("Von ").trim_start_matches("By ").trim_start_matches("by ").to_string());

    let published = ld_get("datePublished")
        .and_then(ld_str)
        .or_else(|| {
            metas.content(&[
                "article:published_time",
                "datePublished",
                "og:article:published_time",
                "date",
                "pubdate",
                "dc.date",
                "dc.date.issued",
                "publish-date",
            ])
        })
        .or_else(|| {
            doc.select("[itemprop~=datePublished]").iter().find_map(|d| {
                d.attr("content").or_else(|| d.attr("datetime")).or(Some(d.text())).and_then(|t| norm(&t))
            })
        })
        .or_else(|| {
            doc.select("article time[datetime], time[pubdate][datetime]")
                .iter()
                .find_map(|t| t.attr("datetime").and_then(|d| norm(&d)))
        });

    let image = metas
        .content(&["og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"])
        .or_else(|| ld_get("image").and_then(ld_str))
        .or_else(|| ld_get("thumbnailUrl").and_then(ld_str))
        .or_else(|| doc.select("link[rel=image_src]").iter().find_map(|l| l.attr("href").and_then(|h| norm(&h))))
        .or_else(|| {
            doc.select("[itemprop~=image]").iter().find_map(|i| {
                i.attr("content").or_else(|| i.attr("src")).or_else(|| i.attr("href")).and_then(|t| norm(&t))
            })
        });

    let canonical = doc
        .select("link[rel~=canonical i]")
        .iter()
        .find_map(|l| l.attr("href").and_then(|h| norm(&h)))
        .or_else(|| metas.content(&["og:url"]))
        .or_else(|| ld_get("url").and_then(ld_str))
        .or_else(|| ld_get("mainEntityOfPage").and_then(ld_str));

    let body = ld_get("articleBody")
        .and_then(|b| b.as_str())
        .map(str::to_string)
        .filter(|b| !b.trim().is_empty())
        .or_else(|| ld_steps_body(&steps));
    Meta { title, author, published, image, canonical, body }
}

/// `href` made absolute against `base` (only http(s) results are kept); as found without a base
/// when it already is absolute.
pub fn absolute(href: &str, base: Option<&Url>) -> Option<String> {
    let href = href.trim();
    let u = match base {
        Some(b) => b.join(href).ok()?,
        None => Url::parse(href).ok()?,
    };
    matches!(u.scheme(), "http" | "https").then(|| u.to_string())
}

/// A `<title>` without the site name after ` | `, ` - `, ` – ` or ` — `.
fn strip_site_name(t: &str) -> String {
    for sep in [" | ", " – ", " — ", " - "] {
        if let Some(i) = t.rfind(sep) {
            let head = &t[..i];
            if head.len() >= 15 {
                return head.trim().to_string();
            }
        }
    }
    t.to_string()
}
