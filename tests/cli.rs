//! Process-level tests: the real `authmock` binary, started with `--port 0` and driven over HTTP, by
//! signal and through its subcommands. Every wait is bounded; a server left running is killed on drop.
//! The tests are filed by subject in tests/cli/; here: the plumbing they share.

#[path = "support/docs.rs"]
mod docs;
#[path = "support/fixtures.rs"]
mod fixtures;
#[path = "support/http.rs"]
mod http;
#[path = "support/process.rs"]
mod process;
#[path = "support/tempdir.rs"]
mod tempdir;

#[path = "cli/check_fixtures.rs"]
mod check_fixtures;
#[path = "cli/cors.rs"]
mod cors;
#[path = "cli/doc_examples.rs"]
mod doc_examples;
#[path = "cli/fixtures_dir.rs"]
mod fixtures_dir;
#[path = "cli/healthcheck.rs"]
mod healthcheck;
#[path = "cli/healthcheck_port.rs"]
mod healthcheck_port;
#[path = "cli/logs.rs"]
mod logs;
#[path = "cli/secrets.rs"]
mod secrets;
#[path = "cli/seed.rs"]
mod seed;
#[path = "cli/serve.rs"]
mod serve;
#[path = "cli/strict.rs"]
mod strict;

use fixtures::enos::{
    LOGIN as EN_LOGIN, PASSWORD as EN_PASSWORD, REFRESH as EN_REFRESH, SET as EN_SET,
};
use fixtures::koo::{
    LOGIN as KD_LOGIN, PASSWORD as KD_PASSWORD, REFRESH_TOKEN as KD_REFRESH, SEED_CODE as KD_CODE,
    SESSION as KD_SESSION, SESSION_AUTH as KD_AUTH,
};
use fixtures::oa::{
    CLIENT_ID as OA_CLIENT, CLIENT_SECRET as OA_SECRET, LOGIN as OA_LOGIN, PASSWORD as OA_PASSWORD,
    TICKET as OA_TICKET, TOKEN as OA_TOKEN,
};
use http::{get, post_json, send, Resp};
use process::{authmock, listening_port, run, without_authmock_env, Exited, Server, BIN};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use tempdir::TempDir;

/// How long a server may take to exit after SIGTERM/SIGINT with nothing in flight.
const PROMPTLY: Duration = Duration::from_secs(3);

// ---------------------------------------------------------------------------------------------------
// Plumbing: processes (support/process.rs), temp dirs, HTTP
// ---------------------------------------------------------------------------------------------------

// Here, not in support/process.rs: how promptly a server stops is what these tests check.
impl Server {
    /// SIGTERM, then the exit status and everything the process printed.
    fn stop(mut self) -> Exited {
        self.proc.signal("TERM");
        self.proc.finish(PROMPTLY)
    }
}

/// A path as a command-line argument.
fn utf8(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {v}"))
}

/// The OneAccess flow up to an SSO ticket; the replies in order and the tokens issued.
struct OaFlow {
    replies: Vec<(&'static str, Resp)>,
    tokens: Vec<String>,
}

async fn oneaccess_ticket(
    c: &reqwest::Client,
    server: &Server,
    fingerprint: &str,
    namespace: Option<&str>,
) -> OaFlow {
    let ns: Vec<(&str, &str)> = namespace
        .map(|n| ("X-Mock-Namespace", n))
        .into_iter()
        .collect();
    let mut h = vec![("content-type", "application/x-www-form-urlencoded")];
    h.extend_from_slice(&ns);
    let app = send(
        c,
        "POST",
        &server.url(OA_TOKEN),
        &h,
        Some(
            format!(
                "grant_type=client_credentials&client_id={OA_CLIENT}&client_secret={OA_SECRET}"
            )
            .into_bytes(),
        ),
    )
    .await;
    assert_eq!(app.status, 200, "{}", app.text);
    let app_token = str_at(&app.body, "/access_token").to_string();
    let id_token = str_at(&app.body, "/id_token").to_string();

    let mut h = vec![
        ("X-client-id", OA_CLIENT),
        ("X-device-fingerprint", fingerprint),
        ("X-operating-sys-version", "Linux 6.1"),
        ("X-agent", "cli-test"),
    ];
    h.extend_from_slice(&ns);
    let login = post_json(
        c,
        &server.url(OA_LOGIN),
        &h,
        json!({"user_name": "zhangsan", "password": OA_PASSWORD}),
    )
    .await;
    assert_eq!(login.status, 200, "{}", login.text);
    let session = str_at(&login.body, "/session_token").to_string();

    let auth = format!("Bearer {app_token}");
    let mut h = vec![
        ("Authorization", auth.as_str()),
        ("X-tenant-id", "08f770f51f80d2f40f38c00cb199fd21"),
    ];
    h.extend_from_slice(&ns);
    let ticket = post_json(
        c,
        &server.url(OA_TICKET),
        &h,
        json!({
            "session_token": session,
            "operating_sys_version": "Linux 6.1",
            "device_ip": "10.0.0.7",
            "device_fingerprint": fingerprint,
        }),
    )
    .await;
    assert_eq!(ticket.status, 200, "{}", ticket.text);
    let tokens = vec![
        app_token,
        id_token,
        session,
        str_at(&login.body, "/id_token").to_string(),
        str_at(&ticket.body, "/sso_ticket").to_string(),
    ];
    OaFlow {
        replies: vec![
            ("oneaccess tenant/token", app),
            ("oneaccess sdk/login", login),
            ("oneaccess sso-ticket", ticket),
        ],
        tokens,
    }
}
