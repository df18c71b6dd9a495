//! OneAccess's route table as a client sees it: a repeated leading slash is served, a wrong method
//! gets 405 with `Allow`, a mistyped path 404 listing the routes.

use super::*;

#[tokio::test]
async fn a_repeated_leading_slash_is_served_as_a_single_one() {
    let api = Api::new().await;

    let r = api
        .post_raw(
            &format!("/{TOKEN}"),
            &[("content-type", FORM)],
            format!(
                "grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"
            )
            .as_bytes(),
        )
        .await;

    assert_ok(&r);
    assert_eq!(r.body["token_type"], json!("Bearer"));
}

#[tokio::test]
async fn a_oneaccess_path_with_the_wrong_method_answers_405_with_allow() {
    let api = Api::new().await;

    let r = api.get(TICKET, &[]).await;

    assert_eq!(r.status, 405, "{}", r.text);
    assert_json_content_type(&r);
    assert!(r.header("allow").contains("POST"), "{:?}", r.headers);
    assert_eq!(
        r.body,
        json!({"error":"method not allowed","method":"GET","path":TICKET,"allow":["POST"]})
    );
}

#[tokio::test]
async fn a_mistyped_oneaccess_path_answers_404_listing_the_routes() {
    let api = Api::new().await;

    let r = api.post("/api/v2/tenant/tokens", &[], json!({})).await;

    assert_eq!(r.status, 404, "{}", r.text);
    assert_json_content_type(&r);
    assert_eq!(r.body["error"], json!("no route"));
    assert_eq!(r.body["method"], json!("POST"));
    assert_eq!(r.body["path"], json!("/api/v2/tenant/tokens"));
    let routes = r.body["routes"].as_array().expect("routes array");
    for route in [TOKEN, LOGIN, TICKET, VERIFY] {
        assert!(
            routes.contains(&json!(format!("POST {route}"))),
            "{route} missing from {routes:?}"
        );
    }
}
