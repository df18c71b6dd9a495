//! CORS: every answer carries its headers, with or without `Origin`; a preflight is allowed with the
//! route's headers; a plain OPTIONS gets 405.

use super::*;

#[tokio::test]
async fn every_answer_carries_cors_headers_with_or_without_origin() {
    let api = Api::new().await;
    for (path, origin) in [
        (koo::LOGIN, None),
        (koo::LOGIN, Some("http://localhost:3000")),
        ("/__admin/health", None),
        ("/nowhere", Some("http://localhost:3000")),
    ] {
        let mut h = vec![("x-hw-agentName", "t")];
        if let Some(o) = origin {
            h.push(("Origin", o));
        }
        let r = if path == koo::LOGIN {
            api.post(path, &h, login_body(koo::PASSWORD)).await
        } else {
            api.get(path, &h).await
        };
        assert_eq!(r.header("access-control-allow-origin"), "*", "{path}");
        assert_eq!(r.header("access-control-expose-headers"), "*", "{path}");
        assert!(r.header("vary").contains("origin"), "{path}");
    }
}

#[tokio::test]
async fn a_plain_options_request_gets_405_with_allow_and_a_preflight_gets_cors() {
    let api = Api::new().await;
    let r = raw(&api, "OPTIONS", koo::SESSION, &[], b"").await;
    assert_eq!(r.status, 405, "{}", r.text);
    assert_eq!(r.header("allow"), "POST");
    assert_eq!(r.body["error"], "method not allowed");
    let r = raw(&api, "OPTIONS", "/nope", &[], b"").await;
    assert_eq!((r.status, &r.body["error"]), (404, &json!("no route")));
    let r = raw(
        &api,
        "OPTIONS",
        koo::SESSION,
        &[
            ("Origin", "http://app.example"),
            ("Access-Control-Request-Method", "POST"),
        ],
        b"",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), "*");
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
