//! The cost per new item of near-duplicate detection (`feedscrub::near`) as the index grows.
//!
//! Synthetic articles (~250 words from a 4,000-word vocabulary drawn Zipf-like, so frequent
//! words repeat as in prose; every article from its own seed, so any one can be regenerated).
//! Measured per new item:
//!
//! - `of_text`: the signature of one article;
//! - `matches_insert/N`: `index.matches` then `index.insert` against an index of N signatures
//!   (10k, 50k, 100k); one new item in ten is a re-headlined copy of a stored article, so the
//!   verify path runs too;
//! - `new_item/100000`: all three for one article at 100k, the figure with the target (< 50 µs).
//!
//! `matches_insert` should not grow with N: a lookup is BANDS hash probes plus the (few)
//! candidates. `cargo bench --bench near_dup`; a summary (µs per item, bytes per signature) goes
//! to stderr at the end. About 15 s once built.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use feedscrub::near::{Index, Signature, HASHES};

/// Counts live heap bytes, so the summary can report what the index really costs per signature.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const SIZES: [usize; 3] = [10_000, 50_000, 100_000];
const WORDS: usize = 250;
const VOCABULARY: usize = 4_000;
/// New items, re-used round-robin (each chunk on a fresh clone of the index, so never twice in
/// one index).
const FRESH: usize = 10_000;
/// Ids and article seeds of new items start here, above every stored one.
const NEW: usize = 1 << 30;

/// Article `seed`: WORDS words, ranks log-uniform over the vocabulary (a Zipf-like law), each
/// rank spelled as 2–3 syllables. A seeded LCG, no rand crate.
fn article(seed: u64) -> String {
    const SYL: [&str; 32] = [
        "ka", "ber", "lin", "to", "mar", "sen", "du", "ri", "vol", "an", "ge", "stra", "po", "mi", "lu", "ten", "ho",
        "zer", "fa", "nik", "el", "ost", "ru", "bel", "dan", "sif", "or", "wen", "tu", "gra", "pel", "ix",
    ];
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x2545_f491_4f6c_dd1d;
    let mut text = String::with_capacity(WORDS * 8);
    for i in 0..WORDS {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let u = (state >> 11) as f64 / (1u64 << 53) as f64;
        let rank = ((VOCABULARY as f64).powf(u) as usize).saturating_sub(1);
        let (mut n, syllables) = if rank < 1024 { (rank, 2) } else { (rank - 1024, 3) };
        if i > 0 {
            text.push_str(if i % 17 == 0 { ". " } else { " " });
        }
        for _ in 0..syllables {
            text.push_str(SYL[n % 32]);
            n /= 32;
        }
    }
    text
}

/// New item `k`: a fresh article, or (one in ten) a stored one under a new headline.
fn new_article(k: usize) -> String {
    if k.is_multiple_of(10) {
        let stored = (k * 7919) % SIZES[0]; // in every index
        format!("Breaking: what we know so far about item {k}\n\n{}", article(stored as u64))
    } else {
        article((NEW + k) as u64)
    }
}

fn index_of(sigs: &[Signature]) -> Index {
    let mut index = Index::with_capacity(sigs.len());
    for (id, sig) in (0..).zip(sigs) {
        index.insert(id, sig);
    }
    index
}

/// Runs `op` on `iters` consecutive new items against clones of `base`, re-cloned every
/// `base.len() / 10` items (at most `items.len()`) so the index stays within 10% of its nominal
/// size and holds no new item twice, and returns the time spent in `op` only. Also adds to
/// `tally` for the summary.
fn run_on_clones<T>(
    base: &Index,
    items: &[T],
    cursor: &Cell<usize>,
    tally: &Cell<(Duration, u64)>,
    iters: u64,
    mut op: impl FnMut(&mut Index, u32, &T),
) -> Duration {
    let chunk = (base.len() / 10).min(items.len()).max(1) as u64;
    let mut total = Duration::ZERO;
    let mut done = 0;
    while done < iters {
        let mut index = base.clone();
        // Vec::clone drops spare capacity, so the first insert would copy the whole index; a
        // long-lived index pays that once per doubling. Pay it here, untimed.
        index.insert(u32::MAX, &Signature([0; HASHES]));
        let n = chunk.min(iters - done);
        let start = Instant::now();
        for _ in 0..n {
            let k = cursor.get();
            cursor.set((k + 1) % items.len());
            op(&mut index, (NEW + k) as u32, &items[k]);
        }
        total += start.elapsed();
        done += n;
    }
    let (t, i) = tally.get();
    tally.set((t + total, i + iters));
    total
}

fn micros(tally: &Cell<(Duration, u64)>) -> f64 {
    let (t, i) = tally.get();
    t.as_secs_f64() * 1e6 / i.max(1) as f64
}

fn bench(c: &mut Criterion) {
    let largest = SIZES[SIZES.len() - 1];
    let sigs: Vec<Signature> =
        (0..largest as u64).map(|s| Signature::of_text(&article(s)).expect("250 words")).collect();
    let fresh_texts: Vec<String> = (0..FRESH).map(new_article).collect();
    let fresh: Vec<Signature> = fresh_texts.iter().map(|t| Signature::of_text(t).expect("250 words")).collect();

    // memory, and inserting with growth (rehashes included), measured once
    let before = LIVE.load(Ordering::Relaxed);
    let sized = index_of(&sigs);
    let sized_bytes = LIVE.load(Ordering::Relaxed) - before;
    drop(sized);
    let before = LIVE.load(Ordering::Relaxed);
    let start = Instant::now();
    let mut grown = Index::new();
    for (id, sig) in (0..).zip(&sigs) {
        grown.insert(id, sig);
    }
    let grow_us = start.elapsed().as_secs_f64() * 1e6 / largest as f64;
    let grown_bytes = LIVE.load(Ordering::Relaxed) - before;
    drop(grown);

    let mut g = c.benchmark_group("near_dup");
    g.sample_size(20).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));

    let of_text = Cell::new((Duration::ZERO, 0));
    g.bench_function("of_text", |b| {
        let mut k = 0;
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                black_box(Signature::of_text(black_box(&fresh_texts[k])));
                k = (k + 1) % FRESH;
            }
            let t = start.elapsed();
            let (sum, n) = of_text.get();
            of_text.set((sum + t, n + iters));
            t
        })
    });

    let cursor = Cell::new(0);
    let per_size: Vec<(usize, Cell<(Duration, u64)>)> =
        SIZES.iter().map(|&n| (n, Cell::new((Duration::ZERO, 0)))).collect();
    let mut found = vec![0usize; SIZES.len()];
    for (i, (n, tally)) in per_size.iter().enumerate() {
        let base = index_of(&sigs[..*n]);
        let hits = &mut found[i];
        g.bench_with_input(BenchmarkId::new("matches_insert", n), n, |b, _| {
            b.iter_custom(|iters| {
                run_on_clones(&base, &fresh, &cursor, tally, iters, |index, id, sig| {
                    *hits += usize::from(!black_box(index.matches(sig)).is_empty());
                    index.insert(id, sig);
                })
            })
        });
    }

    let all = Cell::new((Duration::ZERO, 0));
    let base = index_of(&sigs);
    g.bench_with_input(BenchmarkId::new("new_item", largest), &largest, |b, _| {
        b.iter_custom(|iters| {
            run_on_clones(&base, &fresh_texts, &cursor, &all, iters, |index, id, text| {
                let sig = Signature::of_text(text).expect("250 words");
                black_box(index.matches(&sig));
                index.insert(id, &sig);
            })
        })
    });
    g.finish();

    eprintln!("\nnear_dup summary (µs per new item, mean over every timed iteration; {WORDS}-word articles):");
    eprintln!("  of_text                          {:7.2}", micros(&of_text));
    for ((n, tally), hits) in per_size.iter().zip(&found) {
        let (_, iters) = tally.get();
        let share = *hits as f64 / iters.max(1) as f64 * 100.0;
        eprintln!("  matches + insert at {n:>7}      {:7.2}   ({share:.0}% of new items matched)", micros(tally));
    }
    eprintln!("  of_text + matches + insert {largest:>7} {:7.2}   (target < 50)", micros(&all));
    eprintln!("  insert while growing 0 → {largest}: {grow_us:.2} µs per item (rehashes and Vec doublings included)");
    eprintln!(
        "  index memory per signature: {} bytes (with_capacity), {} bytes (grown from new)",
        sized_bytes / largest,
        grown_bytes / largest
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
