//! `feedscrub add URL` and `feedscrub remove NAME`: a feed into the config (found by
//! `discover`) and out of it; the config is written only when it still loads.

use std::path::Path;

use super::{print_stdout, write_config, AppError, Exit};
use crate::config::Config;
use crate::fetch::Fetcher;

/// `feedscrub add`: discovers the feed (`discover`), appends it, says what it found.
pub(super) async fn add(
    config: &Path,
    url: &url::Url,
    name: Option<&str>,
    full_text: bool,
    pick: Option<usize>,
) -> Result<Exit, AppError> {
    use crate::discover::{append_feed, discover, Discovery};
    if !matches!(url.scheme(), "http" | "https") {
        return Err(AppError::Usage(format!("{url}: only http(s) addresses can be added")));
    }
    let (cfg, text) = Config::read(config)?;
    let fetcher = Fetcher::new(&cfg.settings)?;
    let found = match discover(&fetcher, url).await.map_err(|e| AppError::Usage(e.to_string()))? {
        Discovery::Feed(f) => f,
        Discovery::Page { found, broken } => {
            for (u, why) in &broken {
                eprintln!("announced but not working: {u}: {why}");
            }
            let list = || {
                found
                    .iter()
                    .enumerate()
                    .map(|(i, f)| format!("  {}. {} — {:?}, {} items\n", i + 1, f.url, f.title, f.items))
                    .collect::<String>()
            };
            match (found.len(), pick) {
                (1, None | Some(1)) => found.into_iter().next().expect("one"),
                (n, Some(k)) if (1..=n).contains(&k) => found.into_iter().nth(k - 1).expect("in range"),
                (n, Some(k)) => {
                    return Err(AppError::Usage(format!("{url}: --pick {k}, but there are {n} feeds:\n{}", list())))
                }
                (n, None) => {
                    return Err(AppError::Usage(format!(
                        "{url} announces {n} feeds; choose one with --pick N:\n{}",
                        list().trim_end()
                    )))
                }
            }
        }
    };
    let (new_text, name) = append_feed(&text, &cfg, &found.url, &found.title, name, full_text)
        .map_err(|e| AppError::Usage(format!("{}: {e}", config.display())))?;
    write_config(config, &new_text)?;
    print_stdout(&format!(
        "added {name}: {} ({:?}, {} items) to {}\na running `feedscrub serve` takes it up on SIGHUP (kill -HUP <pid>); `feedscrub fetch` polls it now\n",
        found.url,
        found.title,
        found.items,
        config.display()
    ))?;
    Ok(Exit::Success)
}

/// `feedscrub remove NAME`: takes the feed's table out of the config.
pub(super) fn remove(config: &Path, name: &str) -> Result<Exit, AppError> {
    let (_, text) = Config::read(config)?;
    let new_text =
        crate::discover::remove_feed(&text, name).map_err(|e| AppError::Usage(format!("{}: {e}", config.display())))?;
    write_config(config, &new_text)?;
    print_stdout(&format!(
        "removed {name} from {}; its stored items stay in the store and leave the outputs; a running `feedscrub serve` takes it up on SIGHUP\n",
        config.display()
    ))?;
    Ok(Exit::Success)
}
