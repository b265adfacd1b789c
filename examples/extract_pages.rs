//! The extractor over a benchmark's article pages, read at run time from `../shared/corpus/`
//! (never copied): `scripts/bench/extract.sh` runs it on AEB and on trafilatura-dev.
//!
//! `extract_pages DIR OUT_DIR [PASSES]`, where DIR is either
//! - an AEB folder (`html/<id>.html.gz`): writes `OUT_DIR/<id>.txt`, for `aeb_eval.py --outputs`;
//! - a trafilatura benchmark folder (`evaldata.json`, pages in `cache/` or `eval/`): writes
//!   `OUT_DIR/<file>.txt`, for `trafilatura_eval.py --outputs`.
//!
//! Each output is extract + clean as text (what `feedscrub extract --format text FILE` prints).
//! Then it times PASSES passes (default 3) of extract + clean over all pages, each beside a pass
//! of a scraper parse of the same pages (the baseline), and prints pages/s of both and their
//! ratio.
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use feedscrub::charset::decode_page;
use feedscrub::clean::{text::html_to_text, Cleaner};
use feedscrub::extract::extract;

/// The pages of DIR as (output name, decoded page).
fn pages(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let evaldata = dir.join("evaldata.json");
    if evaldata.is_file() {
        let data: serde_json::Value = serde_json::from_slice(&std::fs::read(&evaldata).expect("read evaldata.json"))
            .expect("evaldata.json is JSON");
        let mut files: Vec<String> = data
            .as_object()
            .expect("evaldata.json maps URLs to pages")
            .values()
            .filter_map(|v| v.get("file")?.as_str().map(str::to_string))
            .collect();
        files.sort();
        files.dedup();
        for f in files {
            let Some(path) = ["cache", "eval"].iter().map(|s| dir.join(s).join(&f)).find(|p| p.is_file()) else {
                eprintln!("extract_pages: {f} is named in evaldata.json but in neither cache/ nor eval/");
                continue;
            };
            out.push((f, read(&path)));
        }
        return out;
    }
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir.join("html")).expect("an AEB folder has html/").flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().unwrap_or_default().to_string_lossy().to_string();
        if let Some(id) = name.strip_suffix(".html.gz") {
            out.push((id.to_string(), read(&p)));
        }
    }
    out
}

/// A page's bytes (gunzipped when the name ends in `.gz`), decoded as `extract` decodes them.
fn read(path: &Path) -> String {
    let mut bytes = Vec::new();
    let file = std::fs::File::open(path).expect("open page");
    if path.extension().is_some_and(|e| e == "gz") {
        flate2::read::GzDecoder::new(file).read_to_end(&mut bytes).expect("gunzip");
    } else {
        std::io::BufReader::new(file).read_to_end(&mut bytes).expect("read page");
    }
    decode_page(&bytes, None)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(out)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: extract_pages DIR OUT_DIR [PASSES]");
        std::process::exit(2);
    };
    let passes: usize = args.get(3).and_then(|p| p.parse().ok()).unwrap_or(3);
    let pages = pages(Path::new(dir));
    std::fs::create_dir_all(out).expect("out dir");
    let cleaner = Cleaner::default();
    let run = |page: &str| {
        let a = extract(page, None);
        let base = a.canonical.as_deref().and_then(|c| url::Url::parse(c).ok());
        cleaner.clean_html(&a.html, base.as_ref())
    };
    let mut empty = 0;
    for (name, page) in &pages {
        let text = html_to_text(run(page).html.as_str());
        empty += usize::from(text.trim().is_empty());
        std::fs::write(Path::new(out).join(format!("{name}.txt")), text).expect("write");
    }
    println!("pages={} empty={empty}", pages.len());
    if passes == 0 {
        return;
    }
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
