//! The control plane: the admin token.

use super::*;

// =============================================================================================
// protection

/// Every control-plane route but health, with a body where it takes one.
fn guarded_routes() -> Vec<(&'static str, String, Value)> {
    vec![
        ("POST", "/__admin/reset".into(), json!({})),
        ("GET", "/__admin/state".into(), Value::Null),
        (
            "POST",
            "/__admin/koodrive/users".into(),
            koo_user("1008600000709990009", "guarded", koo::ORG),
        ),
        (
            "DELETE",
            format!("/__admin/koodrive/users/{}", koo::USER_ID),
            Value::Null,
        ),
        (
            "POST",
            "/__admin/enos/orgs".into(),
            json!({ "id": "oGuarded", "name": "G" }),
        ),
        (
            "POST",
            "/__admin/koodrive/auth-codes".into(),
            json!({ "userId": koo::USER_ID }),
        ),
        (
            "POST",
            "/__admin/koodrive/verification-codes".into(),
            json!({ "account": koo::ACCOUNT }),
        ),
        (
            "DELETE",
            format!("/__admin/tokens/{}", enos::STATIC_TOKEN),
            Value::Null,
        ),
        ("GET", "/__admin/requests".into(), Value::Null),
        ("DELETE", "/__admin/requests".into(), Value::Null),
        ("GET", "/__admin/faults".into(), Value::Null),
        (
            "POST",
            "/__admin/faults".into(),
            json!({ "route": format!("POST {}", koo::LOGIN), "error": "13000204" }),
        ),
        ("DELETE", "/__admin/faults".into(), Value::Null),
        ("DELETE", "/__admin/faults/f_unknown".into(), Value::Null),
        ("GET", "/__admin/clock".into(), Value::Null),
        (
            "POST",
            "/__admin/clock".into(),
            json!({ "set": JAN_2026, "freeze": true }),
        ),
        ("DELETE", "/__admin/clock".into(), Value::Null),
    ]
}

async fn call(api: &Api, method: &str, path: &str, body: &Value, h: &[(&str, &str)]) -> Resp {
    let body = (!body.is_null()).then(|| body.to_string().into_bytes());
    api.send(
        method,
        path,
        &cat(&[("content-type", "application/json")], h),
        body,
    )
    .await
}

#[tokio::test]
async fn an_admin_token_guards_every_admin_route_but_health() {
    let api = Api::with(MockServer::builder().admin_token("T").start().await);

    for (method, path, body) in guarded_routes() {
        for h in [
            vec![],
            vec![("Authorization", "Bearer U")],
            vec![("Authorization", "Bearer TT")],
        ] {
            let r = call(&api, method, &path, &body, &h).await;
            admin_error(&r, 401);
        }
    }

    // Nothing above took effect.
    koo_ok(&api.koo_create_session(koo::USER_CODE, &[]).await);
    enos_ok(&api.enos_set(enos::STATIC_TOKEN, enos::ORG, &[]).await);
    koo_ok(&api.koo_login(&[]).await);
    let auth = [("Authorization", "Bearer T")];
    let c = api.get_clock(&auth).await;
    assert_eq!(c["mode"], json!("real"));
    assert_eq!(journal(&api, "", &auth).await.len(), 3);
    // Health stays open; the right token opens the rest.
    assert_status(&api.get("/__admin/health", &[]).await, 200);
    for (method, path, body) in guarded_routes() {
        let r = call(&api, method, &path, &body, &auth).await;
        assert_ne!(r.status, 401, "{method} {path}: {}", r.text);
    }
}

#[tokio::test]
async fn without_an_admin_token_the_control_plane_is_open() {
    let api = Api::new().await;

    for (method, path, body) in guarded_routes() {
        let r = call(&api, method, &path, &body, &[]).await;
        assert!(
            r.status != 401 && r.status != 403,
            "{method} {path}: {} {}",
            r.status,
            r.text
        );
    }
    assert_status(&api.get("/__admin/state", &[]).await, 200);
}
