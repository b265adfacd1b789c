//! A real feed reader reads what `serve` serves: newsboat (Debian package, installed by
//! `.ci/run`) subscribes to the clean feeds, reloads, and its cache holds the cleaned items.

use std::process::Command;
use std::time::Duration;

use crate::support::*;

#[test]
fn newsboat_reads_the_clean_feeds() {
    let o = Origin::start();
    o.serve("/rss2.xml", Route::feed(read_fixture("feeds/rss2.xml"), "application/rss+xml"));
    o.serve("/atom.xml", Route::feed(read_fixture("feeds/atom.xml"), "application/atom+xml"));
    let ws = Workspace::with_config(&format!(
        "[settings]\ndb = \"db\"\n[[feed]]\nname = \"news\"\nurl = \"{}\"\n[[feed]]\nname = \"culture\"\nurl = \"{}\"\n",
        o.url("/rss2.xml"),
        o.url("/atom.xml")
    ));
    let mut d = Daemon::start(&ws);
    d.wait_entries("/all.atom", 5);

    let dir = ws.path();
    std::fs::write(dir.join("urls"), format!("http://{a}/feeds/news.rss\nhttp://{a}/feeds/culture.atom\n", a = d.addr))
        .unwrap();
    std::fs::write(dir.join("newsboat.conf"), "download-timeout 10\n").unwrap();
    let newsboat = |args: &[&str]| {
        let out = Command::new("newsboat")
            .args(["-u", "urls", "-c", "cache.db", "-C", "newsboat.conf"])
            .args(args)
            .current_dir(dir)
            .env("HOME", dir)
            .output()
            .expect("newsboat must be installed (.ci/run installs it: apt-get install newsboat)");
        assert!(out.status.success(), "newsboat {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    newsboat(&["-x", "reload"]);
    assert_eq!(newsboat(&["-x", "print-unread"]).trim(), "5 unread articles");

    // What the reader stored: every item, cleaned.
    let dump = Command::new("python3")
        .args(["-c", "import sqlite3,sys,json; c=sqlite3.connect(sys.argv[1]); print(json.dumps(c.execute('select title, content from rss_item order by title').fetchall()))"])
        .arg(dir.join("cache.db"))
        .output()
        .expect("python3");
    let rows: Vec<(String, String)> = serde_json::from_slice(&dump.stdout).expect("newsboat cache rows");
    let titles: Vec<&str> = rows.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Council approves new cycle lanes on Harbour Road",
            "Ferry timetable changes for the spring season",
            "Library extends opening hours on weekends",
            "School garden wins regional award",
            "Town choir celebrates its 100th season",
        ]
    );
    let all: String = rows.iter().map(|(_, c)| c.as_str()).collect();
    assert!(all.contains("The council voted 9 to 4"), "article text reached the reader");
    for junk in ["Anzeige", "Book your service", "shop.example.com", "<script", "pixel.example.net", "utm_"] {
        assert!(!all.contains(junk), "{junk:?} reached the reader");
    }
    d.signal("TERM");
    assert_eq!(d.wait_exit(Duration::from_secs(20)), 0);
}
