//! The scheduler's book: when each feed is due and which due feeds may start now.
//!
//! Pure (the caller passes the time, the config and what became of each poll) and O(log n) per
//! event: a binary heap of `(due, stamp, feed)` whose entries go stale instead of being removed
//! (a feed's `stamp` changes whenever it is rescheduled, and entries with another stamp are
//! skipped when they come up), feeds indexed by name, and one queue per host for due feeds
//! that wait for their host's limit. A config reload is diffed against the book once
//! (`sync`), not on every wake-up. At most `concurrency` feeds run at once, at most `per_host`
//! per host; a feed is never started while it runs.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::config::{Config, FeedConfig};

/// A feed's name, shared by the book's index, its heap and its host queues.
pub type Name = Arc<str>;

/// What the book needs to know about a feed new to it (at start, or added by a reload).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum First {
    /// Poll it at this time.
    At(Instant),
    /// It answered 410 Gone at its configured URL: never poll it.
    Gone,
}

/// What became of a poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Poll again this long after it finished.
    After(Duration),
    /// The source answered 410 Gone at this URL: no more polls until the config gives the
    /// feed another URL.
    Gone(String),
}

/// A feed to start now: its name, its position in the config the book was last synced with,
/// and the host whose limit it counts against (handed back to `finished`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start {
    pub name: Name,
    pub index: usize,
    pub host: Name,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    /// In the heap, due at `due` (the entry with the slot's stamp).
    Scheduled,
    /// Due, in its host's queue.
    Waiting,
    Running,
    /// 410 Gone at this URL.
    Gone(Box<str>),
}

#[derive(Debug)]
struct Slot {
    /// Position in the synced config; `None` once a reload removed the feed (kept until its
    /// running poll finishes, so it is never polled twice at once).
    index: Option<usize>,
    host: Name,
    due: Instant,
    stamp: u64,
    phase: Phase,
}

#[derive(Debug, Default)]
struct Host {
    running: usize,
    waiting: VecDeque<Name>,
}

#[derive(Debug)]
pub struct Book {
    slots: HashMap<Name, Slot>,
    heap: BinaryHeap<Reverse<(Instant, u64, Name)>>,
    next_stamp: u64,
    hosts: HashMap<Name, Host>,
    /// Hosts that may have room for a waiting feed (a poll of theirs finished).
    freed: VecDeque<Name>,
    running: usize,
    concurrency: usize,
    per_host: usize,
}

impl Book {
    pub fn new() -> Book {
        Book {
            slots: HashMap::new(),
            heap: BinaryHeap::new(),
            next_stamp: 0,
            hosts: HashMap::new(),
            freed: VecDeque::new(),
            running: 0,
            concurrency: 1,
            per_host: 1,
        }
    }

    /// How many feeds the book schedules (gone ones included), and how many run.
    pub fn feed_count(&self) -> usize {
        self.slots.values().filter(|s| s.index.is_some()).count()
    }

    pub fn running(&self) -> usize {
        self.running
    }

    /// Takes in a (new) config: its limits, its new feeds (`first` says when each is first
    /// due), its removed feeds (dropped), and feeds whose URL changed after a 410 (due again,
    /// by `first`). Feeds already scheduled keep their time. O(feeds), once per reload.
    pub fn sync(&mut self, cfg: &Config, mut first: impl FnMut(&FeedConfig) -> First) {
        let (concurrency, per_host) = (cfg.settings.concurrency.get(), cfg.settings.per_host.get());
        if per_host > self.per_host {
            // Room for feeds waiting on their host's old limit.
            self.freed.extend(self.hosts.iter().filter(|(_, h)| !h.waiting.is_empty()).map(|(n, _)| n.clone()));
        }
        (self.concurrency, self.per_host) = (concurrency, per_host);
        for s in self.slots.values_mut() {
            s.index = None;
        }
        for (i, f) in cfg.feeds.iter().enumerate() {
            let host = self.host_name(f);
            match self.slots.get_mut(f.name.as_str()) {
                Some(slot) => {
                    slot.index = Some(i);
                    if slot.phase != Phase::Running {
                        slot.host = host;
                    }
                    let gone_elsewhere = matches!(&slot.phase, Phase::Gone(url) if **url != *f.source.to_string());
                    if gone_elsewhere {
                        self.enter(f, i, first(f));
                    }
                }
                None => self.enter(f, i, first(f)),
            }
        }
        self.slots.retain(|_, s| s.index.is_some() || s.phase == Phase::Running);
        // Entries of removed feeds stay in the heap until they come up; rebuild it when
        // they would be most of it.
        if self.heap.len() > 2 * self.slots.len() + 1024 {
            let slots = &self.slots;
            self.heap.retain(|Reverse((_, stamp, name))| {
                slots.get(name).is_some_and(|s| s.phase == Phase::Scheduled && s.stamp == *stamp)
            });
        }
    }

    /// The feeds that may start at `now`, marked running: first those that waited for their
    /// host, then due ones in the order they came due, as long as the limits allow.
    pub fn starts(&mut self, now: Instant) -> Vec<Start> {
        let mut out = Vec::new();
        while self.running < self.concurrency {
            let Some(host) = self.freed.pop_front() else { break };
            while self.running < self.concurrency {
                let Some(h) = self.hosts.get_mut(&host) else { break };
                if h.running >= self.per_host {
                    break;
                }
                let Some(name) = h.waiting.pop_front() else { break };
                if let Some(start) = self.begin(&name, Phase::Waiting) {
                    out.push(start);
                }
            }
        }
        while self.running < self.concurrency {
            let Some(Reverse((due, stamp, _))) = self.heap.peek() else { break };
            if *due > now {
                break;
            }
            let stamp = *stamp;
            let Some(Reverse((_, _, name))) = self.heap.pop() else { break };
            let Some(slot) = self.slots.get_mut(&name) else { continue };
            if slot.stamp != stamp || slot.phase != Phase::Scheduled || slot.index.is_none() {
                continue; // stale
            }
            let host = self.hosts.entry(slot.host.clone()).or_default();
            if host.running >= self.per_host {
                slot.phase = Phase::Waiting;
                host.waiting.push_back(name);
            } else if let Some(start) = self.begin(&name, Phase::Scheduled) {
                out.push(start);
            }
        }
        out
    }

    /// When the next feed comes due; `None` when none is scheduled or no more may start until
    /// a running poll finishes.
    pub fn next_wake(&mut self) -> Option<Instant> {
        if self.running >= self.concurrency {
            return None;
        }
        while let Some(Reverse((due, stamp, name))) = self.heap.peek() {
            if self.slots.get(name).is_some_and(|s| s.stamp == *stamp && s.phase == Phase::Scheduled) {
                return Some(*due);
            }
            self.heap.pop();
        }
        None
    }

    /// A poll started by `starts` finished at `now`: its feed is scheduled `next`, and its
    /// limits are released.
    pub fn finished(&mut self, start: &Start, next: Next, now: Instant) {
        self.running = self.running.saturating_sub(1);
        if let Some(h) = self.hosts.get_mut(&start.host) {
            h.running = h.running.saturating_sub(1);
            if !h.waiting.is_empty() {
                self.freed.push_back(start.host.clone());
            }
        }
        let Some(slot) = self.slots.get_mut(&start.name) else { return };
        if slot.phase != Phase::Running {
            return;
        }
        if slot.index.is_none() {
            self.slots.remove(&start.name);
            return;
        }
        match next {
            Next::After(d) => self.schedule(start.name.clone(), now + d),
            Next::Gone(url) => slot.phase = Phase::Gone(url.into()),
        }
    }

    /// When `name` is due (for tests and the feed's page); `None` unless it is scheduled.
    pub fn due(&self, name: &str) -> Option<Instant> {
        self.slots.get(name).filter(|s| s.phase == Phase::Scheduled).map(|s| s.due)
    }

    fn enter(&mut self, f: &FeedConfig, index: usize, first: First) {
        let host = self.host_name(f);
        let name: Name = Arc::from(f.name.as_str());
        let slot = self.slots.entry(name.clone()).or_insert(Slot {
            index: Some(index),
            host,
            due: Instant::now(),
            stamp: 0,
            phase: Phase::Scheduled,
        });
        slot.index = Some(index);
        match first {
            First::At(t) => self.schedule(name, t),
            First::Gone => slot.phase = Phase::Gone(f.source.to_string().into()),
        }
    }

    fn schedule(&mut self, name: Name, due: Instant) {
        let Some(slot) = self.slots.get_mut(&name) else { return };
        self.next_stamp += 1;
        (slot.due, slot.stamp, slot.phase) = (due, self.next_stamp, Phase::Scheduled);
        self.heap.push(Reverse((due, self.next_stamp, name)));
    }

    /// Marks a feed in phase `from` running and counts it against the limits.
    fn begin(&mut self, name: &Name, from: Phase) -> Option<Start> {
        let slot = self.slots.get_mut(name)?;
        let index = slot.index.filter(|_| slot.phase == from)?;
        slot.phase = Phase::Running;
        self.running += 1;
        self.hosts.entry(slot.host.clone()).or_default().running += 1;
        Some(Start { name: name.clone(), index, host: slot.host.clone() })
    }

    /// The host a feed counts against, one shared name per host.
    fn host_name(&mut self, f: &FeedConfig) -> Name {
        let host = f.host_key();
        match self.hosts.get_key_value(host.as_str()) {
            Some((k, _)) => k.clone(),
            None => {
                let k: Name = Arc::from(host);
                self.hosts.insert(k.clone(), Host::default());
                k
            }
        }
    }
}

impl Default for Book {
    fn default() -> Self {
        Book::new()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BinaryHeap;
    use std::path::Path;

    use super::*;
    use crate::scheduler::{first_delay, plan, Jitter};

    const M5: Duration = Duration::from_secs(300);

    fn config(concurrency: usize, per_host: usize, feeds: &[(&str, &str)]) -> Config {
        let text = format!("[settings]\nconcurrency = {concurrency}\nper_host = {per_host}\ninterval = \"5m\"\n");
        let cfg = Config::parse(&text, Path::new("feeds.toml"), Path::new(".")).expect("a valid config");
        cfg.with_feeds(feeds.iter().map(|(name, url)| FeedConfig::for_tests(name, url)).collect())
    }

    fn names(starts: &[Start]) -> Vec<&str> {
        starts.iter().map(|s| &*s.name).collect()
    }

    #[test]
    fn due_feeds_start_in_order_within_the_global_and_per_host_limits() {
        let cfg = config(
            2,
            1,
            &[
                ("a1", "http://a.example/1"),
                ("a2", "http://A.example/2"),
                ("b1", "http://b.example/1"),
                ("c", "http://c.example/"),
            ],
        );
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        let mut book = Book::new();
        let order = HashMap::from([("a1", 1), ("a2", 2), ("b1", 3), ("c", 100)]);
        book.sync(&cfg, |f| First::At(at(order[f.name.as_str()])));
        assert!(book.starts(t0).is_empty(), "nothing is due yet");
        assert_eq!(book.next_wake(), Some(at(1)));
        let first = book.starts(at(3));
        assert_eq!(names(&first), ["a1", "b1"], "a2 waits for its host (hosts compare without case)");
        assert_eq!(book.next_wake(), None, "both slots are taken: wait for a poll to finish");
        book.finished(&first[1], Next::After(M5), at(4));
        assert!(book.starts(at(4)).is_empty(), "b's slot is free, but a2 waits for a's");
        book.finished(&first[0], Next::After(M5), at(5));
        let next = book.starts(at(5));
        assert_eq!(names(&next), ["a2"], "a1 finished: the waiting a2 goes first");
        assert_eq!(book.next_wake(), Some(at(100)));
        assert_eq!(book.due("a1"), Some(at(305)), "rescheduled from when it finished");
        assert_eq!(book.due("a2"), None, "running");
        assert_eq!(book.running(), 1);
    }

    #[test]
    fn a_reload_adds_and_removes_feeds_and_a_running_feed_never_starts_twice() {
        let t0 = Instant::now();
        let mut book = Book::new();
        let cfg = config(4, 4, &[("x", "http://h.example/x"), ("y", "http://h.example/y")]);
        book.sync(&cfg, |_| First::At(t0));
        let running = book.starts(t0);
        assert_eq!(names(&running), ["x", "y"]);

        // y is removed while it runs, z is added; x stays and keeps its state.
        let cfg = config(4, 4, &[("z", "http://h.example/z"), ("x", "http://h.example/x")]);
        let mut asked = Vec::new();
        book.sync(&cfg, |f| {
            asked.push(f.name.clone());
            First::At(t0)
        });
        assert_eq!(asked, ["z"], "only new feeds are looked up");
        assert_eq!(names(&book.starts(t0)), ["z"], "x is still running");
        assert_eq!(book.feed_count(), 2);
        book.finished(&running[1], Next::After(M5), t0);
        assert_eq!(book.due("y"), None, "a removed feed is not scheduled again");

        // y comes back while... it is gone; x comes back while running: started once only.
        let cfg = config(4, 4, &[("x", "http://h.example/x")]);
        book.sync(&cfg, |_| First::At(t0));
        let cfg = config(4, 4, &[("x", "http://h.example/x"), ("z", "http://h.example/z")]);
        book.sync(&cfg, |_| First::At(t0));
        assert!(book.starts(t0 + M5).is_empty(), "x runs; z runs");
        book.finished(&running[0], Next::After(M5), t0 + Duration::from_secs(1));
        assert_eq!(running[0].index, 0);
        let starts = book.starts(t0 + M5 + Duration::from_secs(1));
        assert_eq!(names(&starts), ["x"], "once due again");
        assert_eq!(starts[0].index, 0, "its position in the newest config");
    }

    #[test]
    fn a_gone_feed_is_not_polled_until_the_config_gives_it_another_url() {
        let t0 = Instant::now();
        let mut book = Book::new();
        let cfg = config(4, 4, &[("g", "http://h.example/old"), ("k", "http://h.example/k")]);
        book.sync(&cfg, |f| if f.name == "k" { First::Gone } else { First::At(t0) });
        let s = book.starts(t0);
        assert_eq!(names(&s), ["g"], "k answered 410 before the restart");
        book.finished(&s[0], Next::Gone("http://h.example/old".into()), t0);
        assert_eq!(book.next_wake(), None);
        book.sync(&cfg, |_| panic!("nothing is new"));
        assert_eq!(book.next_wake(), None, "the same URL stays gone");
        let cfg = config(4, 4, &[("g", "http://h.example/new"), ("k", "http://h.example/k")]);
        book.sync(&cfg, |_| First::At(t0 + M5));
        assert_eq!(book.next_wake(), Some(t0 + M5), "a new URL is polled");
        assert_eq!(names(&book.starts(t0 + M5)), ["g"]);
    }

    #[test]
    fn a_higher_per_host_limit_starts_waiting_feeds() {
        let t0 = Instant::now();
        let mut book = Book::new();
        let feeds = [("a", "http://h.example/a"), ("b", "http://h.example/b"), ("c", "http://h.example/c")];
        book.sync(&config(8, 1, &feeds), |_| First::At(t0));
        assert_eq!(book.starts(t0).len(), 1);
        book.sync(&config(8, 3, &feeds), |_| panic!("nothing is new"));
        assert_eq!(names(&book.starts(t0)), ["b", "c"]);
    }

    /// 100,000 feeds on one controlled clock, three intervals: every feed is polled exactly
    /// once in each interval (no jitter), or with jitter its polls are 0.9 to 1.1 intervals
    /// apart; never more than `concurrency` at once, and polls start when due.
    #[test]
    fn a_hundred_thousand_feeds_are_each_due_exactly_once_per_interval() {
        const N: usize = 100_000;
        let feeds: Vec<(String, String)> =
            (0..N).map(|i| (format!("f{i}"), format!("http://h{}.example/f{i}.xml", i % 50))).collect();
        let refs: Vec<(&str, &str)> = feeds.iter().map(|(n, u)| (n.as_str(), u.as_str())).collect();
        let cfg = config(16, 4, &refs);
        for jittered in [false, true] {
            let mut rng = Jitter(0x5eed);
            let t0 = Instant::now();
            let mut book = Book::new();
            book.sync(&cfg, |_| First::At(t0 + first_delay(None, M5, N, rng.next())));
            let mut polls: Vec<Vec<Instant>> = vec![Vec::new(); N];
            // Polls in flight, finishing 20 ms after they start.
            let mut flight: BinaryHeap<Reverse<(Instant, usize)>> = BinaryHeap::new();
            let mut starts: HashMap<usize, Start> = HashMap::new();
            let end = t0 + 3 * M5;
            let mut now = t0;
            while now < end {
                for s in book.starts(now) {
                    polls[s.index].push(now);
                    flight.push(Reverse((now + Duration::from_millis(20), s.index)));
                    starts.insert(s.index, s);
                }
                assert!(flight.len() <= 16, "{} polls at once", flight.len());
                let wake = book.next_wake();
                let finish = flight.peek().map(|Reverse((t, _))| *t);
                now = match (wake, finish) {
                    (Some(w), Some(f)) => w.min(f),
                    (w, f) => w.or(f).expect("something is always due"),
                };
                while let Some(Reverse((t, i))) = flight.peek().copied() {
                    if t > now {
                        break;
                    }
                    flight.pop();
                    let j = if jittered { rng.next() } else { 0.5 };
                    // Due again one interval after it was due, as the task measured it.
                    let after = plan(M5, 0, j, None, None).saturating_sub(Duration::from_millis(20));
                    book.finished(&starts.remove(&i).expect("started"), Next::After(after), t);
                }
            }
            for (i, p) in polls.iter().enumerate() {
                if jittered {
                    assert!(p.len() >= 2, "feed {i}: {} polls", p.len());
                    for w in p.windows(2) {
                        let gap = w[1] - w[0];
                        assert!(gap >= M5.mul_f64(0.9) && gap <= M5.mul_f64(1.1), "feed {i}: {gap:?} between polls");
                    }
                } else {
                    let rounds: Vec<u32> =
                        p.iter().map(|t| ((*t - t0).as_secs_f64() / M5.as_secs_f64()) as u32).collect();
                    assert_eq!(rounds, [0, 1, 2], "feed {i}: polled in intervals {rounds:?}");
                    for w in p.windows(2) {
                        let gap = w[1] - w[0];
                        assert!(
                            gap >= M5 && gap < M5 + Duration::from_secs(1),
                            "feed {i}: {gap:?}: never early, hardly late"
                        );
                    }
                }
            }
        }
    }
}
