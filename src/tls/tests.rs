//! Certificates made, kept, reloaded and refused; handshakes over an in-memory pipe.

use super::certs::{self, Ca, CA_FILE, CA_KEY_FILE};
use super::{provider, Tls, TlsError, TlsOptions};
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "authmock-tls-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        Scratch(dir)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn roots(ca_pem: &str) -> Arc<rustls::RootCertStore> {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(c.expect("pem")).expect("root");
    }
    Arc::new(roots)
}

/// Whether a client trusting only `ca_pem` accepts `leaf` for `name`.
fn verifies(ca_pem: &str, leaf: &CertificateDer<'_>, name: &str) -> bool {
    let v = rustls::client::WebPkiServerVerifier::builder_with_provider(
        roots(ca_pem),
        provider().expect("provider"),
    )
    .build()
    .expect("verifier");
    let name = ServerName::try_from(name.to_string()).expect("name");
    v.verify_server_cert(leaf, &[], &name, &[], UnixTime::now())
        .is_ok()
}

/// The error text of a result that must be an error.
fn refused<T>(r: Result<T, TlsError>) -> String {
    match r {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    }
}

fn leaf_of(ca: &Ca, sans: &[&str]) -> CertificateDer<'static> {
    let sans: Vec<String> = sans.iter().map(|s| s.to_string()).collect();
    let ck = ca
        .leaf(&sans, &provider().expect("provider"))
        .expect("leaf");
    ck.cert[0].clone()
}

#[test]
fn a_generated_leaf_names_localhost_both_loopbacks_and_the_extra_names_only() {
    let ca = Ca::generate().expect("ca");
    let leaf = leaf_of(&ca, &["auth.vendor.example", "*.mock.test", "10.1.2.3"]);
    for name in [
        "localhost",
        "127.0.0.1",
        "::1",
        "auth.vendor.example",
        "a.mock.test",
        "10.1.2.3",
    ] {
        assert!(verifies(ca.pem(), &leaf, name), "{name} should verify");
    }
    for name in ["example.com", "127.0.0.2", "a.b.mock.test"] {
        assert!(!verifies(ca.pem(), &leaf, name), "{name} should not verify");
    }
}

#[test]
fn a_leaf_does_not_verify_against_another_ca() {
    let ca = Ca::generate().expect("ca");
    let other = Ca::generate().expect("other");
    assert!(!verifies(other.pem(), &leaf_of(&ca, &[]), "localhost"));
}

#[test]
fn a_ca_kept_in_a_directory_is_reused_and_signs_new_leaves_its_old_pem_verifies() {
    let dir = Scratch::new("keep");
    let first = Ca::in_dir(dir.path()).expect("first start makes the CA");
    let kept = std::fs::read_to_string(dir.path().join(CA_FILE)).expect("ca.pem written");
    assert_eq!(kept, first.pem());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(CA_KEY_FILE))
            .expect("key written")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the CA key is private to its owner");
    }
    let second = Ca::in_dir(dir.path()).expect("second start reuses it");
    assert_eq!(second.pem(), first.pem());
    assert!(verifies(first.pem(), &leaf_of(&second, &[]), "localhost"));
    assert_eq!(super::ca_pem(Some(dir.path())).expect("ca"), first.pem());
}

#[test]
fn a_kept_ca_missing_its_key_or_certificate_is_refused_naming_the_missing_file() {
    let dir = Scratch::new("half");
    Ca::in_dir(dir.path()).expect("made");
    std::fs::remove_file(dir.path().join(CA_KEY_FILE)).expect("rm");
    let e = refused(Ca::in_dir(dir.path()));
    assert!(e.contains(CA_KEY_FILE) && e.contains("missing"), "{e}");

    let dir = Scratch::new("half2");
    Ca::in_dir(dir.path()).expect("made");
    std::fs::remove_file(dir.path().join(CA_FILE)).expect("rm");
    let e = refused(Ca::in_dir(dir.path()));
    assert!(e.contains(CA_FILE) && e.contains("missing"), "{e}");
}

#[test]
fn a_kept_ca_pem_that_is_not_the_one_of_its_key_is_refused() {
    let a = Scratch::new("mix-a");
    let b = Scratch::new("mix-b");
    Ca::in_dir(a.path()).expect("a");
    Ca::in_dir(b.path()).expect("b");
    std::fs::copy(b.path().join(CA_FILE), a.path().join(CA_FILE)).expect("swap");
    let ca = Ca::in_dir(a.path()).expect("both files parse");
    let e = refused(ca.leaf(&[], &provider().expect("provider")));
    assert!(
        e.contains(&*a.path().join(CA_FILE).to_string_lossy()),
        "{e}"
    );
}

#[test]
fn a_kept_key_that_is_not_pem_is_refused_naming_the_key_file() {
    let dir = Scratch::new("badkey");
    Ca::in_dir(dir.path()).expect("made");
    std::fs::write(dir.path().join(CA_KEY_FILE), "not a key").expect("write");
    let e = refused(Ca::in_dir(dir.path()));
    assert!(
        e.starts_with(&*dir.path().join(CA_KEY_FILE).to_string_lossy()),
        "{e}"
    );
}

/// A self-signed certificate and its key, written as PEM files.
fn user_pair(dir: &Path) -> (PathBuf, PathBuf, String) {
    std::fs::create_dir_all(dir).expect("dir");
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .expect("params")
        .self_signed(&key)
        .expect("cert");
    let (c, k) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&c, cert.pem()).expect("cert");
    std::fs::write(&k, key.serialize_pem()).expect("key");
    (c, k, cert.pem())
}

#[test]
fn user_files_are_served_and_their_last_certificate_is_the_ca() {
    let dir = Scratch::new("user");
    let (c, k, pem) = user_pair(dir.path());
    let (ck, ca) = certs::user_files(&c, &k, &provider().expect("provider")).expect("loads");
    assert_eq!(ca.trim(), pem.trim());
    assert_eq!(ck.cert.len(), 1);
}

fn user_error(cert: &Path, key: &Path) -> String {
    match certs::user_files(cert, key, &provider().expect("provider")) {
        Err(e @ TlsError::File { .. }) => e.to_string(),
        Err(e) => panic!("not a file error: {e}"),
        Ok(_) => panic!("accepted"),
    }
}

#[test]
fn bad_user_files_are_refused_with_the_file_and_the_problem() {
    let dir = Scratch::new("userbad");
    let (c, k, _) = user_pair(dir.path());
    let (_c2, k2, _) = user_pair(&dir.path().join("other"));
    let missing = dir.path().join("nope.pem");
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "hello\n").expect("write");

    let e = user_error(&missing, &k);
    assert!(
        e.starts_with(&*missing.to_string_lossy()) && e.contains("cannot read"),
        "{e}"
    );
    let e = user_error(&garbage, &k);
    assert!(
        e.starts_with(&*garbage.to_string_lossy()) && e.contains("no certificate"),
        "{e}"
    );
    let e = user_error(&c, &garbage);
    assert!(
        e.starts_with(&*garbage.to_string_lossy()) && e.contains("no private key"),
        "{e}"
    );
    let e = user_error(&c, &k2);
    assert!(
        e.starts_with(&*k2.to_string_lossy()) && e.contains("not the key of"),
        "{e}"
    );
    // A key given as the certificate: PEM, but no certificate in it.
    let e = user_error(&k, &k);
    assert!(
        e.starts_with(&*k.to_string_lossy()) && e.contains("no certificate"),
        "{e}"
    );
    assert!(!e.contains('\n'));
}

/// Connects a rustls client trusting `ca_pem` to `tls` over an in-memory pipe, naming `sni`; the
/// application protocol the server chose, or the client's error.
async fn client_handshake(tls: &Tls, ca_pem: &str, sni: &str) -> Result<Option<Vec<u8>>, String> {
    let (client_io, server_io) = tokio::io::duplex(64 * 1024);
    let server = {
        let tls = tls.clone();
        tokio::spawn(async move {
            let peer = "127.0.0.1:1".parse().expect("addr");
            if let Some(mut s) = tls
                .handshake(server_io, peer, Duration::from_secs(10))
                .await
            {
                let _ = s.write_all(b"ok").await;
                let _ = s.shutdown().await;
            }
        })
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider().expect("provider"))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots(ca_pem))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let name = ServerName::try_from(sni.to_string()).expect("name");
    let r = match connector.connect(name, client_io).await {
        Ok(mut s) => {
            let alpn = s.get_ref().1.alpn_protocol().map(|p| p.to_vec());
            let mut buf = Vec::new();
            let _ = s.read_to_end(&mut buf).await;
            assert_eq!(buf, b"ok");
            Ok(alpn)
        }
        Err(e) => Err(e.to_string()),
    };
    server.await.expect("server task");
    r
}

#[tokio::test]
async fn a_client_trusting_the_ca_completes_the_handshake_with_alpn_http_1_1() {
    let tls = Tls::new(&TlsOptions::default()).expect("tls");
    let alpn = client_handshake(&tls, tls.ca_pem(), "localhost").await;
    assert_eq!(alpn, Ok(Some(b"http/1.1".to_vec())));
}

#[tokio::test]
async fn a_client_trusting_another_ca_fails_the_handshake() {
    let tls = Tls::new(&TlsOptions::default()).expect("tls");
    let other = Tls::new(&TlsOptions::default()).expect("other");
    let r = client_handshake(&tls, other.ca_pem(), "localhost").await;
    assert!(r.is_err(), "{r:?}");
}

#[tokio::test]
async fn a_server_name_the_certificate_lacks_ends_the_handshake() {
    let tls = Tls::new(&TlsOptions {
        sans: vec!["auth.vendor.example".into()],
        ..TlsOptions::default()
    })
    .expect("tls");
    assert!(client_handshake(&tls, tls.ca_pem(), "auth.vendor.example")
        .await
        .is_ok());
    // The server refuses (an alert), rather than the client refusing a certificate not valid for it.
    let r = client_handshake(&tls, tls.ca_pem(), "other.example").await;
    assert!(r.as_ref().is_err_and(|e| e.contains("alert")), "{r:?}");
}

#[tokio::test]
async fn plain_http_garbage_and_silence_end_the_handshake() {
    let tls = Tls::new(&TlsOptions::default()).expect("tls");
    let peer = "127.0.0.1:1".parse().expect("addr");
    for bytes in [
        &b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"[..],
        &b"\x16\x03\x01\x00\x05hello"[..],
        &[0u8; 64][..],
    ] {
        let (mut client, server_io) = tokio::io::duplex(4096);
        client.write_all(bytes).await.expect("write");
        client.shutdown().await.expect("eof");
        let r = tls
            .handshake(server_io, peer, Duration::from_secs(10))
            .await;
        assert!(r.is_none(), "{bytes:?}");
    }
    // A client that connects and says nothing: the limit ends it.
    let (_client, server_io) = tokio::io::duplex(4096);
    let r = tls
        .handshake(server_io, peer, Duration::from_millis(50))
        .await;
    assert!(r.is_none());
}

/// The notAfter of a DER certificate.
fn not_after(der: &[u8]) -> time::OffsetDateTime {
    let (_, c) = x509_parser::parse_x509_certificate(der).expect("x509");
    c.validity().not_after.to_datetime()
}

#[test]
fn a_leaf_never_outlives_its_kept_ca() {
    let now = time::OffsetDateTime::now_utc();
    // One CA with ten days left, one expired yesterday: the leaf (a year otherwise) ends with the CA.
    for until in [
        now + time::Duration::days(10),
        now - time::Duration::days(1),
    ] {
        let key = rcgen::KeyPair::generate().expect("key");
        let mut p = rcgen::CertificateParams::default();
        p.distinguished_name
            .push(rcgen::DnType::CommonName, "short-lived dev CA");
        p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        p.not_before = now - time::Duration::days(30);
        p.not_after = until;
        let ca_pem = p.self_signed(&key).expect("ca").pem();
        let dir = Scratch::new("short");
        std::fs::create_dir_all(dir.path()).expect("mkdir");
        std::fs::write(dir.path().join(CA_FILE), &ca_pem).expect("ca.pem");
        std::fs::write(dir.path().join(CA_KEY_FILE), key.serialize_pem()).expect("key");
        let ca = Ca::in_dir(dir.path()).expect("kept");
        assert!(ca.validity_problem().is_some() == (until < now));
        let ck = ca.leaf(&[], &provider().expect("provider")).expect("leaf");
        let leaf_end = not_after(ck.end_entity_cert().expect("leaf"));
        let ca_der = CertificateDer::from_pem_slice(ca_pem.as_bytes()).expect("der");
        assert!(leaf_end <= not_after(&ca_der), "{leaf_end} > {until}");
        assert!(
            leaf_end + time::Duration::seconds(1) >= until,
            "{leaf_end} < {until}"
        );
    }
}
