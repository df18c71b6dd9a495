//! `X-Mock-Strict` takes the spellings `AUTHMOCK_STRICT` takes (true/false, 1/0, yes/no, on/off, any
//! case); anything else is the mock's 400, never a silent lenient answer.

use super::{ids, slash_login};
use crate::fixtures::koo;
use crate::helpers::Api;
use authmock::MockServer;
use serde_json::json;

#[tokio::test]
async fn every_on_spelling_of_x_mock_strict_refuses_a_deviation() {
    let api = Api::new().await;
    for v in ["true", "TRUE", "1", "yes", "Yes", "on", " ON "] {
        let r = slash_login(&api, &[koo::AGENT, ("X-Mock-Strict", v)]).await;
        assert_eq!(
            (r.status, r.body["code"].as_i64(), ids(&r)),
            (400, Some(13000102), vec!["path-slash".to_string()]),
            "X-Mock-Strict: {v:?}: {}",
            r.text
        );
    }
}

#[tokio::test]
async fn every_off_spelling_of_x_mock_strict_serves_a_strict_servers_deviation() {
    let api = Api::with(MockServer::builder().strict(true).start().await);
    for v in ["false", "False", "0", "no", "NO", "off", "Off"] {
        let r = slash_login(&api, &[koo::AGENT, ("X-Mock-Strict", v)]).await;
        assert_eq!(
            (r.status, r.body["code"].as_i64(), ids(&r)),
            (200, Some(0), vec!["path-slash".to_string()]),
            "X-Mock-Strict: {v:?}: {}",
            r.text
        );
    }
}

#[tokio::test]
async fn an_x_mock_strict_that_is_no_switch_value_is_answered_400() {
    for strict_server in [false, true] {
        let api = Api::with(MockServer::builder().strict(strict_server).start().await);
        for v in ["ture", "2", "enabled", "", "y"] {
            let r = slash_login(&api, &[koo::AGENT, ("X-Mock-Strict", v)]).await;
            assert_eq!(r.status, 400, "X-Mock-Strict: {v:?}: {}", r.text);
            assert_eq!(
                r.body,
                json!({"error": "X-Mock-Strict: expected true, false, 1, 0, yes, no, on or off"}),
                "X-Mock-Strict: {v:?}"
            );
        }
    }
}
