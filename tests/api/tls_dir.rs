//! Edge cases of a `--tls-dir`: a key and certificate that are not a pair, a team's own dev CA, a kept
//! CA outside its validity, and a handshake for a name the certificate does not hold.

use crate::tempdir::TempDir;
use crate::tls::Client;
use crate::tls_process::authmock;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A server with `--tls-port 0 <args>`: its https base URL, and, after `stop`, what it logged.
struct Served {
    child: std::process::Child,
    https: String,
}

impl Served {
    fn start(args: &[&str]) -> Served {
        let mut all = vec!["--port", "0", "--tls-port", "0"];
        all.extend_from_slice(args);
        let mut child = authmock(&all)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let out = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(out);
            let (mut a, mut b) = (String::new(), String::new());
            let _ = r.read_line(&mut a);
            let _ = r.read_line(&mut b);
            let _ = tx.send(b);
            let _ = std::io::copy(&mut r, &mut std::io::sink());
        });
        let line = rx
            .recv_timeout(Duration::from_secs(15))
            .expect("two stdout lines");
        let https = line
            .trim()
            .trim_start_matches("authmock listening on ")
            .to_string();
        Served { child, https }
    }

    /// Stops the server with SIGTERM (so that its log is flushed) and returns its stderr.
    fn stop(mut self) -> String {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            // Ends when the server exits (a bounded wait: SIGTERM stops it within seconds).
            let _ = e.read_to_string(&mut err);
        }
        let _ = self.child.wait();
        err
    }
}

/// A CA certificate (PEM) and its key, with this subject and validity.
fn make_ca(cn: &str, from: time::OffsetDateTime, until: time::OffsetDateTime) -> (String, String) {
    let key = rcgen::KeyPair::generate().expect("key");
    let mut p = rcgen::CertificateParams::default();
    p.distinguished_name
        .push(rcgen::DnType::CommonName, cn.to_string());
    p.distinguished_name
        .push(rcgen::DnType::OrganizationName, "Team Dev");
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    p.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    p.not_before = from;
    p.not_after = until;
    let cert = p.self_signed(&key).expect("self-signed");
    (cert.pem(), key.serialize_pem())
}

fn dir_with(tag: &str, ca: &(String, String)) -> TempDir {
    let dir = TempDir::new(tag);
    dir.write("ca.pem", &ca.0);
    dir.write("ca-key.pem", &ca.1);
    dir
}

fn utf8(dir: &TempDir) -> &str {
    dir.path().to_str().expect("utf-8")
}

#[test]
fn authmock_ca_refuses_a_dir_whose_key_and_certificate_are_not_a_pair_as_the_server_does() {
    let now = time::OffsetDateTime::now_utc();
    let a = make_ca(
        "A",
        now - time::Duration::days(1),
        now + time::Duration::days(30),
    );
    let b = make_ca(
        "B",
        now - time::Duration::days(1),
        now + time::Duration::days(30),
    );
    let dir = dir_with("tls-mixed", &(a.0, b.1));
    let printed = authmock(&["ca", "--tls-dir", utf8(&dir)])
        .output()
        .expect("authmock ca");
    let err = String::from_utf8_lossy(&printed.stderr);
    assert_eq!(printed.status.code(), Some(2), "{err}");
    assert!(printed.stdout.is_empty(), "printed a CA anyway");
    assert!(
        err.contains("ca.pem") && err.contains("does not verify"),
        "{err}"
    );
    let served = authmock(&["--port", "0", "--tls-port", "0", "--tls-dir", utf8(&dir)])
        .output()
        .expect("serve");
    assert_eq!(served.status.code(), Some(2));
}

#[tokio::test]
async fn a_teams_own_dev_ca_in_the_tls_dir_signs_the_served_certificate() {
    let now = time::OffsetDateTime::now_utc();
    let ca = make_ca(
        "Team Dev Root CA",
        now - time::Duration::days(1),
        now + time::Duration::days(90),
    );
    let dir = dir_with("tls-team", &ca);
    let printed = authmock(&["ca", "--tls-dir", utf8(&dir)])
        .output()
        .expect("authmock ca");
    assert_eq!(
        (
            printed.status.code(),
            String::from_utf8_lossy(&printed.stdout).to_string()
        ),
        (Some(0), ca.0.clone()),
        "{}",
        String::from_utf8_lossy(&printed.stderr)
    );
    let server = Served::start(&["--tls-dir", utf8(&dir)]);
    let r = Client::new(server.https.clone(), Some(&ca.0))
        .get("/__admin/health", &[])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    server.stop();
}

#[test]
fn a_kept_ca_that_has_expired_or_is_not_yet_valid_is_warned_about_at_start() {
    let now = time::OffsetDateTime::now_utc();
    for (ca, says) in [
        (
            make_ca(
                "Old",
                now - time::Duration::days(400),
                now - time::Duration::days(2),
            ),
            "expired",
        ),
        (
            make_ca(
                "Future",
                now + time::Duration::days(2),
                now + time::Duration::days(400),
            ),
            "not valid before",
        ),
    ] {
        let dir = dir_with("tls-validity", &ca);
        let err = Served::start(&["--tls-dir", utf8(&dir)]).stop();
        let warnings: Vec<_> = err.lines().filter(|l| l.contains("WARN")).collect();
        assert!(
            warnings
                .iter()
                .any(|l| l.contains(says) && l.contains("ca.pem")),
            "{says}: {err}"
        );
    }
}

#[tokio::test]
async fn a_handshake_for_an_unknown_server_name_logs_one_warning_naming_the_tls_san() {
    let server = Served::start(&[]);
    let port = server.https.rsplit(':').next().expect("port").to_string();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .danger_accept_invalid_certs(true)
        .resolve("auth.vendor.example", addr)
        .build()
        .expect("client");
    for _ in 0..3 {
        let r = client
            .get(format!("https://auth.vendor.example:{port}/__admin/health"))
            .send()
            .await;
        assert!(
            r.is_err(),
            "a name the certificate does not hold was served"
        );
    }
    let err = server.stop();
    let warned: Vec<_> = err
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("auth.vendor.example"))
        .collect();
    assert_eq!(warned.len(), 1, "{err}");
    assert!(warned[0].contains("--tls-san auth.vendor.example"), "{err}");
}
