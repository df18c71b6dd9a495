//! The routing step: an unknown path answers 404 listing the routes, a known path with the wrong
//! method 405 with `Allow`.

use super::*;

// ---------------------------------------------------------------------------------------------
// 404 and 405

#[tokio::test]
async fn an_unknown_path_answers_404_with_the_known_routes() {
    let api = Api::new().await;

    let r = api.get("/nope", &[]).await;

    assert_eq!(r.status, 404, "{}", r.text);
    assert_json_content_type(&r);
    let obj = r.body.as_object().expect("JSON object");
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["error", "method", "path", "routes"]);
    assert_eq!(r.body["error"], json!("no route"));
    assert_eq!(r.body["method"], json!("GET"));
    assert_eq!(r.body["path"], json!("/nope"));
    let routes: Vec<&str> = r.body["routes"]
        .as_array()
        .expect("routes array")
        .iter()
        .map(|v| v.as_str().expect("route is a string"))
        .collect();
    for expected in [
        "POST /koodrive/ose/v1/session/",
        "POST /app-portal-service/v2.2/session/set",
        "POST /api/v2/tenant/sso/session-token/sso-ticket",
    ] {
        assert!(
            routes.contains(&expected),
            "{expected} missing from {routes:?}"
        );
    }
}

#[tokio::test]
async fn an_unknown_path_echoes_the_method_and_path_of_the_request() {
    let api = Api::new().await;

    let r = api
        .post("/app-portal-service/v2.2/session/sett", &[], json!({}))
        .await;

    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(r.body["error"], json!("no route"));
    assert_eq!(r.body["method"], json!("POST"));
    assert_eq!(
        r.body["path"],
        json!("/app-portal-service/v2.2/session/sett")
    );
}

#[tokio::test]
async fn a_known_path_with_the_wrong_method_answers_405_with_allow() {
    let api = Api::new().await;

    for path in [enos::SET, koo::LOGIN, oa::TICKET] {
        let r = api.get(path, &[]).await;

        assert_eq!(r.status, 405, "{path}: {}", r.text);
        assert_json_content_type(&r);
        assert_eq!(r.header("allow"), "POST", "{path}");
        assert_eq!(
            r.body,
            json!({"error": "method not allowed", "method": "GET", "path": path, "allow": ["POST"]})
        );
    }
}

#[tokio::test]
async fn a_delete_on_a_post_route_answers_405() {
    let api = Api::new().await;

    let r = api.delete(enos::SET, &[]).await;

    assert_eq!(r.status, 405, "{}", r.text);
    assert_eq!(r.header("allow"), "POST");
    assert_eq!(r.body["method"], json!("DELETE"));
    assert_eq!(r.body["allow"], json!(["POST"]));
}
