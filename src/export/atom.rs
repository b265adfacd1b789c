//! Atom 1.0 renderer (RFC 4287). Every entry has an id, a title, an `updated` date and the
//! cleaned HTML as `<content type="html">`; the feed-level author covers entries without one.

use std::fmt::Write;

use super::{public_id, xml_escape as esc, Channel, Entry, NAMESPACE};

pub fn render(ch: &Channel, entries: &[Entry]) -> String {
    let mut o = String::with_capacity(1024 + entries.iter().map(|e| e.item.html.as_str().len() + 512).sum::<usize>());
    let _ = writeln!(
        o,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:feedscrub=\"{NAMESPACE}\">"
    );
    let feed_id = ch.self_url.clone().unwrap_or_else(|| format!("urn:feedscrub:{}", ch.name));
    let _ = writeln!(o, "<id>{}</id>", esc(&feed_id));
    let _ = writeln!(o, "<title type=\"text\">{}</title>", esc(&ch.title));
    if !ch.description.is_empty() {
        let _ = writeln!(o, "<subtitle type=\"text\">{}</subtitle>", esc(&ch.description));
    }
    let updated = entries.iter().map(|e| e.item.updated.unwrap_or(e.item.sort_date())).max();
    let updated = updated.unwrap_or(chrono::DateTime::UNIX_EPOCH);
    let _ = writeln!(o, "<updated>{}</updated>", updated.to_rfc3339());
    if let Some(s) = &ch.self_url {
        let _ = writeln!(o, "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>", esc(s));
    }
    if let Some(l) = &ch.site_link {
        let _ = writeln!(o, "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>", esc(l));
    }
    let _ = writeln!(o, "<author><name>{}</name></author>", esc(&ch.title));
    o.push_str("<generator>feedscrub</generator>\n");
    for e in entries {
        let it = e.item;
        o.push_str("<entry>\n");
        let _ = writeln!(o, "<id>{}</id>", esc(&public_id(it)));
        let _ = writeln!(o, "<title type=\"text\">{}</title>", esc(&it.title));
        let _ = writeln!(o, "<updated>{}</updated>", it.updated.unwrap_or(it.sort_date()).to_rfc3339());
        if let Some(p) = it.published {
            let _ = writeln!(o, "<published>{}</published>", p.to_rfc3339());
        }
        if let Some(l) = &it.link {
            let _ = writeln!(o, "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>", esc(l));
        }
        for a in &it.authors {
            let _ = writeln!(o, "<author><name>{}</name></author>", esc(a));
        }
        for c in &it.categories {
            let _ = writeln!(o, "<category term=\"{}\"/>", esc(c));
        }
        if ch.merged {
            let _ = write!(o, "<source><title>{}</title>", esc(&e.source.title));
            if let Some(u) = &e.source.url {
                let _ = write!(o, "<link rel=\"self\" href=\"{}\"/>", esc(u));
            }
            o.push_str("</source>\n");
            for a in &e.also {
                let _ = writeln!(o, "{}", super::also_element(a));
            }
        }
        o.push_str(&super::item_extensions(it));
        let _ = writeln!(o, "<content type=\"html\">{}</content>", esc(it.html.as_str()));
        o.push_str("</entry>\n");
    }
    o.push_str("</feed>\n");
    o
}
