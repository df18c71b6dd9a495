//! docs/tls.md's CA blocks, run as written (ports swapped): fetching the CA from the running server,
//! or printing it with `authmock ca --tls-dir` from the server's own directory, gives the CA the
//! server uses — neither replaces it — and the doc's curl trust step then verifies.

use crate::docs::{run_sh, sh_block};
use crate::tempdir::TempDir;
use crate::tls_process::start_both;

/// The port of `authmock listening on http(s)://127.0.0.1:PORT`.
fn port(line: &str) -> String {
    line.rsplit(':').next().unwrap_or_default().to_string()
}

/// Runs the doc's curl trust step against `https` from `dir` and asserts a healthy answer.
fn assert_trust_step_verifies(http: &str, https: &str, dir: &TempDir) {
    let step = sh_block("docs/tls.md", "curl --cacert authmock-ca.pem");
    let replace = [
        ("127.0.0.1:8080", format!("127.0.0.1:{}", port(http))),
        ("localhost:8443", format!("localhost:{}", port(https))),
    ];
    let out = run_sh(&step, &replace, dir.path());
    assert!(out.starts_with(r#"{"status":"ok""#), "{out}");
}

async fn served_ca(http: &str) -> String {
    reqwest::get(format!("{http}/__admin/ca.pem"))
        .await
        .expect("GET ca.pem")
        .text()
        .await
        .expect("ca.pem text")
}

#[tokio::test]
async fn the_docs_ca_block_fetches_the_running_servers_ca_and_curl_then_verifies() {
    let dir = TempDir::new("docs-ca");
    let (_proc, http, https) = start_both(&[]);
    let http = http
        .trim_start_matches("authmock listening on ")
        .to_string();
    let before = served_ca(&http).await;

    let block = sh_block("docs/tls.md", "/__admin/ca.pem > authmock-ca.pem");
    let replace = [("127.0.0.1:8080", format!("127.0.0.1:{}", port(&http)))];
    run_sh(&block, &replace, dir.path());

    let fetched = std::fs::read_to_string(dir.path().join("authmock-ca.pem")).expect("the CA file");
    assert_eq!(fetched, before);
    assert_eq!(served_ca(&http).await, before, "the server's CA changed");
    assert_trust_step_verifies(&http, &https, &dir);
}

#[tokio::test]
async fn the_docs_tls_dir_alternative_prints_the_kept_ca_without_replacing_it() {
    let dir = TempDir::new("docs-ca-dir");
    let tls = dir.path().join("tls");
    let (_proc, http, https) = start_both(&["--tls-dir", tls.to_str().expect("utf-8")]);
    let http = http
        .trim_start_matches("authmock listening on ")
        .to_string();
    let kept = std::fs::read_to_string(tls.join("ca.pem")).expect("the kept CA");
    let key = std::fs::read(tls.join("ca-key.pem")).expect("the kept key");

    let block = sh_block(
        "docs/tls.md",
        "authmock ca --tls-dir ./tls > authmock-ca.pem",
    );
    run_sh(&block, &[], dir.path());

    let printed = std::fs::read_to_string(dir.path().join("authmock-ca.pem")).expect("the CA file");
    assert_eq!(printed, kept, "authmock ca printed another CA");
    assert_eq!(
        std::fs::read_to_string(tls.join("ca.pem")).ok(),
        Some(kept.clone())
    );
    assert_eq!(std::fs::read(tls.join("ca-key.pem")).ok(), Some(key));
    assert_eq!(served_ca(&http).await, kept, "the server serves another CA");
    assert_trust_step_verifies(&http, &https, &dir);
}
