//! The store's conformance suite: every case runs against every engine (`conformance!` makes a
//! `sled` and a `redb` test of each), so both keep the same promises.

use super::*;
use chrono::Utc;

fn item(feed: &str, id: &str) -> Item {
    Item::sample(feed, id)
}

fn tombstone(id: &str) -> Tombstone {
    Tombstone { v: 1, id: id.into(), canonical: None, sig: None, pruned: Utc::now(), seen: Utc::now() }
}

#[path = "../../tests/it/support/pg.rs"]
pub(crate) mod pg_cluster;

/// Opens the store of `b` at `path`; for PostgreSQL, a database of the tests' cluster that
/// stands for `path` (the same one when a test opens `path` again).
fn open(path: &Path, b: Backend) -> Store {
    let store = match b {
        Backend::Postgres => {
            static DATABASES: Mutex<Vec<(PathBuf, String)>> = Mutex::new(Vec::new());
            let mut dbs = DATABASES.lock().unwrap();
            let url = match dbs.iter().find(|(p, _)| p == path) {
                Some((_, url)) => url.clone(),
                None => {
                    let url = pg_cluster::database("store");
                    dbs.push((path.to_path_buf(), url.clone()));
                    url
                }
            };
            Store::open_postgres(&url).unwrap()
        }
        _ => Store::open_with(path, Some(b)).unwrap(),
    };
    assert_eq!(store.backend(), b);
    store
}

/// `conformance!(case, …)`: for each `async fn case(b: Backend)`, a test per engine;
/// `local: case, …` only for the engines of a folder (locks and files are theirs alone).
macro_rules! conformance {
    ($($case:ident),* ; local: $($local:ident),* $(,)?) => {
        mod sled {
            $( #[tokio::test] async fn $case() { super::$case(super::Backend::Sled).await } )*
            $( #[tokio::test] async fn $local() { super::$local(super::Backend::Sled).await } )*
        }
        mod redb {
            $( #[tokio::test] async fn $case() { super::$case(super::Backend::Redb).await } )*
            $( #[tokio::test] async fn $local() { super::$local(super::Backend::Redb).await } )*
        }
        mod postgres {
            $( #[tokio::test] async fn $case() { super::$case(super::Backend::Postgres).await } )*
        }
    };
}

conformance!(
    commit_is_durable_across_reopen,
    generations_change_only_with_items,
    scans_stay_within_their_prefix,
    overwrites_and_removals,
    concurrent_commits_are_all_acknowledged_and_kept,
    the_newest_items_are_chosen_while_scanning,
    state_only_commits_are_seen_at_once_and_kept_when_the_store_closes,
    text_with_nul_is_stored_and_read_back_as_it_came;
    local:
    a_second_open_is_refused_as_locked,
    a_store_of_garbage_is_moved_aside_and_restarted,
    an_existing_store_keeps_its_engine,
);

/// A commit of feeds' states alone (a 304 poll) does not wait for the disk, but is read back
/// at once, and the store puts it on disk when it closes (and within `SYNC_DEFERRED`).
async fn state_only_commits_are_seen_at_once_and_kept_when_the_store_closes(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let store = open(&path, b);
        for n in 0..50u64 {
            let mut c = store.changes();
            c.put_state("a", &FeedState { url: "u".into(), item_count: n, ..Default::default() });
            store.commit(c).await.unwrap();
            assert_eq!(store.feed_state("a").unwrap().unwrap().item_count, n, "read back at once");
        }
        let mut c = store.changes();
        c.put_state("b", &FeedState { url: "v".into(), item_count: 7, ..Default::default() });
        store.commit(c).await.unwrap();
        let mut c = store.changes();
        c.put_item(&item("c", "1"));
        store.commit(c).await.unwrap(); // durable: takes the state-only commits before it along
                                        // the daemon's setting: state-only commits wait a moment to share a transaction
        store.gather_state_commits(std::time::Duration::from_millis(5));
        let commits = (0..20u64).map(|n| {
            let mut c = store.changes();
            c.put_state(&format!("g{n}"), &FeedState { url: "w".into(), item_count: n, ..Default::default() });
            store.commit(c)
        });
        for done in futures_util::future::join_all(commits).await {
            done.unwrap();
        }
        let mut c = store.changes();
        c.put_state("a", &FeedState { url: "u".into(), item_count: 99, ..Default::default() });
        store.commit(c).await.unwrap(); // the last one: synced when the store closes
    }
    let store = open(&path, b);
    for n in 0..20u64 {
        assert_eq!(store.feed_state(&format!("g{n}")).unwrap().unwrap().item_count, n);
    }
    assert_eq!(store.feed_state("a").unwrap().unwrap().item_count, 99);
    assert_eq!(store.feed_state("b").unwrap().unwrap().item_count, 7);
    assert!(store.item("c", "1").unwrap().is_some());
}

/// `newest_item_metas` keeps the newest of the wanted feeds' items, newest first, without
/// their HTML, whatever order the scan meets them in.
async fn the_newest_items_are_chosen_while_scanning(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"), b);
    let t0 = Utc::now();
    let mut c = store.changes();
    for i in 0..60 {
        // dates scattered over the keys: the newest items are not the last ones scanned
        let mut it = item(if i % 3 == 0 { "skip" } else { "keep" }, &format!("{i:02}"));
        it.published = Some(t0 - chrono::Duration::minutes((i * 37 % 60) as i64));
        c.put_item(&it);
    }
    store.commit(c).await.unwrap();
    let got = store.newest_item_metas(7, |f| f == "keep").unwrap();
    let mut want: Vec<(i64, String)> =
        (0..60).filter(|i| i % 3 != 0).map(|i| ((i * 37 % 60) as i64, format!("{i:02}"))).collect();
    want.sort();
    let want: Vec<String> = want.into_iter().take(7).map(|(_, id)| id).collect();
    assert_eq!(got.iter().map(|i| i.id.clone()).collect::<Vec<_>>(), want);
    assert!(got.iter().all(|i| i.feed == "keep" && i.html.as_str().is_empty()), "metas of wanted feeds only");
}

/// NUL and `\u0000` in what a feed sends (PostgreSQL's text refuses NUL, jsonb `\u0000`):
/// stored, and read back unchanged.
async fn text_with_nul_is_stored_and_read_back_as_it_came(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"), b);
    let mut it = item("a", "guid:\0x");
    it.title = "bad\0title".into();
    it.link = Some("https://example.org/\0".into());
    it.canonical = Some("example.org/\0".into());
    let state = FeedState { url: "u".into(), last_error: Some("broke at \0 here".into()), ..Default::default() };
    let mut c = store.changes();
    c.put_item(&it);
    c.put_state("a", &state);
    c.put_tombstone("a", &tombstone("old\0one"));
    store.commit(c).await.unwrap();
    assert_eq!(store.item("a", "guid:\0x").unwrap().unwrap(), it);
    assert_eq!(store.item_by_canonical("a", "example.org/\0").unwrap().unwrap().id, it.id);
    assert_eq!(store.feed_state("a").unwrap().unwrap().last_error, state.last_error);
    assert_eq!(store.tombstone("a", "old\0one").unwrap().unwrap().id, "old\0one");
}

async fn commit_is_durable_across_reopen(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let store = open(&path, b);
        let mut c = store.changes();
        c.put_item(&item("a", "1"));
        c.put_item(&item("a", "2"));
        c.put_item(&item("b", "1"));
        c.put_state("a", &FeedState { url: "u".into(), item_count: 2, ..Default::default() });
        store.commit(c).await.unwrap();
    }
    let store = open(&path, b);
    assert_eq!(store.items("a").unwrap().len(), 2);
    assert_eq!(store.all_items().unwrap().len(), 3);
    assert_eq!(store.all_item_metas().unwrap().len(), 3);
    assert_eq!(store.feed_state("a").unwrap().unwrap().item_count, 2);
    assert!(store.item("a", "1").unwrap().is_some());
    assert!(store.feed_state("zzz").unwrap().is_none());
    assert!(store.size_on_disk().unwrap() > 0);
}

async fn generations_change_only_with_items(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"), b);
    assert_eq!((store.generation(Some("a")), store.generation(None)), (0, 0));
    let mut c = store.changes();
    c.put_state("a", &FeedState::default());
    store.commit(c).await.unwrap();
    assert_eq!(store.generation(Some("a")), 0, "state alone (a 304) changes no rendering");
    let mut c = store.changes();
    c.put_item(&item("a", "1"));
    c.put_item(&item("a", "2"));
    store.commit(c).await.unwrap();
    assert_eq!((store.generation(Some("a")), store.generation(Some("b")), store.generation(None)), (1, 0, 1));
}

/// Feed `a` is a prefix of feed `ab`: nothing of one may show in the other's scans.
async fn scans_stay_within_their_prefix(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"), b);
    let mut c = store.changes();
    for (feed, id) in [("a", "1"), ("ab", "1"), ("ab", "2"), ("b", "9")] {
        c.put_item(&item(feed, id));
    }
    c.put_tombstone("ab", &tombstone("old"));
    store.commit(c).await.unwrap();
    assert_eq!(
        store.items("a").unwrap().iter().map(|i| (i.feed.as_str(), i.id.as_str())).collect::<Vec<_>>(),
        [("a", "1")]
    );
    assert_eq!(store.item_metas("ab").unwrap().len(), 2);
    assert!(store.tombstones("a").unwrap().is_empty());
    assert_eq!(store.tombstones("ab").unwrap().len(), 1);
    assert!(store.has_any('i', "a").unwrap() && !store.has_any('t', "a").unwrap() && store.has_any('t', "ab").unwrap());
    assert!(!store.has_any('i', "c").unwrap());
}

async fn overwrites_and_removals(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"), b);
    let mut first = item("a", "1");
    first.canonical = Some("example.org/story".into());
    let mut c = store.changes();
    c.put_item(&first);
    c.put_tombstone("a", &tombstone("gone"));
    store.commit(c).await.unwrap();
    assert_eq!(store.item_by_canonical("a", "example.org/story").unwrap().unwrap().id, "1");

    let mut changed = first.clone();
    changed.title = "new title".into();
    let mut c = store.changes();
    c.put_item(&changed);
    c.remove_tombstone("a", "gone");
    store.commit(c).await.unwrap();
    assert_eq!(store.item("a", "1").unwrap().unwrap().title, "new title");
    assert_eq!(store.items("a").unwrap().len(), 1, "an overwrite is not a second item");
    assert!(store.tombstone("a", "gone").unwrap().is_none());

    let mut c = store.changes();
    c.remove_item(&changed);
    store.commit(c).await.unwrap();
    assert!(store.item("a", "1").unwrap().is_none());
    assert!(store.item_by_canonical("a", "example.org/story").unwrap().is_none(), "the index entry goes too");
}

/// Many refreshes committing at once (group commit): every one is acknowledged, and every one
/// is there after a reopen.
async fn concurrent_commits_are_all_acknowledged_and_kept(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let store = open(&path, b);
        let tasks: Vec<_> = (0..64)
            .map(|n| {
                let store = store.clone();
                tokio::spawn(async move {
                    let mut c = store.changes();
                    for i in 0..5 {
                        c.put_item(&item(&format!("f{n}"), &i.to_string()));
                    }
                    c.put_state(&format!("f{n}"), &FeedState { item_count: 5, ..Default::default() });
                    store.commit(c).await
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
    }
    let store = open(&path, b);
    assert_eq!(store.all_items().unwrap().len(), 64 * 5);
    assert_eq!(store.feed_state("f63").unwrap().unwrap().item_count, 5);
}

async fn a_second_open_is_refused_as_locked(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let _first = open(&path, b);
    let second = Store::open_with(&path, Some(b));
    assert!(matches!(second, Err(StoreError::Locked { .. })), "{:?}", second.err());
}

/// Files that are not a store at all: moved aside (kept, never deleted) and a new store opened.
async fn a_store_of_garbage_is_moved_aside_and_restarted(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let store = open(&path, b);
        let mut c = store.changes();
        c.put_item(&item("a", "1"));
        store.commit(c).await.unwrap();
    }
    for e in std::fs::read_dir(&path).unwrap().flatten().filter(|e| e.path().is_file()) {
        let len = e.metadata().unwrap().len().max(64) as usize;
        std::fs::write(e.path(), (0..len).map(|i| (i * 7919 % 251) as u8).collect::<Vec<u8>>()).unwrap();
    }
    let store = open(&path, b);
    assert!(store.items("a").unwrap().is_empty(), "a new, empty store");
    let aside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("db.corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1, "the damaged store is kept beside it");
}

async fn an_existing_store_keeps_its_engine(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    drop(open(&path, b));
    assert_eq!(super::folder_backend(&path), Some(b));
    assert_eq!(Store::open(&path).unwrap().backend(), b, "no setting: the engine the files show");
    let other = if b == Backend::Sled { Backend::Redb } else { Backend::Sled };
    match Store::open_with(&path, Some(other)) {
        Err(e @ StoreError::OtherBackend { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains(&format!("is a {b} store")) && msg.contains(&format!("store = \"{other}\"")), "{msg}");
        }
        r => panic!("expected OtherBackend, got {:?}", r.map(|s| s.backend())),
    }
}

#[test]
fn newer_record_versions_are_refused() {
    let e = decode::<FeedRecord>(b"f/a", br#"{"v":99}"#).unwrap_err();
    assert!(matches!(e, StoreError::NewerFormat { version: 99, .. }), "{e}");
    assert!(matches!(decode::<FeedRecord>(b"f/a", b"garbage"), Err(StoreError::Corrupt { .. })));
}

/// Two processes on one database: what one commits, the other's generations show within the
/// follower's poll (and Last-Modified comes from the database), commit after commit.
#[tokio::test]
async fn postgres_a_second_handle_follows_the_first_ones_commits() {
    let url = pg_cluster::database("follow");
    let (a, b) = (Store::open_postgres(&url).unwrap(), Store::open_postgres(&url).unwrap());
    b.follow(std::time::Duration::from_millis(200));
    for round in 1..=3u64 {
        let mut c = a.changes();
        c.put_item(&item("f", &round.to_string()));
        a.commit(c).await.unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
        while b.generation(Some("f")) != round {
            assert!(
                std::time::Instant::now() < deadline,
                "round {round}: b sees generation {}",
                b.generation(Some("f"))
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(b.generation_at(Some("f")).changed, a.generation_at(Some("f")).changed, "the database's time");
    }
    assert_eq!(b.generation(None), 3, "all feeds moved with each");
}
