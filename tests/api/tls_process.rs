//! The binary with `--tls-port`: its second stdout line, a CA kept in `--tls-dir` and printed by
//! `authmock ca`, and bad `--tls-cert`/`--tls-key` files refused at start-up.

use crate::tempdir::TempDir;
use crate::tls::Client;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_authmock");

pub(crate) fn authmock(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args).stdin(Stdio::null());
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("AUTHMOCK_") {
            c.env_remove(k);
        }
    }
    c.env_remove("RUST_LOG");
    c
}

/// A server process started with `args`; killed on drop.
pub(crate) struct Proc(std::process::Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `authmock --port 0 --tls-port 0 <args>` and returns it with its first two stdout lines.
pub(crate) fn start_both(args: &[&str]) -> (Proc, String, String) {
    let mut all = vec!["--port", "0", "--tls-port", "0"];
    all.extend_from_slice(args);
    let mut child = authmock(&all)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let out = child.stdout.take().expect("stdout");
    let proc = Proc(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(out);
        let (mut a, mut b) = (String::new(), String::new());
        let _ = r.read_line(&mut a);
        let _ = r.read_line(&mut b);
        let _ = tx.send((a, b));
        // Keep reading so that the server never blocks on a full pipe.
        let _ = std::io::copy(&mut r, &mut std::io::sink());
    });
    let (a, b) = rx
        .recv_timeout(Duration::from_secs(15))
        .expect("two stdout lines");
    (proc, a.trim_end().to_string(), b.trim_end().to_string())
}

#[tokio::test]
async fn tls_port_zero_prints_the_https_url_second_and_a_kept_ca_is_the_one_authmock_ca_prints() {
    let dir = TempDir::new("tls-keep");
    let tls_dir = dir.path().join("tls");
    let tls_dir = tls_dir.to_str().expect("utf8");
    let (proc, first, second) = start_both(&["--tls-dir", tls_dir]);
    assert!(
        first.starts_with("authmock listening on http://127.0.0.1:"),
        "{first}"
    );
    let https = second
        .strip_prefix("authmock listening on ")
        .filter(|u| u.starts_with("https://127.0.0.1:"))
        .unwrap_or_else(|| panic!("second line: {second:?}"));
    let http = first.trim_start_matches("authmock listening on ");
    let ca = Client::new(http.to_string(), None)
        .get("/__admin/ca.pem", &[])
        .await;
    assert_eq!(ca.status, 200);
    let health = Client::new(https.to_string(), Some(&ca.text))
        .get("/__admin/health", &[])
        .await;
    assert_eq!(health.status, 200);
    drop(proc);

    let printed = authmock(&["ca", "--tls-dir", tls_dir])
        .output()
        .expect("authmock ca");
    assert!(printed.status.success());
    assert_eq!(String::from_utf8_lossy(&printed.stdout), ca.text);
    // A second start serves a certificate that the kept CA still verifies.
    let (_proc, _, second) = start_both(&["--tls-dir", tls_dir]);
    let https = second
        .trim_start_matches("authmock listening on ")
        .to_string();
    let again = Client::new(https, Some(&ca.text))
        .get("/__admin/health", &[])
        .await;
    assert_eq!(again.status, 200);
}

#[test]
fn a_bad_tls_cert_or_key_stops_the_start_with_code_2_and_one_line_naming_the_file() {
    let dir = TempDir::new("tls-bad");
    let cert = dir.write("cert.pem", "not a certificate\n");
    let key = dir.write(
        "key.pem",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    );
    let missing = dir.path().join("missing.pem");
    let pair = |name: &str| {
        let k = rcgen::KeyPair::generate().expect("key");
        let c = rcgen::CertificateParams::new(vec!["localhost".to_string()])
            .expect("params")
            .self_signed(&k)
            .expect("cert");
        (
            dir.write(&format!("{name}.crt"), &c.pem()),
            dir.write(&format!("{name}.key"), &k.serialize_pem()),
        )
    };
    let (good_cert, _) = pair("a");
    let (_, other_key) = pair("b");
    for (c, k, named) in [
        (&cert, &key, &cert),
        (&missing, &key, &missing),
        (&good_cert, &key, &key),
        (&good_cert, &other_key, &other_key),
    ] {
        let out = authmock(&[
            "--port",
            "0",
            "--tls-port",
            "0",
            "--tls-cert",
            c.to_str().expect("utf8"),
            "--tls-key",
            k.to_str().expect("utf8"),
        ])
        .output()
        .expect("run");
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = err.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 1, "{err}");
        assert!(lines[0].contains(named.to_str().expect("utf8")), "{err}");
        assert!(out.stdout.is_empty(), "nothing is served");
    }
}

/// Replicas and `authmock ca` started together on one empty `--tls-dir` (a shared volume) all end up
/// with the one CA left in the directory, round after round.
#[tokio::test]
async fn processes_started_together_on_an_empty_tls_dir_share_one_ca() {
    for round in 0..6 {
        let dir = TempDir::new("tls-race");
        let d = dir.path().to_str().expect("utf-8").to_string();
        let cas: Vec<_> = (0..4)
            .map(|_| {
                authmock(&["ca", "--tls-dir", &d])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        let servers: Vec<_> = (0..2).map(|_| start_both(&["--tls-dir", &d])).collect();
        let kept = std::fs::read_to_string(dir.path().join("ca.pem")).expect("ca.pem");
        for child in cas {
            let out = child.wait_with_output().expect("ca");
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(String::from_utf8_lossy(&out.stdout), kept, "round {round}");
        }
        for (_proc, _, https) in &servers {
            let base = https
                .trim_start_matches("authmock listening on ")
                .to_string();
            // Trusting only the kept CA, the https listener verifies.
            let r = Client::new(base, Some(&kept))
                .get("/__admin/health", &[])
                .await;
            assert_eq!(r.status, 200, "round {round}: {https}");
        }
    }
}
