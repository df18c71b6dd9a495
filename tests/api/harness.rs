//! The in-process harness (`MockServer` and its builder) and the serving loop's defences: start, custom
//! fixtures, seed, frozen clock, admin token, drop-to-stop, CORS, oversized heads, silent clients.

use crate::fixtures::{enos, oa};
use crate::helpers::Api;
use crate::tempdir::TempDir;
use authmock::fixtures::FixtureError;
use authmock::{MockServer, StartError};
use serde_json::json;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// 2026-01-01T00:00:00Z.
const NEW_YEAR_MS: i64 = 1_767_225_600_000;

// ---------------------------------------------------------------------------------------------------
// MockServer and its builder
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn start_serves_health_on_a_loopback_port() {
    let api = Api::new().await;

    let health = api.get("/__admin/health", &[]).await;

    assert_eq!(health.status, 200, "{}", health.text);
    assert_eq!(health.body["status"], "ok");
    assert_eq!(health.body["version"], env!("CARGO_PKG_VERSION"));
    assert!(health.body["uptimeSeconds"].is_u64(), "{}", health.text);
    let addr = api.server.address();
    assert!(addr.ip().is_loopback() && addr.port() != 0);
    assert_eq!(
        api.server.uri(),
        format!("http://127.0.0.1:{}", addr.port())
    );
}

fn custom_enos_fixtures(dir: &TempDir) {
    dir.write(
        "enos.json",
        r#"{
            "orgs": [{"id": "org-harness", "name": "Harness Org"}],
            "users": [{
                "id": "u-harness", "account": "harness_user", "password": "Harness#1",
                "name": "Harness User", "email": "h@example.com", "orgs": ["org-harness"]
            }]
        }"#,
    );
}

#[tokio::test]
async fn fixtures_dir_replaces_the_default_users_of_its_files() {
    let dir = TempDir::new("custom");
    custom_enos_fixtures(&dir);
    let api = Api::with(MockServer::builder().fixtures_dir(dir.path()).start().await);

    let custom = api.enos_login("harness_user", "Harness#1", &[]).await;
    let default_user = api.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await;
    let static_token = api
        .post(
            enos::SET,
            &[("Authorization", &format!("Bearer {}", enos::STATIC_TOKEN))],
            json!({"orgId": enos::ORG}),
        )
        .await;

    assert_eq!(custom.body["code"], 0, "{}", custom.text);
    assert_eq!(
        custom.body["data"]["organizations"],
        json!([{"id": "org-harness", "name": "Harness Org"}])
    );
    assert_eq!(
        custom.body["data"]["user"],
        json!({"id": "u-harness", "name": "Harness User", "email": "h@example.com"})
    );
    assert_eq!(
        default_user.body,
        json!({"code": 31400, "message": "The user name or password is wrong.", "data": null})
    );
    assert_eq!(
        static_token.body,
        json!({"code": 31401, "message": "Please login first", "data": null})
    );
}

#[tokio::test]
async fn fixtures_dir_keeps_the_defaults_of_files_it_does_not_hold() {
    let dir = TempDir::new("partial");
    custom_enos_fixtures(&dir);
    let api = Api::with(MockServer::builder().fixtures_dir(dir.path()).start().await);

    let login = api.koo_login(&[]).await;

    assert_eq!(login.status, 200, "{}", login.text);
    assert_eq!(login.body["code"], 0);
}

#[tokio::test]
async fn try_start_with_invalid_fixtures_names_file_path_and_problem() {
    let dir = TempDir::new("invalid");
    let file = dir.write(
        "enos.json",
        r#"{"orgs": [], "users": [{"id": "u1", "account": "a", "password": "p", "name": "A", "orgs": ["org-x"]}]}"#,
    );

    let result = MockServer::builder()
        .fixtures_dir(dir.path())
        .try_start()
        .await;

    match result {
        Err(StartError::Fixtures(errs)) => assert_eq!(
            errs.0,
            vec![FixtureError {
                file: file.display().to_string(),
                path: "$.users[0].orgs[0]".into(),
                message: "unknown org \"org-x\"".into(),
            }]
        ),
        Err(e) => panic!("wrong error: {e}"),
        Ok(s) => panic!("started on invalid fixtures at {}", s.uri()),
    }
}

#[tokio::test]
async fn the_same_seed_issues_the_same_tokens_and_another_seed_others() {
    let start = |seed| {
        MockServer::builder()
            .seed(seed)
            .frozen_at_ms(NEW_YEAR_MS)
            .start()
    };
    let a = Api::with(start(7).await);
    let b = Api::with(start(7).await);
    let c = Api::with(start(8).await);

    let (la, lb, lc) = (
        a.koo_login(&[]).await,
        b.koo_login(&[]).await,
        c.koo_login(&[]).await,
    );
    let (ea, eb, ec) = (
        a.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await,
        b.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await,
        c.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await,
    );

    assert_eq!(la.body["code"], 0, "{}", la.text);
    assert_eq!(ea.body["code"], 0, "{}", ea.text);
    assert_eq!(la.text, lb.text);
    assert_eq!(ea.text, eb.text);
    assert_ne!(la.text, lc.text);
    assert_ne!(ea.text, ec.text);
}

#[tokio::test]
async fn without_a_seed_two_servers_issue_different_tokens() {
    let start = || MockServer::builder().frozen_at_ms(NEW_YEAR_MS).start();
    let a = Api::with(start().await);
    let b = Api::with(start().await);

    let (la, lb) = (a.koo_login(&[]).await, b.koo_login(&[]).await);

    assert_eq!(la.body["code"], 0, "{}", la.text);
    assert_ne!(la.text, lb.text);
}

#[tokio::test]
async fn frozen_at_ms_starts_the_clock_frozen_at_that_instant() {
    let api = Api::with(
        MockServer::builder()
            .frozen_at_ms(NEW_YEAR_MS)
            .start()
            .await,
    );

    let clock = api.get("/__admin/clock", &[]).await;
    let login = api.koo_login(&[]).await;
    let later = api.get("/__admin/clock", &[]).await;

    assert_eq!(
        clock.body,
        json!({"now": "2026-01-01T00:00:00.000Z", "epochMs": NEW_YEAR_MS, "mode": "frozen"})
    );
    assert_eq!(
        login.body["data"]["sessionInfo"]["issuedAt"],
        NEW_YEAR_MS.to_string()
    );
    assert_eq!(later.body, clock.body);
}

#[tokio::test]
async fn admin_token_guards_the_control_plane_but_not_health_or_vendor_routes() {
    let api = Api::with(MockServer::builder().admin_token("s3cret").start().await);
    let refusal = json!({"error": "admin token required: Authorization: Bearer <token>"});

    let none = api.get("/__admin/state", &[]).await;
    let wrong = api
        .get("/__admin/state", &[("Authorization", "Bearer s3cre")])
        .await;
    let right = api
        .get("/__admin/state", &[("Authorization", "Bearer s3cret")])
        .await;
    let health = api.get("/__admin/health", &[]).await;
    let vendor = api.koo_login(&[]).await;

    assert_eq!((none.status, &none.body), (401, &refusal));
    assert_eq!((wrong.status, &wrong.body), (401, &refusal));
    assert_eq!(right.status, 200, "{}", right.text);
    assert_eq!(health.status, 200);
    assert_eq!(vendor.body["code"], 0, "{}", vendor.text);
}

#[tokio::test]
async fn a_refused_control_plane_request_does_not_create_the_namespace_it_names() {
    let api = Api::with(MockServer::builder().admin_token("s3cret").start().await);
    let token = ("Authorization", "Bearer s3cret");

    let refused = api
        .get("/__admin/state", &[("X-Mock-Namespace", "ghost")])
        .await;
    let allowed = api
        .get("/__admin/state", &[("X-Mock-Namespace", "real"), token])
        .await;
    let all = api.get("/__admin/state?all=true", &[token]).await;

    assert_eq!(refused.status, 401, "{}", refused.text);
    assert_eq!(allowed.status, 200, "{}", allowed.text);
    let names = &all.body["namespaces"]["names"];
    assert!(
        names.as_array().is_some_and(|n| n.contains(&json!("real"))),
        "{}",
        all.text
    );
    assert!(
        !names
            .as_array()
            .is_some_and(|n| n.contains(&json!("ghost"))),
        "{}",
        all.text
    );
}

#[tokio::test]
async fn without_admin_token_the_control_plane_is_open() {
    let api = Api::new().await;

    let state = api.get("/__admin/state", &[]).await;

    assert_eq!(state.status, 200, "{}", state.text);
}

/// Polls (bounded) until connecting to `addr` is refused.
async fn refused_within(addr: SocketAddr, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        match tokio::net::TcpStream::connect(addr).await {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => return true,
            _ => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
    false
}

#[tokio::test]
async fn dropping_the_server_stops_it() {
    let api = Api::new().await;
    assert_eq!(api.get("/__admin/health", &[]).await.status, 200);
    let addr = api.server.address();

    drop(api);

    assert!(
        refused_within(addr, Duration::from_secs(5)).await,
        "{addr} still accepts connections"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_server_closes_its_idle_keep_alive_connections() {
    let server = MockServer::start().await;
    let addr = server.address();
    let mut conn = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        s.write_all(b"GET /__admin/health HTTP/1.1\r\nHost: x\r\n\r\n")
            .expect("write");
        let head = read_status_line(&mut s);
        assert!(head.starts_with("HTTP/1.1 200"), "{head:?}");
        s
    })
    .await
    .expect("task");

    drop(server);

    let closed = tokio::task::spawn_blocking(move || {
        // Drain the rest of the 200 answer, then expect end of stream (or a reset), not a timeout.
        let mut buf = [0u8; 4096];
        loop {
            match conn.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(_) => continue,
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    })
    .await
    .expect("task");
    assert!(closed.is_ok(), "connection still open: {closed:?}");
}

// ---------------------------------------------------------------------------------------------------
// CORS (default: any origin)
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_cors_preflight_for_the_sso_ticket_route_is_allowed_with_its_headers() {
    let api = Api::new().await;

    let pre = api
        .send(
            "OPTIONS",
            oa::TICKET,
            &[
                ("Origin", "http://localhost:3000"),
                ("Access-Control-Request-Method", "POST"),
                (
                    "Access-Control-Request-Headers",
                    "authorization,content-type,x-tenant-id",
                ),
            ],
            None,
        )
        .await;

    assert!(
        (200..300).contains(&pre.status),
        "{} {}",
        pre.status,
        pre.text
    );
    let origin = pre.header("access-control-allow-origin");
    assert!(
        origin == "*" || origin == "http://localhost:3000",
        "{origin:?}"
    );
    let allowed = pre
        .header("access-control-allow-headers")
        .to_ascii_lowercase();
    let allowed: Vec<&str> = allowed.split(',').map(str::trim).collect();
    for h in ["authorization", "content-type", "x-tenant-id"] {
        assert!(
            allowed.contains(&"*") || allowed.contains(&h),
            "{h} not in {allowed:?}"
        );
    }
    let methods = pre
        .header("access-control-allow-methods")
        .to_ascii_uppercase();
    assert!(
        methods.contains("POST") || methods.contains('*'),
        "{methods:?}"
    );
    assert_one_vary_of_the_cors_headers(&pre.headers);
}

/// Caches must key CORS answers on the request headers CORS reads: exactly one `Vary` naming them.
fn assert_one_vary_of_the_cors_headers(headers: &reqwest::header::HeaderMap) {
    let vary: Vec<_> = headers.get_all("vary").iter().collect();
    assert_eq!(vary.len(), 1, "{vary:?}");
    let named: Vec<String> = vary[0]
        .to_str()
        .expect("ascii")
        .split(',')
        .map(|v| v.trim().to_ascii_lowercase())
        .collect();
    for h in [
        "origin",
        "access-control-request-method",
        "access-control-request-headers",
    ] {
        assert!(named.iter().any(|n| n == h), "{h} not in {named:?}");
    }
}

#[tokio::test]
async fn answers_without_an_origin_still_vary_on_the_cors_headers() {
    let api = Api::new().await;

    let r = api
        .post(
            enos::LOGIN,
            &[],
            json!({"account": enos::ACCOUNT, "password": enos::PASSWORD}),
        )
        .await;
    let missing = api.send("GET", "/no/such/route", &[], None).await;

    assert_eq!(r.body["code"], 0, "{}", r.text);
    assert_one_vary_of_the_cors_headers(&r.headers);
    assert_eq!(missing.status, 404);
    assert_one_vary_of_the_cors_headers(&missing.headers);
}

#[tokio::test]
async fn a_cross_origin_post_gets_access_control_allow_origin() {
    let api = Api::new().await;

    let r = api
        .post(
            enos::LOGIN,
            &[("Origin", "http://localhost:3000")],
            json!({"account": enos::ACCOUNT, "password": enos::PASSWORD}),
        )
        .await;

    assert_eq!(r.body["code"], 0, "{}", r.text);
    let origin = r.header("access-control-allow-origin");
    assert!(
        origin == "*" || origin == "http://localhost:3000",
        "{origin:?}"
    );
    assert_one_vary_of_the_cors_headers(&r.headers);
}

// ---------------------------------------------------------------------------------------------------
// Hostile-ish clients
// ---------------------------------------------------------------------------------------------------

/// A GET of health whose head is exactly `total` bytes, padded with ~1 KiB headers.
fn head_of(total: usize) -> Vec<u8> {
    let mut head = String::from("GET /__admin/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    // Each pad line is `X-Pad-NNN: <value>\r\n`: 13 bytes around its value, at least 1 of value.
    const AROUND: usize = 13;
    let mut left = total - head.len() - 2;
    let mut i = 0;
    while left > 0 {
        let line = if left <= 1000 || left > 1000 + AROUND {
            left.min(1000)
        } else {
            left - (AROUND + 1)
        };
        assert!(line > AROUND, "cannot pad to {total}");
        head.push_str(&format!("X-Pad-{i:03}: {}\r\n", "a".repeat(line - AROUND)));
        left -= line;
        i += 1;
    }
    head.push_str("\r\n");
    assert_eq!(head.len(), total);
    head.into_bytes()
}

fn read_status_line(s: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut byte = [0u8; 1];
    while !got.ends_with(b"\r\n") {
        match s.read(&mut byte) {
            Ok(1) => got.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&got).trim_end().to_string()
}

/// Sends `head` on a fresh connection; the status line, or "" when the server closed without one.
async fn send_head(addr: SocketAddr, head: Vec<u8>) -> String {
    tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        if s.write_all(&head).is_err() {
            return String::new();
        }
        read_status_line(&mut s)
    })
    .await
    .expect("task")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_head_of_32_kib_is_served() {
    let api = Api::new().await;

    let status = send_head(api.server.address(), head_of(32 * 1024)).await;

    assert_eq!(status, "HTTP/1.1 200 OK");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_head_over_32_kib_gets_431_and_the_server_still_serves() {
    let api = Api::new().await;
    let addr = api.server.address();

    let just_over = send_head(addr, head_of(32 * 1024 + 1)).await;
    let far_over = send_head(addr, head_of(40 * 1024)).await;
    let health = api.get("/__admin/health", &[]).await;

    for status in [&just_over, &far_over] {
        assert!(
            status.is_empty() || status.starts_with("HTTP/1.1 431"),
            "{status:?}"
        );
    }
    assert_eq!(health.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_and_half_sent_connections_do_not_stop_others_being_served() {
    let api = Api::new().await;
    let addr = api.server.address();
    let mut idle = Vec::new();
    for i in 0..20 {
        let mut s = TcpStream::connect(addr).expect("connect");
        if i % 2 == 1 {
            s.write_all(b"GET /__admin/health HTTP/1.1\r\nHost: ")
                .expect("write");
        }
        idle.push(s);
    }

    let replies = tokio::time::timeout(
        Duration::from_secs(5),
        futures::future::join_all((0..20).map(|_| api.get("/__admin/health", &[]))),
    )
    .await
    .expect("requests stalled behind silent connections");

    assert!(replies.iter().all(|r| r.status == 200));
    drop(idle);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_connection_is_closed_after_the_header_timeout() {
    let api = Api::new().await;
    let addr = api.server.address();

    let outcome = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(
            authmock::server::HEADER_TIMEOUT + Duration::from_secs(5),
        ))
        .expect("timeout");
        let mut buf = [0u8; 64];
        s.read(&mut buf)
    })
    .await
    .expect("task");

    match outcome {
        Ok(0) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        other => panic!("the silent connection was not closed: {other:?}"),
    }
}
