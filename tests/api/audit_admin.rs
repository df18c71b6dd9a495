//! Control-plane holes found by the black-box audit (issue 16): fault statuses, revoking fixture and
//! verification codes, and the OpenAPI document agreeing with what the routes accept.

use crate::helpers::Api;
use serde_json::{json, Value};

const KOO_LOGIN: &str = "POST /koodrive/ose/v1/auth/login";
const CREATE_SESSION: &str = "/koodrive/ose/v1/session/";
const SEED_CODE: &str = "FrbMohdqi86v6sMZlFSSuG3E0_9RsDpL08BlYfNQPhvibLET266cQhDI_WczEXJOAoIoKGCdqN2shKX1yfqrVci8nSFdMlxljNFhoffVvH93uSzIoyFxK4P7yhY6fDXa";
const ADMIN_CODE: &str = "koo-admin-code";
const ADMIN_CODE_OWNER: &str = "1008600000701011200";
const KOO_ACCOUNT: &str = "0027188460911";
const KOO_USER_ID: &str = "1882575898755117312";
/// The code KooDrive answers for an unknown, used or expired authorization code.
const BAD_AUTH_CODE: i64 = 13000201;
/// The code KooDrive answers for a wrong password or verification code.
const BAD_CREDENTIALS: i64 = 13000203;

async fn create_session(api: &Api, code: &str, ns: &[(&str, &str)]) -> crate::helpers::Resp {
    api.post(CREATE_SESSION, ns, json!({ "code": code })).await
}

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

// ---------------------------------------------------------------------------------------------------
// Revoking fixture authorization codes and minted verification codes
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn revoking_a_fixture_authorization_code_makes_it_fail_like_an_unknown_code() {
    let api = Api::new().await;

    let r = api
        .delete(&format!("/__admin/tokens/{ADMIN_CODE}"), &[])
        .await;
    let session = create_session(&api, ADMIN_CODE, &[]).await;

    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body,
        json!({ "revoked": ADMIN_CODE, "kind": "kooAuthCode", "family": "koodrive", "owner": ADMIN_CODE_OWNER })
    );
    assert_eq!(session.status, 400, "{}", session.text);
    assert_eq!(session.body["code"], BAD_AUTH_CODE, "{}", session.text);
    let again = api
        .delete(&format!("/__admin/tokens/{ADMIN_CODE}"), &[])
        .await;
    assert_eq!(again.status, 404, "{}", again.text);
}

#[tokio::test]
async fn the_seed_code_can_be_revoked_too() {
    let api = Api::new().await;
    assert_eq!(create_session(&api, SEED_CODE, &[]).await.status, 200);

    let r = api
        .delete(&format!("/__admin/tokens/{SEED_CODE}"), &[])
        .await;
    let session = create_session(&api, SEED_CODE, &[]).await;

    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["kind"], "kooAuthCode");
    assert_eq!(session.body["code"], BAD_AUTH_CODE, "{}", session.text);
}

#[tokio::test]
async fn a_revoked_fixture_code_stays_revoked_in_its_namespace_until_reset() {
    let api = Api::new().await;
    let other = [("X-Mock-Namespace", "audit-other")];
    let r = api
        .delete(&format!("/__admin/tokens/{ADMIN_CODE}"), &[])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let still_revoked = create_session(&api, ADMIN_CODE, &[]).await;
    let elsewhere = create_session(&api, ADMIN_CODE, &other).await;
    let state = api.get("/__admin/state", &[]).await;
    let reset = api.post("/__admin/reset", &[], json!({})).await;
    let after_reset = create_session(&api, ADMIN_CODE, &[]).await;

    assert_eq!(still_revoked.body["code"], BAD_AUTH_CODE);
    assert_eq!(elsewhere.status, 200, "{}", elsewhere.text);
    let codes: Vec<&Value> = state.body["koodrive"]["authCodes"]
        .as_array()
        .map(|a| a.iter().map(|c| &c["code"]).collect())
        .unwrap_or_default();
    assert!(!codes.contains(&&json!(ADMIN_CODE)), "{codes:?}");
    assert_eq!(reset.status, 200);
    assert_eq!(after_reset.status, 200, "{}", after_reset.text);
}

#[tokio::test]
async fn revoking_a_minted_verification_code_makes_login_with_it_fail() {
    let api = Api::new().await;
    let minted = api
        .post(
            "/__admin/koodrive/verification-codes",
            &[],
            json!({ "account": KOO_ACCOUNT }),
        )
        .await;
    assert_eq!(minted.status, 201, "{}", minted.text);
    let code = minted.body["captchaToken"].as_str().expect("captchaToken");

    let r = api.delete(&format!("/__admin/tokens/{code}"), &[]).await;
    let login = api
        .post(
            "/koodrive/ose/v1/auth/login",
            &[("x-hw-agentName", "t")],
            json!({ "account": KOO_ACCOUNT, "authType": "2", "captchaToken": code }),
        )
        .await;

    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body,
        json!({ "revoked": code, "kind": "kooVerificationCode", "family": "koodrive", "owner": KOO_USER_ID })
    );
    assert_eq!(login.status, 401, "{}", login.text);
    assert_eq!(login.body["code"], BAD_CREDENTIALS, "{}", login.text);
    let state = api.get("/__admin/state", &[]).await;
    assert_eq!(state.body["koodrive"]["verificationCodes"], json!([]));
}

// ---------------------------------------------------------------------------------------------------
// The OpenAPI document says what the routes accept
// ---------------------------------------------------------------------------------------------------

async fn document(api: &Api) -> Value {
    let r = api.get("/__admin/openapi.json", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

#[tokio::test]
async fn the_clock_request_schema_needs_at_least_one_property_as_the_route_does() {
    let api = Api::new().await;

    let empty = api.post("/__admin/clock", &[], json!({})).await;
    let doc = document(&api).await;

    assert_eq!(empty.status, 400, "{}", empty.text);
    assert_eq!(
        doc["components"]["schemas"]["ClockRequest"]["minProperties"],
        1
    );
}

#[tokio::test]
async fn a_journal_status_filter_beyond_the_documented_maximum_answers_400() {
    let api = Api::new().await;
    let doc = document(&api).await;
    let params = doc["paths"]["/__admin/requests"]["get"]["parameters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let status = params
        .iter()
        .find(|p| p["name"] == "status")
        .expect("status parameter");
    let max = status["schema"]["maximum"]
        .as_u64()
        .expect("a documented maximum");

    let at_max = api
        .get(&format!("/__admin/requests?status={max}"), &[])
        .await;
    let beyond = api
        .get(&format!("/__admin/requests?status={}", max + 1), &[])
        .await;
    let huge = api
        .get("/__admin/requests?status=9223372036854775808", &[])
        .await;

    assert_eq!(at_max.status, 200, "{}", at_max.text);
    assert_eq!(beyond.status, 400, "{}", beyond.text);
    assert_eq!(huge.status, 400, "{}", huge.text);
}

#[tokio::test]
async fn a_clock_set_below_the_documented_minimum_is_refused_even_when_advance_brings_it_back() {
    let api = Api::new().await;
    let doc = document(&api).await;
    let set = &doc["components"]["schemas"]["ClockRequest"]["properties"]["set"];
    let min = set["oneOf"]
        .as_array()
        .and_then(|o| o.iter().find_map(|s| s["minimum"].as_i64()))
        .expect("a documented minimum");
    let max = set["oneOf"]
        .as_array()
        .and_then(|o| o.iter().find_map(|s| s["maximum"].as_i64()))
        .expect("a documented maximum");

    let below = api
        .post(
            "/__admin/clock",
            &[],
            json!({ "set": min - 1, "advance": 1 }),
        )
        .await;
    let above = api
        .post(
            "/__admin/clock",
            &[],
            json!({ "set": max + 1, "advance": -1 }),
        )
        .await;
    let at_min = api
        .post("/__admin/clock", &[], json!({ "set": min, "freeze": true }))
        .await;

    assert_eq!(below.status, 400, "{}", below.text);
    assert!(below.body["error"]
        .as_str()
        .unwrap_or_default()
        .contains("0000-01-01T00:00:00Z"));
    assert_eq!(above.status, 400, "{}", above.text);
    assert_eq!(at_min.status, 200, "{}", at_min.text);
    assert_eq!(at_min.body["epochMs"], min);
    assert!(set["description"]
        .as_str()
        .unwrap_or_default()
        .contains("400"));
}
