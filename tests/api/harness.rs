//! The in-process harness (`MockServer` and its builder): start, custom fixtures, seed, frozen clock,
//! admin token, drop-to-stop.

use crate::fixtures::enos;
use crate::helpers::Api;
use crate::pipeline::read_status_line;
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
