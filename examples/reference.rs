//! Reference server for `bench/run.sh`: the floor that authmock is measured against.
//!
//! It serves the benchmarked routes with the same axum/hyper/tokio stack as authmock, but each answer is
//! a body precomputed at start-up with the same shape and size as authmock's success answer (fixed token
//! text of the right length). It reads each request body and never parses it, looks nothing up and stores
//! nothing, so the ratio authmock/reference is the cost of authmock's own work: parsing, checks, state,
//! token generation and serialisation.
//!
//! Run: `cargo run --release --example reference -- --port 8081`; prints `reference listening on http://…`.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

/// `n` characters of hex, standing in for a random token of that length.
fn hex(n: usize) -> String {
    "0123456789abcdef".chars().cycle().take(n).collect()
}

/// `n` characters of base62, standing in for a random token of that length.
fn base62(n: usize) -> String {
    "aB3dE5gH7jK9mN1pQ2sT4vW6yZ8"
        .chars()
        .cycle()
        .take(n)
        .collect()
}

/// KooDrive `POST /koodrive/ose/v1/auth/login` success ("Login" page's shape).
fn koodrive_login() -> serde_json::Value {
    json!({
        "data": {
            "userInfo": {
                "userId": "1882575898755117312",
                "firstname": "firstname",
                "surname": "surname",
                "phone": "0027188460911",
                "email": ""
            },
            "sessionInfo": {
                "accessToken": format!("AT {}", hex(48)),
                "expiresIn": 1800,
                "issuedAt": "1772006999088",
                "refreshToken": hex(48)
            }
        },
        "code": 0,
        "msg": "Success"
    })
}

/// KooDrive `POST /koodrive/ose/v1/session/` success ("Initializing and Creating a Session" page's shape).
fn koodrive_session() -> serde_json::Value {
    json!({
        "code": 0,
        "msg": "Successful",
        "data": {
            "accessToken": format!("Bearer {}", hex(48)),
            "sessionId": hex(48),
            "userId": "1008600000701011122",
            "userInfo": {
                "role": "2",
                "userName": "199******04",
                "innerUserId": "1574641576007768198",
                "userId": "1008600000701011122",
                "tenantId": "28389189a7744593a59940c0d0fcd451",
                "orgId": "9190086000001721760",
                "orgName": "lym09",
                "xhwSchema": "tenants1_liantiao",
                "userCount": 40,
                "deptId": "1574641574824974465"
            }
        }
    })
}

/// OneAccess `POST /api/v2/tenant/sso/session-token/sso-ticket` success ("Obtaining sso_ticket Using session_token" page's shape).
fn oneaccess_sso_ticket() -> serde_json::Value {
    json!({ "expire": 9600, "sso_ticket": base62(32) })
}

/// EnOS `POST /app-portal-service/v2.2/login` success.
fn enos_login() -> serde_json::Value {
    json!({
        "code": 0,
        "message": "OK",
        "data": {
            "accessToken": format!("APP_PORTAL_S_{}", base62(32)),
            "mfaType": "NONE",
            "organizations": [
                { "id": "yourOrgId", "name": "Portal Demo" },
                { "id": "o15589308944781", "name": "Envision Demo" }
            ],
            "user": { "id": "u15589316109091", "name": "portal_demo", "email": "portal_demo@example.com" }
        }
    })
}

/// EnOS `POST /app-portal-service/v2.2/session/set` success ("Choose Organization" page's shape; the refresh token is the
/// size of an HS256 JWT carrying the contract's claims).
fn enos_session_set() -> serde_json::Value {
    let refresh = format!(
        "eyJhbGciOiJIUzI1NiJ9.{}.{}",
        base62(330).replace(['3', '5'], "_"),
        base62(43)
    );
    json!({
        "code": 0,
        "message": "OK",
        "data": {
            "userId": "u15589316109091",
            "userName": "portal_demo",
            "currentOrgId": "yourOrgId",
            "currentOrgName": "Portal Demo",
            "accessToken": format!("APP_PORTAL_S_{}", base62(32)),
            "refreshToken": refresh,
            "refreshTokenExpire": 1_772_006_999_000_i64
        }
    })
}

/// A handler that drains the request body and answers `body` as `application/json`.
fn fixed(body: serde_json::Value) -> impl Fn(Bytes) -> std::future::Ready<Response> + Clone {
    let body = Bytes::from(serde_json::to_vec(&body).expect("static JSON serialises"));
    move |_request_body: Bytes| {
        let mut response = body.clone().into_response();
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        std::future::ready(response)
    }
}

fn app() -> Router {
    let session = fixed(koodrive_session());
    Router::new()
        .route("/koodrive/ose/v1/auth/login", post(fixed(koodrive_login())))
        .route("/koodrive/ose/v1/session/", post(session.clone()))
        .route("/koodrive/ose/v1/session", post(session))
        .route(
            "/api/v2/tenant/sso/session-token/sso-ticket",
            post(fixed(oneaccess_sso_ticket())),
        )
        .route("/app-portal-service/v2.2/login", post(fixed(enos_login())))
        .route(
            "/app-portal-service/v2.2/session/set",
            post(fixed(enos_session_set())),
        )
        .route(
            "/__admin/health",
            get(|| async { axum::Json(json!({ "status": "ok" })) }),
        )
}

/// The value of `--port N` (or `--port=N`); 8081 when absent.
fn port_from_args() -> u16 {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = match arg.strip_prefix("--port=") {
            Some(v) => Some(v.to_owned()),
            None if arg == "--port" => args.next(),
            None => None,
        };
        if let Some(v) = value {
            return v.parse().expect("--port takes a number from 0 to 65535");
        }
    }
    8081
}

/// The runtime authmock's binary picks: one thread on one CPU, a worker pool otherwise (so that the
/// ratio compares the same stack).
fn main() {
    let one_cpu = std::thread::available_parallelism().is_ok_and(|n| n.get() == 1);
    let mut rt = match one_cpu {
        true => tokio::runtime::Builder::new_current_thread(),
        false => tokio::runtime::Builder::new_multi_thread(),
    };
    let rt = rt.enable_all().build().expect("start the runtime");
    rt.block_on(serve());
}

async fn serve() {
    let addr = SocketAddr::from(([127, 0, 0, 1], port_from_args()));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .expect("bind the reference port");
    let local = listener.local_addr().expect("bound address");
    println!("reference listening on http://{local}");
    // A clean exit on SIGTERM, as authmock's, so that a profiling build writes its profile.
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("listen for SIGTERM");
    axum::serve(listener, app())
        .with_graceful_shutdown(async move {
            term.recv().await;
        })
        .await
        .expect("serve the reference app");
}
