//! `feedscrub check`: validates the config and prints what it resolved to.

use std::path::Path;

use super::{load, print_stdout, AppError, Exit};

pub(super) fn check(config: &Path) -> Result<Exit, AppError> {
    use std::fmt::Write as _;
    let cfg = load(config)?;
    let s = &cfg.settings;
    let mut o = String::new();
    let _ = writeln!(o, "{}: ok", cfg.path.display());
    let _ = writeln!(o, "store:       {}", s.db.display());
    let _ = writeln!(o, "timeout:     {}", humantime::format_duration(s.timeout));
    let _ = writeln!(o, "max_body:    {}", bytesize::ByteSize(s.max_body).to_string_as(true));
    let _ = writeln!(o, "concurrency: {}", s.concurrency);
    let _ = writeln!(o, "user_agent:  {}", s.user_agent);
    let _ = writeln!(o, "retention:   {} items, {} days", s.retain_items, s.retain_days);
    let _ = writeln!(o, "{} feeds:", cfg.feeds.len());
    for f in &cfg.feeds {
        let _ = write!(o, "  {:<16} {}", f.name, f.source);
        if !f.drop_items.is_empty() {
            let _ =
                write!(o, "  drop_items: {}", f.drop_items.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "));
        }
        if !f.remove.is_empty() {
            let _ = write!(o, "  remove: {}", f.remove.join(", "));
        }
        if !f.remove_text.is_empty() {
            let _ =
                write!(o, "  remove_text: {}", f.remove_text.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "));
        }
        if f.ads != crate::config::AdsMode::Drop {
            let _ = write!(o, "  ads: {:?}", f.ads);
        }
        if (f.retain_items, f.retain_days) != (s.retain_items.get(), s.retain_days) {
            let _ = write!(o, "  retention: {} items, {} days", f.retain_items, f.retain_days);
        }
        if f.tls_insecure {
            let _ = write!(o, "  tls_insecure: any certificate accepted");
        }
        o.push('\n');
    }
    print_stdout(&o)?;
    Ok(Exit::Success)
}
