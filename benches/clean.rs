//! The cleaner's speed over the labeled corpus (`tests/fixtures/clean/`), beside two baselines
//! measured in the same run: parsing the same HTML with scraper alone, and sanitizing it with
//! ammonia alone. The cleaner does both and its own passes, so its MB/s is read against them.
//!
//! `cargo bench --bench clean`; criterion prints MB/s (throughput in bytes of item HTML) per
//! benchmark. Target: >= 50 MB/s for `cleaner` on one core.

use std::path::Path;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use feedscrub::clean::{text::text_to_html, Cleaner};
use url::Url;

/// Every corpus document as HTML (plain-text ones converted as the pipeline does).
fn corpus() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/clean");
    let mut paths: Vec<_> = std::fs::read_dir(&dir).expect("corpus dir").map(|e| e.expect("entry").path()).collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| match p.extension().and_then(|e| e.to_str()) {
            Some("html") => Some(std::fs::read_to_string(p).expect("read")),
            Some("txt") => Some(text_to_html(&std::fs::read_to_string(p).expect("read"))),
            _ => None,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let docs = corpus();
    let bytes: usize = docs.iter().map(String::len).sum();
    let base = Url::parse("https://news.example.org/2026/story").expect("url");
    let cleaner = Cleaner::default();
    let mut g = c.benchmark_group("corpus");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("scraper_parse_only", |b| {
        b.iter(|| docs.iter().map(|d| scraper::Html::parse_fragment(d).tree.nodes().count()).sum::<usize>())
    });
    // a builder made once, as the cleaner's own sanitizer is (`ammonia::clean` builds one per call)
    let builder = ammonia::Builder::default();
    g.bench_function("ammonia_only", |b| {
        b.iter(|| docs.iter().map(|d| builder.clean(d).to_string().len()).sum::<usize>())
    });
    g.bench_function("cleaner", |b| {
        b.iter_batched(
            || (),
            |_| docs.iter().map(|d| cleaner.clean_html(d, Some(&base)).html.as_str().len()).sum::<usize>(),
            BatchSize::SmallInput,
        )
    });
    g.finish();
    eprintln!("corpus: {} documents, {bytes} bytes of item HTML", docs.len());
}

criterion_group!(benches, bench);
criterion_main!(benches);
