//! The lint reads the body the handler reads (one parse, docs/decisions.md): a leading byte order mark
//! hides nothing from it, and a body the handler cannot parse gets no body warnings, in either mode.

use super::*;
use crate::expect::{enos_error, koo_error, oa_error};
use crate::fixtures::{enos, koo};
use crate::helpers::Api;

const BOM: &[u8] = b"\xEF\xBB\xBF";

#[tokio::test]
async fn a_body_with_a_byte_order_mark_is_linted_like_the_same_body_without_one() {
    let api = Api::new().await;
    let bearer = en_static();
    let auth = ("Authorization", bearer.as_str());
    let body = [BOM, br#"{"orgId":"yourOrgId","orgid":"yourOrgId"}"#].concat();

    let r = api.post_raw(enos::SET, &[auth], &body).await;

    assert_eq!(r.body["code"], 0, "{}", r.text);
    assert_eq!(
        entries(&r),
        [(
            "unknown-field".to_string(),
            "orgid - did you mean orgId?".to_string()
        )]
    );
    let r = api.post_raw(enos::SET, &[auth, STRICT], &body).await;
    enos_error(&r, 31400, "Invalid request parameters");
    assert_eq!(ids(&r), ["unknown-field"]);
}

#[tokio::test]
async fn a_body_the_handler_cannot_parse_gets_no_body_warnings() {
    let api = Api::new().await;
    // A number JSON does not have where the page says String: the handler refuses the body.
    let body = r#"{"account": "0027188460911", "authType": 01, "password": "123qweASD143"}"#;

    let r = kd_login(&api, koo::LOGIN, &[koo::AGENT], body).await;

    koo_error(&r, 400, 13000102, "Verify parameters failed.");
    assert_eq!(ids(&r), Vec::<String>::new());
    // Headers are still linted.
    let r = kd_login(&api, koo::LOGIN, &[], body).await;
    koo_error(&r, 400, 13000102, "Verify parameters failed.");
    assert_eq!(ids(&r), ["required"]);
}

#[tokio::test]
async fn in_strict_mode_an_unparsable_body_gets_the_handlers_error_not_a_deviation() {
    let api = Api::new().await;
    let (app, session) = oa_credentials(&api).await;
    // `device_ip` is no IP address (a deviation strict mode refuses), and a raw control character in
    // `agent` makes the body unparsable.
    let body = ticket_body(&session, "my-phone").replace("Mozilla/5.0", "Mozilla/5.0\u{1}");

    let r = ticket(&api, &app, &body, &[], &[STRICT]).await;

    oa_error(&r, 400, "PARAM.0001", "Invalid request body.");
    assert_eq!(ids(&r), Vec::<String>::new());
    let fine = ticket_body(&session, "my-phone");
    let r = ticket(&api, &app, &fine, &[], &[STRICT]).await;
    assert_eq!((r.status, ids(&r)), (400, vec!["device-ip".to_string()]));
}
