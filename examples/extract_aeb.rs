//! The extractor over the AEB benchmark pages (read at run time from `../shared/corpus/aeb`,
//! never copied): `scripts/bench-extract.sh` runs it.
//!
//! `extract_aeb AEB_DIR OUT_DIR [PASSES]`: writes `OUT_DIR/<id>.txt` (extract + clean, as text,
//! what `feedscrub extract --format text` prints) for `aeb_eval.py --outputs`, then times PASSES
//! passes (default 3) of extract + clean over all pages, each beside a pass of a scraper parse of
//! the same pages (the baseline), and prints pages/s of both and their ratio.
use std::io::Read;
use std::time::Instant;

use feedscrub::clean::{text::html_to_text, Cleaner};
use feedscrub::extract::{decode_page, extract};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(aeb), Some(out)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: extract_aeb AEB_DIR OUT_DIR [PASSES]");
        std::process::exit(2);
    };
    let passes: usize = args.get(3).and_then(|p| p.parse().ok()).unwrap_or(3);
    let html_dir = std::path::Path::new(aeb).join("html");
    let mut pages: Vec<(String, String)> = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&html_dir).expect("AEB html dir").flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(id) = name.strip_suffix(".html.gz") else { continue };
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(e.path()).expect("page")).read_to_end(&mut bytes).expect("gunzip");
        pages.push((id.to_string(), decode_page(&bytes, None)));
    }
    std::fs::create_dir_all(out).expect("out dir");
    let cleaner = Cleaner::default();
    let run = |page: &str| {
        let a = extract(page, None);
        let base = a.canonical.as_deref().and_then(|c| url::Url::parse(c).ok());
        cleaner.clean_html(&a.html, base.as_ref())
    };
    let mut empty = 0;
    for (id, page) in &pages {
        let text = html_to_text(run(page).html.as_str());
        empty += usize::from(text.trim().is_empty());
        std::fs::write(std::path::Path::new(out).join(format!("{id}.txt")), text).expect("write");
    }
    println!("pages={} empty={empty}", pages.len());
    let (mut best_x, mut best_p) = (f64::MAX, f64::MAX);
    let mut sink = 0usize;
    for _ in 0..passes {
        let t = Instant::now();
        for (_, page) in &pages {
            sink += run(page).text.len();
        }
        best_x = best_x.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        for (_, page) in &pages {
            sink += scraper::Html::parse_document(page).tree.nodes().count();
        }
        best_p = best_p.min(t.elapsed().as_secs_f64());
    }
    let n = pages.len() as f64;
    println!(
        "extract+clean {:.1} pages/s ({:.2} ms/page)  baseline scraper parse {:.1} pages/s  ratio extract+clean/parse time {:.2}x  (best of {passes}; sink {sink})",
        n / best_x,
        best_x * 1000.0 / n,
        n / best_p,
        best_x / best_p
    );
}
