//! Where warnings are read afterwards: the journal and `GET /__admin/warnings`.

use super::*;
use crate::fixtures::{enos, koo};
use crate::helpers::Api;

#[tokio::test]
async fn journal_lists_the_warnings_and_filters_on_them() {
    let api = Api::new().await;
    let agent = koo::AGENT;
    kd_login(&api, koo::LOGIN, &[agent], KD_LOGIN_BODY).await;
    let r = slash_login(&api, &[agent]).await;
    let all = api.get("/__admin/requests", &[]).await;
    assert_eq!(all.body["requests"].as_array().unwrap().len(), 2);
    let warned = api.get("/__admin/requests?warnings=true", &[]).await;
    let list = warned.body["requests"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{}", warned.text);
    let (id, message) = entries(&r).remove(0);
    assert_eq!(
        list[0]["warnings"],
        serde_json::json!([{ "id": id, "message": message }])
    );
    assert_eq!(all.body["requests"][1]["warnings"], serde_json::json!([]));
}

#[tokio::test]
async fn warnings_summary_counts_by_rule_and_route_per_namespace() {
    let api = Api::new().await;
    let ns = ("X-Mock-Namespace", "lint-summary");
    let agent = koo::AGENT;
    for _ in 0..3 {
        slash_login(&api, &[agent, ns]).await;
    }
    api.post_raw(
        enos::SET,
        &[("Authorization", &en_static()), ns],
        br#"{"orgid":"x"}"#,
    )
    .await;
    let s = api.get("/__admin/warnings", &[ns]).await;
    assert_eq!(s.status, 200);
    let list = s.body["warnings"].as_array().unwrap();
    let find = |id: &str, route: &str| {
        list.iter()
            .find(|w| w["id"] == id && w["route"] == route)
            .unwrap_or_else(|| panic!("{id} {route} in {}", s.text))
    };
    let slash = find("path-slash", koo::LOGIN);
    assert_eq!(slash["count"], 3);
    assert!(slash["firstSeen"].as_str().unwrap() <= slash["lastSeen"].as_str().unwrap());
    assert_eq!(find("unknown-field", enos::SET)["count"], 1);
    assert_eq!(find("required", enos::SET)["count"], 1);
    assert!(s.body["rules"].as_array().unwrap().len() >= 10);
    let other = api.get("/__admin/warnings", &[]).await;
    assert_eq!(other.body["warnings"], serde_json::json!([]));
}

#[tokio::test]
async fn each_rule_cites_its_vendor_page_by_title_section_and_address() {
    let api = Api::new().await;
    let s = api.get("/__admin/warnings", &[]).await;
    assert_eq!(s.status, 200);
    let rule = |id: &str| {
        s.body["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id} in {}", s.text))
            .clone()
    };
    assert_eq!(
        rule("x-tenant-id"),
        serde_json::json!({
            "id": "x-tenant-id",
            "what": "sso-ticket and verify without `X-tenant-id`: a note, never a warning (optional; mandatory only when an ISV calls)",
            "source": "\"Obtaining sso_ticket Using session_token\", Request Parameters (https://support.huaweicloud.com/intl/en-us/api-oneaccess/ShowSSOTicketBySessionToken.html)",
        })
    );
    assert_eq!(
        rule("path-slash")["source"],
        "\"Initializing and Creating a Session\", URI (https://support.huaweicloud.com/intl/en-us/api-koodrive/createSession.html); \
         \"Login\", URI (https://support.huaweicloud.com/intl/en-us/api-koodrive-carrier/Login.html); \
         \"Obtaining sso_ticket Using session_token\", URI (https://support.huaweicloud.com/intl/en-us/api-oneaccess/ShowSSOTicketBySessionToken.html); \
         \"Choose Organization\", Request Format (https://support.enos-iot.com/app-portal-api/en/3.0.0/user_and_ou/choose_organization)"
    );
    // No rule points at a line of a file the reader does not have.
    for r in s.body["rules"].as_array().unwrap() {
        let source = r["source"].as_str().unwrap();
        assert!(source.contains("(https://"), "{source}");
        assert!(
            !source.split(['(', ')']).step_by(2).any(|t| t.contains(':')),
            "a line reference in {source}"
        );
    }
}
