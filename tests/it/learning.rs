//! What the cleaner learns from a feed's own items, through the real path (`fetch` from the
//! local origin, several polls, then `export`): templated footers, promo title affixes, and
//! the shapes no feed teaches (sponsor lists, an ad's headline), each with its trap.

use crate::support::*;

const RSS: &str = "application/rss+xml";

/// An RSS document of `items` (title, HTML body), each with a link under `/post-N`.
fn rss(items: &[(String, String)]) -> Vec<u8> {
    let mut out = String::from(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Blog</title>\
         <link>https://blog.example/</link><description>d</description>",
    );
    for (title, body) in items {
        let slug: String = title.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        out.push_str(&format!(
            "<item><title>{title}</title><link>https://blog.example/post-{slug}</link>\
             <guid>https://blog.example/post-{slug}</guid><description><![CDATA[{body}]]></description></item>"
        ));
    }
    out.push_str("</channel></rss>");
    out.into_bytes()
}

/// (title, content_html) of every exported item of `feed`, as JSON Feed.
fn exported(ws: &Workspace, feed: &str) -> Vec<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(&ws.export(Some(feed), "json")).unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["title"].as_str().unwrap_or("").to_string(), i["content_html"].as_str().unwrap_or("").to_string()))
        .collect()
}

/// Serves `items` as one feed, fetches it once into a new store, and exports it.
fn fetched_once(items: &[(String, String)]) -> Vec<(String, String)> {
    let o = Origin::start();
    o.serve("/feed.xml", Route::feed(rss(items), RSS));
    let ws = Workspace::with_feeds(&[("f", &o.url("/feed.xml"))]);
    ws.fetch(0);
    exported(&ws, "f")
}

fn body_of<'a>(items: &'a [(String, String)], title: &str) -> &'a str {
    &items.iter().find(|(t, _)| t == title).unwrap_or_else(|| panic!("{title:?} not exported: {items:?}")).1
}

const AUTHORS: &[&str] = &["Ann Example", "Bo", "Carla de la Cruz", "Dev", "Eve Long-Name", "Fritz"];

/// Stories that share no sentence: what real posts look like.
const STORIES: &[(&str, &str)] = &[
    ("Compost bins filled up faster than expected this spring.", "Turning them weekly kept the smell down."),
    ("A fox has been visiting the allotments at dawn.", "Nobody minds, except the chickens."),
    ("Our beans climbed the new trellis within a fortnight.", "Next year we will plant twice as many."),
    ("Slugs ate half the lettuce during the wet week.", "Copper tape around the beds seems to help."),
    ("The apple tree finally flowered after three barren years.", "Pruning in February made the difference."),
    ("We tried a no-dig bed on the far plot.", "Cardboard under the mulch smothered the weeds."),
    ("Rain barrels saved us during the August drought.", "Two more are on the wish list for autumn."),
];

/// A blog post whose footer is a template: byline, time, comment count and permalink differ
/// from post to post, the words and links around them do not.
fn post(n: usize) -> (String, String) {
    let author = AUTHORS[n % AUTHORS.len()];
    let (a, b) = STORIES[n % STORIES.len()];
    (
        format!("Post {n}"),
        format!(
            "<p>{a}</p><p>{b}</p>\
             <p>Posted by {author} at {}:{:02} PM | <a href=\"https://blog.example/post-{n}#comments\">{} comments</a> | \
             <a href=\"https://blog.example/post-{n}\">Permalink</a></p>",
            n % 12 + 1,
            n * 7 % 60,
            n * 3 % 17,
        ),
    )
}

/// A feed that brings one new item per poll still loses its footer: the template was learned
/// on the first polls and kept with the feed. A fresh store that sees that one item alone
/// cannot tell its footer from its text, and keeps it (the control).
#[test]
fn a_templated_footer_is_learned_and_removed_from_a_later_single_item() {
    let o = Origin::start();
    o.serve("/blog.xml", Route::feed(rss(&(1..=5).map(post).collect::<Vec<_>>()), RSS));
    let ws = Workspace::with_feeds(&[("blog", &o.url("/blog.xml"))]);
    ws.fetch(0);
    o.serve("/blog.xml", Route::feed(rss(&(4..=6).map(post).collect::<Vec<_>>()), RSS));
    ws.fetch(0);
    // the publisher now lists only the newest post
    o.serve("/blog.xml", Route::feed(rss(&[post(7)]), RSS));
    ws.fetch(0);
    let items = exported(&ws, "blog");
    assert_eq!(items.len(), 7, "{items:?}");
    for (n, (title, html)) in items.iter().enumerate() {
        assert!(!html.contains("Posted by") && !html.contains("Permalink"), "{title}: {html}");
        let n: usize = title.trim_start_matches("Post ").parse().unwrap_or(n);
        let (a, b) = STORIES[n % STORIES.len()];
        assert!(html.contains(a) && html.contains(b), "{title}: {html}");
    }
    let stats = ws.run(&["stats"]);
    assert!(stats.stdout.contains("learned template \"posted by"), "{}", stats.stdout);

    // the control: one item, nothing learned, the footer stays
    let fresh = Workspace::with_feeds(&[("blog", &o.url("/blog.xml"))]);
    fresh.fetch(0);
    assert!(body_of(&exported(&fresh, "blog"), "Post 7").contains("Posted by"));
}

/// Trap: a sentence that every post shares in shape, in the middle of its text, is the
/// feed's content (a measurement), not furniture.
#[test]
fn a_templated_sentence_inside_the_article_stays() {
    let item = |n: usize| {
        let (a, b) = STORIES[n % STORIES.len()];
        (
            format!("Report {n}"),
            format!("<p>{a}</p><p>The gauge read {} centimetres at noon on day {n}.</p><p>{b}</p>", 100 + n),
        )
    };
    let o = Origin::start();
    o.serve("/r.xml", Route::feed(rss(&(1..=6).map(item).collect::<Vec<_>>()), RSS));
    let ws = Workspace::with_feeds(&[("r", &o.url("/r.xml"))]);
    ws.fetch(0);
    for (title, html) in exported(&ws, "r") {
        assert!(html.contains("The gauge read"), "{title}: {html}");
    }
}

/// Companies a post names, each with the publisher's box about it: its own name, fields and a
/// description differ from post to post, the box's heading and field names do not.
const COMPANIES: &[(&str, &str, &str)] = &[
    (
        "Acme Rockets",
        "acme.example",
        "Acme builds small rockets for weather research and sells launch slots to universities.",
    ),
    ("Bolt Bikes", "bolt.example", "Bolt designs folding electric bicycles and repairs them in its own workshops."),
    ("Cedar Labs", "cedar.example", "Cedar Labs writes software that schedules deliveries for regional bakeries."),
    ("Delta Greens", "delta.example", "Delta Greens grows herbs in shipping containers behind supermarkets."),
    ("Echo Audio", "echo.example", "Echo Audio makes hearing protection for concert crews and drummers."),
];

/// Prose no two posts share (not even a word pattern): sentences of words drawn from a list
/// by a small generator seeded with the post's number, as real posts share no paragraphs.
fn prose(n: usize, sentences: usize) -> String {
    const WORDS: &[&str] = &[
        "harbour",
        "lanterns",
        "glowed",
        "beside",
        "quiet",
        "fishermen",
        "mended",
        "nets",
        "gulls",
        "circled",
        "orchards",
        "ripened",
        "early",
        "farmers",
        "counted",
        "crates",
        "bakers",
        "sold",
        "rye",
        "loaves",
        "trains",
        "arrived",
        "late",
        "commuters",
        "grumbled",
        "teachers",
        "graded",
        "essays",
        "rivers",
        "flooded",
        "meadows",
        "bridges",
        "reopened",
        "markets",
        "bustled",
        "painters",
        "restored",
        "murals",
        "choirs",
        "rehearsed",
        "cyclists",
        "raced",
        "uphill",
        "librarians",
        "catalogued",
        "maps",
        "engineers",
        "tested",
        "pumps",
        "volunteers",
    ];
    let mut state = (n as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        WORDS[(state % WORDS.len() as u64) as usize]
    };
    (0..sentences)
        .map(|_| {
            let words: Vec<&str> = (0..9).map(|_| next()).collect();
            let mut s = words.join(" ");
            s[..1].make_ascii_uppercase();
            s + "."
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A post that ends with the publisher's box about the company it names: a fixed heading,
/// the company's name, fields of a fixed shape and a description of the company.
fn boxed_post(n: usize) -> (String, String) {
    let (name, site, about) = COMPANIES[n % COMPANIES.len()];
    (
        format!("Story {n}"),
        format!(
            "<p>{}</p><p>{}</p>\
             <div class=\"module-companybox\"><h2>Company Database</h2><p>{}</p>\
             <div>Company: <a href=\"https://db.example/{n}\">{name}</a></div>\
             <div>Website: <a href=\"https://{site}\">{site}</a></div>\
             <div>Founded: {}</div><p>{about}</p><p><a href=\"https://db.example/{n}\">Learn more</a></p></div>",
            prose(n, 3),
            prose(n + 100, 2),
            name.to_uppercase(),
            1990 + n,
        ),
    )
}

/// The box that ends every post goes whole, the company's description with it: most of its
/// lines are the feed's template, and the item's own words between them belong to the box.
#[test]
fn a_templated_box_that_ends_the_item_goes_whole() {
    let items = fetched_once(&(1..=6).map(boxed_post).collect::<Vec<_>>());
    assert_eq!(items.len(), 6, "{items:?}");
    for (n, (title, html)) in items.iter().enumerate() {
        let n: usize = title.trim_start_matches("Story ").parse().unwrap_or(n);
        let (name, _, about) = COMPANIES[n % COMPANIES.len()];
        for p in [prose(n, 3), prose(n + 100, 2)] {
            assert!(html.contains(&p), "{title}: the article lost text: {html}");
        }
        for junk in ["Company Database", "Company:", "Website:", "Founded:", "Learn more", about] {
            assert!(!html.contains(junk), "{title}: {junk:?} left: {html}");
        }
        assert!(!html.contains(&name.to_uppercase()), "{title}: {html}");
    }
}

/// Trap: posts whose template lines stand between more of their own paragraphs than the
/// template has lines (a dated entry, a "Update:" line, a signature) keep everything: that is
/// an article with a template line here and there, not a box.
#[test]
fn template_lines_between_more_article_paragraphs_are_no_box() {
    let item = |n: usize| {
        let (a, b) = STORIES[n % STORIES.len()];
        let (c, d) = STORIES[(n + 3) % STORIES.len()];
        (
            format!("Diary {n}"),
            format!(
                "<p>{a}</p><p>Update from the plot:</p><p>{b}</p><p>{c}</p><p>{d}</p>\
                 <p>Weather: sunny, {} degrees</p>",
                10 + n
            ),
        )
    };
    for (title, html) in fetched_once(&(1..=6).map(item).collect::<Vec<_>>()) {
        let n: usize = title.trim_start_matches("Diary ").parse().unwrap();
        let (c, d) = STORIES[(n + 3) % STORIES.len()];
        assert!(html.contains(c) && html.contains(d), "{title}: {html}");
        assert!(html.contains("Update from the plot"), "{title}: {html}");
    }
}

/// A report written as lines (`<br>`, no paragraphs, no sentence ends) whose last line is the
/// same in every item: that line is the feed's footer and goes; the lines above it, each a
/// field filled in per item, stay.
#[test]
fn a_footer_line_after_a_line_break_is_learned() {
    const PLACES: &[&str] = &["Elingasse", "Birkfelder Straße", "Hauptplatz", "Gleisdorfer Straße", "Am Sturzgraben"];
    let item = |n: usize| {
        (
            format!("Einsatz {n}"),
            format!(
                "Einsatzort: Weiz, {}<br />\n\t\tAlarmierung: Sirene {n}<br />\n\t\t\
                 Weitere Informationen und Details zu diesem Einsatz finden Sie auf unserer Website",
                PLACES[n % PLACES.len()]
            ),
        )
    };
    let o = Origin::start();
    o.serve("/e.xml", Route::feed(rss(&(1..=5).map(item).collect::<Vec<_>>()), RSS));
    let ws = Workspace::with_feeds(&[("e", &o.url("/e.xml"))]);
    ws.fetch(0);
    for (title, html) in exported(&ws, "e") {
        assert!(!html.contains("Weitere Informationen"), "{title}: {html}");
        assert!(html.contains("Einsatzort: Weiz") && html.contains("Alarmierung: Sirene"), "{title}: {html}");
    }
}

/// A short line that ends every item (the show's phone number: shorter than the blocks learned
/// wherever they stand, and all numbers, so no template has a word of it) is the feed's and goes; a short heading that every item repeats above its own list ("Topics this week:")
/// opens the item's text, and stays.
#[test]
fn a_short_line_every_item_ends_with_is_learned_and_a_short_heading_stays() {
    let item = |n: usize| {
        let (a, b) = STORIES[n % STORIES.len()];
        (
            format!("Episode {n}"),
            format!(
                "<p>Topics this week:</p><ul><li>{a}</li><li>{b}</li></ul>\
                 <p><a href=\"tel:+16464348528\">646-434-8528</a></p>"
            ),
        )
    };
    let items = fetched_once(&(1..=5).map(item).collect::<Vec<_>>());
    assert_eq!(items.len(), 5);
    for n in 1..=5 {
        let (title, html) = (format!("Episode {n}"), body_of(&items, &format!("Episode {n}")));
        let (a, b) = STORIES[n % STORIES.len()];
        assert!(!html.contains("646-434"), "{title}: {html}");
        assert!(html.contains("Topics this week:") && html.contains(a) && html.contains(b), "{title}: {html}");
    }
}

/// A publisher's own promotions share a title prefix and sell (tickets, a discount): learned
/// for the feed, dropped (`ads = "drop"`, the default), and a later one is dropped too. An
/// item with the prefix that sells nothing stays, and so do the feed's other posts.
#[test]
fn a_learned_promo_prefix_drops_the_publishers_promotions() {
    let promo = |n: usize| {
        (
            format!("Workshop: Pruning roses, part {n}"),
            format!(
                "<p>Join us on day {n}. Tickets are on sale now; register before May for the early bird discount.</p>"
            ),
        )
    };
    let mut first: Vec<(String, String)> = (1..=5).map(post).collect();
    first.extend((1..=2).map(promo));
    let o = Origin::start();
    o.serve("/blog.xml", Route::feed(rss(&first), RSS));
    let ws = Workspace::with_feeds(&[("blog", &o.url("/blog.xml"))]);
    ws.fetch(0);
    let titles: Vec<String> = exported(&ws, "blog").into_iter().map(|(t, _)| t).collect();
    assert!(titles.iter().all(|t| !t.starts_with("Workshop")), "{titles:?}");
    assert_eq!(titles.len(), 5, "{titles:?}");
    let stats = ws.run(&["stats"]);
    assert!(stats.stdout.contains("learned promo title \"workshop: …\""), "{}", stats.stdout);

    // a later poll: one more promotion, and a post under the same prefix that sells nothing
    let notes =
        ("Workshop: What we learned".to_string(), "<p>Thanks to everyone who came; the notes follow.</p>".to_string());
    o.serve("/blog.xml", Route::feed(rss(&[promo(3), notes, post(6)]), RSS));
    ws.fetch(0);
    let titles: Vec<String> = exported(&ws, "blog").into_iter().map(|(t, _)| t).collect();
    assert!(!titles.iter().any(|t| t.contains("part 3")), "{titles:?}");
    assert!(titles.iter().any(|t| t == "Workshop: What we learned"), "{titles:?}");
    assert!(titles.iter().any(|t| t == "Post 6"), "{titles:?}");
}

/// Show notes with a sponsor list: the lead, every sponsor with its pitch and code, go; the
/// notes stay. Traps: news about a sponsor, and "erstattete Anzeige", keep their text.
#[test]
fn a_sponsor_block_goes_and_news_about_sponsors_stays() {
    let items = vec![
        (
            "Episode 12".to_string(),
            "<p>We talk to a beekeeper about the winter losses of her hives and what helped.</p>\
             <p>This episode is brought to you by:</p>\
             <ul><li><a href=\"https://mattress.example/pod\">Restful</a> – better sleep. Use offer code POD for 15% off.</li>\
             <li><a href=\"https://vpn.example/pod\">Tunnel</a> – browse privately. Get a free trial at tunnel.example/pod.</li></ul>\
             <h3>Links</h3><p>The beekeeping society publishes its winter survey every March.</p>"
                .to_string(),
        ),
        (
            "Club news".to_string(),
            "<p>The club's new sponsor, a regional bank, was criticised by members at the meeting.</p>\
             <p>Die Polizei erstattete Anzeige gegen Unbekannt, nachdem das Vereinsheim beschmiert worden war.</p>"
                .to_string(),
        ),
    ];
    let out = fetched_once(&items);
    let ep = body_of(&out, "Episode 12");
    for gone in ["brought to you", "Restful", "offer code", "Tunnel", "free trial"] {
        assert!(!ep.contains(gone), "{gone:?} left in {ep}");
    }
    assert!(ep.contains("winter losses") && ep.contains("Links") && ep.contains("winter survey"), "{ep}");
    let news = body_of(&out, "Club news");
    assert!(news.contains("new sponsor, a regional bank") && news.contains("erstattete Anzeige"), "{news}");
}

/// An ad whose headline is a heading: label, headline and pitch go together. Trap: after a
/// label whose ad was only an image, the article's own heading and text stay.
#[test]
fn an_ads_headline_goes_with_its_pitch() {
    let items = vec![
        (
            "Haushalt".to_string(),
            "<p>Der Stadtrat hat am Dienstag den Haushalt für das kommende Jahr beschlossen.</p>\
             <p>Anzeige</p><h3>Der Börsenbrief für Einsteiger</h3>\
             <p>Jetzt kostenlos abonnieren und Sie erhalten jeden Morgen die besten Tipps: \
             <a href=\"https://brief.example/abo\">hier klicken</a></p>\
             <p>Die Opposition kündigte Widerstand gegen die Kürzungen an.</p>"
                .to_string(),
        ),
        (
            "Debatte".to_string(),
            "<p>Der Rat tagte bis in die Nacht über den Etat der Stadt.</p>\
             <p>Anzeige</p><p><a href=\"https://ad.example/\"><img src=\"https://ad.example/banner.png\"></a></p>\
             <h3>Die Fraktionen</h3><p>Die Fraktionen stritten vor allem über die Kosten der Schulen.</p>"
                .to_string(),
        ),
    ];
    let out = fetched_once(&items);
    let h = body_of(&out, "Haushalt");
    assert!(!h.contains("Anzeige") && !h.contains("Börsenbrief") && !h.contains("abonnieren"), "{h}");
    assert!(h.contains("Haushalt für das kommende Jahr") && h.contains("Opposition"), "{h}");
    let d = body_of(&out, "Debatte");
    assert!(!d.contains("Anzeige") && !d.contains("banner.png"), "{d}");
    assert!(d.contains("Die Fraktionen</h3>") && d.contains("Kosten der Schulen"), "{d}");
}
