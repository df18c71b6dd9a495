//! KooDrive's route table as a client sees it: a wrong method gets 405 with `Allow`, a mistyped path
//! 404 listing the routes.

use super::*;

/// Asserts a 405 with its `Allow` header and JSON body; returns the allowed methods.
#[track_caller]
fn assert_method_not_allowed(r: &Resp, method: &str, path: &str) -> Vec<String> {
    assert_eq!(r.status, 405, "{r:?}");
    assert_json_content_type(r);
    let allow: Vec<String> = r.body["allow"]
        .as_array()
        .unwrap_or_else(|| panic!("allow array in {}", r.text))
        .iter()
        .map(|v| v.as_str().expect("allow entries are strings").to_string())
        .collect();
    assert_eq!(
        r.body,
        json!({"error": "method not allowed", "method": method, "path": path, "allow": allow}),
        "{}",
        r.text
    );
    let mut from_header: Vec<String> = r
        .header("allow")
        .split(',')
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty())
        .collect();
    let mut from_body = allow.clone();
    from_header.sort();
    from_body.sort();
    assert_eq!(from_header, from_body, "Allow header vs body in {r:?}");
    allow
}

// ================================================================ 404 / 405

#[tokio::test]
async fn a_wrong_method_on_create_session_answers_405_with_allow() {
    let api = Api::new().await;

    let slash = api.get(SESSION, &[]).await;
    let no_slash = api.delete(SESSION_NO_SLASH, &[]).await;

    assert_eq!(assert_method_not_allowed(&slash, "GET", SESSION), ["POST"]);
    assert_eq!(
        assert_method_not_allowed(&no_slash, "DELETE", SESSION_NO_SLASH),
        ["POST"]
    );
}

#[tokio::test]
async fn a_wrong_method_on_the_post_routes_answers_405_with_allow_post() {
    let api = Api::new().await;

    for path in [SESSION_REFRESH, LOGIN, REFRESH_TOKEN] {
        let r = api.get(path, &[]).await;

        assert_eq!(assert_method_not_allowed(&r, "GET", path), ["POST"]);
    }
}

#[tokio::test]
async fn a_wrong_method_on_the_get_routes_answers_405_allowing_get() {
    let api = Api::new().await;

    for path in [SESSION_AUTH, SESSION_LOGOFF] {
        let r = api.post(path, &[], json!({})).await;

        let allow = assert_method_not_allowed(&r, "POST", path);
        assert!(allow.iter().any(|m| m == "GET"), "{allow:?}");
        assert!(!allow.iter().any(|m| m == "POST"), "{allow:?}");
    }
}

#[tokio::test]
async fn an_unknown_koodrive_path_answers_404_listing_the_routes() {
    let api = Api::new().await;
    let path = "/koodrive/ose/v1/sesion/";

    let r = api.post(path, &[], json!({"code": SEED_CODE})).await;

    assert_eq!(r.status, 404, "{r:?}");
    assert_json_content_type(&r);
    assert_eq!(r.body["error"], "no route", "{}", r.text);
    assert_eq!(r.body["method"], "POST", "{}", r.text);
    assert_eq!(r.body["path"], path, "{}", r.text);
    let routes = r.body["routes"].as_array().expect("routes array");
    for route in [
        "POST /koodrive/ose/v1/session/",
        "GET /koodrive/ose/v1/session/auth",
        "POST /koodrive/ose/v1/session/refresh",
        "GET /koodrive/ose/v1/session/logoff",
        "POST /koodrive/ose/v1/auth/login",
        "POST /koodrive/ose/v1/auth/refreshToken",
    ] {
        assert!(routes.iter().any(|r| r == route), "{route} in {routes:?}");
    }
}
