//! Reading a JSON body as the vendors' Java servers (Jackson) do: a leading UTF-8 byte-order mark (.NET
//! and PowerShell clients send one) and a repeated key, where the last one wins, are accepted; invalid
//! UTF-8 is not; numbers where a string is expected are taken as their JSON text; escapes are decoded
//! and credentials compared exactly as sent.

use super::*;

const BOM: &[u8] = b"\xEF\xBB\xBF";
const JSON_CT: (&str, &str) = ("content-type", "application/json");

const KD_LOGIN: &str = "/koodrive/ose/v1/auth/login";
const KD_AGENT: (&str, &str) = ("x-hw-agentName", "authmock-tests");
const KD_ACCOUNT: &str = "0027188460911";
const KD_PASSWORD: &str = "123qweASD143";

const OA_LOGIN: &str = "/api/v2/sdk/login";
const OA_TICKET: &str = "/api/v2/tenant/sso/session-token/sso-ticket";
const OA_CLIENT: &str = "9fIHl3Dc9ivToWLVtblrF6Sjv9Fx47JJ";
const OA_TENANT: &str = "08f770f51f80d2f40f38c00cb199fd21";
const OA_FINGERPRINT: &str = "156aysdna213sac";
const OA_HEADERS: [(&str, &str); 5] = [
    JSON_CT,
    ("X-client-id", OA_CLIENT),
    ("X-device-fingerprint", OA_FINGERPRINT),
    ("X-operating-sys-version", "Android 10"),
    ("X-agent", "authmock-tests"),
];

const EN_LOGIN: &str = "/app-portal-service/v2.2/login";

fn with_bom(body: &str) -> Vec<u8> {
    [BOM, body.as_bytes()].concat()
}

// ---------------------------------------------------------------------------------------------
// KooDrive

fn kd_login_body(first: &str, last: &str) -> String {
    format!(
        r#"{{"account":"{KD_ACCOUNT}","authType":"1","password":"{first}","password":"{last}"}}"#
    )
}

#[track_caller]
fn assert_kd_logged_in(r: &Resp) {
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["code"], json!(0), "{}", r.text);
}

#[tokio::test]
async fn koodrive_login_with_a_leading_bom_logs_in() {
    let api = Api::new().await;
    let body = json!({"account": KD_ACCOUNT, "authType": "1", "password": KD_PASSWORD}).to_string();

    let r = api
        .post_raw(KD_LOGIN, &[JSON_CT, KD_AGENT], &with_bom(&body))
        .await;

    assert_kd_logged_in(&r);
}

#[tokio::test]
async fn koodrive_login_with_a_repeated_password_takes_the_last_one() {
    let api = Api::new().await;

    let last_right = api
        .post_raw(
            KD_LOGIN,
            &[JSON_CT, KD_AGENT],
            kd_login_body("wrong", KD_PASSWORD).as_bytes(),
        )
        .await;
    let last_wrong = api
        .post_raw(
            KD_LOGIN,
            &[JSON_CT, KD_AGENT],
            kd_login_body(KD_PASSWORD, "wrong").as_bytes(),
        )
        .await;

    assert_kd_logged_in(&last_right);
    assert_eq!(last_wrong.status, 401, "{}", last_wrong.text);
    assert_eq!(
        last_wrong.body["code"],
        json!(13000203),
        "{}",
        last_wrong.text
    );
}

// ---------------------------------------------------------------------------------------------
// OneAccess

/// sdk/login with `body` sent byte for byte.
async fn oa_login_raw(api: &Api, body: &[u8]) -> Resp {
    api.post_raw(OA_LOGIN, &OA_HEADERS, body).await
}

/// sso-ticket with `body` sent byte for byte.
async fn oa_ticket_raw(api: &Api, app_token: &str, body: &[u8]) -> Resp {
    let auth = format!("Bearer {app_token}");
    api.post_raw(
        OA_TICKET,
        &[
            JSON_CT,
            ("Authorization", auth.as_str()),
            ("X-tenant-id", OA_TENANT),
        ],
        body,
    )
    .await
}

#[tokio::test]
async fn oneaccess_login_with_a_leading_bom_answers_a_session_token() {
    let api = Api::new().await;
    let body = json!({"user_name": "zhangsan", "password": "Zhangsan@123"}).to_string();

    let r = oa_login_raw(&api, &with_bom(&body)).await;

    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["session_token"].is_string(), "{}", r.text);
}

#[tokio::test]
async fn oneaccess_login_with_a_repeated_password_takes_the_last_one() {
    let api = Api::new().await;
    let body = |first: &str, last: &str| {
        format!(r#"{{"user_name":"zhangsan","password":"{first}","password":"{last}"}}"#)
    };

    let last_right = oa_login_raw(&api, body("wrong", "Zhangsan@123").as_bytes()).await;
    let last_wrong = oa_login_raw(&api, body("Zhangsan@123", "wrong").as_bytes()).await;

    assert_eq!(last_right.status, 200, "{}", last_right.text);
    assert!(
        last_right.body["session_token"].is_string(),
        "{}",
        last_right.text
    );
    assert_eq!(last_wrong.status, 400, "{}", last_wrong.text);
    assert_eq!(
        last_wrong.body["error_code"],
        json!("LOGIN.0002"),
        "{}",
        last_wrong.text
    );
}

#[tokio::test]
async fn oneaccess_sso_ticket_with_a_bom_and_a_repeated_session_token_takes_the_last_one() {
    let api = Api::new().await;
    let app_token = api.oa_app_token(&[]).await;
    let login = json!({"user_name": "zhangsan", "password": "Zhangsan@123"}).to_string();
    let session = oa_login_raw(&api, login.as_bytes()).await;
    let session = session.body["session_token"]
        .as_str()
        .expect("session_token");
    let body = format!(
        r#"{{"session_token":"not-a-session","operating_sys_version":"Android 10","device_ip":"10.10.10.1","device_fingerprint":"{OA_FINGERPRINT}","session_token":"{session}"}}"#
    );

    let r = oa_ticket_raw(&api, &app_token, &with_bom(&body)).await;

    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["sso_ticket"].is_string(), "{}", r.text);
}

// ---------------------------------------------------------------------------------------------
// EnOS

#[tokio::test]
async fn enos_login_with_a_leading_bom_logs_in() {
    let api = Api::new().await;
    let body = json!({"account": "portal_demo", "password": "Test1234"}).to_string();

    let r = api.post_raw(EN_LOGIN, &[JSON_CT], &with_bom(&body)).await;

    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["code"], json!(0), "{}", r.text);
}

#[tokio::test]
async fn enos_login_with_a_repeated_password_takes_the_last_one() {
    let api = Api::new().await;
    let body = |first: &str, last: &str| {
        format!(r#"{{"account":"portal_demo","password":"{first}","password":"{last}"}}"#)
    };

    let last_right = api
        .post_raw(EN_LOGIN, &[JSON_CT], body("wrong", "Test1234").as_bytes())
        .await;
    let last_wrong = api
        .post_raw(EN_LOGIN, &[JSON_CT], body("Test1234", "wrong").as_bytes())
        .await;

    assert_eq!(last_right.body["code"], json!(0), "{}", last_right.text);
    assert_eq!(
        (&last_wrong.body["code"], &last_wrong.body["message"]),
        (&json!(31400), &json!("The user name or password is wrong.")),
        "{}",
        last_wrong.text
    );
}

#[tokio::test]
async fn an_invalid_utf8_body_gets_each_familys_parameter_error() {
    let api = Api::new().await;
    let ct = ("content-type", "application/json");

    let r = api
        .post_raw(koo::SESSION, &[ct], b"{\"code\":\"\xff\xfe\"}")
        .await;
    koodrive_err(&r, 400, 13000102, "Verify parameters failed.");

    let mut h = oneaccess_login_headers();
    h.push(ct);
    let r = api
        .post_raw(
            oa::LOGIN,
            &h,
            b"{\"user_name\":\"\xff\",\"password\":\"x\"}",
        )
        .await;
    oneaccess_err(&r, 400, "PARAM.0001", "Invalid request body.");

    let r = api
        .post_raw(
            enos::LOGIN,
            &[ct],
            b"{\"account\":\"\xff\",\"password\":\"Test1234\"}",
        )
        .await;
    enos_err(&r, 31400, "Invalid request parameters");

    let r = api
        .post_raw(
            enos::SET,
            &[
                ct,
                (
                    "authorization",
                    "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
                ),
            ],
            b"{\"orgId\":\"\xc3\x28\"}",
        )
        .await;
    enos_err(&r, 31400, "Invalid request parameters");
}

// JSON text is UTF-8 (RFC 8259): a body with invalid UTF-8 does not parse, even when the bad bytes sit
// in a field the route ignores.

#[tokio::test]
async fn invalid_utf8_in_an_ignored_field_gets_the_koodrive_parameter_error() {
    let api = Api::new().await;
    let mut bad = format!("{{\"code\":\"{}\",\"x\":\"", koo::SEED_CODE).into_bytes();
    bad.extend_from_slice(b"\xff\xfe\"}");

    let r = api
        .post_raw(koo::SESSION, &[("content-type", "application/json")], &bad)
        .await;

    koodrive_err(&r, 400, 13000102, "Verify parameters failed.");
}

#[tokio::test]
async fn invalid_utf8_in_an_ignored_field_gets_the_oneaccess_parameter_error() {
    let api = Api::new().await;
    let mut h = oneaccess_login_headers();
    h.push(("content-type", "application/json"));

    let r = api
        .post_raw(
            oa::LOGIN,
            &h,
            b"{\"user_name\":\"zhangsan\",\"password\":\"Zhangsan@123\",\"x\":\"\xff\xfe\"}",
        )
        .await;

    oneaccess_err(&r, 400, "PARAM.0001", "Invalid request body.");
}

#[tokio::test]
async fn invalid_utf8_in_an_ignored_field_gets_the_enos_parameter_error() {
    let api = Api::new().await;
    let ct = ("content-type", "application/json");

    let r = api
        .post_raw(
            enos::LOGIN,
            &[ct],
            b"{\"account\":\"portal_demo\",\"password\":\"Test1234\",\"x\":\"\xff\xfe\"}",
        )
        .await;
    enos_err(&r, 31400, "Invalid request parameters");

    let r = api
        .post_raw(
            enos::SET,
            &[
                ct,
                (
                    "authorization",
                    "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
                ),
            ],
            b"{\"orgId\":\"yourOrgId\",\"x\":\"\xff\xfe\"}",
        )
        .await;
    enos_err(&r, 31400, "Invalid request parameters");
}

#[tokio::test]
async fn a_json_number_where_a_string_is_expected_is_taken_as_its_text() {
    let api = Api::new().await;

    let r = api
        .post(
            koo::LOGIN,
            &[("x-hw-agentName", "rules-test")],
            json!({"account": 27188460911_i64, "authType": 1, "password": koo::PASSWORD}),
        )
        .await;

    // account 27188460911 is not "0027188460911": the number's text has no leading zeros, so the
    // login fails on the credentials (not on the parameters) and authType 1 was understood.
    koodrive_err(&r, 401, 13000203, "Incorrect account or password.");

    let r = api
        .post(
            koo::LOGIN,
            &[("x-hw-agentName", "rules-test")],
            json!({"account": koo::ACCOUNT, "authType": 1, "password": koo::PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["code"], json!(0), "{}", r.text);
}

#[tokio::test]
async fn credentials_with_surrounding_spaces_are_wrong_credentials() {
    let api = Api::new().await;
    let h = [("x-hw-agentName", "tests")];
    for pw in ["123qweASD143 ", " 123qweASD143"] {
        let r = api.post(koo::LOGIN, &h, login_body(pw)).await;
        assert_eq!(
            (r.status, &r.body["code"]),
            (401, &json!(13000203)),
            "{pw:?}"
        );
    }
    let r = api
        .post(
            koo::LOGIN,
            &h,
            json!({"account": koo::ACCOUNT, "authType": " 1 ", "password": koo::PASSWORD}),
        )
        .await;
    assert_eq!((r.status, &r.body["code"]), (400, &json!(13000102)));
    let r = api
        .post(koo::SESSION, &[], json!({"code": " koo-admin-code "}))
        .await;
    assert_eq!((r.status, &r.body["code"]), (400, &json!(13000201)));
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret=demo-client-secret%20",
        oa::CLIENT_ID
    );
    let r = api.post_raw(oa::TOKEN, &[], form.as_bytes()).await;
    assert_eq!(
        (r.status, &r.body["error_code"]),
        (401, &json!("invalid_client"))
    );
    // The exact credentials still work.
    let r = api.post(koo::LOGIN, &h, login_body(koo::PASSWORD)).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn a_number_where_a_string_is_expected_is_taken_as_its_exact_json_text() {
    let api = Api::new().await;
    let user = json!({
        "userId": "7700000000000000001", "userName": "num", "innerUserId": "i1",
        "orgId": "9190086000001721760", "deptId": "1", "role": "1", "account": "num",
        "password": "1.10", "verificationCode": "1e2"
    });
    let r = api.post("/__admin/koodrive/users", &[], user).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let h = [
        ("x-hw-agentName", "tests"),
        ("content-type", "application/json"),
    ];
    let by_password = br#"{"account":"num","authType":1,"password":1.10}"#;
    let r = api.post_raw(koo::LOGIN, &h, by_password).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let by_code = br#"{"account":"num","authType":2,"captchaToken":1e2}"#;
    let r = api.post_raw(koo::LOGIN, &h, by_code).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let other_spelling = br#"{"account":"num","authType":1,"password":1.1}"#;
    let r = api.post_raw(koo::LOGIN, &h, other_spelling).await;
    assert_eq!(r.body["code"], 13000203, "{}", r.text);
}

#[tokio::test]
async fn json_escapes_in_request_fields_are_decoded_before_they_are_compared() {
    let api = Api::new().await;
    let h = [
        ("x-hw-agentName", "tests"),
        ("content-type", "application/json"),
    ];
    // "0027188460911" / "123qweASD143" with escapes: the decoded text is what is compared.
    let escaped = br#"{"account":"\u0030027188460911","authType":"\u0031","password":"123qweASD\u00314\u0033"}"#;
    let r = api.post_raw(koo::LOGIN, &h, escaped).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["data"]["userInfo"]["phone"], "0027188460911");
    // The raw text of the escape is not the password.
    let literal =
        br#"{"account":"0027188460911","authType":"1","password":"123qweASD\\u00314\\u0033"}"#;
    let r = api.post_raw(koo::LOGIN, &h, literal).await;
    assert_eq!(r.body["code"], 13000203, "{}", r.text);
    let enos = br#"{"account":"portal\u005fdemo","password":"Test\u0031234"}"#;
    let r = api
        .post_raw(enos::LOGIN, &[("content-type", "application/json")], enos)
        .await;
    assert_eq!(r.body["code"], 0, "{}", r.text);
}
