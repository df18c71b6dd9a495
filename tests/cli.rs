//! Process-level tests: the real `authmock` binary, started with `--port 0` and driven over HTTP, by
//! signal and through its subcommands. Every wait is bounded; a server left running is killed on drop.

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
#[path = "cli/doc_examples.rs"]
mod doc_examples;
#[path = "cli/healthcheck_port.rs"]
mod healthcheck_port;
#[path = "cli/secrets.rs"]
mod secrets;
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

// ---------------------------------------------------------------------------------------------------
// Starting, serving, stopping
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn port_zero_prints_the_listening_url_first_on_stdout_and_serves_it() {
    let server = Server::start(&[]);

    let health = get(&client(), &server.url("/__admin/health"), &[]).await;
    let out = server.stop();

    assert_eq!(health.status, 200, "{}", health.text);
    assert_eq!(health.body["status"], "ok");
    let first = out.stdout.lines().next().unwrap_or_default();
    assert!(listening_port(first).is_some(), "stdout: {:?}", out.stdout);
    assert!(out.status.success(), "{:?}\n{}", out.status, out.stderr);
}

#[tokio::test]
async fn authmock_port_zero_in_the_environment_picks_a_free_port() {
    let mut cmd = authmock(&[]);
    cmd.env("AUTHMOCK_PORT", "0");
    let server = Server::spawn(cmd);

    let health = get(&client(), &server.url("/__admin/health"), &[]).await;

    assert_ne!(server.port, 8080, "the environment variable was ignored");
    assert_eq!(health.status, 200, "{}", health.text);
    let out = server.stop();
    assert!(out.status.success(), "{:?}\n{}", out.status, out.stderr);
}

async fn signal_stops_the_server_with_status_0(signal: &str) {
    let server = Server::start(&[]);
    // A pooled keep-alive connection stays open while the signal arrives.
    let c = client();
    assert_eq!(
        get(&c, &server.url("/__admin/health"), &[]).await.status,
        200
    );
    let mut proc = server.proc;

    let started = Instant::now();
    proc.signal(signal);
    let out = proc.finish(PROMPTLY);

    assert_eq!(
        out.status.code(),
        Some(0),
        "SIG{signal} gave {:?} after {:?}\n{}",
        out.status,
        started.elapsed(),
        out.stderr
    );
}

#[test]
fn sigterm_sent_as_soon_as_the_url_is_printed_still_exits_0() {
    for _ in 0..5 {
        let out = Server::start(&[]).stop();

        assert_eq!(
            out.status.code(),
            Some(0),
            "{:?}\n{}",
            out.status,
            out.stderr
        );
    }
}

#[tokio::test]
async fn sigterm_stops_the_server_promptly_with_status_0() {
    signal_stops_the_server_with_status_0("TERM").await;
}

#[tokio::test]
async fn sigint_stops_the_server_promptly_with_status_0() {
    signal_stops_the_server_with_status_0("INT").await;
}

// ---------------------------------------------------------------------------------------------------
// Fixtures: a bad directory stops the start; check-fixtures reports every problem
// ---------------------------------------------------------------------------------------------------

/// Starts `authmock --port 0 --fixtures DIR` with one bad file; it must refuse with code 2 and say
/// which file, where in it and what is wrong.
fn assert_start_refused(file: &str, text: &str, json_path: &str, problem: &str) {
    let dir = TempDir::new("bad-fixtures");
    let path = dir.write(file, text);

    let out = run(authmock(&["--port", "0", "--fixtures", utf8(dir.path())]));

    assert_eq!(out.status.code(), Some(2), "{}", out.all_output());
    assert!(
        !out.stdout.contains("listening"),
        "it started anyway: {}",
        out.stdout
    );
    let line = out
        .stderr
        .lines()
        .find(|l| l.contains(&*path.to_string_lossy()))
        .unwrap_or_else(|| panic!("stderr does not name {}:\n{}", path.display(), out.stderr));
    assert!(
        line.contains(&format!(": {json_path}: ")),
        "no JSON path {json_path} in {line:?}"
    );
    assert!(line.contains(problem), "no {problem:?} in {line:?}");
}

#[test]
fn fixtures_with_an_unknown_org_reference_refuse_to_start_with_code_2() {
    assert_start_refused(
        "enos.json",
        r#"{"orgs":[{"id":"org-a","name":"A"}],
            "users":[{"id":"u1","account":"a","password":"p","name":"A","orgs":["org-nowhere"]}]}"#,
        "$.users[0].orgs[0]",
        "unknown org \"org-nowhere\"",
    );
}

#[test]
fn fixtures_with_a_duplicate_id_refuse_to_start_with_code_2() {
    assert_start_refused(
        "oneaccess.json",
        r#"{"tenants":[{"id":"t1","name":"T"},{"id":"t1","name":"T again"}]}"#,
        "$.tenants[1].id",
        "duplicate tenant id \"t1\"",
    );
}

#[test]
fn fixtures_with_a_value_of_the_wrong_json_type_refuse_to_start_with_code_2() {
    assert_start_refused(
        "koodrive.json",
        r#"{"orgs":[{"orgId":"o1","orgName":"O","tenantId":"t","xhwSchema":"s","userCount":"forty"}]}"#,
        "$.orgs[0].userCount",
        "invalid type: string \"forty\"",
    );
}

#[test]
fn fixtures_with_malformed_json_refuse_to_start_with_code_2() {
    assert_start_refused(
        "koodrive.json",
        "{\"orgs\": [],\n}",
        "$",
        "trailing comma at line 2",
    );
}

#[test]
fn fixtures_with_text_after_the_json_value_refuse_to_start_with_code_2() {
    assert_start_refused(
        "enos.json",
        r#"{"orgs": []} {"users": []}"#,
        "$",
        "trailing characters",
    );
}

#[test]
fn check_fixtures_prints_every_problem_of_every_file_and_exits_2() {
    let dir = TempDir::new("check-bad");
    let koo = dir.write("koodrive.json", r#"{"orgs": ["#);
    let enos = dir.write(
        "enos.json",
        r#"{"orgs":[{"id":"org-a","name":"A"}],
            "users":[{"id":"u1","account":"a","password":"p","name":"A","orgs":["org-nowhere"]},
                     {"id":"u1","account":"b","password":"p","name":"B","orgs":["org-a"]}]}"#,
    );

    let out = run(authmock(&["check-fixtures", utf8(dir.path())]));

    assert_eq!(out.status.code(), Some(2), "{}", out.all_output());
    let text = out.all_output();
    let problems: Vec<&str> = text.lines().filter(|l| l.contains(": $")).collect();
    let koo = koo.display().to_string();
    let enos = enos.display().to_string();
    let expected = [
        (koo.as_str(), "$.orgs", "EOF while parsing"),
        (
            enos.as_str(),
            "$.users[0].orgs[0]",
            "unknown org \"org-nowhere\"",
        ),
        (enos.as_str(), "$.users[1].id", "duplicate user id \"u1\""),
    ];
    for (file, path, msg) in expected {
        assert!(
            problems
                .iter()
                .any(|l| l.contains(&format!("{file}: {path}")) && l.contains(msg)),
            "missing {file}: {path}: {msg} in:\n{text}"
        );
    }
    assert_eq!(problems.len(), 3, "one line per problem:\n{text}");
}

#[test]
fn check_fixtures_accepts_a_copy_of_the_default_fixtures_and_exits_0() {
    let dir = TempDir::new("check-good");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for name in ["koodrive.json", "oneaccess.json", "enos.json"] {
        std::fs::copy(repo.join(name), dir.path().join(name)).expect("copy fixture");
    }

    let out = run(authmock(&["check-fixtures", utf8(dir.path())]));

    assert_eq!(out.status.code(), Some(0), "{}", out.all_output());
}

#[test]
fn check_fixtures_on_a_missing_directory_exits_2() {
    let dir = TempDir::new("check-missing");
    let missing = dir.path().join("nowhere");

    let out = run(authmock(&[
        "check-fixtures",
        missing.to_str().expect("utf-8"),
    ]));

    assert_eq!(out.status.code(), Some(2), "{}", out.all_output());
    assert!(out.all_output().contains("not a directory"));
}

// ---------------------------------------------------------------------------------------------------
// healthcheck
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn healthcheck_exits_0_against_a_running_server() {
    let server = Server::start(&[]);
    let url = server.url("/__admin/health");

    let out = run(authmock(&["healthcheck", "--url", &url]));

    assert_eq!(out.status.code(), Some(0), "{}", out.all_output());
}

#[test]
fn healthcheck_exits_1_against_a_closed_port() {
    let url = format!("http://127.0.0.1:{}/__admin/health", closed_port());

    let out = run(authmock(&["healthcheck", "--url", &url]));

    assert_eq!(out.status.code(), Some(1), "{}", out.all_output());
}

#[tokio::test]
async fn healthcheck_exits_1_when_the_url_does_not_answer_200() {
    let server = Server::start(&[]);
    let url = server.url("/__admin/no-such-route");

    let out = run(authmock(&["healthcheck", "--url", &url]));

    assert_eq!(out.status.code(), Some(1), "{}", out.all_output());
}

#[tokio::test]
async fn healthcheck_without_url_probes_the_port_in_authmock_port() {
    let server = Server::start(&[]);
    let mut live = authmock(&["healthcheck"]);
    live.env("AUTHMOCK_PORT", server.port.to_string());
    let mut dead = authmock(&["healthcheck"]);
    dead.env("AUTHMOCK_PORT", closed_port().to_string());

    let live = run(live);
    let dead = run(dead);

    assert_eq!(live.status.code(), Some(0), "{}", live.all_output());
    assert_eq!(dead.status.code(), Some(1), "{}", dead.all_output());
}

// ---------------------------------------------------------------------------------------------------
// Logs
// ---------------------------------------------------------------------------------------------------

/// The request lines of a JSON log: every stderr line must be a JSON object; those with a `path` are
/// request lines.
fn json_request_lines(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str::<Value>(l)
                .ok()
                .filter(Value::is_object)
                .unwrap_or_else(|| panic!("not a JSON object: {l:?}"))
        })
        .filter(|v| v.get("path").is_some())
        .collect()
}

#[tokio::test]
async fn json_logs_print_one_object_per_request_with_method_path_status_latency_and_namespace() {
    let server = Server::start(&["--log-format", "json"]);
    let c = client();
    let health = get(&c, &server.url("/__admin/health"), &[]).await;
    let session = post_json(
        &c,
        &server.url(KD_SESSION),
        &[("X-Mock-Namespace", "team-a")],
        json!({"code": "koo-admin-code"}),
    )
    .await;
    let missing = get(&c, &server.url("/no/such/route"), &[]).await;
    assert_eq!(
        (health.status, session.status, missing.status),
        (200, 200, 404)
    );

    let out = server.stop();
    let lines = json_request_lines(&out.stderr);

    let seen: Vec<(String, String, u64, Option<String>)> = lines
        .iter()
        .map(|l| {
            (
                l["method"].as_str().unwrap_or_default().to_string(),
                l["path"].as_str().unwrap_or_default().to_string(),
                l["status"].as_u64().unwrap_or_default(),
                l.get("namespace")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("GET".into(), "/__admin/health".into(), 200, None),
            (
                "POST".into(),
                KD_SESSION.into(),
                200,
                Some("team-a".to_string())
            ),
            ("GET".into(), "/no/such/route".into(), 404, None),
        ],
        "stderr:\n{}",
        out.stderr
    );
    for l in &lines {
        let latency = l
            .as_object()
            .into_iter()
            .flatten()
            .find(|(k, _)| k.starts_with("latency"))
            .map(|(_, v)| v);
        assert!(
            latency.is_some_and(Value::is_number),
            "no numeric latency in {l}"
        );
    }
}

#[tokio::test]
async fn text_logs_print_one_line_per_request() {
    let server = Server::start(&[]);
    let c = client();
    assert_eq!(
        get(&c, &server.url("/__admin/health"), &[]).await.status,
        200
    );
    assert_eq!(
        get(&c, &server.url("/no/such/route"), &[]).await.status,
        404
    );

    let out = server.stop();

    let health: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("/__admin/health"))
        .collect();
    let missing: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("/no/such/route"))
        .collect();
    assert_eq!(health.len(), 1, "stderr:\n{}", out.stderr);
    assert_eq!(missing.len(), 1, "stderr:\n{}", out.stderr);
    assert!(health[0].contains("GET") && health[0].contains("200"));
    assert!(missing[0].contains("404"));
    assert!(
        !health[0].trim_start().starts_with('{'),
        "not text: {}",
        health[0]
    );
}

#[tokio::test]
async fn rust_log_warn_suppresses_the_request_lines() {
    let mut cmd = authmock(&["--port", "0"]);
    cmd.env("RUST_LOG", "warn");
    let server = Server::spawn(cmd);

    let health = get(&client(), &server.url("/__admin/health"), &[]).await;
    let out = server.stop();

    assert_eq!(health.status, 200);
    assert!(
        !out.stderr.contains("/__admin/health"),
        "stderr:\n{}",
        out.stderr
    );
}

/// The admin token the log test's server requires: a password that goes over the wire on every
/// control-plane call.
const ADMIN_TOKEN: &str = "cli-admin-t0ken-never-logged";

/// A control-plane call with the admin token (and a JSON body when given).
async fn admin(
    c: &reqwest::Client,
    server: &Server,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Resp {
    let auth = format!("Bearer {ADMIN_TOKEN}");
    let mut h = vec![("Authorization", auth.as_str())];
    if body.is_some() {
        h.push(("content-type", "application/json"));
    }
    send(
        c,
        method,
        &server.url(path),
        &h,
        body.map(|b| b.to_string().into_bytes()),
    )
    .await
}

/// Drives every route — each vendor route and each control-plane route, `DELETE /__admin/tokens/{token}`
/// on credentials of every family included — and returns every secret that went over the wire:
/// passwords, client secrets, the admin token, codes, tickets, session ids and every issued token.
async fn issue_tokens(server: &Server) -> Vec<String> {
    let c = client();
    let mut secrets = vec![
        KD_PASSWORD.to_string(),
        KD_CODE.to_string(),
        OA_PASSWORD.to_string(),
        OA_SECRET.to_string(),
        EN_PASSWORD.to_string(),
        ADMIN_TOKEN.to_string(),
    ];
    secrets.extend(drive_control_plane(&c, server).await);

    // KooDrive: login, refresh, create session, session/auth, session/refresh, logoff.
    let login = post_json(
        &c,
        &server.url(KD_LOGIN),
        &[("x-hw-agentName", "cli-test")],
        json!({"account": "0027188460911", "authType": "1", "password": KD_PASSWORD}),
    )
    .await;
    assert_eq!(login.body["code"], 0, "{}", login.text);
    let at = str_at(&login.body, "/data/sessionInfo/accessToken").to_string();
    let rt = str_at(&login.body, "/data/sessionInfo/refreshToken").to_string();
    let refreshed = post_json(
        &c,
        &server.url(KD_REFRESH),
        &[("Authorization", &at.replacen(' ', "+", 1))],
        json!({"refreshToken": rt}),
    )
    .await;
    assert_eq!(refreshed.body["code"], 0, "{}", refreshed.text);
    let session = post_json(&c, &server.url(KD_SESSION), &[], json!({"code": KD_CODE})).await;
    assert_eq!(session.body["code"], 0, "{}", session.text);
    let bearer = str_at(&session.body, "/data/accessToken").to_string();
    let session_id = str_at(&session.body, "/data/sessionId").to_string();
    let auth = get(&c, &server.url(KD_AUTH), &[("Authorization", &bearer)]).await;
    assert_eq!(auth.body["code"], 0, "{}", auth.text);
    let renewed = send(
        &c,
        "POST",
        &server.url("/koodrive/ose/v1/session/refresh"),
        &[("Authorization", &bearer), ("x-session-id", &session_id)],
        None,
    )
    .await;
    assert_eq!(renewed.status, 200, "{}", renewed.text);
    let renewed = str_at(&renewed.body, "/accessToken").to_string();
    secrets.extend([
        at,
        rt,
        str_at(&refreshed.body, "/data/sessionInfo/accessToken").to_string(),
        str_at(&refreshed.body, "/data/sessionInfo/refreshToken").to_string(),
        bearer,
        session_id,
        renewed.clone(),
    ]);
    secrets.extend(koodrive_minted(&c, server).await);

    // OneAccess: app token, user login, SSO ticket, its redemption; an app added over the control
    // plane gets its token with HTTP Basic.
    let oa = oneaccess_ticket(&c, server, "fp-cli", None).await;
    let verify = post_json(
        &c,
        &server.url("/api/v2/tenant/sso/sso-ticket/verify"),
        &[
            ("Authorization", &format!("Bearer {}", oa.tokens[0])),
            ("X-tenant-id", "08f770f51f80d2f40f38c00cb199fd21"),
        ],
        json!({
            "sso_ticket": oa.tokens[4],
            "operating_sys_version": "Linux 6.1",
            "device_ip": "10.0.0.7",
            "device_fingerprint": "fp-cli",
        }),
    )
    .await;
    assert_eq!(verify.status, 200, "{}", verify.text);
    let oa_session = oa.tokens[2].clone();
    secrets.extend(oa.tokens);
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{CLI_OA_CLIENT}:{CLI_OA_SECRET}"));
    let app = send(
        &c,
        "POST",
        &server.url(OA_TOKEN),
        &[
            ("Authorization", &format!("Basic {basic}")),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        Some("grant_type=client_credentials".into()),
    )
    .await;
    assert_eq!(app.status, 200, "{}", app.text);
    secrets.extend([
        basic,
        str_at(&app.body, "/access_token").to_string(),
        str_at(&app.body, "/id_token").to_string(),
    ]);
    let own = post_json(
        &c,
        &server.url(OA_LOGIN),
        &[
            ("X-client-id", OA_CLIENT),
            ("X-device-fingerprint", "fp-cli"),
            ("X-operating-sys-version", "Linux 6.1"),
            ("X-agent", "cli-test"),
        ],
        json!({"user_name": "cli-user", "password": CLI_OA_PASSWORD}),
    )
    .await;
    assert_eq!(own.status, 200, "{}", own.text);
    secrets.extend([
        str_at(&own.body, "/session_token").to_string(),
        str_at(&own.body, "/id_token").to_string(),
    ]);

    // EnOS: login, session/set, token/refresh (refresh token in the query), session/info, user/info,
    // refreshToken/revokeAll, logout; and a user added over the control plane.
    let login = post_json(
        &c,
        &server.url(EN_LOGIN),
        &[],
        json!({"account": "portal_demo", "password": EN_PASSWORD}),
    )
    .await;
    assert_eq!(login.body["code"], 0, "{}", login.text);
    let token = str_at(&login.body, "/data/accessToken").to_string();
    let set = post_json(
        &c,
        &server.url(EN_SET),
        &[("Authorization", &format!("Bearer {token}"))],
        json!({"orgId": "yourOrgId"}),
    )
    .await;
    assert_eq!(set.body["code"], 0, "{}", set.text);
    let refresh = str_at(&set.body, "/data/refreshToken").to_string();
    let again = get(
        &c,
        &server.url(&format!("{EN_REFRESH}?refreshToken={refresh}")),
        &[],
    )
    .await;
    assert_eq!(again.body["code"], 0, "{}", again.text);
    let access = str_at(&again.body, "/data/accessToken").to_string();
    let refresh2 = str_at(&again.body, "/data/refreshToken").to_string();
    let bearer = format!("Bearer {access}");
    for path in [
        "/app-portal-service/v2.2/session/info",
        "/app-portal-service/v2.2/user/info",
    ] {
        let r = get(&c, &server.url(path), &[("Authorization", &bearer)]).await;
        assert_eq!(r.body["code"], 0, "{path}: {}", r.text);
    }
    let own = post_json(
        &c,
        &server.url(EN_LOGIN),
        &[],
        json!({"account": "cli-user", "password": CLI_EN_PASSWORD}),
    )
    .await;
    assert_eq!(own.body["code"], 0, "{}", own.text);
    let own = str_at(&own.body, "/data/accessToken").to_string();
    let revoke_all = send(
        &c,
        "POST",
        &server.url(&format!(
            "/app-portal-service/v2.2/refreshToken/revokeAll?refreshToken={refresh2}"
        )),
        &[("Authorization", &bearer)],
        None,
    )
    .await;
    assert_eq!(revoke_all.body["code"], 0, "{}", revoke_all.text);
    let logout = get(
        &c,
        &server.url("/app-portal-service/v2.2/logout"),
        &[("Authorization", &bearer)],
    )
    .await;
    assert_eq!(logout.body["code"], 0, "{}", logout.text);
    secrets.extend([
        token,
        str_at(&set.body, "/data/accessToken").to_string(),
        refresh.clone(),
        access,
        refresh2,
        own.clone(),
    ]);

    // Revoking credentials of every family names them in the path.
    for (t, live) in [
        (renewed.replacen(' ', "+", 1), true),
        (oa_session, true),
        (own.clone(), true),
        (refresh, false),
        (KD_CODE.to_string(), false),
    ] {
        let r = admin(&c, server, "DELETE", &format!("/__admin/tokens/{t}"), None).await;
        if live {
            assert_eq!(r.status, 200, "revoke {t}: {}", r.text);
        }
    }
    let logoff = get(
        &c,
        &server.url("/koodrive/ose/v1/session/logoff"),
        &[("Authorization", &renewed)],
    )
    .await;
    assert_eq!(logoff.status, 200, "{}", logoff.text);

    // The rest of the control plane, last: the journal, removing the added users, reset.
    for (method, path) in [
        ("GET", "/__admin/requests?limit=50"),
        ("DELETE", "/__admin/requests"),
        ("DELETE", "/__admin/koodrive/users/1008600000709990001"),
        ("DELETE", "/__admin/oneaccess/users/cli-oa-user"),
        ("DELETE", "/__admin/enos/users/ucli0001"),
        ("POST", "/__admin/reset"),
    ] {
        let r = admin(&c, server, method, path, None).await;
        assert!(r.status < 300, "{method} {path}: {} {}", r.status, r.text);
    }
    secrets
}

const CLI_KD_PASSWORD: &str = "Cli@Koo-pass-4711";
const CLI_KD_VERIFICATION: &str = "80604711";
const CLI_OA_CLIENT: &str = "CliAppClient00000000000000000001";
const CLI_OA_SECRET: &str = "cli-client-secret-4711";
const CLI_OA_PASSWORD: &str = "Cli@Oa-pass-4711";
const CLI_EN_PASSWORD: &str = "Cli@En-pass-4711";

/// Every control-plane route but the journal, revocation, user removal and reset (those come last):
/// health, the pages, meta, OpenAPI, state, clock, faults, and identities of every family (whose
/// passwords, verification code and client secret are returned).
async fn drive_control_plane(c: &reqwest::Client, server: &Server) -> Vec<String> {
    let health = get(c, &server.url("/__admin/health"), &[]).await;
    assert_eq!(health.status, 200, "{}", health.text);
    let calls: Vec<(&str, &str, Option<Value>)> = vec![
        ("GET", "/__admin/", None),
        ("GET", "/__admin/ui", None),
        ("GET", "/__admin/meta", None),
        ("GET", "/__admin/openapi.json", None),
        ("GET", "/__admin/state", None),
        ("GET", "/__admin/clock", None),
        ("POST", "/__admin/clock", Some(json!({"freeze": true}))),
        ("POST", "/__admin/clock", Some(json!({"advance": "1s"}))),
        ("DELETE", "/__admin/clock", None),
        (
            "POST",
            "/__admin/koodrive/orgs",
            Some(json!({
            "orgId": "9190086000009990001", "orgName": "cli", "tenantId": "t-cli",
            "xhwSchema": "cli", "userCount": 1})),
        ),
        (
            "POST",
            "/__admin/oneaccess/orgs",
            Some(json!({"id": "cli-tenant", "name": "cli"})),
        ),
        (
            "POST",
            "/__admin/enos/orgs",
            Some(json!({"id": "cliOrg", "name": "cli"})),
        ),
        (
            "POST",
            "/__admin/koodrive/users",
            Some(json!({
            "userId": "1008600000709990001", "userName": "cli", "innerUserId": "1",
            "orgId": "9190086000001721760", "deptId": "1", "role": "1", "account": "cli-user",
            "phone": "19900009999", "password": CLI_KD_PASSWORD,
            "verificationCode": CLI_KD_VERIFICATION, "firstname": "C", "surname": "Li",
            "email": "cli@example.com"})),
        ),
        (
            "POST",
            "/__admin/oneaccess/users",
            Some(json!({
            "id": "cli-oa-user", "userName": "cli-user", "password": CLI_OA_PASSWORD,
            "tenantId": "08f770f51f80d2f40f38c00cb199fd21"})),
        ),
        (
            "POST",
            "/__admin/enos/users",
            Some(json!({
            "id": "ucli0001", "name": "cli", "account": "cli-user", "password": CLI_EN_PASSWORD,
            "orgs": ["yourOrgId"]})),
        ),
        (
            "POST",
            "/__admin/oneaccess/clients",
            Some(json!({
            "clientId": CLI_OA_CLIENT, "clientSecret": CLI_OA_SECRET,
            "tenantId": "08f770f51f80d2f40f38c00cb199fd21"})),
        ),
        ("GET", "/__admin/faults", None),
        ("DELETE", "/__admin/faults", None),
    ];
    for (method, path, body) in calls {
        let r = admin(c, server, method, path, body).await;
        assert!(r.status < 300, "{method} {path}: {} {}", r.status, r.text);
    }
    let fault = admin(
        c,
        server,
        "POST",
        "/__admin/faults",
        Some(json!({"route": "POST /koodrive/ose/v1/auth/login", "times": 0, "error": "13000203"})),
    )
    .await;
    assert_eq!(fault.status, 201, "{}", fault.text);
    let id = str_at(&fault.body, "/id");
    let removed = admin(c, server, "DELETE", &format!("/__admin/faults/{id}"), None).await;
    assert!(removed.status < 300, "{}", removed.text);
    vec![
        CLI_KD_PASSWORD.into(),
        CLI_KD_VERIFICATION.into(),
        CLI_OA_SECRET.into(),
        CLI_OA_PASSWORD.into(),
        CLI_EN_PASSWORD.into(),
    ]
}

/// KooDrive credentials minted over the control plane and used: an authorization code for a session,
/// a verification code for a login, and the user's own password.
async fn koodrive_minted(c: &reqwest::Client, server: &Server) -> Vec<String> {
    let minted = admin(
        c,
        server,
        "POST",
        "/__admin/koodrive/auth-codes",
        Some(json!({"userId": "1008600000709990001"})),
    )
    .await;
    assert_eq!(minted.status, 201, "{}", minted.text);
    let code = str_at(&minted.body, "/code").to_string();
    let session = post_json(c, &server.url(KD_SESSION), &[], json!({"code": code})).await;
    assert_eq!(session.body["code"], 0, "{}", session.text);
    let captcha = admin(
        c,
        server,
        "POST",
        "/__admin/koodrive/verification-codes",
        Some(json!({"account": "cli-user"})),
    )
    .await;
    assert_eq!(captcha.status, 201, "{}", captcha.text);
    let captcha = str_at(&captcha.body, "/captchaToken").to_string();
    let by_code = post_json(
        c,
        &server.url(KD_LOGIN),
        &[("x-hw-agentName", "cli-test")],
        json!({"account": "cli-user", "authType": "2", "captchaToken": captcha}),
    )
    .await;
    assert_eq!(by_code.body["code"], 0, "{}", by_code.text);
    let by_password = post_json(
        c,
        &server.url(KD_LOGIN),
        &[("x-hw-agentName", "cli-test")],
        json!({"account": "cli-user", "authType": "1", "password": CLI_KD_PASSWORD}),
    )
    .await;
    assert_eq!(by_password.body["code"], 0, "{}", by_password.text);
    let mut out = vec![
        str_at(&session.body, "/data/accessToken").to_string(),
        str_at(&session.body, "/data/sessionId").to_string(),
    ];
    for r in [&by_code, &by_password] {
        out.push(str_at(&r.body, "/data/sessionInfo/accessToken").to_string());
        out.push(str_at(&r.body, "/data/sessionInfo/refreshToken").to_string());
    }
    // Revoked last of all, so the code and the captcha token appear in a path; both were used up
    // above, so the revocation finds nothing.
    for t in [&code, &captcha] {
        let r = admin(c, server, "DELETE", &format!("/__admin/tokens/{t}"), None).await;
        assert_eq!(
            (r.status, &r.body),
            (404, &json!({"error": "no such token in this namespace"})),
            "revoking {t}: {}",
            r.text
        );
    }
    out.extend([code, captcha]);
    out
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

/// The part of a token after its scheme prefix (`AT `, `Bearer `, `APP_PORTAL_S_`), which is what a
/// log that masks or reformats the prefix would still leak.
fn token_core(t: &str) -> &str {
    let t = t
        .strip_prefix("AT ")
        .or_else(|| t.strip_prefix("Bearer "))
        .unwrap_or(t);
    t.strip_prefix("APP_PORTAL_S_").unwrap_or(t)
}

async fn logs_never_contain_secrets(format: &str) {
    let server = Server::start(&["--log-format", format, "--admin-token", ADMIN_TOKEN]);

    let secrets = issue_tokens(&server).await;
    let out = server.stop();

    let all = out.all_output();
    assert!(
        all.contains(KD_LOGIN) && all.contains(EN_REFRESH) && all.contains("/__admin/tokens/"),
        "the requests were not logged at all:\n{all}"
    );
    for s in &secrets {
        assert!(!s.is_empty());
        assert!(
            !all.contains(token_core(s)),
            "the logs show the secret {s:?}:\n{all}"
        );
    }
}

#[tokio::test]
async fn text_logs_never_show_a_password_or_an_issued_token() {
    logs_never_contain_secrets("text").await;
}

#[tokio::test]
async fn json_logs_never_show_a_password_or_an_issued_token() {
    logs_never_contain_secrets("json").await;
}

// ---------------------------------------------------------------------------------------------------
// CORS origins
// ---------------------------------------------------------------------------------------------------

async fn preflight(c: &reqwest::Client, server: &Server, origin: &str) -> Resp {
    send(
        c,
        "OPTIONS",
        &server.url(OA_TICKET),
        &[
            ("Origin", origin),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "authorization,content-type,x-tenant-id",
            ),
        ],
        None,
    )
    .await
}

#[tokio::test]
async fn cors_origins_flag_allows_only_the_listed_origin() {
    let server = Server::start(&["--cors-origins", "http://a.example"]);
    let c = client();

    let allowed = preflight(&c, &server, "http://a.example").await;
    let refused = preflight(&c, &server, "http://localhost:3000").await;
    let post_allowed = post_json(
        &c,
        &server.url(EN_LOGIN),
        &[("Origin", "http://a.example")],
        json!({"account": "portal_demo", "password": EN_PASSWORD}),
    )
    .await;
    let post_refused = post_json(
        &c,
        &server.url(EN_LOGIN),
        &[("Origin", "http://localhost:3000")],
        json!({"account": "portal_demo", "password": EN_PASSWORD}),
    )
    .await;

    assert!((200..300).contains(&allowed.status), "{}", allowed.status);
    assert_eq!(
        allowed.header_opt("access-control-allow-origin"),
        Some("http://a.example")
    );
    assert_eq!(refused.header_opt("access-control-allow-origin"), None);
    assert_eq!(
        post_allowed.header_opt("access-control-allow-origin"),
        Some("http://a.example")
    );
    assert_eq!(post_refused.header_opt("access-control-allow-origin"), None);
    assert_eq!(post_refused.body["code"], 0, "{}", post_refused.text);
}

// ---------------------------------------------------------------------------------------------------
// Determinism across processes (issue 3)
// ---------------------------------------------------------------------------------------------------

/// The same requests, in the same order, against a server: the clock frozen at 2026-01-01, then the
/// three families' flows. Returns each step's name and response body.
async fn scripted_run(server: &Server, namespace: Option<&str>) -> Vec<(&'static str, String)> {
    let c = client();
    let ns: Vec<(&str, &str)> = namespace
        .map(|n| ("X-Mock-Namespace", n))
        .into_iter()
        .collect();
    let with = |extra: &[(&'static str, &str)]| -> Vec<(String, String)> {
        ns.iter()
            .chain(extra)
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    async fn post(c: &reqwest::Client, url: String, h: Vec<(String, String)>, b: Value) -> Resp {
        let h: Vec<(&str, &str)> = h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        post_json(c, &url, &h, b).await
    }
    let mut steps: Vec<(&'static str, Resp)> = Vec::new();

    let clock = post(
        &c,
        server.url("/__admin/clock"),
        with(&[]),
        json!({"set": "2026-01-01T00:00:00Z", "freeze": true}),
    )
    .await;
    assert_eq!(
        clock.body["epochMs"], 1_767_225_600_000_i64,
        "{}",
        clock.text
    );
    steps.push(("clock", clock));

    let login = post(
        &c,
        server.url(KD_LOGIN),
        with(&[("x-hw-agentName", "determinism")]),
        json!({"account": "0027188460911", "authType": "1", "password": KD_PASSWORD}),
    )
    .await;
    assert_eq!(login.body["code"], 0, "{}", login.text);
    steps.push(("koodrive login", login));
    let session = post(
        &c,
        server.url(KD_SESSION),
        with(&[]),
        json!({"code": KD_CODE}),
    )
    .await;
    assert_eq!(session.body["code"], 0, "{}", session.text);
    steps.push(("koodrive createSession", session));

    let oa = oneaccess_ticket(&c, server, "fp-determinism", namespace).await;
    steps.extend(oa.replies);

    let login = post(
        &c,
        server.url(EN_LOGIN),
        with(&[]),
        json!({"account": "portal_demo", "password": EN_PASSWORD}),
    )
    .await;
    assert_eq!(login.body["code"], 0, "{}", login.text);
    let bearer = format!("Bearer {}", str_at(&login.body, "/data/accessToken"));
    steps.push(("enos login", login));
    let set = post(
        &c,
        server.url(EN_SET),
        with(&[("Authorization", &bearer)]),
        json!({"orgId": "yourOrgId"}),
    )
    .await;
    assert_eq!(set.body["code"], 0, "{}", set.text);
    steps.push(("enos session/set", set));

    steps.into_iter().map(|(n, r)| (n, r.text)).collect()
}

#[tokio::test]
async fn two_processes_with_the_same_seed_answer_byte_identical_bodies() {
    let a = Server::start(&["--seed", "42"]);
    let b = Server::start(&["--seed", "42"]);

    let run_a = scripted_run(&a, None).await;
    let run_b = scripted_run(&b, None).await;
    let ns_a = scripted_run(&a, Some("ci-run")).await;
    let ns_b = scripted_run(&b, Some("ci-run")).await;

    for (x, y) in run_a.iter().zip(&run_b).chain(ns_a.iter().zip(&ns_b)) {
        assert_eq!(x.0, y.0);
        assert_eq!(x.1, y.1, "step {} differs between the processes", x.0);
    }
    assert_eq!((run_a.len(), ns_a.len()), (8, 8));
}

#[tokio::test]
async fn another_seed_answers_other_tokens() {
    let a = Server::start(&["--seed", "42"]);
    let b = Server::start(&["--seed", "43"]);

    let run_a = scripted_run(&a, None).await;
    let run_b = scripted_run(&b, None).await;

    assert_eq!(run_a[0], run_b[0], "the clock step issues nothing");
    for (x, y) in run_a.iter().zip(&run_b).skip(1) {
        assert_ne!(
            x.1, y.1,
            "step {} answered the same with seeds 42 and 43",
            x.0
        );
    }
}

#[test]
fn a_max_tokens_below_a_thousand_is_refused_before_start() {
    let out = run(authmock(&["--port", "0", "--max-tokens", "10"]));

    assert_eq!(out.status.code(), Some(2), "{}", out.all_output());
    assert!(
        out.stderr.contains("--max-tokens") && out.stderr.contains("1000"),
        "{}",
        out.all_output()
    );
}

#[tokio::test]
async fn authmock_max_tokens_in_the_environment_sets_the_limit_the_state_reports() {
    let mut cmd = authmock(&["--port", "0"]);
    cmd.env("AUTHMOCK_MAX_TOKENS", "5000");
    let server = Server::spawn(cmd);

    let state = get(&client(), &server.url("/__admin/state?tokens=0"), &[]).await;

    assert_eq!(state.status, 200);
    assert_eq!(state.body["counts"]["tokenLimit"], 5000);
    assert_eq!(state.body["counts"]["tokensEvicted"], 0);
    assert_eq!(server.stop().status.code(), Some(0));
}

/// The soft and hard "Max open files" of a running process, from /proc.
fn open_files_limits(pid: u32) -> (String, String) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).expect("limits");
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .expect("Max open files line");
    let mut cols = line["Max open files".len()..].split_whitespace();
    (
        cols.next().unwrap_or("").to_string(),
        cols.next().unwrap_or("").to_string(),
    )
}

#[test]
fn the_server_raises_its_open_files_soft_limit_to_the_hard_limit() {
    // A shell lowers the soft limit, then becomes authmock.
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &format!("ulimit -Sn 256 && exec {BIN} --port 0")]);
    without_authmock_env(&mut cmd);
    let server = Server::spawn(cmd);

    let (soft, hard) = open_files_limits(server.proc.child.id());

    assert_eq!(soft, hard, "soft limit {soft} was not raised to {hard}");
    assert_ne!(soft, "256");
    assert_eq!(server.stop().status.code(), Some(0));
}

// ---------------------------------------------------------------------------------------------------
// healthcheck against the base URL the server prints (issue 16, item 10)
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn healthcheck_of_the_base_url_with_or_without_a_slash_probes_the_health_route() {
    let server = Server::start(&[]);

    let bare = run(authmock(&["healthcheck", "--url", &server.base()]));
    let slash = run(authmock(&["healthcheck", "--url", &server.url("/")]));

    assert_eq!(bare.status.code(), Some(0), "{}", bare.all_output());
    assert_eq!(slash.status.code(), Some(0), "{}", slash.all_output());
    assert!(
        bare.stdout.contains("/__admin/health"),
        "{}",
        bare.all_output()
    );
}

// ---------------------------------------------------------------------------------------------------
// A fixtures directory holding none of the files
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_fixtures_directory_holding_none_of_the_files_starts_on_the_defaults_with_one_warning() {
    let dir = TempDir::new("fixtures-none");
    let server = Server::start(&["--fixtures", utf8(dir.path())]);

    let login = post_json(
        &client(),
        &server.url("/koodrive/ose/v1/auth/login"),
        &[("x-hw-agentName", "t")],
        json!({ "account": "0027188460911", "authType": "1", "password": "123qweASD143" }),
    )
    .await;
    let out = server.stop();

    assert_eq!(login.status, 200, "{}", login.text);
    let warnings: Vec<&str> = out.stderr.lines().filter(|l| l.contains("WARN")).collect();
    assert_eq!(warnings.len(), 1, "stderr:\n{}", out.stderr);
    assert!(
        warnings[0].contains("koodrive.json") && warnings[0].contains("default"),
        "{}",
        warnings[0]
    );
}

#[tokio::test]
async fn authmock_public_url_sets_org_id_host_and_a_bad_one_refuses_to_start() {
    let mut cmd = authmock(&[]);
    cmd.env("AUTHMOCK_PUBLIC_URL", "http://localhost:8080/");
    let server = Server::spawn(cmd);
    let url = server.url("/koodrive/ose/v1/session/authCodeURL?domain=localhost:3000");
    let r = get(&client(), &url, &[]).await;
    drop(server);
    assert_eq!(r.body["orgIdHost"], "http://localhost:8080", "{}", r.text);
    assert!(
        str_at(&r.body, "/uri").starts_with("http://localhost:8080/oauth2/authorize?"),
        "{}",
        r.text
    );

    for bad in [
        "ftp://mock.example",
        "mock.example:8080",
        "https://mock.example/?x=1",
    ] {
        let out = run(authmock(&["--public-url", bad]));
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", out.stderr);
        assert!(out.stderr.contains("--public-url"), "{bad}: {}", out.stderr);
    }
}
