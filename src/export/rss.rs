//! RSS 2.0 renderer. The cleaned HTML goes into `<description>` (escaped), authors into
//! `dc:creator` (RSS `<author>` must be an e-mail address), and in merged output the source
//! feed into `<source>`.

use std::fmt::Write;

use super::{also_element, public_id, xml_escape as esc, Channel, Entry, NAMESPACE};

pub fn render(ch: &Channel, entries: &[Entry]) -> String {
    let mut o = String::with_capacity(1024 + entries.iter().map(|e| e.item.html.as_str().len() + 512).sum::<usize>());
    o.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        o,
        "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:feedscrub=\"{NAMESPACE}\">\n<channel>"
    );
    let _ = writeln!(o, "<title>{}</title>", esc(&ch.title));
    let link = ch.site_link.as_deref().or(ch.self_url.as_deref()).unwrap_or("https://feedscrub.invalid/");
    let _ = writeln!(o, "<link>{}</link>", esc(link));
    let _ = writeln!(o, "<description>{}</description>", esc(&ch.description));
    if let Some(s) = &ch.self_url {
        let _ = writeln!(o, "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>", esc(s));
    }
    o.push_str("<generator>feedscrub</generator>\n");
    if let Some(d) = entries.iter().map(|e| e.item.sort_date()).max() {
        let _ = writeln!(o, "<lastBuildDate>{}</lastBuildDate>", d.to_rfc2822());
    }
    for e in entries {
        let it = e.item;
        o.push_str("<item>\n");
        if !it.title.is_empty() {
            let _ = writeln!(o, "<title>{}</title>", esc(&it.title));
        }
        if let Some(l) = &it.link {
            let _ = writeln!(o, "<link>{}</link>", esc(l));
        }
        let id = public_id(it);
        let permalink = it.link.as_deref() == Some(id.as_str());
        let _ = writeln!(o, "<guid isPermaLink=\"{permalink}\">{}</guid>", esc(&id));
        if let Some(d) = it.published.or(it.updated) {
            let _ = writeln!(o, "<pubDate>{}</pubDate>", d.to_rfc2822());
        }
        for a in &it.authors {
            let _ = writeln!(o, "<dc:creator>{}</dc:creator>", esc(a));
        }
        for c in &it.categories {
            let _ = writeln!(o, "<category>{}</category>", esc(c));
        }
        let _ = writeln!(o, "<description>{}</description>", esc(it.html.as_str()));
        o.push_str(&super::item_extensions(it));
        if ch.merged {
            match &e.source.url {
                Some(u) => {
                    let _ = writeln!(o, "<source url=\"{}\">{}</source>", esc(u), esc(&e.source.title));
                }
                None => {
                    let _ = writeln!(o, "<category domain=\"feedscrub:source\">{}</category>", esc(&e.source.title));
                }
            }
            for a in &e.also {
                let _ = writeln!(o, "{}", also_element(a));
            }
        }
        o.push_str("</item>\n");
    }
    o.push_str("</channel>\n</rss>\n");
    o
}
