//! Hostile input, property-tested: arbitrary bytes and arbitrary JSON values sent to every vendor route
//! never produce a 5xx, always come back in the route family's envelope as JSON, and leave the server
//! serving valid requests.

use authmock::MockServer;
use proptest::prelude::*;
use serde_json::Value;
use std::sync::OnceLock;

struct Shared {
    rt: tokio::runtime::Runtime,
    base: String,
    client: reqwest::Client,
    _server: MockServer,
}

fn shared() -> &'static Shared {
    static S: OnceLock<Shared> = OnceLock::new();
    S.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let server = rt.block_on(MockServer::start());
        Shared {
            base: server.uri(),
            client: reqwest::Client::new(),
            _server: server,
            rt,
        }
    })
}

const ROUTES: &[(&str, &str)] = &[
    ("POST", "/koodrive/ose/v1/session/"),
    ("GET", "/koodrive/ose/v1/session/auth"),
    ("POST", "/koodrive/ose/v1/session/refresh"),
    ("GET", "/koodrive/ose/v1/session/logoff"),
    ("POST", "/koodrive/ose/v1/auth/login"),
    ("POST", "/koodrive/ose/v1/auth/refreshToken"),
    ("POST", "/api/v2/tenant/token"),
    ("POST", "/api/v2/sdk/login"),
    ("POST", "/api/v2/tenant/sso/session-token/sso-ticket"),
    ("POST", "/api/v2/tenant/sso/sso-ticket/verify"),
    ("POST", "/app-portal-service/v2.2/login"),
    ("POST", "/app-portal-service/v2.2/session/set"),
    ("GET", "/app-portal-service/v2.2/token/refresh"),
    ("GET", "/app-portal-service/v2.2/logout"),
    ("GET", "/app-portal-service/v2.2/session/info"),
    ("GET", "/app-portal-service/v2.2/user/info"),
    ("POST", "/app-portal-service/v2.2/refreshToken/revokeAll"),
];

/// `KOO_SESSION`, `KOO_ACCESS` and `OA_APP` stand for a live credential issued just before the request
/// (a fresh one each time: a fuzzed logoff may end the last), so that a route gets past its token check
/// and parses the body.
const KOO_SESSION: &str = "{koodrive session}";
const KOO_ACCESS: &str = "{koodrive login access}";
const OA_APP: &str = "{oneaccess app token}";

const AUTHS: &[&str] = &[
    "",
    KOO_SESSION,
    KOO_ACCESS,
    OA_APP,
    "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
    "Bearer",
    "AT+",
    "Bearer \"quoted\" ,;garbage",
    "eyJhbGciOiJIUzI1NiJ9.e30.x",
];

const CONTENT_TYPES: &[&str] = &[
    "",
    "application/json",
    "application/json;charset=utf8",
    "application/x-www-form-urlencoded",
    "text/plain",
];

/// A live credential for `placeholder` (as an `Authorization` value), or `placeholder` itself.
async fn live_auth(s: &Shared, placeholder: &str) -> Result<String, String> {
    let post = |path: &str, body: &str, ct: &str| {
        s.client
            .post(format!("{}{path}", s.base))
            .header("content-type", ct)
            .header("x-hw-agentName", "fuzz")
            .body(body.to_string())
            .send()
    };
    let (r, pointer, prefix) = match placeholder {
        KOO_SESSION => (
            post("/koodrive/ose/v1/session/", r#"{"code":"koo-user-code"}"#, "application/json"),
            "/data/accessToken",
            "",
        ),
        KOO_ACCESS => (
            post(
                "/koodrive/ose/v1/auth/login",
                r#"{"account":"koo_user","authType":"1","password":"User@Koo123"}"#,
                "application/json",
            ),
            "/data/sessionInfo/accessToken",
            "",
        ),
        OA_APP => (
            post(
                "/api/v2/tenant/token",
                "grant_type=client_credentials&client_id=9fIHl3Dc9ivToWLVtblrF6Sjv9Fx47JJ&client_secret=demo-client-secret",
                "application/x-www-form-urlencoded",
            ),
            "/access_token",
            "Bearer ",
        ),
        other => return Ok(other.to_string()),
    };
    let v: Value = r
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let t = v
        .pointer(pointer)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("no {pointer} issuing {placeholder}: {v}"))?;
    Ok(format!("{prefix}{t}"))
}

/// The HTTP status each family documents for the code in `v` (README, "Error codes").
fn status_fits(path: &str, status: u16, v: &Value) -> bool {
    let body_edge = matches!(status, 400 | 408 | 413);
    if path.starts_with("/koodrive/") {
        match v["code"].as_i64() {
            Some(0) => status == 200,
            Some(13000102) => body_edge,
            Some(13000201) => status == 400,
            Some(13000202..=13000205) => status == 401,
            _ => false,
        }
    } else if path.starts_with("/api/v2/") {
        match v["error_code"].as_str() {
            None => status == 200,
            Some("invalid_client") => status == 401,
            Some("PARAM.0001") => body_edge,
            Some(_) => status == 400,
        }
    } else {
        match v["code"].as_i64() {
            Some(31400) => matches!(status, 200 | 408 | 413),
            Some(_) => status == 200,
            None => false,
        }
    }
}

/// Sends one request and checks the invariants; returns a description of what broke, if anything.
fn check(
    method: &str,
    path: &str,
    query: &str,
    auth: &str,
    ct: &str,
    body: Vec<u8>,
) -> Result<(), String> {
    let s = shared();
    let url = format!("{}{}{}", s.base, path, query);
    let fut = async {
        let auth = live_auth(s, auth).await?;
        let mut req = s
            .client
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                &url,
            )
            .body(body.clone());
        if !auth.is_empty() {
            req = req.header("authorization", &auth);
        }
        if !ct.is_empty() {
            req = req.header("content-type", ct);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| format!("transport error: {e}"))?;
        let status = resp.status().as_u16();
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = resp.text().await.map_err(|e| e.to_string())?;
        if status >= 500 {
            return Err(format!("{status} for {method} {path}: {text}"));
        }
        if !ctype.starts_with("application/json") {
            return Err(format!("content-type {ctype:?} for {method} {path}"));
        }
        let v: Value = serde_json::from_str(&text).map_err(|_| format!("not JSON: {text}"))?;
        let envelope_ok = if path.starts_with("/koodrive/") {
            v["code"].is_i64() && (v["msg"].is_string())
        } else if path.starts_with("/api/v2/") {
            (v["error_code"].is_string() && v["error_msg"].is_string())
                || (status == 200 && v.get("error_code").is_none())
        } else {
            v["code"].is_i64() && v["message"].is_string() && v.get("apim_status").is_none()
        };
        if !envelope_ok {
            return Err(format!(
                "not the family envelope for {path}: {status} {text}"
            ));
        }
        if !status_fits(path, status, &v) {
            return Err(format!(
                "HTTP {status} does not fit the code for {path}: {text}"
            ));
        }
        // The server still serves a valid request.
        let h = s
            .client
            .get(format!("{}/__admin/health", s.base))
            .send()
            .await
            .map_err(|e| format!("server stopped serving: {e}"))?;
        if h.status() != 200 {
            return Err("health failed after hostile input".into());
        }
        Ok(())
    };
    s.rt.block_on(fut)
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)),
        ".{0,24}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("code".to_string()),
                    Just("account".to_string()),
                    Just("authType".to_string()),
                    Just("password".to_string()),
                    Just("orgId".to_string()),
                    Just("session_token".to_string()),
                    Just("refreshToken".to_string()),
                    Just("user_name".to_string()),
                    "[a-z_]{1,10}".prop_map(|s| s),
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_break_a_vendor_route(
        route in 0..ROUTES.len(),
        auth in 0..AUTHS.len(),
        ct in 0..CONTENT_TYPES.len(),
        body in prop::collection::vec(any::<u8>(), 0..600),
        query in prop_oneof![Just(String::new()), "\\?[a-zA-Z=&%0-9]{0,40}".prop_map(|s| s)],
    ) {
        let (m, p) = ROUTES[route];
        prop_assert_eq!(check(m, p, &query, AUTHS[auth], CONTENT_TYPES[ct], body), Ok(()));
    }

    #[test]
    fn arbitrary_json_never_breaks_a_vendor_route(
        route in 0..ROUTES.len(),
        auth in 0..AUTHS.len(),
        value in json_value(),
    ) {
        let (m, p) = ROUTES[route];
        let body = serde_json::to_vec(&value).unwrap();
        prop_assert_eq!(check(m, p, "", AUTHS[auth], "application/json", body), Ok(()));
    }
}
