//! Control-plane holes found by the black-box audit (issue 16): fault statuses, revoking fixture and
//! verification codes, and the OpenAPI document agreeing with what the routes accept.

use crate::helpers::Api;
use serde_json::json;

const KOO_LOGIN: &str = "POST /koodrive/ose/v1/auth/login";

// ---------------------------------------------------------------------------------------------------
// Fault statuses
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_fault_status_outside_200_to_599_is_refused_with_400_naming_the_range() {
    let api = Api::new().await;

    for status in [0, 100, 101, 103, 199, 600, 999] {
        let r = api
            .post(
                "/__admin/faults",
                &[],
                json!({ "route": KOO_LOGIN, "status": status }),
            )
            .await;

        assert_eq!(r.status, 400, "status {status}: {}", r.text);
        let msg = r.body["error"].as_str().unwrap_or_default();
        assert!(msg.contains("200-599"), "status {status}: {msg}");
    }
    let listed = api.get("/__admin/faults", &[]).await;
    assert_eq!(listed.body["faults"], json!([]), "{}", listed.text);
}

#[tokio::test]
async fn fault_statuses_200_and_599_are_accepted_and_answered() {
    let api = Api::new().await;

    for status in [200, 599] {
        let r = api
            .post(
                "/__admin/faults",
                &[],
                json!({ "route": KOO_LOGIN, "status": status, "body": {"s": status} }),
            )
            .await;
        assert_eq!(r.status, 201, "status {status}: {}", r.text);
        let login = api
            .post(
                "/koodrive/ose/v1/auth/login",
                &[("x-hw-agentName", "t")],
                json!({}),
            )
            .await;
        assert_eq!(login.status, status, "{}", login.text);
        assert_eq!(login.body, json!({ "s": status }));
    }
}
