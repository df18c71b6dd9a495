//! `GET /__admin/metrics`: exact counts after scripted flows, read back with a Prometheus text
//! parser; bounded series under any paths; the admin token.

use super::*;
use prometheus_parse::{Sample, Scrape, Value as PromValue};

const LOGIN_ROUTE: &str = "POST /koodrive/ose/v1/auth/login";

async fn scrape(api: &Api, h: &[(&str, &str)]) -> Vec<Sample> {
    let r = api.get("/__admin/metrics", h).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.header("content-type")
            .starts_with("application/openmetrics-text"),
        "{}",
        r.header("content-type")
    );
    assert!(r.text.ends_with("# EOF\n"), "{}", r.text);
    let lines = r.text.lines().map(|l| Ok(l.to_string()));
    Scrape::parse(lines).expect("Prometheus text").samples
}

/// The value of the one sample `name{labels}` (0 when absent; two matches fail the test).
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    let found: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .collect();
    assert!(found.len() <= 1, "{name} {labels:?} matches {found:?}");
    match found.first().map(|s| &s.value) {
        None => 0.0,
        Some(PromValue::Counter(v) | PromValue::Gauge(v) | PromValue::Untyped(v)) => *v,
        Some(other) => panic!("{name}: not a single value: {other:?}"),
    }
}

fn requests(s: &[Sample], family: &str, route: &str, status: &str, code: &str) -> f64 {
    let l = [
        ("family", family),
        ("route", route),
        ("status", status),
        ("code", code),
    ];
    value(s, "authmock_requests_total", &l)
}

#[tokio::test]
async fn each_familys_flows_and_errors_are_counted_exactly() {
    let api = Api::new().await;
    api.koo_login(&[]).await;
    api.koo_login(&[]).await;
    koo_wrong_password(&api.koo_login_as(koo::ACCOUNT, "wrong", &[]).await);
    assert_eq!(api.oa_token_request(&[]).await.status, 200);
    let oa_wrong = api.oa_login(oa::USER, "wrong", &[]).await;
    assert_eq!(
        oa_wrong.body["error_code"], "LOGIN.0002",
        "{}",
        oa_wrong.text
    );
    api.enos_login_token(&[]).await;
    let enos_wrong = api.enos_login(enos::ACCOUNT, "wrong", &[]).await;
    let msg = enos_wrong.body["message"]
        .as_str()
        .unwrap_or("")
        .to_string();
    enos_error(&enos_wrong, 31400, &msg);
    assert_eq!(api.get("/no/such/path", &[]).await.status, 404);
    let fault = json!({ "route": LOGIN_ROUTE, "error": "13000204", "delayMs": 1 });
    assert_eq!(api.post("/__admin/faults", &[], fault).await.status, 201);
    koo_error(
        &api.koo_login(&[]).await,
        401,
        13000204,
        "Account is locked. Try again later.",
    );
    // An undocumented body field, refused in strict mode.
    let strict = [koo::AGENT, ("X-Mock-Strict", "true")];
    let body =
        json!({"account": koo::ACCOUNT, "authType": "1", "password": koo::PASSWORD, "pasword": 1});
    let r = api.post(koo::LOGIN, &strict, body).await;
    koo_error(&r, 400, 13000102, "Verify parameters failed.");

    let s = scrape(&api, &[]).await;
    let koo = |status, code| requests(&s, "koodrive", LOGIN_ROUTE, status, code);
    assert_eq!(koo("200", "none"), 2.0);
    assert_eq!(koo("401", "13000203"), 1.0);
    assert_eq!(koo("401", "13000204"), 1.0);
    assert_eq!(koo("400", "13000102"), 1.0);
    let oa_token = "POST /api/v2/tenant/token";
    assert_eq!(requests(&s, "oneaccess", oa_token, "200", "none"), 1.0);
    let oa_status = oa_wrong.status.to_string();
    let oa_login = "POST /api/v2/sdk/login";
    assert_eq!(
        requests(&s, "oneaccess", oa_login, &oa_status, "LOGIN.0002"),
        1.0
    );
    let enos_login = "POST /app-portal-service/v2.2/login";
    assert_eq!(requests(&s, "enos", enos_login, "200", "none"), 1.0);
    assert_eq!(requests(&s, "enos", enos_login, "200", "31400"), 1.0);
    assert_eq!(requests(&s, "none", "unknown", "404", "none"), 1.0);
    assert_eq!(
        requests(&s, "admin", "POST /__admin/faults", "201", "none"),
        1.0
    );
    let route = [("route", LOGIN_ROUTE)];
    let kind = |k| {
        value(
            &s,
            "authmock_faults_fired_total",
            &[("route", LOGIN_ROUTE), ("kind", k)],
        )
    };
    assert_eq!(
        (kind("error"), kind("delay"), kind("drop")),
        (1.0, 1.0, 0.0)
    );
    let rule = [("route", LOGIN_ROUTE), ("rule", "unknown-field")];
    assert_eq!(value(&s, "authmock_lint_warnings_total", &rule), 1.0);
    assert_eq!(value(&s, "authmock_strict_refusals_total", &route), 1.0);
    // Every login answer is in its route's latency histogram.
    let hist = s
        .iter()
        .find(|x| {
            x.metric == "authmock_request_duration_seconds"
                && x.labels.get("route") == Some(LOGIN_ROUTE)
        })
        .expect("login latency");
    let PromValue::Histogram(b) = &hist.value else {
        panic!("{hist:?}")
    };
    assert_eq!(
        b.last().map(|c| (c.less_than, c.count)),
        Some((f64::INFINITY, 5.0))
    );
    assert_eq!(
        value(&s, "authmock_request_duration_seconds_count", &route),
        5.0
    );
    assert_eq!(value(&s, "authmock_namespaces", &[]), 1.0);
    assert_eq!(
        value(
            &s,
            "authmock_lockouts_started_total",
            &[("family", "koodrive")]
        ),
        0.0
    );
}

#[tokio::test]
async fn a_lockout_and_issued_credentials_and_namespaces_are_counted() {
    let api = Api::new().await;
    let before = scrape(&api, &[]).await;
    let creds = |s: &[Sample], kind| {
        value(
            s,
            "authmock_credentials",
            &[("family", "koodrive"), ("kind", kind)],
        )
    };
    api.koo_login(&[]).await;
    for _ in 0..5 {
        koo_wrong_password(&api.koo_login_as(koo::ACCOUNT, "wrong", &ns("locks")).await);
    }
    let s = scrape(&api, &[]).await;
    assert_eq!(
        value(
            &s,
            "authmock_lockouts_started_total",
            &[("family", "koodrive")]
        ),
        1.0
    );
    assert_eq!(
        value(&s, "authmock_lockouts_started_total", &[("family", "enos")]),
        0.0
    );
    assert_eq!(creds(&s, "kooAccess") - creds(&before, "kooAccess"), 1.0);
    assert_eq!(creds(&s, "kooRefresh") - creds(&before, "kooRefresh"), 1.0);
    assert_eq!(value(&s, "authmock_namespaces", &[]), 2.0);
    assert_eq!(value(&s, "authmock_journal_dropped_total", &[]), 0.0);
}

#[tokio::test]
async fn ten_thousand_unknown_paths_leave_the_series_count_unchanged() {
    let api = Api::new().await;
    assert_eq!(api.get("/unknown/0", &[]).await.status, 404);
    // The first scrape adds the metrics route's own series.
    scrape(&api, &[]).await;
    let before = scrape(&api, &[]).await.len();
    for chunk in 0..100 {
        let paths: Vec<String> = (0..100)
            .map(|i| format!("/unknown/{chunk}/{i}?q={i}"))
            .collect();
        let sends = paths.iter().map(|p| api.get(p, &[]));
        for r in join_all(sends).await {
            assert_eq!(r.status, 404);
        }
    }
    let s = scrape(&api, &[]).await;
    assert_eq!(s.len(), before, "series grew");
    assert_eq!(requests(&s, "none", "unknown", "404", "none"), 10_001.0);
}

#[tokio::test]
async fn metrics_need_the_admin_token() {
    let api = Api::with(MockServer::builder().admin_token("t0k").start().await);
    let r = api.get("/__admin/metrics", &[]).await;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(
        r.body,
        json!({"error": "admin token required: Authorization: Bearer <token>"})
    );
    let s = scrape(&api, &[("Authorization", "Bearer t0k")]).await;
    assert_eq!(value(&s, "authmock_namespaces", &[]), 1.0);
}

#[tokio::test]
async fn a_request_that_panicked_is_counted_as_a_500_under_its_route() {
    let api = Api::with(
        authmock::MockServer::builder()
            .panic_when_asked(true)
            .start()
            .await,
    );

    let r = api.koo_login(&[("X-Mock-Panic", "1")]).await;
    let missing = api.get("/no/such/path", &[("X-Mock-Panic", "1")]).await;
    let oa = api.oa_token_request(&[("X-Mock-Panic", "1")]).await;
    api.koo_login(&[]).await;

    assert_eq!(
        (r.status, missing.status, oa.status),
        (500, 500, 500),
        "{}",
        r.text
    );
    let s = scrape(&api, &[]).await;
    assert_eq!(requests(&s, "koodrive", LOGIN_ROUTE, "500", "500"), 1.0);
    assert_eq!(requests(&s, "koodrive", LOGIN_ROUTE, "200", "none"), 1.0);
    assert_eq!(requests(&s, "none", "unknown", "500", "none"), 1.0);
    let oa_token = "POST /api/v2/tenant/token";
    assert_eq!(requests(&s, "oneaccess", oa_token, "500", "MOCK.0500"), 1.0);
}
