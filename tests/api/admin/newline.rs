//! Every control-plane JSON answer ends with one newline (a shell prompt after `curl` starts on its own
//! line); the vendors' answers keep their exact bytes.

use super::*;

fn assert_json_line(r: &Resp, what: &str) {
    let ct = r
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(ct.starts_with("application/json"), "{what}: {ct:?}");
    assert!(
        r.text.ends_with("}\n") && !r.text.ends_with("\n\n"),
        "{what} does not end with one newline: {:?}",
        r.text
    );
    assert_ne!(r.body, Value::Null, "{what}: not JSON: {:?}", r.text);
}

#[tokio::test]
async fn every_admin_json_answer_ends_with_a_newline_and_vendor_answers_do_not() {
    let api = Api::with(MockServer::builder().admin_token("T").start().await);
    let auth = [("authorization", "Bearer T")];

    for path in [
        "/__admin/health",
        "/__admin/state",
        "/__admin/requests",
        "/__admin/warnings",
        "/__admin/faults",
        "/__admin/clock",
        "/__admin/openapi.json",
    ] {
        let r = api.get(path, &auth).await;
        assert_status(&r, 200);
        assert_json_line(&r, path);
    }
    let reset = admin(&api, "POST", "/__admin/reset", json!({}), &auth).await;
    assert_status(&reset, 200);
    assert_json_line(&reset, "POST /__admin/reset");
    let refused = api.get("/__admin/state", &[]).await;
    assert_status(&refused, 401);
    assert_json_line(&refused, "401 without the token");
    let unknown = api.get("/__admin/nowhere", &auth).await;
    assert_status(&unknown, 404);
    assert_json_line(&unknown, "404 under /__admin");
    let bad_ns = api
        .get(
            "/__admin/state",
            &cat(&auth, &[("x-mock-namespace", "no spaces")]),
        )
        .await;
    assert_status(&bad_ns, 400);
    assert_json_line(&bad_ns, "400 for a bad X-Mock-Namespace");

    let login = api.koo_login(&[koo::AGENT]).await;
    assert_status(&login, 200);
    assert!(!login.text.ends_with('\n'), "{:?}", login.text);
}
