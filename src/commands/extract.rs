//! `feedscrub extract PAGE`: one web page (file, stdin or URL) through the extractor and the
//! cleaner, as text or HTML, or `--trace` with the text after every step.

use std::path::Path;

use super::{print_stdout, read_input, AppError, Exit};
use crate::clean::{text, Cleaner};
use crate::cli::ExtractFormat;
use crate::config::Config;
use crate::fetch::Fetcher;

/// `extract`: one page (file, stdin or URL) through the extractor and the cleaner.
pub(super) async fn extract_cmd(
    format: ExtractFormat,
    base_url: Option<url::Url>,
    trace: bool,
    input: Option<&str>,
) -> Result<Exit, AppError> {
    let (bytes, charset, fetched_url) = match input {
        Some(s) if s.starts_with("http://") || s.starts_with("https://") => {
            let url = url::Url::parse(s).map_err(|e| AppError::Usage(format!("{s}: not a valid URL: {e}")))?;
            let cfg = Config::parse("", Path::new("<defaults>"), Path::new("."))?;
            let fetcher = Fetcher::new(&cfg.settings)?;
            match fetcher.fetch_untrusted(url.as_str(), &crate::model::Validators::default()).await?.0 {
                crate::fetch::Fetched::Modified { body, charset, .. } => (body, charset, Some(url)),
                _ => return Err(AppError::Io(format!("{url}: no body"))),
            }
        }
        other => (read_input(other.map(Path::new))?, None, None),
    };
    let page = crate::charset::decode_page(&bytes, charset.as_deref());
    let url = base_url.or(fetched_url);
    let (article, steps) = if trace {
        crate::extract::trace(&page, url.as_ref())
    } else {
        (crate::extract::extract(&page, url.as_ref()), Vec::new())
    };
    let base = url.or_else(|| article.canonical.as_deref().and_then(|c| url::Url::parse(c).ok()));
    let cleaned = Cleaner::default().clean_html(&article.html, base.as_ref());
    if trace {
        use std::fmt::Write as _;
        let mut out = String::new();
        for (step, html) in steps.iter().map(|(s, h)| (*s, h.as_str())).chain([("cleaned", cleaned.html.as_str())]) {
            let text = text::html_to_text(html);
            let _ = writeln!(
                out,
                "== {step} ({} characters of text)\n{text}",
                text.chars().filter(|c| !c.is_whitespace()).count()
            );
        }
        print_stdout(&out)?;
        return Ok(Exit::Success);
    }
    let mut out = match format {
        ExtractFormat::Text => text::html_to_text(cleaned.html.as_str()),
        ExtractFormat::Html => cleaned.html.into_string(),
    };
    out.push('\n');
    print_stdout(&out)?;
    Ok(Exit::Success)
}
