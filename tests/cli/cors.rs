//! `--cors-origins`: only the listed origins are allowed.

use super::*;

// ---------------------------------------------------------------------------------------------------
// CORS origins
// ---------------------------------------------------------------------------------------------------

async fn preflight(c: &reqwest::Client, server: &Server, origin: &str) -> Resp {
    send(
        c,
        "OPTIONS",
        &server.url(OA_TICKET),
        &[
            ("Origin", origin),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "authorization,content-type,x-tenant-id",
            ),
        ],
        None,
    )
    .await
}

#[tokio::test]
async fn cors_origins_flag_allows_only_the_listed_origin() {
    let server = Server::start(&["--cors-origins", "http://a.example"]);
    let c = client();

    let allowed = preflight(&c, &server, "http://a.example").await;
    let refused = preflight(&c, &server, "http://localhost:3000").await;
    let post_allowed = post_json(
        &c,
        &server.url(EN_LOGIN),
        &[("Origin", "http://a.example")],
        json!({"account": "portal_demo", "password": EN_PASSWORD}),
    )
    .await;
    let post_refused = post_json(
        &c,
        &server.url(EN_LOGIN),
        &[("Origin", "http://localhost:3000")],
        json!({"account": "portal_demo", "password": EN_PASSWORD}),
    )
    .await;

    assert!((200..300).contains(&allowed.status), "{}", allowed.status);
    assert_eq!(
        allowed.header_opt("access-control-allow-origin"),
        Some("http://a.example")
    );
    assert_eq!(refused.header_opt("access-control-allow-origin"), None);
    assert_eq!(
        post_allowed.header_opt("access-control-allow-origin"),
        Some("http://a.example")
    );
    assert_eq!(post_refused.header_opt("access-control-allow-origin"), None);
    assert_eq!(post_refused.body["code"], 0, "{}", post_refused.text);
}
