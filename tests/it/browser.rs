//! The pages as a person sees them: headless Chromium (installed by `.ci/run`) loads the
//! dashboard, a feed's page and an item's page from `serve`, and the test reads the rendered
//! DOM (`--dump-dom`), the browser's console, and screenshots at a phone's and a desktop's
//! width.

use std::path::Path;
use std::process::Command;

use crate::support::daemon::Daemon;
use crate::support::Workspace;

/// Chromium on `url` with `args`: (stdout, stderr). Each run has its own profile folder.
fn chromium(args: &[&str], url: &str) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new("chromium")
        .args(["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--enable-logging=stderr", "--v=0"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .output()
        .expect("chromium must be installed (.ci/run installs it)");
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The rendered DOM of `url`, asserting the console stayed quiet (no errors, no CSP refusals).
fn rendered(url: &str) -> String {
    let (dom, log) = chromium(&["--dump-dom"], url);
    let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE") || l.contains("Refused to")).collect();
    assert!(console.is_empty(), "console messages on {url}:\n{}", console.join("\n"));
    dom
}

/// The width and height of a PNG file.
fn png_size(path: &Path) -> (u32, u32) {
    let b = std::fs::read(path).unwrap();
    assert!(b.len() > 10_000 && b.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is no screenshot", path.display());
    let be = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    (be(16), be(20))
}

#[test]
fn a_person_sees_the_clean_item_what_was_removed_and_a_broken_feed() {
    // the console check itself works: a page that logs is caught
    let (_, log) = chromium(&["--dump-dom"], "data:text/html,<script>console.error('canary-4711')</script>");
    assert!(log.contains("canary-4711"), "the console is not captured:\n{log}");

    let ws = Workspace::with_config(
        "[settings]\ndb = \"db\"\ntimeout = \"2s\"\n\n[[feed]]\nname = \"sample\"\nurl = \"sample.xml\"\n\n[[feed]]\nname = \"broken\"\nurl = \"http://127.0.0.1:9/feed.xml\"\n",
    );
    let sample = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample-feed.xml")).unwrap();
    std::fs::write(ws.path().join("sample.xml"), sample).unwrap();
    ws.fetch(1);
    let d = Daemon::start(&ws);
    let base = format!("http://{}", d.addr);

    let dashboard = rendered(&format!("{base}/"));
    assert!(
        dashboard.contains("broken") && dashboard.contains("cannot connect"),
        "the broken feed's error in words:\n{dashboard}"
    );
    let feed = rendered(&format!("{base}/feeds/sample"));
    let item = feed
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .find(|h| h.contains("/items/") && h.contains("bibliothek"))
        .expect("a link to the library story")
        .replace("&amp;", "&");
    let page = rendered(&item);
    let (article, removed) = page.split_once("What feedscrub removed").expect("the removals section");
    assert!(article.contains("Die Stadtbibliothek am Marktplatz öffnet ab April auch an Sonntagen."), "{article}");
    assert!(!article.contains("Hörbuch"), "the ad is not in the article:\n{article}");
    assert!(
        removed.contains("ad-label")
            && removed.contains("an ad label standing alone")
            && removed.contains("Hörbuch-Flatrate"),
        "{removed}"
    );

    // phone and desktop widths
    let shots = tempfile::tempdir().unwrap();
    for (name, w) in [("phone", 390), ("desktop", 1280)] {
        let file = shots.path().join(format!("{name}.png"));
        let (_, log) = chromium(
            &["--hide-scrollbars", &format!("--window-size={w},1000"), &format!("--screenshot={}", file.display())],
            &item,
        );
        assert!(file.exists(), "no screenshot: {log}");
        assert_eq!(png_size(&file), (w, 1000));
    }
}
