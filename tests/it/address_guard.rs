//! The address guard of URLs taken from feed content (RELIABILITY rows 27–30), on the
//! real path: `Fetcher::fetch_untrusted` against the local origin. Tests have no public origin,
//! so with `allow_private` off every request here must be refused before it is sent; the hop
//! check and the resolver's filtering are tested without traffic beside the code
//! (`fetch::address::tests`, `fetch::tests::untrusted_fetches_are_guarded_on_every_hop`).

use std::path::Path;

use feedscrub::config::{Config, Settings, Source};
use feedscrub::fetch::{FetchError, Fetched, Fetcher, Hints};
use feedscrub::model::Validators;

use crate::support::{Origin, Route};

fn settings(extra: &str) -> Settings {
    let toml = format!("[settings]\ntimeout = \"5s\"\n{extra}");
    Config::parse(&toml, Path::new("feeds.toml"), Path::new(".")).unwrap_or_else(|e| panic!("{e}")).settings
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}

fn redirect(to: &str) -> Route {
    let mut r = Route::status(302);
    r.extra_headers.push(("Location".into(), to.into()));
    r
}

fn article() -> Route {
    Route::feed("<html><body><article><p>The whole article.</p></article></body></html>", "text/html")
}

/// The error message of a refused fetch; panics on anything else.
fn refused(r: Result<(Fetched, Hints), FetchError>) -> String {
    match r {
        Err(e @ FetchError::Refused { .. }) => e.to_string(),
        other => panic!("not refused: {other:?}"),
    }
}

fn body(r: Result<(Fetched, Hints), FetchError>) -> String {
    match r {
        Ok((Fetched::Modified { body, .. }, _)) => String::from_utf8(body).expect("utf-8"),
        other => panic!("not fetched: {other:?}"),
    }
}

/// Rows 27 and 30: with `allow_private` off (the default), a link to the local origin, by
/// literal or by a name that resolves to loopback (`localhost`, from /etc/hosts), is refused
/// and the origin sees no request; `file:` and `ftp:` are refused too. The same origin as a
/// configured feed is still fetched: feeds.toml is trusted.
#[test]
fn loopback_links_are_refused_without_a_request() {
    let origin = Origin::start();
    origin.serve("/article", article());
    origin.serve("/hop", redirect(&origin.url("/article")));
    let settings = settings("");
    assert!(!settings.allow_private, "off by default");
    let fetcher = Fetcher::new(&settings).expect("client");
    let none = Validators::default();
    let port = origin.addr.port();
    let rt = runtime();
    let untrusted = |url: &str| rt.block_on(fetcher.fetch_untrusted(url, &none));

    assert_eq!(
        refused(untrusted(&origin.url("/article"))),
        format!(
            "http://127.0.0.1:{port}/article: refused: 127.0.0.1 is a loopback address (set allow_private = true to allow)"
        )
    );
    assert!(refused(untrusted(&origin.url("/hop"))).contains("127.0.0.1 is a loopback address"));
    assert!(refused(untrusted(&format!("http://[::ffff:127.0.0.1]:{port}/article")))
        .contains("::ffff:127.0.0.1 is a loopback address (IPv4-mapped 127.0.0.1)"));
    assert!(refused(untrusted(&format!("http://2130706433:{port}/article"))).contains("127.0.0.1 is a loopback"));
    let by_name = refused(untrusted(&format!("http://localhost:{port}/article")));
    assert!(
        by_name.starts_with(&format!(
            "http://localhost:{port}/article: refused: localhost resolves only to addresses that are not public: "
        )) && by_name.contains("127.0.0.1 is a loopback address")
            && by_name.ends_with("(set allow_private = true to allow)"),
        "{by_name}"
    );
    assert_eq!(
        refused(untrusted("file:///etc/passwd")),
        "file:///etc/passwd: refused: only http and https URLs are fetched, not file:"
    );
    assert_eq!(
        refused(untrusted("ftp://127.0.0.1/pub/x")),
        "ftp://127.0.0.1/pub/x: refused: only http and https URLs are fetched, not ftp:"
    );
    assert_eq!(origin.hits("/article") + origin.hits("/hop"), 0, "no request reached the origin");

    let trusted = rt.block_on(fetcher.fetch(&Source::Http(origin.url("/hop").parse().unwrap()), &none, false));
    assert!(body(trusted).contains("The whole article."), "a configured feed URL is trusted");
    assert_eq!((origin.hits("/hop"), origin.hits("/article")), (1, 1));
}

/// `allow_private = true` (what the full-text tests set to use the local origin): a link to
/// 127.0.0.1 that redirects to another 127.0.0.1 port is followed; non-web schemes are still
/// refused, as the first URL and as a redirect target, and the redirect to `file:` reads nothing.
#[test]
fn allow_private_lets_links_reach_loopback_and_follow_redirects() {
    let (a, b) = (Origin::start(), Origin::start());
    b.serve("/article", article());
    a.serve("/hop", redirect(&b.url("/article")));
    a.serve("/to-file", redirect("file:///etc/passwd"));
    let settings = settings("allow_private = true\n");
    assert!(settings.allow_private);
    let fetcher = Fetcher::new(&settings).expect("client");
    let none = Validators::default();
    let rt = runtime();
    let untrusted = |url: &str| rt.block_on(fetcher.fetch_untrusted(url, &none));

    assert!(body(untrusted(&a.url("/hop"))).contains("The whole article."));
    assert_eq!((a.hits("/hop"), b.hits("/article")), (1, 1), "the redirect to the other port was followed");
    assert_eq!(
        refused(untrusted(&a.url("/to-file"))),
        format!(
            "{}: refused: redirect to file:///etc/passwd: only http and https URLs are fetched, not file:",
            a.url("/to-file")
        )
    );
    assert!(!refused(untrusted("file:///etc/passwd")).contains("root:"));
    assert!(refused(untrusted("ftp://127.0.0.1/x")).ends_with("not ftp:"));
}
