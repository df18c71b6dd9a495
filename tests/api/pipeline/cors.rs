//! Issue 16 findings fixed in the request pipeline and the journal: `X-Mock-Delay` adds to a queued
//! fault's delay; `Proxy-Authorization` is masked in the journal.

use crate::helpers::Api;
use serde_json::json;

const LOGIN: &str = "/koodrive/ose/v1/auth/login";

fn login_body() -> serde_json::Value {
    json!({ "account": "0027188460911", "authType": "1", "password": "123qweASD143" })
}

#[tokio::test]
async fn x_mock_delay_adds_to_a_queued_fault_delay() {
    let api = Api::new().await;
    let r = api
        .post(
            "/__admin/faults",
            &[],
            json!({ "route": format!("POST {LOGIN}"), "delayMs": 400 }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = api
        .post(
            LOGIN,
            &[("x-hw-agentName", "t"), ("X-Mock-Delay", "400ms")],
            login_body(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let j = api.get("/__admin/requests?limit=1", &[]).await;
    let e = &j.body["requests"][0];
    assert_eq!(e["route"], LOGIN, "{e}");
    // The sleep lasts at least what was asked: 400 + 400 ms, not the header's 400 alone.
    let ms = e["durationMs"].as_f64().expect("durationMs");
    assert!(ms >= 800.0, "the delays did not add up: {ms} ms");
}

#[tokio::test]
async fn proxy_authorization_is_masked_in_the_journal() {
    let api = Api::new().await;
    let secret = "Basic c2VjcmV0LXVzZXI6c2VjcmV0LXBhc3N3b3Jk";
    api.post(
        LOGIN,
        &[("x-hw-agentName", "t"), ("Proxy-Authorization", secret)],
        login_body(),
    )
    .await;
    let j = api.get("/__admin/requests?limit=1", &[]).await;
    let shown = j.body["requests"][0]["request"]["headers"]["proxy-authorization"]
        .as_str()
        .expect("the header is journaled")
        .to_string();
    assert!(!j.text.contains(secret), "{}", j.text);
    assert_eq!(shown, "Basi****");
}

#[tokio::test]
async fn every_answer_carries_cors_headers_with_or_without_origin() {
    let api = Api::new().await;
    for (path, origin) in [
        (LOGIN, None),
        (LOGIN, Some("http://localhost:3000")),
        ("/__admin/health", None),
        ("/nowhere", Some("http://localhost:3000")),
    ] {
        let mut h = vec![("x-hw-agentName", "t")];
        if let Some(o) = origin {
            h.push(("Origin", o));
        }
        let r = if path == LOGIN {
            api.post(path, &h, login_body()).await
        } else {
            api.get(path, &h).await
        };
        assert_eq!(r.header("access-control-allow-origin"), "*", "{path}");
        assert_eq!(r.header("access-control-expose-headers"), "*", "{path}");
        assert!(r.header("vary").contains("origin"), "{path}");
    }
}
