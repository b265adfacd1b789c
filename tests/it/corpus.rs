//! The cleaner's score on the labeled corpus in `tests/fixtures/clean/`: documents written
//! for the project in the shapes real feeds use, each with the sentences that must stay
//! (`keep`) and the ad and boilerplate snippets that must go (`remove` in the text,
//! `remove_html` in the HTML). Targets: ads removed >= 0.98, article kept >= 0.99.

use std::path::Path;

use feedscrub::clean::{text::html_to_text, Cleaner};
use feedscrub::model::Body;
use serde::Deserialize;
use url::Url;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Labels {
    base: Option<String>,
    keep: Vec<String>,
    #[serde(default)]
    remove: Vec<String>,
    #[serde(default)]
    remove_html: Vec<String>,
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn cleaner_scores_on_the_labeled_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/clean");
    let mut labels: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    labels.sort();
    let (mut keep_total, mut kept, mut remove_total, mut removed) = (0usize, 0usize, 0usize, 0usize);
    let mut misses = Vec::new();
    let cleaner = Cleaner::default();
    for path in &labels {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let l: Labels =
            toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let html = dir.join(format!("{name}.html"));
        let body = if html.exists() {
            Body::Html(std::fs::read_to_string(html).unwrap())
        } else {
            Body::Text(std::fs::read_to_string(dir.join(format!("{name}.txt"))).unwrap())
        };
        let base = l.base.as_deref().map(|b| Url::parse(b).unwrap());
        let out = cleaner.clean(&body, base.as_ref()).html;
        let text = squash(&html_to_text(out.as_str()));
        for k in &l.keep {
            keep_total += 1;
            if text.contains(&squash(k)) {
                kept += 1;
            } else {
                misses.push(format!("{name}: lost {k:?}"));
            }
        }
        for r in &l.remove {
            remove_total += 1;
            if text.contains(&squash(r)) {
                misses.push(format!("{name}: kept junk {r:?}"));
            } else {
                removed += 1;
            }
        }
        for r in &l.remove_html {
            remove_total += 1;
            if out.as_str().contains(r.as_str()) {
                misses.push(format!("{name}: kept junk HTML {r:?}"));
            } else {
                removed += 1;
            }
        }
    }
    let ads = removed as f64 / remove_total as f64;
    let article = kept as f64 / keep_total as f64;
    println!(
        "corpus: {} documents; ads removed {ads:.4} ({removed}/{remove_total}), article kept {article:.4} ({kept}/{keep_total})",
        labels.len()
    );
    for m in &misses {
        println!("  {m}");
    }
    assert!(labels.len() >= 40, "the corpus has {} documents, want at least 40", labels.len());
    assert!(
        ads >= 0.98 && article >= 0.99,
        "ads removed {ads:.4} (want >= 0.98), article kept {article:.4} (want >= 0.99)\n{}",
        misses.join("\n")
    );
}
