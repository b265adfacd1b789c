//! A TLS origin for tests: HTTPS on 127.0.0.1 with a certificate that no client should trust,
//! made at test time with rcgen. Each server has one kind of bad certificate (`BadCert`) and
//! answers every request that gets through the handshake with the fault server's valid RSS
//! feed for that path (`fault::feed`, titles from `fault::item_titles`). rustls on std
//! sockets, one thread per connection, `Connection: close`. Counts the requests it answered,
//! so a test can tell a rejected handshake (no request) from a served one.
//!
//! Only 127.0.0.1: the server binds there, and no certificate names a real host.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::fault;

/// The certificate a `TlsServer` presents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadCert {
    /// Self-signed, for 127.0.0.1: signed by its own key, so no root vouches for it.
    SelfSigned,
    /// For 127.0.0.1, issued by a test CA (sent along), valid only in 2020.
    Expired,
    /// For `example.invalid` only, issued by a test CA (sent along), valid now: the wrong host
    /// for 127.0.0.1.
    WrongHost,
}

pub struct TlsServer {
    pub addr: SocketAddr,
    /// Requests received, each after a completed handshake (and then answered).
    answered: Arc<AtomicUsize>,
}

impl TlsServer {
    /// Starts an HTTPS server with a `cert` on an ephemeral port of 127.0.0.1; it lives until
    /// the test process exits.
    pub fn start(cert: BadCert) -> TlsServer {
        let config = Arc::new(server_config(cert));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let answered = Arc::new(AtomicUsize::new(0));
        let count = answered.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (config, count) = (config.clone(), count.clone());
                std::thread::spawn(move || {
                    // A client that rejects the certificate ends the handshake with an error
                    // here: expected, and nothing to answer.
                    let _ = serve(conn, config, &count);
                });
            }
        });
        TlsServer { addr, answered }
    }

    /// `https://127.0.0.1:PORT{target}`.
    pub fn url(&self, target: &str) -> String {
        format!("https://{}{}", self.addr, target)
    }

    /// How many requests got through the handshake (each is answered with the feed).
    pub fn answered(&self) -> usize {
        self.answered.load(Ordering::SeqCst)
    }
}

/// One connection: the handshake (on the first read), one request, the feed for its path.
fn serve(tcp: TcpStream, config: Arc<rustls::ServerConfig>, answered: &AtomicUsize) -> std::io::Result<()> {
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    let conn = rustls::ServerConnection::new(config).map_err(std::io::Error::other)?;
    let mut reader = BufReader::new(rustls::StreamOwned::new(conn, tcp));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        return Ok(()); // the client left without a request
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/").to_string();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
    }
    // Counted before answering, so the count is final once the client has its answer.
    answered.fetch_add(1, Ordering::SeqCst);
    let body = fault::feed(&target);
    let head = format!(
        "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/rss+xml; charset=utf-8\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    let tls = reader.get_mut();
    tls.write_all(head.as_bytes())?;
    tls.write_all(&body)?;
    tls.flush()?;
    tls.conn.send_close_notify();
    tls.flush()
}

/// A rustls server config (ring, as reqwest uses) presenting the chain for `cert`.
fn server_config(cert: BadCert) -> rustls::ServerConfig {
    let (chain, key) = chain(cert);
    rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("the ring provider supports the default TLS versions")
        .with_no_client_auth()
        .with_single_cert(chain, PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())))
        .expect("a certificate matching its key")
}

/// The certificate chain (leaf first) for `cert`, and the leaf's key.
fn chain(cert: BadCert) -> (Vec<CertificateDer<'static>>, KeyPair) {
    let key = KeyPair::generate().expect("generate a key");
    let leaf = |host: &str| {
        let mut p = CertificateParams::new(vec![host.to_string()]).expect("a valid host name");
        p.distinguished_name.push(DnType::CommonName, host);
        p
    };
    match cert {
        BadCert::SelfSigned => {
            let der = leaf("127.0.0.1").self_signed(&key).expect("self-sign").der().clone();
            (vec![der], key)
        }
        BadCert::Expired | BadCert::WrongHost => {
            let ca_key = KeyPair::generate().expect("generate a key");
            let mut ca = CertificateParams::default();
            ca.distinguished_name.push(DnType::CommonName, "feedscrub test CA");
            ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            let ca_der = ca.self_signed(&ca_key).expect("self-sign the CA").der().clone();
            let issuer = Issuer::new(ca, ca_key);
            let mut params = leaf(if cert == BadCert::Expired { "127.0.0.1" } else { "example.invalid" });
            if cert == BadCert::Expired {
                params.not_before = rcgen::date_time_ymd(2020, 1, 1);
                params.not_after = rcgen::date_time_ymd(2021, 1, 1);
            }
            let der = params.signed_by(&key, &issuer).expect("sign with the CA").der().clone();
            (vec![der, ca_der], key)
        }
    }
}
