//! Does the store stay bounded in a long run? 1,000 refreshes of a churning feed, one hour
//! apart (about six weeks, longer than the tombstone lifetime of a week): every refresh the source
//! lists 20 items of which 5 are new. Retention keeps 100 items per feed. Reports the items,
//! tombstones and the store's bytes on disk every 100 refreshes; `cargo bench --bench
//! retention`. (A plain program, not criterion: it measures size, not time.)

use chrono::{DateTime, TimeDelta, Utc};
use feedscrub::config::{AdsMode, FeedConfig, Source};
use feedscrub::model::Validators;
use feedscrub::refresh::process;
use feedscrub::store::Store;
use url::Url;

/// `REFRESHES=…` in the environment runs longer.
fn refreshes() -> usize {
    std::env::var("REFRESHES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000)
}
const LISTED: usize = 20;
const NEW_PER_REFRESH: usize = 5;
const RETAIN_ITEMS: usize = 100;

fn document(refresh: usize) -> Vec<u8> {
    let newest = refresh * NEW_PER_REFRESH + LISTED;
    let mut out = String::from(
        "<rss version=\"2.0\"><channel><title>Churn</title><link>https://churn.example/</link><description>d</description>",
    );
    for n in (newest - LISTED..newest).rev() {
        out.push_str(&format!(
            "<item><guid isPermaLink=\"false\">n{n}</guid><link>https://churn.example/n/{n}</link><title>Meldung {n}</title>\
             <description>&lt;p&gt;Meldung Nummer {n}: der Stadtrat hat heute über den Punkt {n} der Tagesordnung beraten und ihn mit großer Mehrheit angenommen.&lt;/p&gt;&lt;p&gt;Anzeige&lt;/p&gt;&lt;p&gt;Jetzt gratis testen!&lt;/p&gt;</description></item>"
        ));
    }
    out.push_str("</channel></rss>");
    out.into_bytes()
}

fn dir_bytes(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|rd| {
            rd.flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_bytes(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("db");
    let store = Store::open(&db).expect("store");
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    let feed = FeedConfig {
        name: "churn".into(),
        source: Source::Http(Url::parse("https://churn.example/feed.xml").expect("url")),
        drop_items: vec![],
        remove: vec![],
        remove_text: vec![],
        ads: AdsMode::Drop,
        interval: None,
        retain_items: RETAIN_ITEMS,
        retain_days: 90,
        tls_insecure: false,
        full_text: false,
    };
    let t0: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().expect("time");
    println!("refreshes  items  tombstones  store bytes ({} size_on_disk)  folder bytes", store.backend());
    for r in 0..refreshes() {
        let now = t0 + TimeDelta::hours(r as i64);
        let state = store.feed_state("churn").expect("state").unwrap_or_default();
        let (changes, _, _) =
            process(&store, &feed, &document(r), None, state, Validators::default(), now).expect("process");
        rt.block_on(store.commit(changes)).expect("commit");
        if (r + 1) % 100 == 0 {
            let items = store.item_metas("churn").expect("items").len();
            let tombstones = store.tombstones("churn").expect("tombstones").len();
            println!(
                "{:>9}  {items:>5}  {tombstones:>10}  {:>31}  {:>12}",
                r + 1,
                store.size_on_disk().expect("size"),
                dir_bytes(&db)
            );
        }
    }
}
