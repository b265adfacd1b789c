//! The address guard for URLs taken from feed content (RELIABILITY rows 27–30).
//!
//! A URL the user wrote into feeds.toml is trusted: it may name 127.0.0.1 or a local file. A URL
//! that comes from a feed (an item's link, fetched for its full text) is not: only `http` and
//! `https`, and, unless `[settings] allow_private = true`, no request to an address that is not
//! public (`non_public`: loopback, private, link-local, unspecified, broadcast, multicast, shared
//! CGNAT, documentation and benchmarking ranges, reserved ranges, and the IPv6 forms that carry
//! one of those IPv4 addresses). Two checks cover every hop, redirects included:
//!
//! - `Guard::check_url`, on the URL of each hop before it is requested: the scheme, and a host
//!   that is an IP literal (reqwest connects to a literal without asking any resolver; the url
//!   crate has already turned `2130706433`, `0177.0.0.1` and `0x7f.1` into `127.0.0.1`);
//! - `Guard` as the DNS resolver of the guarded client: it drops every non-public address of a
//!   name's answer and fails when none is left. reqwest connects only to the addresses its
//!   resolver returns, so the address checked is the address connected to; a name that answers
//!   with a public address once and 127.0.0.1 the next time (DNS rebinding) gains nothing, as
//!   there is no second resolution between the check and the connection.
//!
//! The guarded client uses no proxy (with a proxy, the proxy would resolve the names).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// The hint every address refusal ends with.
const ALLOW_HINT: &str = "(set allow_private = true to allow)";

/// Why the guard refused a URL or a name: the `reason` of `FetchError::Refused`. Returned by the
/// resolver as an error, and found again down reqwest's error chain (`fetch::refusal_in`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

/// Why `ip` is not a public address ("127.0.0.1 is a loopback address"), or `None` when it is.
///
/// Public means globally reachable unicast, as IANA's special-purpose registries say (the rules
/// of std's unstable `is_global`), and for IPv6 inside global unicast `2000::/3`. An IPv6 address
/// that carries an IPv4 one (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`,
/// IPv4-translated `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`) is judged by that IPv4 address;
/// the compatible and translated forms are refused whatever they carry (deprecated, not routed),
/// and so are 6to4 `2002::/16` and Teredo `2001::/32`, which embed IPv4 addresses too.
pub fn non_public(ip: IpAddr) -> Option<String> {
    match ip {
        IpAddr::V4(v4) => v4_kind(v4).map(|kind| format!("{v4} is {kind}")),
        IpAddr::V6(v6) => v6_reason(v6),
    }
}

/// What kind of non-public IPv4 address `ip` is, or `None` when it is public.
fn v4_kind(ip: Ipv4Addr) -> Option<&'static str> {
    Some(match ip.octets() {
        [0, 0, 0, 0] => "an unspecified address",
        [0, ..] => "a \"this network\" address (0.0.0.0/8)",
        [127, ..] => "a loopback address",
        [10, ..] | [172, 16..=31, ..] | [192, 168, ..] => "a private address",
        [100, 64..=127, ..] => "a shared address (carrier-grade NAT, 100.64.0.0/10)",
        [169, 254, ..] => "a link-local address",
        // 192.0.0.9 and .10 are globally reachable (PCP and TURN anycast).
        [192, 0, 0, 9 | 10] => return None,
        [192, 0, 0, _] => "an IETF protocol assignment (192.0.0.0/24)",
        [192, 0, 2, _] | [198, 51, 100, _] | [203, 0, 113, _] => "a documentation address",
        [192, 88, 99, _] => "a deprecated 6to4 relay anycast address (192.88.99.0/24)",
        [198, 18..=19, ..] => "a benchmarking address (198.18.0.0/15)",
        [255, 255, 255, 255] => "the broadcast address",
        [224..=239, ..] => "a multicast address",
        [240..=255, ..] => "a reserved address (240.0.0.0/4)",
        _ => return None,
    })
}

fn v6_reason(ip: Ipv6Addr) -> Option<String> {
    let s = ip.segments();
    let [.., hi, lo] = s;
    let v4 = Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    // An IPv4 address inside: the reason is that address's, when it is not public.
    let carried = |form: &str| v4_kind(v4).map(|kind| format!("{ip} is {kind} ({form} {v4})"));
    let is = |kind: &str| Some(format!("{ip} is {kind}"));
    match s {
        [0, 0, 0, 0, 0, 0, 0, 0] => is("an unspecified address"),
        [0, 0, 0, 0, 0, 0, 0, 1] => is("a loopback address"),
        [0, 0, 0, 0, 0, 0xffff, _, _] => carried("IPv4-mapped"),
        [0, 0, 0, 0, 0, 0, _, _] => carried("IPv4-compatible").or_else(|| is("a deprecated IPv4-compatible address")),
        [0, 0, 0, 0, 0xffff, 0, _, _] => carried("IPv4-translated").or_else(|| is("an IPv4-translated address")),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => carried("NAT64"),
        [0x64, 0xff9b, 1, ..] => is("a local-use NAT64 address (64:ff9b:1::/48)"),
        [0x100, 0, 0, 0, ..] => is("a discard-only address (100::/64)"),
        [0xfc00..=0xfdff, ..] => is("a unique local (private) address (fc00::/7)"),
        [0xfe80..=0xfebf, ..] => is("a link-local address"),
        [0xfec0..=0xfeff, ..] => is("a deprecated site-local address"),
        [0xff00..=0xffff, ..] => is("a multicast address"),
        [0x2001, 0xdb8, ..] | [0x3fff, 0..=0x0fff, ..] => is("a documentation address"),
        [0x2001, 0, ..] => is("a Teredo address (2001::/32)"),
        [0x2001, 2, 0, ..] => is("a benchmarking address (2001:2::/48)"),
        // Inside the IETF protocol assignments 2001::/23, these are globally reachable: PCP and
        // TURN anycast, AMT, AS112-v6, ORCHIDv2 and drone DETs.
        [0x2001, 1, 0, 0, 0, 0, 0, 1 | 2] | [0x2001, 3, ..] | [0x2001, 4, 0x112, ..] | [0x2001, 0x20..=0x3f, ..] => {
            None
        }
        [0x2001, 0..=0x1ff, ..] => is("an IETF protocol assignment (2001::/23)"),
        [0x2002, ..] => is("a 6to4 address (2002::/16)"),
        [0x5f00, ..] => is("a segment-routing (SRv6) address (5f00::/16)"),
        [0x2000..=0x3fff, ..] => None,
        _ => is("a reserved address (outside global unicast 2000::/3)"),
    }
}

/// The address policy of the guarded client: a resolver that filters, and the per-hop URL check.
#[derive(Clone)]
pub(crate) struct Guard {
    /// Answers names before they are filtered: the system's resolver; a fake in tests.
    lookup: Arc<dyn Resolve>,
    /// Why an address is refused (`None`: allowed): `non_public`, except in tests that need a
    /// stand-in for a public origin on a loopback address.
    refuse: fn(IpAddr) -> Option<String>,
}

impl Guard {
    /// The guard of a real run: getaddrinfo, and every non-public address refused.
    pub(crate) fn system() -> Guard {
        Guard { lookup: Arc::new(SystemLookup), refuse: non_public }
    }

    #[cfg(test)]
    pub(crate) fn with(lookup: Arc<dyn Resolve>, refuse: fn(IpAddr) -> Option<String>) -> Guard {
        Guard { lookup, refuse }
    }

    /// The check of one hop's URL before it is requested: http(s) only, and a host that is an
    /// IP literal must be allowed. (A name is checked when it is resolved, by `filter`.)
    pub(crate) fn check_url(&self, url: &Url) -> Result<(), Refusal> {
        check_scheme(url)?;
        let ip = match url.host() {
            None => return Err(Refusal("the URL has no host".into())),
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
            // The url crate parses every IPv4 spelling of an http(s) host into `Ipv4`; this
            // only matters if a spelling it keeps as a name would still parse as an address.
            Some(Host::Domain(d)) => match d.parse::<IpAddr>() {
                Ok(ip) => ip,
                Err(_) => return Ok(()),
            },
        };
        match (self.refuse)(ip) {
            Some(reason) => Err(Refusal(format!("{reason} {ALLOW_HINT}"))),
            None => Ok(()),
        }
    }

    /// The addresses a name resolved to, without the refused ones; an error naming each
    /// refused address when none is left. An empty answer stays empty (the connector reports
    /// that as it reports any failed lookup).
    pub(crate) fn filter(
        &self,
        host: &str,
        addrs: impl IntoIterator<Item = SocketAddr>,
    ) -> Result<Vec<SocketAddr>, Refusal> {
        let mut allowed = Vec::new();
        let mut refused: Vec<String> = Vec::new();
        for addr in addrs {
            match (self.refuse)(addr.ip()) {
                None => allowed.push(addr),
                Some(reason) if !refused.contains(&reason) => refused.push(reason),
                Some(_) => {}
            }
        }
        if allowed.is_empty() && !refused.is_empty() {
            return Err(Refusal(format!(
                "{host} resolves only to addresses that are not public: {} {ALLOW_HINT}",
                refused.join("; ")
            )));
        }
        Ok(allowed)
    }
}

/// `http` and `https` only: `file:`, `ftp:`, `data:`, `gopher:`… are refused.
pub(crate) fn check_scheme(url: &Url) -> Result<(), Refusal> {
    match url.scheme() {
        "http" | "https" => Ok(()),
        other => Err(Refusal(format!("only http and https URLs are fetched, not {other}:"))),
    }
}

impl Resolve for Guard {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = self.clone();
        let host = name.as_str().to_string();
        let answer = self.lookup.resolve(name);
        Box::pin(async move {
            let allowed = guard.filter(&host, answer.await?)?;
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The system's resolver (getaddrinfo on tokio's blocking pool), as reqwest's default one.
struct SystemLookup;

impl Resolve for SystemLookup {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    /// Row 27: the address table. `Some(kind)`: refused, and the reason says `kind`.
    #[test]
    fn guard_classifies_addresses() {
        let cases: &[(&str, Option<&str>)] = &[
            // IPv4, refused
            ("127.0.0.1", Some("127.0.0.1 is a loopback address")),
            ("127.255.255.254", Some("loopback")),
            ("0.0.0.0", Some("0.0.0.0 is an unspecified address")),
            ("0.1.2.3", Some("this network")),
            ("10.0.0.1", Some("10.0.0.1 is a private address")),
            ("172.16.0.1", Some("private")),
            ("172.31.255.255", Some("private")),
            ("192.168.1.1", Some("private")),
            ("100.64.0.1", Some("carrier-grade NAT")),
            ("100.127.255.255", Some("carrier-grade NAT")),
            ("169.254.169.254", Some("169.254.169.254 is a link-local address")),
            ("192.0.0.8", Some("IETF protocol assignment")),
            ("192.0.0.170", Some("IETF protocol assignment")),
            ("192.0.2.1", Some("documentation")),
            ("198.51.100.7", Some("documentation")),
            ("203.0.113.9", Some("documentation")),
            ("192.88.99.1", Some("6to4 relay")),
            ("198.18.0.1", Some("benchmarking")),
            ("198.19.255.255", Some("benchmarking")),
            ("224.0.0.1", Some("multicast")),
            ("239.255.255.250", Some("multicast")),
            ("240.0.0.1", Some("reserved")),
            ("255.255.255.255", Some("the broadcast address")),
            // IPv4, public (including the neighbours of the ranges above)
            ("8.8.8.8", None),
            ("1.1.1.1", None),
            ("93.184.215.14", None),
            ("9.255.255.255", None),
            ("11.0.0.1", None),
            ("172.15.255.255", None),
            ("172.32.0.1", None),
            ("192.167.255.255", None),
            ("192.169.0.1", None),
            ("100.63.255.255", None),
            ("100.128.0.1", None),
            ("169.253.0.1", None),
            ("192.0.0.9", None),
            ("192.0.0.10", None),
            ("192.0.3.1", None),
            ("198.17.255.255", None),
            ("198.20.0.1", None),
            ("223.255.255.255", None),
            ("126.255.255.255", None),
            ("128.0.0.1", None),
            // IPv6, refused
            ("::", Some(":: is an unspecified address")),
            ("::1", Some("::1 is a loopback address")),
            ("::ffff:127.0.0.1", Some("::ffff:127.0.0.1 is a loopback address (IPv4-mapped 127.0.0.1)")),
            ("::ffff:7f00:1", Some("loopback address (IPv4-mapped 127.0.0.1)")),
            ("::ffff:10.1.2.3", Some("private address (IPv4-mapped 10.1.2.3)")),
            ("::ffff:169.254.169.254", Some("link-local address (IPv4-mapped 169.254.169.254)")),
            ("::ffff:0.0.0.0", Some("unspecified address (IPv4-mapped 0.0.0.0)")),
            ("::127.0.0.1", Some("loopback address (IPv4-compatible 127.0.0.1)")),
            ("::192.168.0.1", Some("private address (IPv4-compatible 192.168.0.1)")),
            ("::8.8.8.8", Some("deprecated IPv4-compatible")),
            ("::ffff:0:127.0.0.1", Some("loopback address (IPv4-translated 127.0.0.1)")),
            ("::ffff:0:8.8.8.8", Some("IPv4-translated")),
            ("64:ff9b::127.0.0.1", Some("loopback address (NAT64 127.0.0.1)")),
            ("64:ff9b::10.0.0.1", Some("private address (NAT64 10.0.0.1)")),
            ("64:ff9b:1::1", Some("local-use NAT64")),
            ("100::1", Some("discard-only")),
            ("fc00::1", Some("unique local")),
            ("fd00::1", Some("fd00::1 is a unique local (private) address")),
            ("fdff:ffff::1", Some("unique local")),
            ("fe80::1", Some("fe80::1 is a link-local address")),
            ("febf::1", Some("link-local")),
            ("fec0::1", Some("site-local")),
            ("ff02::1", Some("multicast")),
            ("ff0e::1", Some("multicast")),
            ("2001:db8::1", Some("documentation")),
            ("3fff::1", Some("documentation")),
            ("2001::1", Some("Teredo")),
            ("2001:2::1", Some("benchmarking")),
            ("2001:10::1", Some("IETF protocol assignment")),
            ("2002:7f00:1::1", Some("6to4")),
            ("5f00::1", Some("segment-routing")),
            ("::2", Some("IPv4-compatible")),
            ("1::1", Some("reserved")),
            ("4000::1", Some("reserved")),
            ("e000::1", Some("reserved")),
            // IPv6, public
            ("2606:4700:4700::1111", None),
            ("2a00:1450:4001:80b::200e", None),
            ("2001:4860:4860::8888", None),
            ("::ffff:8.8.8.8", None),
            ("::ffff:93.184.215.14", None),
            ("64:ff9b::8.8.8.8", None),
            ("2001:1::1", None),
            ("2001:3::1", None),
            ("2001:4:112::1", None),
            ("2001:20::1", None),
            ("2001:200::1", None),
            ("3ffe::1", None),
            ("3fff:1000::1", None),
        ];
        for (ip, expected) in cases {
            let got = non_public(ip.parse().unwrap_or_else(|e| panic!("{ip}: {e}")));
            match (expected, &got) {
                (None, None) => {}
                (Some(kind), Some(reason)) => assert!(reason.contains(kind), "{ip}: {reason:?} lacks {kind:?}"),
                _ => panic!("{ip}: expected {expected:?}, got {got:?}"),
            }
        }
    }

    /// A resolver that answers every name with fixed addresses, without the network.
    struct Fixed(Vec<SocketAddr>);

    impl Resolve for Fixed {
        fn resolve(&self, _: Name) -> Resolving {
            let addrs = self.0.clone();
            Box::pin(async move { Ok(Box::new(addrs.into_iter()) as Addrs) })
        }
    }

    fn guard_answering(addrs: &[&str]) -> Guard {
        Guard::with(Arc::new(Fixed(addrs.iter().map(|a| a.parse().unwrap()).collect())), non_public)
    }

    fn check(url: &str) -> Result<(), String> {
        Guard::system().check_url(&Url::parse(url).unwrap()).map_err(|r| r.0)
    }

    /// Rows 27, 28 and 30: the check of every hop's URL (the first one and each redirect
    /// target), with every spelling of a non-public literal the url crate accepts.
    #[test]
    fn guard_checks_each_hops_url() {
        for (url, reason) in [
            ("http://127.0.0.1:8080/x", "127.0.0.1 is a loopback address (set allow_private = true to allow)"),
            ("http://[::1]/", "::1 is a loopback address"),
            ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1 is a loopback address (IPv4-mapped 127.0.0.1)"),
            ("http://[::ffff:7f00:1]:81/", "IPv4-mapped 127.0.0.1"),
            ("http://[::127.0.0.1]/", "IPv4-compatible 127.0.0.1"),
            ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
            ("https://10.1.2.3/", "10.1.2.3 is a private address"),
            ("http://100.64.1.1/", "carrier-grade NAT"),
            ("http://0.0.0.0:8080/", "0.0.0.0 is an unspecified address"),
            ("http://0/", "0.0.0.0 is an unspecified address"),
            ("http://2130706433/", "127.0.0.1 is a loopback address"),
            ("http://0177.0.0.1/", "127.0.0.1 is a loopback address"),
            ("http://0x7f.1/", "127.0.0.1 is a loopback address"),
            ("http://127.1/", "127.0.0.1 is a loopback address"),
            ("http://[fd00::1]/", "unique local"),
            ("http://[fe80::1]/", "link-local"),
            ("http://255.255.255.255/", "broadcast"),
            ("http://224.0.0.1/", "multicast"),
            ("http://192.0.2.1/", "documentation"),
        ] {
            let err = check(url).expect_err(url);
            assert!(err.contains(reason), "{url}: {err:?} lacks {reason:?}");
            assert!(err.ends_with(ALLOW_HINT), "{url}: {err:?}");
        }
        for (url, scheme) in [
            ("file:///etc/passwd", "file:"),
            ("ftp://example.com/x", "ftp:"),
            ("gopher://example.com/", "gopher:"),
            ("data:text/html,hi", "data:"),
            ("javascript:alert(1)", "javascript:"),
        ] {
            assert_eq!(check(url), Err(format!("only http and https URLs are fetched, not {scheme}")), "{url}");
        }
        // Public literals and any name pass here; a name is checked when it is resolved.
        for url in [
            "http://8.8.8.8/",
            "https://[2606:4700:4700::1111]/",
            "http://[::ffff:8.8.8.8]/",
            "https://example.com/a?b",
            "http://localhost:8080/",
            "http://rebind.test/",
        ] {
            assert_eq!(check(url), Ok(()), "{url}");
        }
    }

    /// Row 29: a name's answer is filtered: non-public addresses dropped, an error when none
    /// is left; the resolver gives reqwest only what is left (nothing on the network).
    #[tokio::test]
    async fn guard_resolver_drops_non_public_answers() {
        let port = |a: &str| a.parse::<SocketAddr>().unwrap();
        let resolve = |g: Guard, name: &str| {
            let answer = g.resolve(Name::from_str(name).unwrap());
            async move {
                answer.await.map(|a| a.collect::<Vec<_>>()).map_err(|e| {
                    e.downcast_ref::<Refusal>().map(|r| r.0.clone()).unwrap_or_else(|| panic!("not a refusal: {e}"))
                })
            }
        };
        let all_private = guard_answering(&["127.0.0.1:0", "[::1]:0", "10.0.0.1:0", "127.0.0.1:0"]);
        let err = resolve(all_private, "rebind.test").await.unwrap_err();
        assert_eq!(
            err,
            "rebind.test resolves only to addresses that are not public: 127.0.0.1 is a loopback address; \
             ::1 is a loopback address; 10.0.0.1 is a private address (set allow_private = true to allow)"
        );
        let mapped = guard_answering(&["[::ffff:169.254.169.254]:0"]);
        assert!(resolve(mapped, "metadata.test").await.unwrap_err().contains("IPv4-mapped 169.254.169.254"));
        let mixed = guard_answering(&["127.0.0.1:0", "93.184.215.14:0", "[fe80::1]:0", "[2606:4700::1]:0"]);
        assert_eq!(
            resolve(mixed, "mixed.test").await.unwrap(),
            vec![port("93.184.215.14:0"), port("[2606:4700::1]:0")],
            "only the public addresses are left to connect to"
        );
        let public = guard_answering(&["8.8.8.8:0"]);
        assert_eq!(resolve(public, "dns.test").await.unwrap(), vec![port("8.8.8.8:0")]);
        assert_eq!(resolve(guard_answering(&[]), "empty.test").await.unwrap(), vec![], "no answer is no refusal");
    }
}
