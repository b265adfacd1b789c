//! The extractor on the project's article pages (`tests/fixtures/pages/`, labels in NAME.toml):
//! metadata as labelled, every `keep` sentence in the extracted and cleaned text, no `remove`
//! string in it; reject pages do not panic.

use super::*;
use crate::charset::decode_page;
use crate::clean::Cleaner;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pages");
const ARTICLES: &[&str] = &["de-zeitung", "de-boerse", "en-news", "en-blog", "de-liveblog-short"];
const REJECTS: &[&str] = &["consent-wall", "paywall", "js-only"];

fn label(name: &str) -> toml::Table {
    let text = std::fs::read_to_string(format!("{DIR}/{name}.toml")).expect("label file");
    text.parse().expect("label toml")
}

fn field(l: &toml::Table, k: &str) -> Option<String> {
    l.get(k).and_then(|v| v.as_str()).filter(|s| !s.is_empty()).map(str::to_string)
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The page through `decode_page`, `extract` and the default cleaner: the article and its text.
fn run(name: &str) -> (Article, String) {
    let l = label(name);
    let url = Url::parse(&field(&l, "url").expect("url")).expect("label url");
    let bytes = std::fs::read(format!("{DIR}/{name}.html")).expect("page");
    let page = decode_page(&bytes, None);
    let article = extract(&page, Some(&url));
    let cleaned = Cleaner::default().clean_html(&article.html, Some(&url));
    let text = collapse(&crate::clean::text::html_to_text(cleaned.html.as_str()));
    (article, text)
}

#[test]
fn metadata_matches_the_labels() {
    for name in ARTICLES.iter().chain(REJECTS) {
        let l = label(name);
        let (a, _) = run(name);
        assert_eq!(a.title, field(&l, "title"), "{name}: title");
        if !REJECTS.contains(name) {
            assert_eq!(a.author, field(&l, "author"), "{name}: author");
            assert_eq!(a.published, field(&l, "published"), "{name}: published");
            assert_eq!(a.lead_image, field(&l, "lead_image"), "{name}: lead_image");
        }
        assert_eq!(a.canonical, field(&l, "canonical"), "{name}: canonical");
    }
}

#[test]
fn the_article_is_kept_and_the_junk_is_not() {
    for name in ARTICLES {
        let l = label(name);
        let (_, text) = run(name);
        for k in l["keep"].as_array().expect("keep") {
            let k = collapse(k.as_str().expect("keep string"));
            assert!(text.contains(&k), "{name}: missing {k:?}\n--- text:\n{text}");
        }
        for r in l["remove"].as_array().expect("remove") {
            let r = collapse(r.as_str().expect("remove string"));
            assert!(!text.contains(&r), "{name}: still has {r:?}\n--- text:\n{text}");
        }
    }
}

#[test]
fn reject_pages_do_not_panic() {
    for name in REJECTS {
        let _ = run(name);
    }
}

#[test]
fn lazy_images_and_relative_urls_are_resolved() {
    let (a, _) = run("en-blog");
    assert!(a
        .html
        .contains("https://www.crumbandkettle.example/wp-content/uploads/2026/02/starter-jar-window-1024x683.jpg"));
    assert!(!a.html.contains(" src=\"/") && !a.html.contains(" href=\"/"), "a relative URL is left: {}", a.html);
}

// de-boerse.html is saved in windows-1252 and says so only in <meta http-equiv>.
#[test]
fn windows_1252_declared_by_http_equiv_decodes() {
    let bytes = std::fs::read(format!("{DIR}/de-boerse.html")).expect("page");
    assert!(std::str::from_utf8(&bytes).is_err(), "the fixture is meant to be windows-1252");
    let page = decode_page(&bytes, None);
    assert!(page.contains("Großauftrag") && page.contains("Kröger"));
    assert!(!page.contains('\u{FFFD}'));
}

fn check_decode(bytes: &[u8], http: Option<&str>, expected: &str) {
    assert_eq!(decode_page(bytes, http), expected, "{bytes:?} with {http:?}");
}

#[test]
fn decoding_order() {
    // BOM first, whatever is declared.
    check_decode(b"\xEF\xBB\xBF<meta charset=latin1>\xC3\xA4", None, "<meta charset=latin1>ä");
    // <meta charset> before the HTTP charset.
    check_decode(b"<meta charset=iso-8859-1>\xE4", Some("utf-8"), "<meta charset=iso-8859-1>ä");
    check_decode(
        b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">\x80",
        None,
        "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">€",
    );
    // The HTTP charset when the page declares none.
    check_decode(b"<p>\xE4", Some("ISO-8859-15"), "<p>ä");
    // Valid UTF-8, then windows-1252.
    check_decode("<p>ä".as_bytes(), None, "<p>ä");
    check_decode(b"<p>\x93x\x94", None, "<p>\u{201C}x\u{201D}");
    // A declared UTF-8 the bytes are not is passed over…
    check_decode(b"<meta charset=utf-8><p>\xE4", None, "<meta charset=utf-8><p>ä");
    check_decode(b"<meta charset=utf-8><p>\xC4", Some("koi8-r"), "<meta charset=utf-8><p>д");
    // …but one that they mostly are stays: the stray byte is windows-1252's
    check_decode(b"<meta charset=utf-8><p>Gr\xC3\xBC\xC3\x9Fe \x92", Some("koi8-r"), "<meta charset=utf-8><p>Grüße ’");
    check_decode(b"<p>caf\xC3\xA9 \x93x\x94 na\xC3\xAFve", None, "<p>café \u{201C}x\u{201D} naïve");
    // UTF-16 without a BOM, recognised by its NULs (as charset::decode_feed does for feeds).
    let utf16: Vec<u8> = "<p>ä".encode_utf16().flat_map(u16::to_le_bytes).collect();
    check_decode(&utf16, None, "<p>ä");
}

#[test]
fn hostile_input_does_not_panic() {
    let deep = "<div>".repeat(5000) + "text";
    for page in
        ["", "<", "\u{0}", "<html><body></body></html>", "<script>x</script>", deep.as_str(), "<p>only one line</p>"]
    {
        let a = extract(page, None);
        let _ = a.html.len();
    }
}

// An "Anzeige" block between the paragraphs must not make the scorer stop at the ad or pick it.
#[test]
fn an_ad_block_inside_does_not_cut_the_article() {
    let page = format!(
        "<html><body><nav><a href=/a>Start</a></nav><article><h1>Haushalt beschlossen</h1>{}{}<div class=\"ad\"><span>Anzeige</span><a href=\"https://shop.example/\">Jetzt kaufen und sparen</a></div>{}{}</article><footer>Impressum</footer></body></html>",
        para(1), para(2), para(3), para(4)
    );
    let text = text_of(&page);
    assert_paragraphs(&text, 4);
    assert!(!text.contains("Jetzt kaufen"), "{text}");
}

// Captions, bylines, a link-only "related" list and a one-link teaser paragraph inside the
// article container are not the article; a source given as a bare URL is.
#[test]
fn captions_bylines_and_teaser_links_inside_the_article_go() {
    let page = format!(
        "<html><body><article><h1>Haushalt beschlossen</h1><p class=\"byline\">Von Anna Muster</p>{}<figure><img src=\"https://img.example/a.jpg\"><figcaption>Der Ratssaal am Dienstag. Foto: dpa</figcaption></figure>{}<p><a href=\"https://zeitung.example/x\">Neues Baugebiet am Kirchweg</a></p>{}<ul><li><a href=\"https://zeitung.example/y\">Freibad öffnet im Mai</a></li><li><a href=\"https://zeitung.example/z\">Ortsumgehung kommt später</a></li></ul>{}<p><a href=\"https://rat.example/haushalt.pdf\">https://rat.example/haushalt.pdf</a></p></article></body></html>",
        para(1), para(2), para(3), para(4)
    );
    let text = text_of(&page);
    assert_paragraphs(&text, 4);
    for junk in ["Anna Muster", "Ratssaal", "Baugebiet", "Freibad", "Ortsumgehung"] {
        assert!(!text.contains(junk), "{junk} is left: {text}");
    }
    assert!(text.contains("https://rat.example/haushalt.pdf"), "{text}");
}

// A post that is a list of links (a link blog's day, a reading list) is its own article: the
// trim of link-only lists and teaser paragraphs never takes half of what was picked.
#[test]
fn a_page_of_links_keeps_its_links() {
    let links: String = (1..=6)
        .map(|i| {
            format!(
                "<li><a href=\"https://news{i}.example/story\">Headline number {i} of the day's reading list</a></li>"
            )
        })
        .collect();
    let frag = Document::fragment(format!("<p>What I read today:</p><ul>{links}</ul>").as_str());
    assert!(!prune::trim(&frag));
    assert!(frag.html_root().text().contains("Headline number 6"));
    // beside a story, the same list is a related list and goes
    let frag = Document::fragment(format!("{}{}<ul>{links}</ul>", para(1), para(2)).as_str());
    assert!(prune::trim(&frag));
    assert!(!frag.html_root().text().contains("Headline number"));
}

// A page that draws its instructions with scripts gives them in JSON-LD (`HowTo`, `Recipe`):
// with next to no text in the DOM, the steps are the article, in order, markup taken out.
#[test]
fn steps_given_only_in_json_ld_are_the_article() {
    let step = |i: usize| {
        format!(
            "{{\"@type\":\"HowToStep\",\"name\":\"Schritt {i}\",\"itemListElement\":{{\"@type\":\"HowToDirection\",\
             \"text\":\"<p>Schritt {i}: Miss den Durchmesser der Tischplatte und gib an jeder Seite den Fall hinzu, damit die Decke gleichmäßig hängt.</p>\"}}}}"
        )
    };
    let steps: Vec<String> = (1..=4).map(step).collect();
    let ld = format!(
        "{{\"@context\":\"https://schema.org\",\"@type\":\"HowTo\",\"name\":\"Runde Tischdecke\",\
         \"description\":\"<p>Eine runde Tischdecke nähst du in einem Nachmittag &amp; ohne Schnittmuster.</p>\",\"step\":[{}]}}",
        steps.join(",")
    );
    let page = format!(
        "<html><head><script type=\"application/ld+json\">{ld}</script></head><body><p>Dein Browser ist leider veraltet.</p></body></html>"
    );
    let text = text_of(&page);
    assert!(text.contains("nähst du in einem Nachmittag & ohne Schnittmuster"), "{text}");
    let at = |i: usize| text.find(&format!("Schritt {i}: Miss")).unwrap_or_else(|| panic!("step {i} lost: {text}"));
    assert!(at(1) < at(2) && at(2) < at(3) && at(3) < at(4), "{text}");
    assert!(!text.contains("<p>"), "{text}");
}

fn para(i: usize) -> String {
    format!("<p>Absatz {i}: Der Gemeinderat hat am Dienstagabend lange über den Haushalt beraten, und die Fraktionen waren sich am Ende in fast allen Punkten einig, was selten vorkommt.</p>")
}

/// `text` holds paragraphs 1 to `n` of `para`.
fn assert_paragraphs(text: &str, n: usize) {
    let head: String = text.chars().take(400).collect();
    for i in 1..=n {
        assert!(text.contains(&format!("Absatz {i}:")), "paragraph {i} lost: {head}…");
    }
}

fn text_of(page: &str) -> String {
    let a = extract(page, None);
    crate::clean::Cleaner::default().clean_html(&a.html, None).text
}

// An article inside <noscript> (the version for readers without JavaScript) is read as markup,
// not as the raw text a parser with scripting on makes of it; one in <head> stays harmless.
#[test]
fn an_article_in_noscript_is_found() {
    let body: String = (1..=4).map(para).collect();
    let page = format!("<html><head><noscript><link rel=stylesheet href=x.css></noscript></head><body><noscript><p>Bitte aktivieren Sie JavaScript, um diese Seite zu nutzen.</p></noscript><div id=app></div><noscript><div class=content><h1>Haushalt</h1>{body}</div></noscript></body></html>");
    let text = text_of(&page);
    assert!(!text.contains("JavaScript"), "the notice is no article: {text}");
    assert_paragraphs(&text, 4);
    assert!(!text.contains("<p>"), "markup read as text: {text}");
}

// The lead the page marks (an intro paragraph in the article's header, or a class that names
// it) is put back before the body when the scorer left it out; a short subheadline is not a
// lead, and the lead is never doubled.
#[test]
fn the_marked_lead_is_kept() {
    let body: String = (1..=5).map(para).collect();
    let lead = "Nach sieben Stunden Debatte steht der Haushalt: Die Stadt investiert mehr in Schulen und Radwege, spart bei der Verwaltung und nimmt keine neuen Schulden auf.";
    for wrap in [
        format!("<header><h1>Haushalt beschlossen</h1><p class=\"ts-intro\">{lead}</p></header>"),
        format!("<h1>Haushalt beschlossen</h1><div class=\"article__lead\">{lead}</div>"),
    ] {
        let page = format!("<html><body><article>{wrap}<div class=\"story\">{body}</div></article></body></html>");
        let text = text_of(&page);
        assert!(text.contains(lead), "lead lost: {text}");
        assert_eq!(text.matches("Nach sieben Stunden").count(), 1, "{text}");
        assert!(text.find("Nach sieben").unwrap() < text.find("Absatz 1:").unwrap(), "{text}");
    }
    let page = format!("<html><body><article><header><h1>Haushalt beschlossen</h1><p class=\"dek\">Die Stadt spart.</p></header><div>{body}</div></article></body></html>");
    assert!(!text_of(&page).contains("Die Stadt spart."));
}

// A lead the page does not mark, between headline and body (past a byline and a date), is put
// back before the body when the scorer left it out; not when a longer block stands between
// them, nor a quotation (a pull quote, or in a quote), a list item or a paragraph of links.
#[test]
fn the_paragraph_between_headline_and_body_is_the_lead() {
    let body: String = (1..=5).map(para).collect();
    let lead = "Nach sieben Stunden Debatte steht der Haushalt: Die Stadt investiert mehr in Schulen und Radwege, spart bei der Verwaltung und nimmt keine neuen Schulden auf.";
    let page = |between: &str| {
        format!("<html><body><div class=\"page\"><div class=\"top\"><h1>Haushalt beschlossen</h1>{between}<p>Von Anna Muster</p><p>12. März 2024</p></div><div class=\"col\"><div class=\"story\">{body}</div></div></div></body></html>")
    };
    let text = text_of(&page(&format!("<p>{lead}</p>")));
    assert!(text.contains(lead), "lead lost: {text}");
    assert_eq!(text.matches("Nach sieben Stunden").count(), 1, "{text}");
    assert!(text.find("Nach sieben").unwrap() < text.find("Absatz 1:").unwrap(), "{text}");
    assert_paragraphs(&text, 5);
    let links = format!("<p><a href=\"/a\">{}</a> und mehr.</p>", &lead[..lead.len() - 10]);
    for between in [
        format!("<p>{lead}</p>{links}"),
        format!("<blockquote><p>{lead}</p></blockquote>"),
        format!("<p>„{lead}“</p>"),
        format!("<ul><li>{lead}</li></ul>"),
        links,
    ] {
        let text = text_of(&page(&between));
        assert!(!text.contains("Nach sieben Stunden"), "{between}: {text}");
        assert_paragraphs(&text, 5);
    }
}

// A soft hyphen only shows where a line breaks: the text has the word whole.
#[test]
fn soft_hyphens_are_no_characters_of_the_text() {
    let html = "<p>Schon im Mit\u{ad}tel\u{ad}al\u{ad}ter war der Wein bekannt.</p>";
    assert_eq!(crate::clean::text::html_to_text(html), "Schon im Mittelalter war der Wein bekannt.");
}

// A class word of furniture on the wrapper that holds the article ("entry themeform share",
// a theme's hook for its share buttons) does not take the article along; a share bar of its
// own still goes.
#[test]
fn a_furniture_class_on_the_articles_wrapper_keeps_the_article() {
    let body: String = (1..=8).map(para).collect();
    // a long archive list makes the article less than half the page's text
    let archive: String = (1..=80)
        .map(|i| format!("<li><a href=\"/archiv/{i}\">Archivbeitrag Nummer {i} aus dem Stadtrat</a></li>"))
        .collect();
    let page = format!(
        "<html><body><div class=\"post-inner\"><h1>Haushalt beschlossen</h1><div class=\"entry themeform share\">{body}<div class=\"share\"><a href=\"https://fb.example/s\">Teilen</a> <a href=\"https://x.example/s\">Posten</a></div></div></div><div class=\"archive\"><ul>{archive}</ul></div></body></html>"
    );
    let text = text_of(&page);
    assert_paragraphs(&text, 8);
    assert!(!text.contains("Teilen") && !text.contains("Archivbeitrag"), "{text}");
}

// A box about the author after the article, whatever the theme calls it, is not the article.
#[test]
fn the_box_about_the_author_goes() {
    let body: String = (1..=4).map(para).collect();
    for class in ["author-box--content", "mvp-author-box-text", "entry-author-info", "author_description"] {
        let page = format!(
            "<html><body><article><h1>Haushalt beschlossen</h1>{body}<div class=\"{class}\"><p>Anna Muster schreibt seit 2010 über Kommunalpolitik und wohnt mit ihrer Familie am Stadtrand, wo sie gern gärtnert.</p></div></article></body></html>"
        );
        let text = text_of(&page);
        assert!(text.contains("Absatz 4:"), "{class}: {text}");
        assert!(!text.contains("Anna Muster"), "{class}: {text}");
    }
}

// A page that runs on into the next stories (infinite scroll) gives the story asked for: the
// article whose headline is the page's title, not the longest of them.
#[test]
fn the_story_asked_for_not_the_next_ones() {
    let short: String = (1..=4).map(para).collect();
    let long_other = (10..=30).map(|i| format!("<p>Meldung {i}: Ein ganz anderer Bericht über den Busverkehr im Landkreis, der mit der Sitzung des Stadtrats nichts zu tun hat und länger ist.</p>")).collect::<String>();
    let page = format!(
        "<html><head><title>Haushalt beschlossen | Stadtanzeiger</title><meta property=\"og:title\" content=\"Haushalt beschlossen nach langer Debatte\"></head><body><main><article id=a0><h1>Haushalt beschlossen nach langer Debatte</h1>{short}</article><article id=a1><h2>Busverkehr wird neu geordnet</h2>{long_other}</article></main></body></html>"
    );
    let text = text_of(&page);
    assert!(text.contains("Absatz 1:") && text.contains("Absatz 3:"), "{text}");
    assert!(!text.contains("Meldung 10:"), "{text}");
}

// A body the page marks (`itemprop="articleBody"`, "entry-content"…) that wraps each paragraph
// in boxes of its own: the scorer picks one box (the longest), the marked body holds them all.
#[test]
fn a_body_of_boxed_paragraphs_is_taken_whole() {
    let boxed = |i: usize| {
        let sub = if i > 1 {
            format!("<h2 class=\"paragraph_subline\"><div>Zwischentitel {i}</div></h2>")
        } else {
            String::new()
        };
        // of unequal length, as a story's paragraphs are: no two boxes score alike
        let sentences: String = (0..[1, 6, 4, 3][i - 1]).map(|k| format!("Satz {k} des Abschnitts {i} erzählt, wie der Gemeinderat über Laub, Pellets und die Heizkosten der Schulen beraten hat. ")).collect();
        format!("<div><div class=\"paragraph paragraph_wrapper\">{sub}<div class=\"paragraph-text\"><div><p>Abschnitt {i}: {sentences}</p></div></div></div><div class=\"clear-both\"></div></div>")
    };
    let sections: String = (1..=4).map(boxed).collect();
    let rail = "<div class=\"teaser\"><p><a href=\"/a\">Ein anderer Beitrag über Forstmaschinen</a></p><p><a href=\"/b\">Noch ein Beitrag</a></p></div>";
    // `itemprop` is a list of property names: Blogger writes "description articleBody"
    let marks = [
        "class=\"mb-6\" itemprop=\"articleBody\"",
        "itemprop=\"description articleBody\"",
        "class=\"mb-6 entry-content\"",
    ];
    for mark in marks {
        let page =
            format!("<html><body><h1>Heizen mit Laub</h1><div {mark}><div>{sections}</div></div>{rail}</body></html>");
        let text = text_of(&page);
        for i in 1..=4 {
            assert!(text.contains(&format!("Abschnitt {i}:")), "{mark}: section {i} lost: {text}");
        }
        assert!(!text.contains("Forstmaschinen"), "{mark}: {text}");
    }
}

// A long table inside the marked body (a list of names and addresses under a story) is no
// prose, however much text it has: prose counts as far as its sentences go. On a real page
// (a newspaper's list of 360 MPs under its story) the scorer picked the table alone, and its
// 19,769 characters outweighed the story's prose, so the marked body was not taken instead.
#[test]
fn a_long_table_is_no_prose_and_the_story_around_it_stays() {
    let table =
        format!("<div>{}</div>", (0..300).map(|i| format!("Wahlkreis {i} Erika Muster{i} ")).collect::<String>());
    assert!(prune::prose_of(&Document::fragment(table.as_str())) <= 500);
    let prose: String = (1..=5).map(para).collect();
    assert!(prune::prose_of(&Document::fragment(prose.as_str())) > 500);
    // the page: the story and its table, both kept as the marked body
    let rows: String = (0..600)
        .map(|i| format!("<tr><td>Wahlkreis {i}, Nord und Umland</td><td>Dr. Erika Muster{i}</td><td>erika.muster{i}@landtag.example</td></tr>"))
        .collect();
    let page = format!(
        "<html><body><h1>Haushalt</h1><div itemprop=\"articleBody\">{prose}<div class=\"news\"><table><tbody>{rows}</tbody></table></div></div></body></html>"
    );
    let text = text_of(&page);
    assert_paragraphs(&text, 5);
}

// Comments under a "Kommentare" bar (no class that names them, each comment a box of prose
// with a heading of its own) are readers' text: from the bar to the container's end they go.
// A "Kommentare" link bar above the article body takes nothing of the article.
#[test]
fn comments_under_a_comments_bar_go() {
    let comment = |i: usize| {
        format!(
            "<div><h3>#{i} Kommentar von Leserin {i}</h3>26. März 2004, 16:1{i}<p>Vielen Dank für diesen ausführlichen Bericht, \
             ich habe mich beim Lesen sehr gefreut und warte schon gespannt auf die nächste Folge der Reihe.</p></div>"
        )
    };
    let comments: String = (1..=3).map(comment).collect();
    let page = format!(
        "<html><body><div class=content><div>{}{}{}</div><div class=titlebar>Kommentare</div>{comments}\
         <div class=titlebar>Kommentar schreiben</div><form><input name=n></form></div></body></html>",
        para(1),
        para(2),
        para(3)
    );
    let text = text_of(&page);
    assert_paragraphs(&text, 3);
    assert!(!text.contains("Leserin") && !text.contains("Vielen Dank"), "{text}");
    // the bar above the body: the body holds the article, and stays
    let page = format!(
        "<html><body><article><h1>Haushalt beschlossen</h1><div class=meta>Kommentare</div><div class=body>{}{}{}</div></article></body></html>",
        para(1),
        para(2),
        para(3)
    );
    assert_paragraphs(&text_of(&page), 3);
}

// A post that is all links (a link blog's day: a title link, then "via <source>") has no
// prose, so the scorer may pick a sidebar's one paragraph instead (a licence notice). When the
// pick is such a scrap and the body the page marks holds more text, the marked body is taken,
// though it does not hold the scrap.
#[test]
fn a_scrap_picked_beside_a_marked_body_of_links_gives_way() {
    let links: String = (1..=8)
        .map(|i| {
            format!(
                "<li><p class=\"link\"><a href=\"https://news{i}.example/story\">Schlagzeile Nummer {i} aus der Leseliste des Tages</a></p>\
                 <p class=\"description\">via Quelle {i} <a href=\"https://news{i}.example\">https://news{i}.example</a></p></li>"
            )
        })
        .collect();
    let page = format!(
        "<html><body><div id=\"content\"><article><h1>Linkliste vom 23. Januar</h1>\
         <div class=\"entry-content\"><ul class=\"linkroll\">{links}</ul></div></article></div>\
         <div class=\"widget-area\"><section class=\"widget\"><h2>Lizenz</h2><p>Dieses Werk ist unter einer \
         Creative Commons-Lizenz lizenziert. Es sei denn, es sind andere Regeln im Beitrag erwähnt.</p></section></div>\
         </body></html>"
    );
    let text = text_of(&page);
    for i in [1, 8] {
        assert!(text.contains(&format!("Schlagzeile Nummer {i} aus")), "link {i} lost: {text}");
    }
    assert!(!text.contains("Creative Commons"), "{text}");
}

// `itemprop` names a list of properties, on `<meta>` and on elements alike: the title, author
// and date the page marks that way are read.
#[test]
fn microdata_with_several_properties_is_read() {
    let page =
        "<html><head><title>Site</title></head><body><div itemscope itemtype=\"https://schema.org/BlogPosting\">\
        <h2 itemprop=\"name headline\">Heizen mit Laub</h2>\
        <span itemprop=\"author creator\">Erika Muster</span>\
        <meta itemprop=\"datePublished dateCreated\" content=\"2021-03-04\">\
        <div>Text</div></div></body></html>";
    let a = extract(page, None);
    assert_eq!(a.title.as_deref(), Some("Heizen mit Laub"));
    assert_eq!(a.author.as_deref(), Some("Erika Muster"));
    assert_eq!(a.published.as_deref(), Some("2021-03-04"));
}

// An article written as sibling sections of one class, each under its heading (an org-mode
// export on a blog: `div.outline-2` after `div.outline-2`): the scorer picks the longest
// section, the sections together are the article.
#[test]
fn an_article_of_headed_sections_is_taken_whole() {
    let para = |i: usize, k: usize, n: usize| -> String {
        let text: String = (0..n)
            .map(|j| {
                format!("Satz {j} erklärt, wie eine Funktion vor,<br>nach oder um eine andere herum aufgerufen wird. ")
            })
            .collect();
        format!("<p>Abschnitt {i}.{k}: {text}</p>")
    };
    let section = |i: usize, body: String| {
        format!("<div class=\"outline-2\"><h2>{i} Teil</h2><div class=\"outline-text-2\">{body}</div></div><br>")
    };
    let list = "<ol><li>Eine Zeile wird gesprochen, nachdem der Cursor wandert.</li><li>Ein Zeichen wird gesprochen, bevor es gelöscht wird.</li></ol>";
    let sections = [
        section(1, para(1, 1, 3)),
        section(2, para(2, 1, 3)),
        section(3, format!("{}<br>{list}<br>{}", para(3, 1, 3), para(3, 2, 3))),
        section(4, "<ol><li><a href=\"/a\">Zwanzig Jahre</a>.</li></ol>".to_string()),
    ]
    .concat();
    let rail =
        "<div class=\"sidebar\"><p><a href=\"/a\">Archiv 2019</a></p><p><a href=\"/b\">Archiv 2018</a></p></div>";
    let page = format!("<html><body><div class=\"post\"><br><div id=\"content\"><h1>Advice in Emacs</h1>{sections}</div></div>{rail}</body></html>");
    let text = text_of(&page);
    for i in 1..=3 {
        assert!(text.contains(&format!("Abschnitt {i}.1:")), "section {i} lost: {text}");
    }
    assert!(text.find("Abschnitt 1.1:") < text.find("Abschnitt 3.2:"), "{text}");
    assert!(!text.contains("Archiv"), "{text}");
}

// Traps: siblings of one class that are not the article's sections. A video page gives its
// video's description and the playlist's cards one class; the cards' text is all links (no
// prose), so the description stays alone. A layout's rows open with no heading.
#[test]
fn rows_and_cards_of_one_class_are_no_sections() {
    let story: String = (1..=6).map(para).collect();
    let cards: String = (1..=6)
        .map(|i| format!("<div class=\"item\"><a href=\"/v{i}\"><h3>Video {i}</h3><p>Beschreibung {i}: Ein Film darüber, wie der Stadtrat tagte, mit Stimmen von Anwohnern und Händlern, die sich zu Wort meldeten. Dazu Bilder aus dem Saal.</p></a></div>"))
        .collect();
    let weather: String = (0..3).map(|k| format!("<p>Satz {k} aus einer Spalte über das Wetter am Wochenende, das wechselhaft und kühl bleiben soll, sagen die Meteorologen.</p>")).collect();
    let page = format!(
        "<html><body><h1>Haushalt</h1><div class=\"row\"><div class=\"item\"><h2>Haushalt</h2><div>{story}</div></div>{cards}</div><div class=\"row\">{weather}</div></body></html>"
    );
    let text = text_of(&page);
    assert_paragraphs(&text, 6);
    assert!(!text.contains("Beschreibung"), "{text}");
    assert!(!text.contains("Meteorologen"), "{text}");
}
