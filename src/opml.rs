//! OPML in and out: `feedscrub opml import FILE` adds the feeds of an OPML file to
//! `feeds.toml` (keeping its comments and layout: toml_edit), `feedscrub opml export` prints
//! the configured source feeds. Only http(s) URLs are taken from OPML. Pure functions here;
//! the command in `commands` reads and writes the files.

use std::fmt::Write;

use url::Url;

use crate::config::{is_slug, Config, Source};
use crate::export::xml_escape as esc;

/// One feed found in an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    pub title: String,
    pub url: String,
}

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// (name, url) of each feed added.
    pub added: Vec<(String, String)>,
    /// URLs already configured.
    pub skipped: Vec<String>,
    /// (url, why) of entries refused.
    pub refused: Vec<(String, String)>,
}

/// Every `outline` with an `xmlUrl`, nested ones included, in document order.
pub fn parse(text: &str) -> Result<Vec<OpmlFeed>, String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| format!("not valid OPML: {e}"))?;
    if !doc.root_element().has_tag_name("opml") {
        return Err("not OPML: the root element is not <opml>".into());
    }
    Ok(doc
        .descendants()
        .filter(|n| n.has_tag_name("outline"))
        .filter_map(|n| {
            let url = n.attribute("xmlUrl")?.trim().to_string();
            let title = n.attribute("title").or_else(|| n.attribute("text")).unwrap_or("").trim().to_string();
            Some(OpmlFeed { title, url })
        })
        .collect())
}

/// Adds `feeds` to the config text as `[[feed]]` tables, keeping everything else of it.
/// Returns the new text and what was done; the caller validates and writes it.
pub fn import(config_text: &str, cfg: &Config, feeds: &[OpmlFeed]) -> Result<(String, ImportReport), String> {
    let mut doc: toml_edit::DocumentMut = config_text.parse().map_err(|e| format!("cannot edit the config: {e}"))?;
    let mut names: Vec<String> = cfg.feeds.iter().map(|f| f.name.clone()).collect();
    let mut urls: Vec<String> = cfg
        .feeds
        .iter()
        .filter_map(|f| match &f.source {
            Source::Http(u) => Some(u.to_string()),
            Source::File(_) => None,
        })
        .collect();
    let mut report = ImportReport::default();
    for f in feeds {
        let url = match Url::parse(&f.url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => u,
            Ok(u) => {
                report
                    .refused
                    .push((f.url.clone(), format!("only http(s) URLs are taken from OPML, not {}:", u.scheme())));
                continue;
            }
            Err(e) => {
                report.refused.push((f.url.clone(), format!("invalid URL: {e}")));
                continue;
            }
        };
        if urls.contains(&url.to_string()) {
            report.skipped.push(url.to_string());
            continue;
        }
        let name = unique_slug(&f.title, &url, &names);
        push_feed_table(&mut doc, feed_table(&name, url.as_str(), &f.title, "imported from OPML"))?;
        names.push(name.clone());
        urls.push(url.to_string());
        report.added.push((name, url.to_string()));
    }
    Ok((doc.to_string(), report))
}

/// A `[[feed]]` table with `name` and `url`, under a comment line with the feed's title (white
/// space collapsed) and where it came from (`how`); no comment without a title.
pub(crate) fn feed_table(name: &str, url: &str, title: &str, how: &str) -> toml_edit::Table {
    let mut table = toml_edit::Table::new();
    table.insert("name", toml_edit::value(name));
    table.insert("url", toml_edit::value(url));
    let title = crate::clean::text::squash(title);
    if !title.is_empty() {
        table.decor_mut().set_prefix(format!("\n# {title} ({how})\n"));
    }
    table
}

/// Appends `table` to the config's `[[feed]]` tables (made when there are none).
pub(crate) fn push_feed_table(doc: &mut toml_edit::DocumentMut, table: toml_edit::Table) -> Result<(), String> {
    let feeds = doc.entry("feed").or_insert_with(|| toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()));
    let Some(array) = feeds.as_array_of_tables_mut() else {
        return Err("`feed` in the config is not an array of [[feed]] tables".into());
    };
    array.push(table);
    Ok(())
}

/// A slug from the title (else the host), made unique against `taken`.
pub(crate) fn unique_slug(title: &str, url: &Url, taken: &[String]) -> String {
    let source = if title.is_empty() { url.host_str().unwrap_or("feed") } else { title };
    let mut slug = String::new();
    for c in source.to_lowercase().chars() {
        let t = match c {
            'ä' => "ae",
            'ö' => "oe",
            'ü' => "ue",
            'ß' => "ss",
            'é' | 'è' | 'ê' => "e",
            'á' | 'à' | 'â' => "a",
            c if c.is_ascii_alphanumeric() => {
                slug.push(c);
                continue;
            }
            _ => "-",
        };
        if t == "-" {
            if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        } else {
            slug.push_str(t);
        }
    }
    let mut slug = slug.trim_matches('-').chars().take(48).collect::<String>().trim_end_matches('-').to_string();
    if slug.is_empty() || !is_slug(&slug) {
        slug = "feed".into();
    }
    let mut candidate = slug.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{slug}-{n}");
        n += 1;
    }
    candidate
}

/// OPML 2.0 of the configured source feeds (http ones; local files have no URL to share).
pub fn export(cfg: &Config) -> String {
    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n<head><title>feedscrub sources</title></head>\n<body>\n");
    for f in &cfg.feeds {
        if let Source::Http(u) = &f.source {
            let _ = writeln!(
                o,
                "<outline type=\"rss\" text=\"{n}\" title=\"{n}\" xmlUrl=\"{}\"/>",
                esc(u.as_str()),
                n = esc(&f.name)
            );
        }
    }
    o.push_str("</body>\n</opml>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const CONFIG: &str = "# my feeds\n[settings]\ntimeout = \"10s\" # short\n\n[[feed]]\nname = \"golem\"\nurl = \"https://rss.golem.de/rss.php?feed=RSS2.0\"\n";
    const OPML: &str = r#"<?xml version="1.0"?><opml version="2.0"><head/><body>
        <outline text="Tech"><outline text="Golem" xmlUrl="https://rss.golem.de/rss.php?feed=RSS2.0"/>
        <outline title="heise online – News" text="x" xmlUrl="https://www.heise.de/rss/heise-atom.xml"/></outline>
        <outline text="Golem" xmlUrl="https://golem.example/other.xml"/>
        <outline text="Local" xmlUrl="file:///etc/passwd"/>
        <outline text="Bad" xmlUrl="not a url"/>
        <outline text="Straße &amp; Bürger" xmlUrl="http://news.example/feed"/>
    </body></opml>"#;

    fn cfg(text: &str) -> Config {
        Config::parse(text, Path::new("feeds.toml"), Path::new("/x")).unwrap()
    }

    #[test]
    fn import_adds_new_http_feeds_and_keeps_the_file() {
        let feeds = parse(OPML).unwrap();
        assert_eq!(feeds.len(), 6);
        let (text, report) = import(CONFIG, &cfg(CONFIG), &feeds).unwrap();
        assert!(
            text.starts_with("# my feeds\n[settings]\ntimeout = \"10s\" # short\n"),
            "comments and layout kept:\n{text}"
        );
        let names: Vec<&str> = report.added.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["heise-online-news", "golem-2", "strasse-buerger"]);
        assert_eq!(report.skipped, ["https://rss.golem.de/rss.php?feed=RSS2.0"]);
        assert_eq!(report.refused.len(), 2);
        assert!(report.refused[0].1.contains("only http(s)"), "{:?}", report.refused);
        let after = cfg(&text);
        assert_eq!(after.feeds.len(), 4, "the result is a valid config:\n{text}");
        // Importing again adds nothing.
        let (_, again) = import(&text, &after, &feeds).unwrap();
        assert!(again.added.is_empty());
    }

    #[test]
    fn not_opml_is_an_error() {
        assert!(parse("<rss/>").unwrap_err().contains("not OPML"));
        assert!(parse("<opml").unwrap_err().contains("not valid OPML"));
    }

    #[test]
    fn export_lists_http_sources() {
        let c = cfg("[[feed]]\nname = \"a\"\nurl = \"https://a.example/f?x=1&y=2\"\n[[feed]]\nname = \"local\"\nurl = \"x.xml\"\n");
        let o = export(&c);
        assert!(o.contains("xmlUrl=\"https://a.example/f?x=1&amp;y=2\""));
        assert!(!o.contains("local"));
        assert_eq!(parse(&o).unwrap(), vec![OpmlFeed { title: "a".into(), url: "https://a.example/f?x=1&y=2".into() }]);
    }
}
