//! Bad TLS certificates (RELIABILITY.md row 39) against the real binary: HTTPS servers on
//! 127.0.0.1 with a self-signed, an expired and a wrong-host certificate (`support::tls`).
//! Each feed fails with the TLS error and nothing of it is stored, while a good plain-HTTP feed
//! in the same run is; a feed that sets `tls_insecure = true` is fetched and stored, and only
//! that feed: the same server stays rejected for a feed beside it that does not.

use crate::support::fault::{feed, item_titles};
use crate::support::tls::{BadCert, TlsServer};
use crate::support::*;

const RSS: &str = "application/rss+xml";

/// One server per bad certificate, with the feed names used for it.
fn servers() -> Vec<(&'static str, BadCert, TlsServer)> {
    [("self-signed", BadCert::SelfSigned), ("expired", BadCert::Expired), ("wrong-host", BadCert::WrongHost)]
        .into_iter()
        .map(|(name, cert)| (name, cert, TlsServer::start(cert)))
        .collect()
}

/// A plain-HTTP origin serving a valid feed on `/good`.
fn good_origin() -> Origin {
    let o = Origin::start();
    o.serve("/good", Route::feed(feed("/good"), RSS));
    o
}

/// A workspace with the feed `good` on `origin` and the given `feeds` (name, url, opt-in).
fn workspace(origin: &Origin, feeds: &[(&str, String, bool)]) -> Workspace {
    let mut toml = String::from("[settings]\ndb = \"db\"\ntimeout = \"5s\"\n");
    toml.push_str(&format!("\n[[feed]]\nname = \"good\"\nurl = \"{}\"\n", origin.url("/good")));
    for (name, url, insecure) in feeds {
        toml.push_str(&format!("\n[[feed]]\nname = \"{name}\"\nurl = \"{url}\"\n"));
        if *insecure {
            toml.push_str("tls_insecure = true\n");
        }
    }
    Workspace::with_config(&toml)
}

/// The good plain-HTTP feed was fetched and stored.
fn assert_good_stored(ws: &Workspace, run: &Run) {
    assert_eq!(counts(&run.stdout, "good"), ("ok".into(), 2, 0, 0, 0, 0), "{}", run.stdout);
    assert_eq!(exported_titles(ws, "good"), item_titles("/good").to_vec());
}

/// The error row of `feed`, as one string: the TLS error for `url`, not a connect error.
fn tls_error_row(run: &Run, feed: &str, url: &str) -> String {
    let cols = summary_row(&run.stdout, feed);
    assert_eq!(cols[1], "error", "{feed} did not fail:\n{}", run.stdout);
    let row = cols[2..].join(" ");
    let want = format!("{url}: TLS certificate rejected: invalid peer certificate: ");
    assert!(row.starts_with(&want), "{feed}: {row:?} is not the TLS error {want:?}");
    assert!(!row.contains("cannot connect"), "{feed}: {row}");
    row
}

/// Every bad certificate fails its feed with the classified TLS error naming the URL and the
/// certificate problem; no request reaches the servers, nothing is stored for those feeds, the
/// failure is recorded in the feed's state, and the good feed in the same run is stored.
#[test]
fn bad_certificates_fail_with_a_tls_error_and_the_good_feed_is_stored() {
    let origin = good_origin();
    let servers = servers();
    let feeds: Vec<(&str, String, bool)> =
        servers.iter().map(|(name, _, s)| (*name, s.url(&format!("/{name}.xml")), false)).collect();
    let ws = workspace(&origin, &feeds);
    let run = ws.fetch(1);
    for (name, url, _) in &feeds {
        let row = tls_error_row(&run, name, url);
        // rustls's reason. Any certificate made here is from an issuer outside the web roots,
        // and webpki checks the leaf's dates before looking for its issuer but its name only
        // after: an expired leaf is reported expired, a wrong-host one as of unknown issuer.
        let reason = if *name == "expired" { "certificate expired" } else { "UnknownIssuer" };
        assert!(row.contains(reason), "{name}: {reason:?} not in {row:?}");
        assert!(exported_titles(&ws, name).is_empty(), "{name}: nothing stored");
    }
    for (name, _, server) in &servers {
        assert_eq!(server.answered(), 0, "{name}: no request got past the handshake");
    }
    assert_good_stored(&ws, &run);
    let stats = ws.run(&["stats"]);
    assert_eq!(stats.code, 0, "{}", stats.stderr);
    assert!(stats.stdout.contains("TLS certificate rejected"), "the failure is recorded:\n{}", stats.stdout);
}

/// `tls_insecure = true` accepts each bad certificate for that feed, whose items are stored;
/// a feed on the same self-signed server without the opt-in still fails in the same run.
#[test]
fn tls_insecure_accepts_the_certificate_for_that_feed_only() {
    let origin = good_origin();
    let servers = servers();
    let mut feeds: Vec<(&str, String, bool)> =
        servers.iter().map(|(name, _, s)| (*name, s.url(&format!("/{name}.xml")), true)).collect();
    let self_signed = &servers[0].2;
    assert_eq!(servers[0].1, BadCert::SelfSigned);
    let checked_url = self_signed.url("/checked.xml");
    feeds.push(("checked", checked_url.clone(), false));
    let ws = workspace(&origin, &feeds);

    let check = ws.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert_eq!(check.stdout.matches("tls_insecure").count(), 3, "check shows the opt-ins:\n{}", check.stdout);

    let run = ws.fetch(1);
    for (name, _, _) in &servers {
        assert_eq!(counts(&run.stdout, name), ("ok".into(), 2, 0, 0, 0, 0), "{name}:\n{}", run.stdout);
        assert_eq!(exported_titles(&ws, name), item_titles(&format!("/{name}.xml")).to_vec(), "{name}");
    }
    tls_error_row(&run, "checked", &checked_url);
    assert!(exported_titles(&ws, "checked").is_empty(), "nothing stored for the checked feed");
    assert_eq!(self_signed.answered(), 1, "only the opted-in feed was answered");
    assert_good_stored(&ws, &run);
}
