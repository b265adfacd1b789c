//! The command line: config errors, global options, help, exit codes, `clean` and `check`.

use crate::support::*;

#[test]
fn bad_config_is_exit_2_with_file_line_and_key_for_every_command() {
    let ws = Workspace::with_config(
        "[settings]\ntimeout = \"soon\"\n\n[[feed]]\nname = \"Bad Name\"\nurl = \"gopher://x\"\n",
    );
    for cmd in [&["fetch"][..], &["check"], &["export"]] {
        let r = ws.run(cmd);
        assert_eq!(r.code, 2, "{cmd:?}: {}", r.stderr);
        for want in ["feeds.toml:2:11: settings.timeout", "feeds.toml:5:8: feed[0].name", "feeds.toml:6:7: feed[0].url"]
        {
            assert!(r.stderr.contains(want), "{cmd:?}: {want:?} missing in\n{}", r.stderr);
        }
    }
}

#[test]
fn unknown_key_is_named() {
    let ws = Workspace::with_config("[[feed]]\nname = \"a\"\nurl = \"x.xml\"\nintervall = \"5m\"\n");
    let r = ws.run(&["check"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("feeds.toml:4:1") && r.stderr.contains("unknown field `intervall`"), "{}", r.stderr);
}

#[test]
fn missing_config_is_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let r = feedscrub(&["--config", "nope.toml", "fetch"], dir.path());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nope.toml") && r.stderr.contains("cannot read config"), "{}", r.stderr);
}

#[test]
fn config_option_is_global_and_has_an_env_var() {
    let ws = Workspace::with_feeds(&[("a", "a.xml")]);
    let cfg = ws.config();
    let cfg = cfg.to_str().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    for args in [vec!["--config", cfg, "check"], vec!["check", "--config", cfg]] {
        let r = feedscrub(&args, elsewhere.path());
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(r.stdout.contains("1 feeds:"), "{}", r.stdout);
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_feedscrub"))
        .arg("check")
        .env("FEEDSCRUB_CONFIG", cfg)
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The default is ./feeds.toml.
    let r = feedscrub(&["check"], ws.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for (cmd, word) in [("fetch", "--feed"), ("export", "--format"), ("clean", "--base-url"), ("check", "config")] {
        let r = feedscrub(&[cmd, "--help"], dir.path());
        assert_eq!(r.code, 0);
        assert!(r.stdout.contains(word), "{cmd} --help lacks {word}:\n{}", r.stdout);
    }
    let r = feedscrub(&["--help"], dir.path());
    assert!(r.stdout.contains("fetch") && r.stdout.contains("export") && r.stdout.contains("clean"));
}

#[test]
fn usage_errors_are_exit_2() {
    let ws = Workspace::with_feeds(&[("a", "a.xml")]);
    assert_eq!(ws.run(&["frobnicate"]).code, 2);
    assert_eq!(ws.run(&["export", "--format", "yaml"]).code, 2);
    let r = ws.run(&["fetch", "--feed", "zzz"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("zzz"), "{}", r.stderr);
    let r = ws.run(&["export", "--feed", "zzz"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown feed \"zzz\""), "{}", r.stderr);
}

#[test]
fn check_prints_what_it_understood() {
    let ws = Workspace::with_config(
        "[settings]\ntimeout = \"45s\"\nmax_body = \"2MiB\"\nconcurrency = 4\n[[feed]]\nname = \"a\"\nurl = \"https://a.example/feed\"\ndrop_items = [\"^x\"]\nremove = [\"div.teaser\"]\n",
    );
    let r = ws.run(&["check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for want in [
        "timeout:     45s",
        "max_body:    2.0 MiB",
        "concurrency: 4",
        "https://a.example/feed",
        "drop_items: ^x",
        "remove: div.teaser",
    ] {
        assert!(r.stdout.contains(want), "{want:?} missing:\n{}", r.stdout);
    }
}

fn clean_stdin(args: &[&str], input: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_feedscrub"))
        .arg("clean")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn clean_reads_files_and_stdin_in_both_forms() {
    let dir = tempfile::tempdir().unwrap();
    let r = feedscrub(&["clean", fixture("article-de.txt").to_str().unwrap()], dir.path());
    assert_eq!(r.code, 0);
    let want = String::from_utf8(read_fixture("article-de.clean.txt")).unwrap();
    assert_eq!(r.stdout.trim_end(), want.trim_end());

    let html = clean_stdin(
        &["--base-url", "https://news.example.org/a/"],
        "<p>Text <a href=\"x?utm_source=rss\" onclick=\"evil()\">link</a></p><img src=\"pic.jpg\" onerror=\"alert(1)\"><script>alert(2)</script><a href=\"javascript:alert(3)\">j</a>",
    );
    assert!(html.contains("href=\"https://news.example.org/a/x\""), "{html}");
    assert!(html.contains("src=\"https://news.example.org/a/pic.jpg\""), "{html}");
    assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
    for bad in ["onclick", "onerror", "<script", "alert(2)", "javascript:"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    let text = clean_stdin(&["--format", "text"], "<h2>Head</h2><p>One<br>two</p><p>Anzeige</p><p>Jetzt kostenlos testen: <a href=\"https://ad.example/x\">hier</a></p>");
    assert_eq!(text, "Head\n\nOne\ntwo\n");
}

#[test]
fn missing_clean_input_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let r = feedscrub(&["clean", "no-such.html"], dir.path());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no-such.html"), "{}", r.stderr);
}

#[test]
fn opml_import_adds_feeds_keeps_comments_and_export_lists_them() {
    let ws = Workspace::with_config(
        "# my feeds, keep this comment\n[[feed]]\nname = \"a\"\nurl = \"https://a.example/feed\"\n",
    );
    let opml = ws.path().join("subs.opml");
    std::fs::write(
        &opml,
        r#"<?xml version="1.0"?><opml version="2.0"><body>
            <outline text="A again" xmlUrl="https://a.example/feed"/>
            <outline text="Tagesschau" xmlUrl="https://www.tagesschau.de/xml/rss2/"/>
            <outline text="Secret" xmlUrl="file:///etc/shadow"/>
        </body></opml>"#,
    )
    .unwrap();
    let r = ws.run(&["opml", "import", opml.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("added tagesschau: https://www.tagesschau.de/xml/rss2/"), "{}", r.stdout);
    assert!(r.stdout.contains("1 added, 1 already configured, 1 refused"), "{}", r.stdout);
    assert!(r.stderr.contains("refused file:///etc/shadow: only http(s)"), "{}", r.stderr);
    let text = std::fs::read_to_string(ws.config()).unwrap();
    assert!(text.starts_with("# my feeds, keep this comment\n"), "{text}");
    assert_eq!(ws.run(&["check"]).code, 0);
    let out = ws.run(&["opml", "export"]).stdout;
    assert!(
        out.contains("xmlUrl=\"https://a.example/feed\"")
            && out.contains("xmlUrl=\"https://www.tagesschau.de/xml/rss2/\""),
        "{out}"
    );

    let bad = ws.path().join("bad.opml");
    std::fs::write(&bad, "<rss/>").unwrap();
    let r = ws.run(&["opml", "import", bad.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not OPML"), "{}", r.stderr);
}

/// Each engine's files overwritten with junk: the store is moved aside with a loud log line
/// and the next fetch fills a new one.
#[test]
fn a_store_that_cannot_be_opened_is_moved_aside_and_rebuilt() {
    for store in ["sled", "redb"] {
        let o = Origin::start();
        o.serve("/f.xml", Route::feed(read_fixture("feeds/rss2.xml"), "application/rss+xml"));
        let ws = Workspace::with_feeds_on(Some(store), &[("f", &o.url("/f.xml"))]);
        ws.fetch(0);
        // sled's config file or redb's database file
        let file = ws.path().join(if store == "sled" { "db/conf" } else { "db/store.redb" });
        std::fs::write(&file, b"\x00\xff garbage, not a store \xfe").unwrap();
        let run = ws.fetch(0);
        assert!(run.stderr.contains("the store cannot be opened: moved aside"), "{store}: {}", run.stderr);
        let aside: Vec<_> = std::fs::read_dir(ws.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .filter(|n| n.starts_with("db.corrupt-"))
            .collect();
        assert_eq!(aside.len(), 1, "{store}: the old store is kept for inspection");
        assert_eq!(counts(&run.stdout, "f").1, 3, "{store}: the new store is filled again\n{}", run.stdout);
        assert_eq!(parse_back(&ws.export(Some("f"), "json")).entries.len(), 3);
    }
}

/// Found by scripts/check/crash-loop.sh: a process killed while sled writes a snapshot leaves an
/// unfinished `snap.N.generating`, and sled 0.34 then refuses the whole store. It is removed
/// at open, and the store opens with everything it held.
#[test]
fn an_interrupted_sled_snapshot_does_not_cost_the_store() {
    let o = Origin::start();
    o.serve("/f.xml", Route::feed(read_fixture("feeds/rss2.xml"), "application/rss+xml"));
    let ws = Workspace::with_feeds_on(Some("sled"), &[("f", &o.url("/f.xml"))]);
    ws.fetch(0);
    let leftover = ws.path().join("db/snap.00000000FFFFFFFF.generating");
    std::fs::write(&leftover, b"").unwrap();
    let run = ws.fetch(0);
    assert!(!run.stderr.contains("moved aside"), "{}", run.stderr);
    assert!(!leftover.exists());
    assert_eq!(counts(&run.stdout, "f").3, 3, "the stored items are still there\n{}", run.stdout);
}

/// `feedscrub extract` on a page written for the project (a German regional paper with an
/// "Anzeige" block, consent banner, navigation, related rail, comments): the text form is
/// the article alone, in paragraphs separated by blank lines; the HTML form has absolute URLs.
#[test]
fn extract_prints_the_clean_article_of_a_page() {
    let dir = tempfile::tempdir().unwrap();
    let page = fixture("pages/de-zeitung.html");
    let labels: toml::Table =
        toml::from_str(&String::from_utf8(read_fixture("pages/de-zeitung.toml")).unwrap()).unwrap();
    let r = feedscrub(&["extract", "--format", "text", page.to_str().unwrap()], dir.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    for k in labels["keep"].as_array().unwrap() {
        assert!(text.contains(k.as_str().unwrap()), "lost {k}\n{}", r.stdout);
    }
    for junk in labels["remove"].as_array().unwrap() {
        assert!(!text.contains(junk.as_str().unwrap()), "kept {junk}\n{}", r.stdout);
    }
    assert!(r.stdout.contains("\n\n") && !r.stdout.contains('<'), "paragraphs of plain text:\n{}", r.stdout);

    let base = labels["url"].as_str().unwrap();
    let html = feedscrub(&["extract", "--base-url", base, page.to_str().unwrap()], dir.path());
    assert_eq!(html.code, 0, "{}", html.stderr);
    assert!(html.stdout.contains("src=\"https://www.elmshagener-rundschau.de/"), "{}", html.stdout);

    // --trace: the text after every step, the navigation there after parsing and gone after
    // pruning, the article still there when cleaned
    let trace = feedscrub(&["extract", "--trace", page.to_str().unwrap()], dir.path());
    assert_eq!(trace.code, 0, "{}", trace.stderr);
    let steps: Vec<&str> =
        trace.stdout.lines().filter(|l| l.starts_with("== ")).map(|l| l.split(' ').nth(1).unwrap()).collect();
    assert_eq!(steps.first(), Some(&"parsed"), "{}", trace.stdout);
    assert_eq!(steps.last(), Some(&"cleaned"), "{}", trace.stdout);
    assert!(steps.contains(&"pruned") && steps.contains(&"picked"), "{steps:?}");
    let step = |name: &str| {
        trace
            .stdout
            .split("== ")
            .find(|s| s.starts_with(name))
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let first_keep = labels["keep"].as_array().unwrap()[0].as_str().unwrap();
    assert!(step("cleaned").contains(first_keep), "{}", trace.stdout);
    assert!(
        step("parsed").len() > step("pruned").len() && step("pruned").len() > step("cleaned").len(),
        "{}",
        trace.stdout
    );

    let missing = feedscrub(&["extract", "no-such-page.html"], dir.path());
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(missing.stderr.contains("no-such-page.html"), "{}", missing.stderr);
}
