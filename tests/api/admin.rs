//! The control plane under `/__admin` (issue 3): health, reset, state, identities added and removed at
//! run time, minted codes, token revocation, the request journal, faults, the clock, namespaces,
//! determinism under a seed, and the admin token — all over HTTP.

use crate::helpers::{Api, Resp};
use authmock::MockServer;
use futures::future::join_all;
use serde_json::{json, Value};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const KOO_LOGIN: &str = "/koodrive/ose/v1/auth/login";
const KOO_REFRESH_TOKEN: &str = "/koodrive/ose/v1/auth/refreshToken";
const KOO_SESSION: &str = "/koodrive/ose/v1/session/";
const KOO_AUTH: &str = "/koodrive/ose/v1/session/auth";
const OA_TOKEN: &str = "/api/v2/tenant/token";
const OA_LOGIN: &str = "/api/v2/sdk/login";
const OA_TICKET: &str = "/api/v2/tenant/sso/session-token/sso-ticket";
const OA_VERIFY: &str = "/api/v2/tenant/sso/sso-ticket/verify";
const ENOS_LOGIN: &str = "/app-portal-service/v2.2/login";
const ENOS_SET: &str = "/app-portal-service/v2.2/session/set";
const ENOS_INFO: &str = "/app-portal-service/v2.2/session/info";
const ENOS_REFRESH: &str = "/app-portal-service/v2.2/token/refresh";

const AGENT: (&str, &str) = ("x-hw-agentName", "authmock-tests");
const KOO_ACCOUNT: &str = "0027188460911";
const KOO_PASSWORD: &str = "123qweASD143";
const KOO_LOGIN_USER_ID: &str = "1882575898755117312";
/// The seed 000 example code: a reusable fixture code of user 1008600000701011122.
const SEED_CODE: &str = "FrbMohdqi86v6sMZlFSSuG3E0_9RsDpL08BlYfNQPhvibLET266cQhDI_WczEXJOAoIoKGCdqN2shKX1yfqrVci8nSFdMlxljNFhoffVvH93uSzIoyFxK4P7yhY6fDXa";
const SEED_USER_ID: &str = "1008600000701011122";
const KOO_USER_CODE: &str = "koo-user-code";
const KOO_USER_ID: &str = "1008600000701011201";
const KOO_ORG: &str = "9190086000001721760";
const KOO_TENANT: &str = "28389189a7744593a59940c0d0fcd451";
/// The seed 001 example request, byte for byte: its trailing comma makes it malformed JSON.
const SEED_001_WITH_COMMA: &str =
    "{\n\"account\": \"0027188460911\",\n\"authType\": \"1\",\n\"password\": \"123qweASD143\",\n}";

const OA_CLIENT_ID: &str = "9fIHl3Dc9ivToWLVtblrF6Sjv9Fx47JJ";
const OA_CLIENT_SECRET: &str = "demo-client-secret";
const OA_TENANT: &str = "08f770f51f80d2f40f38c00cb199fd21";
const OA_USER: &str = "zhangsan";
const OA_PASSWORD: &str = "Zhangsan@123";
const OA_USER_ID: &str = "20220126153857263-A04D-60E0D446C";
const FINGERPRINT: &str = "156aysdna213sac";

const ENOS_ACCOUNT: &str = "portal_demo";
const ENOS_PASSWORD: &str = "Test1234";
const ENOS_USER_ID: &str = "u15589316109091";
const ENOS_ORG: &str = "yourOrgId";
const ENOS_STATIC_TOKEN: &str = "APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44";

/// Every password and client secret of the default fixtures.
const FIXTURE_SECRETS: [&str; 12] = [
    "Super@Koo2024",
    "123qweASD143",
    "Admin@Koo123",
    "User@Koo123",
    "Zhangsan@123",
    "Admin@OneAccess1",
    "Lisi@12345",
    "Test1234",
    "Admin1234",
    "User1234",
    "demo-client-secret",
    "other-client-secret",
];

const JAN_2026: &str = "2026-01-01T00:00:00Z";
const JAN_2026_MS: i64 = 1_767_225_600_000;

// ---------------------------------------------------------------------------------------------
// plumbing

/// The header that selects a namespace.
fn ns(name: &str) -> [(&str, &str); 1] {
    [("X-Mock-Namespace", name)]
}

fn cat<'a>(a: &[(&'a str, &'a str)], b: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v = a.to_vec();
    v.extend_from_slice(b);
    v
}

fn system_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("system clock after 1970")
        .as_millis() as i64
}

/// `YYYY-MM-DDTHH:MM:SS` of an instant in UTC (Howard Hinnant's civil-from-days).
fn utc_prefix(epoch_ms: i64) -> String {
    let secs = epoch_ms.div_euclid(1000);
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    )
}

/// Asserts `v` is the RFC 3339 UTC text of the instant `epoch_ms` (to the second).
fn assert_instant(v: &Value, epoch_ms: i64) {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("not an RFC 3339 string: {v}"));
    assert!(
        s.starts_with(&utc_prefix(epoch_ms)) && s.ends_with('Z'),
        "{s:?} is not {} UTC",
        utc_prefix(epoch_ms)
    );
}

/// Asserts `v` looks like an RFC 3339 UTC instant: `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
fn assert_rfc3339(v: &Value) {
    let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    assert!(
        b.len() >= 20
            && digits(0..4)
            && b[4] == b'-'
            && digits(5..7)
            && b[7] == b'-'
            && digits(8..10)
            && b[10] == b'T'
            && digits(11..13)
            && b[13] == b':'
            && digits(14..16)
            && b[16] == b':'
            && digits(17..19)
            && s.ends_with('Z'),
        "{s:?} is not RFC 3339 UTC"
    );
}

fn assert_status(r: &Resp, status: u16) {
    assert_eq!(r.status, status, "{}", r.text);
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

fn koo_error(r: &Resp, status: u16, code: i64, msg: &str) {
    assert_eq!(
        (r.status, &r.body),
        (status, &json!({ "code": code, "msg": msg })),
        "{}",
        r.text
    );
}

fn koo_session_invalid(r: &Resp) {
    koo_error(r, 401, 13000202, "Session is invalid or expired.");
}

fn koo_wrong_password(r: &Resp) {
    koo_error(r, 401, 13000203, "Incorrect account or password.");
}

fn koo_bad_code(r: &Resp) {
    koo_error(
        r,
        400,
        13000201,
        "Authorization code is invalid or expired.",
    );
}

fn oa_error(r: &Resp, status: u16, code: &str, msg: &str) {
    assert_eq!(
        (r.status, &r.body),
        (status, &json!({ "error_code": code, "error_msg": msg })),
        "{}",
        r.text
    );
}

fn enos_error(r: &Resp, code: i64, message: &str) {
    assert_eq!(
        (r.status, &r.body),
        (
            200,
            &json!({ "code": code, "message": message, "data": null })
        ),
        "{}",
        r.text
    );
}

/// Asserts the EnOS success envelope and returns `data`.
fn enos_ok(r: &Resp) -> &Value {
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["code"], json!(0), "{}", r.text);
    &r.body["data"]
}

/// Asserts a KooDrive success (HTTP 200, code 0) and returns `data`.
fn koo_ok(r: &Resp) -> &Value {
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["code"], json!(0), "{}", r.text);
    &r.body["data"]
}

/// Asserts a control-plane error: the status and a JSON `{"error": "<message>"}`; returns the message.
fn admin_error(r: &Resp, status: u16) -> String {
    assert_eq!(r.status, status, "{}", r.text);
    r.body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error message: {}", r.text))
        .to_owned()
}

/// Asserts a 400 whose message names every one of `words`.
fn assert_refused_naming(r: &Resp, words: &[&str]) {
    let msg = admin_error(r, 400);
    for w in words {
        assert!(msg.contains(w), "{msg:?} does not name {w:?}");
    }
}

/// Asserts `shown` is `raw` masked: its first 4 characters kept, the rest gone.
fn assert_masked(shown: &Value, raw: &str) {
    let s = shown
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {shown}"));
    // Exactly the first 4 characters and the mask: nothing else of the secret survives. (A substring
    // check would misfire on short secrets whose tail repeats their head, e.g. a code "123412".)
    assert_eq!(
        s,
        format!("{}****", &raw[..4]),
        "{s:?} is not {raw:?} masked"
    );
}

// ---------------------------------------------------------------------------------------------
// vendor calls

async fn koo_login(api: &Api, h: &[(&str, &str)]) -> Resp {
    koo_login_as(api, KOO_ACCOUNT, KOO_PASSWORD, h).await
}

async fn koo_login_as(api: &Api, account: &str, password: &str, h: &[(&str, &str)]) -> Resp {
    api.post(
        KOO_LOGIN,
        &cat(&[AGENT], h),
        json!({ "account": account, "authType": "1", "password": password }),
    )
    .await
}

/// A successful KooDrive login's `sessionInfo`.
async fn koo_session_info(api: &Api, h: &[(&str, &str)]) -> Value {
    let r = koo_login(api, h).await;
    koo_ok(&r)["sessionInfo"].clone()
}

async fn koo_create_session(api: &Api, code: &str, h: &[(&str, &str)]) -> Resp {
    api.post(KOO_SESSION, h, json!({ "code": code })).await
}

/// A session token (`Bearer <48 hex>`) from createSession.
async fn koo_session(api: &Api, code: &str, h: &[(&str, &str)]) -> String {
    let r = koo_create_session(api, code, h).await;
    koo_ok(&r)["accessToken"]
        .as_str()
        .expect("accessToken")
        .to_owned()
}

async fn koo_auth(api: &Api, token: &str, h: &[(&str, &str)]) -> Resp {
    api.get(KOO_AUTH, &cat(&[("Authorization", token)], h))
        .await
}

async fn oa_token_request(api: &Api, h: &[(&str, &str)]) -> Resp {
    let form = format!(
        "grant_type=client_credentials&client_id={OA_CLIENT_ID}&client_secret={OA_CLIENT_SECRET}"
    );
    api.post_raw(
        OA_TOKEN,
        &cat(&[("content-type", "application/x-www-form-urlencoded")], h),
        form.as_bytes(),
    )
    .await
}

/// A OneAccess app access token.
async fn oa_app_token(api: &Api, h: &[(&str, &str)]) -> String {
    let r = oa_token_request(api, h).await;
    assert_status(&r, 200);
    r.body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

async fn oa_login(api: &Api, user: &str, password: &str, h: &[(&str, &str)]) -> Resp {
    let base = [
        ("X-client-id", OA_CLIENT_ID),
        ("X-device-fingerprint", FINGERPRINT),
        ("X-operating-sys-version", "Android 10"),
        ("X-agent", "authmock-tests"),
    ];
    api.post(
        OA_LOGIN,
        &cat(&base, h),
        json!({ "user_name": user, "password": password }),
    )
    .await
}

/// A OneAccess session token of zhangsan.
async fn oa_session_token(api: &Api, h: &[(&str, &str)]) -> String {
    let r = oa_login(api, OA_USER, OA_PASSWORD, h).await;
    assert_status(&r, 200);
    r.body["session_token"]
        .as_str()
        .expect("session_token")
        .to_owned()
}

async fn oa_ticket(api: &Api, app: &str, session: &str, h: &[(&str, &str)]) -> Resp {
    let auth = format!("Bearer {app}");
    api.post(
        OA_TICKET,
        &cat(&[("Authorization", auth.as_str())], h),
        json!({
            "session_token": session,
            "operating_sys_version": "Android 10",
            "device_ip": "10.10.10.1",
            "device_fingerprint": FINGERPRINT,
            "client_id": OA_CLIENT_ID
        }),
    )
    .await
}

async fn oa_verify(api: &Api, app: &str, ticket: &str, h: &[(&str, &str)]) -> Resp {
    let auth = format!("Bearer {app}");
    api.post(
        OA_VERIFY,
        &cat(&[("Authorization", auth.as_str())], h),
        json!({
            "sso_ticket": ticket,
            "operating_sys_version": "Android 10",
            "device_ip": "10.10.10.1",
            "device_fingerprint": FINGERPRINT,
            "agent": "authmock-tests"
        }),
    )
    .await
}

async fn enos_login(api: &Api, account: &str, password: &str, h: &[(&str, &str)]) -> Resp {
    api.post(
        ENOS_LOGIN,
        h,
        json!({ "account": account, "password": password }),
    )
    .await
}

/// An EnOS login-only token of portal_demo.
async fn enos_login_token(api: &Api, h: &[(&str, &str)]) -> String {
    let r = enos_login(api, ENOS_ACCOUNT, ENOS_PASSWORD, h).await;
    enos_ok(&r)["accessToken"]
        .as_str()
        .expect("accessToken")
        .to_owned()
}

async fn enos_set(api: &Api, token: &str, org: &str, h: &[(&str, &str)]) -> Resp {
    let auth = format!("Bearer {token}");
    api.post(
        ENOS_SET,
        &cat(&[("Authorization", auth.as_str())], h),
        json!({ "orgId": org }),
    )
    .await
}

/// An org-bound EnOS access token of portal_demo in `yourOrgId`.
async fn enos_access_token(api: &Api, h: &[(&str, &str)]) -> String {
    let login = enos_login_token(api, h).await;
    let r = enos_set(api, &login, ENOS_ORG, h).await;
    enos_ok(&r)["accessToken"]
        .as_str()
        .expect("accessToken")
        .to_owned()
}

async fn enos_info(api: &Api, token: &str, h: &[(&str, &str)]) -> Resp {
    let auth = format!("Bearer {token}");
    api.get(ENOS_INFO, &cat(&[("Authorization", auth.as_str())], h))
        .await
}

// ---------------------------------------------------------------------------------------------
// control-plane calls

async fn admin(api: &Api, method: &str, path: &str, body: Value, h: &[(&str, &str)]) -> Resp {
    api.send(
        method,
        path,
        &cat(&[("content-type", "application/json")], h),
        Some(body.to_string().into_bytes()),
    )
    .await
}

/// `POST /__admin/clock`, asserting success; returns the clock it reports.
async fn clock(api: &Api, body: Value, h: &[(&str, &str)]) -> Value {
    let r = admin(api, "POST", "/__admin/clock", body, h).await;
    assert_status(&r, 200);
    r.body
}

async fn get_clock(api: &Api, h: &[(&str, &str)]) -> Value {
    let r = api.get("/__admin/clock", h).await;
    assert_status(&r, 200);
    r.body
}

/// Freezes the clock, then sets it to `instant`.
async fn freeze_at(api: &Api, instant: &str, h: &[(&str, &str)]) {
    clock(api, json!({ "freeze": true }), h).await;
    clock(api, json!({ "set": instant }), h).await;
}

async fn state(api: &Api, query: &str, h: &[(&str, &str)]) -> Resp {
    let r = api.get(&format!("/__admin/state{query}"), h).await;
    assert_status(&r, 200);
    r
}

async fn journal(api: &Api, query: &str, h: &[(&str, &str)]) -> Vec<Value> {
    let r = api.get(&format!("/__admin/requests{query}"), h).await;
    assert_status(&r, 200);
    r.body["requests"]
        .as_array()
        .unwrap_or_else(|| panic!("no requests array: {}", r.text))
        .clone()
}

/// `POST /__admin/faults`, asserting 201 `{"id"}`; returns the id.
async fn add_fault(api: &Api, body: Value, h: &[(&str, &str)]) -> String {
    let r = admin(api, "POST", "/__admin/faults", body, h).await;
    assert_status(&r, 201);
    r.body["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no fault id: {}", r.text))
        .to_owned()
}

async fn faults(api: &Api, h: &[(&str, &str)]) -> Vec<Value> {
    let r = api.get("/__admin/faults", h).await;
    assert_status(&r, 200);
    r.body["faults"]
        .as_array()
        .unwrap_or_else(|| panic!("no faults array: {}", r.text))
        .clone()
}

async fn add(api: &Api, family: &str, what: &str, body: Value) -> Resp {
    admin(api, "POST", &format!("/__admin/{family}/{what}"), body, &[]).await
}

/// `POST /__admin/koodrive/auth-codes`, asserting 201; returns the response body.
async fn mint_auth_code(api: &Api, body: Value, h: &[(&str, &str)]) -> Value {
    let r = admin(api, "POST", "/__admin/koodrive/auth-codes", body, h).await;
    assert_status(&r, 201);
    r.body
}

/// `POST /__admin/koodrive/verification-codes`, asserting 201; returns the captchaToken.
async fn mint_captcha(api: &Api, account: &str) -> String {
    let r = admin(
        api,
        "POST",
        "/__admin/koodrive/verification-codes",
        json!({ "account": account }),
        &[],
    )
    .await;
    assert_status(&r, 201);
    r.body["captchaToken"]
        .as_str()
        .unwrap_or_else(|| panic!("no captchaToken: {}", r.text))
        .to_owned()
}

async fn koo_captcha_login(api: &Api, captcha: &str) -> Resp {
    api.post(
        KOO_LOGIN,
        &[AGENT],
        json!({ "account": KOO_ACCOUNT, "authType": "2", "captchaToken": captcha }),
    )
    .await
}

fn ids(list: &Value, field: &str) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {list}"))
        .iter()
        .map(|x| x[field].as_str().unwrap_or_default().to_owned())
        .collect();
    v.sort();
    v
}

/// A KooDrive user shaped as in `koodrive.json`.
fn koo_user(id: &str, account: &str, org: &str) -> Value {
    json!({
        "userId": id,
        "userName": account,
        "innerUserId": format!("{id}9"),
        "orgId": org,
        "deptId": "1574641574824974465",
        "role": "1",
        "account": account,
        "phone": "13800009999",
        "password": "N3w-Koo-Pass",
        "verificationCode": "777777",
        "firstname": "New",
        "surname": "Comer",
        "email": "new.comer@koodrive.example"
    })
}

/// A OneAccess user shaped as in `oneaccess.json`.
fn oa_user(id: &str, user_name: &str, tenant: &str) -> Value {
    json!({
        "id": id,
        "userName": user_name,
        "password": "Wangwu@12345",
        "name": user_name,
        "mobile": "+86-18300000099",
        "email": "wangwu@oneaccess.example",
        "tenantId": tenant
    })
}

/// An EnOS user shaped as in `enos.json`.
fn enos_user(id: &str, account: &str, orgs: &[&str]) -> Value {
    json!({
        "id": id,
        "account": account,
        "password": "NewUser1234",
        "name": account,
        "email": format!("{account}@example.com"),
        "adminLevel": 0,
        "orgs": orgs
    })
}

// =============================================================================================
// health

#[tokio::test]
async fn health_answers_ok_with_the_crate_version_and_uptime() {
    let api = Api::new().await;

    let r = api.get("/__admin/health", &[]).await;

    assert_status(&r, 200);
    assert!(
        r.header("content-type").starts_with("application/json"),
        "{:?}",
        r.header("content-type")
    );
    assert_eq!(keys(&r.body), ["status", "uptimeSeconds", "version"]);
    assert_eq!(r.body["status"], json!("ok"));
    assert_eq!(r.body["version"], json!(env!("CARGO_PKG_VERSION")));
    let uptime = r.body["uptimeSeconds"]
        .as_u64()
        .unwrap_or_else(|| panic!("uptimeSeconds is not a whole number: {}", r.text));
    assert!(uptime < 60, "a server just started: {uptime}");
}

// =============================================================================================
// reset

#[tokio::test]
async fn reset_revokes_issued_tokens_and_minted_codes() {
    let api = Api::new().await;
    let session = koo_session(&api, SEED_CODE, &[]).await;
    let app = oa_app_token(&api, &[]).await;
    let oa_session = oa_session_token(&api, &[]).await;
    let enos = enos_login_token(&api, &[]).await;
    let code = mint_auth_code(&api, json!({ "userId": KOO_USER_ID }), &[]).await;
    let captcha = mint_captcha(&api, KOO_ACCOUNT).await;

    let r = admin(&api, "POST", "/__admin/reset", json!({}), &[]).await;

    assert_status(&r, 200);
    koo_session_invalid(&koo_auth(&api, &session, &[]).await);
    oa_error(
        &oa_ticket(&api, &app, &oa_session, &[]).await,
        400,
        "invalid_token",
        &format!("Invalid access token: {app}"),
    );
    enos_error(
        &enos_set(&api, &enos, ENOS_ORG, &[]).await,
        31401,
        "Please login first",
    );
    koo_bad_code(&koo_create_session(&api, code["code"].as_str().expect("code"), &[]).await);
    koo_wrong_password(&koo_captcha_login(&api, &captcha).await);
    // The fixtures' own credentials are back.
    enos_ok(&enos_set(&api, ENOS_STATIC_TOKEN, ENOS_ORG, &[]).await);
    koo_ok(&koo_create_session(&api, SEED_CODE, &[]).await);
}

#[tokio::test]
async fn reset_restores_added_and_deleted_identities_to_the_fixtures() {
    let api = Api::new().await;
    assert_status(
        &add(
            &api,
            "koodrive",
            "users",
            koo_user("1008600000709990001", "new_comer", KOO_ORG),
        )
        .await,
        201,
    );
    assert_status(
        &add(
            &api,
            "enos",
            "orgs",
            json!({ "id": "oAdded", "name": "Added" }),
        )
        .await,
        201,
    );
    let r = api
        .delete(&format!("/__admin/koodrive/users/{KOO_USER_ID}"), &[])
        .await;
    assert_status(&r, 200);
    koo_ok(&koo_login_as(&api, "new_comer", "N3w-Koo-Pass", &[]).await);
    koo_bad_code(&koo_create_session(&api, KOO_USER_CODE, &[]).await);

    assert_status(
        &admin(&api, "POST", "/__admin/reset", json!({}), &[]).await,
        200,
    );

    koo_wrong_password(&koo_login_as(&api, "new_comer", "N3w-Koo-Pass", &[]).await);
    let data = koo_ok(&koo_create_session(&api, KOO_USER_CODE, &[]).await).clone();
    assert_eq!(data["userId"], json!(KOO_USER_ID));
    let st = state(&api, "", &[]).await.body;
    assert_eq!(
        ids(&st["enos"]["orgs"], "id"),
        ["o10000000000001", "o15589308944781", "yourOrgId"]
    );
    assert_eq!(
        ids(&st["koodrive"]["users"], "userId"),
        [
            "1008600000701011122",
            "1008600000701011200",
            "1008600000701011201",
            "1882575898755117312"
        ]
    );
}

#[tokio::test]
async fn reset_clears_lockouts_journal_faults_and_the_clock() {
    let api = Api::new().await;
    for _ in 0..5 {
        enos_error(
            &enos_login(&api, ENOS_ACCOUNT, "wrong", &[]).await,
            31400,
            "The user name or password is wrong.",
        );
    }
    enos_error(
        &enos_login(&api, ENOS_ACCOUNT, ENOS_PASSWORD, &[]).await,
        31429,
        "Attempt of accessing with incorrect password or IP reaches the limit. Please try again later.",
    );
    add_fault(
        &api,
        json!({ "route": "POST /api/v2/tenant/token", "times": 0, "status": 503 }),
        &[],
    )
    .await;
    assert_status(&oa_token_request(&api, &[]).await, 503);
    freeze_at(&api, JAN_2026, &[]).await;
    assert!(!journal(&api, "", &[]).await.is_empty());

    assert_status(
        &admin(&api, "POST", "/__admin/reset", json!({}), &[]).await,
        200,
    );

    assert_eq!(journal(&api, "", &[]).await, Vec::<Value>::new());
    assert_eq!(faults(&api, &[]).await, Vec::<Value>::new());
    let c = get_clock(&api, &[]).await;
    assert_eq!(c["mode"], json!("real"));
    let drift = (c["epochMs"].as_i64().expect("epochMs") - system_ms()).abs();
    assert!(drift < 60_000, "clock is back to real time: {c}");
    enos_ok(&enos_login(&api, ENOS_ACCOUNT, ENOS_PASSWORD, &[]).await);
    assert_status(&oa_token_request(&api, &[]).await, 200);
}

#[tokio::test]
async fn reset_touches_only_the_current_namespace_unless_all_is_true() {
    let api = Api::new().await;
    let a = ns("a");
    let in_a = koo_session(&api, SEED_CODE, &a).await;
    let in_default = koo_session(&api, SEED_CODE, &[]).await;

    assert_status(
        &admin(&api, "POST", "/__admin/reset", json!({}), &[]).await,
        200,
    );
    assert_status(&koo_auth(&api, &in_a, &a).await, 200);
    koo_session_invalid(&koo_auth(&api, &in_default, &[]).await);

    let in_default = koo_session(&api, SEED_CODE, &[]).await;
    assert_status(
        &admin(&api, "POST", "/__admin/reset", json!({}), &a).await,
        200,
    );
    koo_session_invalid(&koo_auth(&api, &in_a, &a).await);
    assert_status(&koo_auth(&api, &in_default, &[]).await, 200);

    let in_a = koo_session(&api, SEED_CODE, &a).await;
    assert_status(
        &admin(&api, "POST", "/__admin/reset?all=true", json!({}), &[]).await,
        200,
    );
    koo_session_invalid(&koo_auth(&api, &in_a, &a).await);
    koo_session_invalid(&koo_auth(&api, &in_default, &[]).await);
}

// =============================================================================================
// state

/// The entry of `token` (with or without its `Bearer `/`AT ` prefix) in a state dump.
fn token_entry<'a>(st: &'a Value, token: &str) -> &'a Value {
    let bare = token
        .strip_prefix("Bearer ")
        .or_else(|| token.strip_prefix("AT "))
        .unwrap_or(token);
    st["tokens"]
        .as_array()
        .unwrap_or_else(|| panic!("no tokens array: {st}"))
        .iter()
        .find(|t| t["token"] == json!(bare) || t["token"] == json!(token))
        .unwrap_or_else(|| panic!("{token} is not in the state's tokens"))
}

/// Asserts an entry's kind, owner, and issue/expiry instants (ms after 2026-01-01T00:00:00Z).
fn assert_token(entry: &Value, kind: &str, owner: &str, expires_after_ms: i64) {
    assert_eq!(entry["kind"], json!(kind), "{entry}");
    assert_eq!(entry["owner"], json!(owner), "{entry}");
    assert_instant(&entry["issuedAt"], JAN_2026_MS);
    assert_instant(&entry["expiresAt"], JAN_2026_MS + expires_after_ms);
}

#[tokio::test]
async fn state_lists_identities_codes_tickets_and_live_tokens_with_their_bindings() {
    let api = Api::new().await;
    freeze_at(&api, JAN_2026, &[]).await;
    let info = koo_session_info(&api, &[]).await;
    let access = info["accessToken"].as_str().expect("accessToken");
    let refresh = info["refreshToken"].as_str().expect("refreshToken");
    let created = koo_create_session(&api, SEED_CODE, &[]).await;
    let session = koo_ok(&created)["accessToken"].as_str().expect("token");
    let session_id = created.body["data"]["sessionId"].as_str().expect("id");
    let app = oa_app_token(&api, &[]).await;
    let oa_session = oa_session_token(&api, &[]).await;
    let t = oa_ticket(&api, &app, &oa_session, &[]).await;
    assert_status(&t, 200);
    let ticket = t.body["sso_ticket"].as_str().expect("sso_ticket");
    let enos = enos_access_token(&api, &[]).await;
    let code = mint_auth_code(&api, json!({ "userId": KOO_USER_ID }), &[]).await;
    let code = code["code"].as_str().expect("code");

    let st = state(&api, "", &[]).await.body;

    // identities
    assert_eq!(
        ids(&st["koodrive"]["users"], "userId"),
        [
            "1008600000701011122",
            "1008600000701011200",
            "1008600000701011201",
            "1882575898755117312"
        ]
    );
    assert_eq!(
        ids(&st["koodrive"]["orgs"], "orgId"),
        ["9190086000001721760", "9190086000001721761"]
    );
    assert_eq!(
        ids(&st["oneaccess"]["tenants"], "id"),
        [OA_TENANT, "5c1e0e2a9b7f4d3e8a6b1c2d3e4f5a6b"]
    );
    assert_eq!(
        ids(&st["oneaccess"]["clients"], "clientId"),
        [OA_CLIENT_ID, "OtherTenantApp0000000000000000001"]
    );
    assert_eq!(
        ids(&st["oneaccess"]["users"], "id"),
        [
            OA_USER_ID,
            "20220126153857263-A04D-60E0D4ADMIN",
            "20220126153857263-B05E-71F1E557D"
        ]
    );
    assert_eq!(
        ids(&st["enos"]["orgs"], "id"),
        ["o10000000000001", "o15589308944781", "yourOrgId"]
    );
    assert_eq!(
        ids(&st["enos"]["users"], "id"),
        ["u15589316109091", "u15589316109092", "u15589316109093"]
    );
    // reusable codes
    assert!(
        ids(&st["koodrive"]["authCodes"], "code").contains(&SEED_CODE.to_string()),
        "{}",
        st["koodrive"]["authCodes"]
    );

    // live tokens, codes and tickets: kind, owner, issued, expires, bindings
    let e = token_entry(&st, access);
    assert_token(e, "kooAccess", KOO_LOGIN_USER_ID, 30 * 60_000);
    assert_eq!(e["boundTo"]["linked"], json!(refresh), "{e}");
    let e = token_entry(&st, refresh);
    assert_token(e, "kooRefresh", KOO_LOGIN_USER_ID, 30 * 86_400_000);
    let e = token_entry(&st, session);
    assert_token(e, "kooSession", SEED_USER_ID, 20 * 60_000);
    assert_eq!(e["boundTo"]["session"], json!(session_id), "{e}");
    assert_eq!(e["boundTo"]["org"], json!(KOO_ORG), "{e}");
    let e = token_entry(&st, code);
    assert_token(e, "kooAuthCode", KOO_USER_ID, 5 * 60_000);
    let e = token_entry(&st, &app);
    assert_token(e, "oaAppToken", OA_CLIENT_ID, 1_800_000);
    assert_eq!(e["boundTo"]["client"], json!(OA_CLIENT_ID), "{e}");
    assert_eq!(e["boundTo"]["tenant"], json!(OA_TENANT), "{e}");
    let e = token_entry(&st, &oa_session);
    assert_token(e, "oaSession", OA_USER_ID, 604_800_000);
    assert_eq!(e["boundTo"]["fingerprint"], json!(FINGERPRINT), "{e}");
    assert_eq!(e["boundTo"]["client"], json!(OA_CLIENT_ID), "{e}");
    let e = token_entry(&st, ticket);
    assert_token(e, "oaTicket", OA_USER_ID, 9_600_000);
    assert_eq!(e["boundTo"]["fingerprint"], json!(FINGERPRINT), "{e}");
    let e = token_entry(&st, &enos);
    assert_token(e, "enosAccess", ENOS_USER_ID, 2 * 3_600_000);
    assert_eq!(e["boundTo"]["org"], json!(ENOS_ORG), "{e}");
}

#[tokio::test]
async fn state_never_shows_a_password_or_a_client_secret() {
    let api = Api::new().await;
    let added = add(
        &api,
        "koodrive",
        "users",
        koo_user("1008600000709990002", "secretive", KOO_ORG),
    )
    .await;
    assert_status(&added, 201);
    koo_session_info(&api, &[]).await;
    koo_ok(&koo_login_as(&api, "secretive", "N3w-Koo-Pass", &[]).await);
    let app = oa_app_token(&api, &[]).await;
    let session = oa_session_token(&api, &[]).await;
    assert_status(&oa_ticket(&api, &app, &session, &[]).await, 200);
    enos_access_token(&api, &[]).await;
    mint_captcha(&api, KOO_ACCOUNT).await;
    for _ in 0..3 {
        koo_login_as(&api, KOO_ACCOUNT, "wrong-password", &[]).await;
    }

    for query in ["", "?all=true"] {
        let st = state(&api, query, &[]).await;
        assert!(
            st.text.contains(OA_CLIENT_ID) && st.text.contains("secretive"),
            "the dump lists clients and users: {}",
            st.text
        );
        for secret in FIXTURE_SECRETS.iter().chain(&["N3w-Koo-Pass"]) {
            assert!(
                !st.text.contains(secret),
                "state{query} shows the secret {secret:?}"
            );
        }
    }
    assert!(
        !added.text.contains("N3w-Koo-Pass"),
        "the created user is echoed without its password: {}",
        added.text
    );
}

// =============================================================================================
// identities added and removed at run time

#[tokio::test]
async fn adding_a_koodrive_user_lets_it_log_in_and_create_a_session() {
    let api = Api::new().await;
    let id = "1008600000709990003";

    let r = add(
        &api,
        "koodrive",
        "users",
        koo_user(id, "new_comer", KOO_ORG),
    )
    .await;

    assert_status(&r, 201);
    assert_eq!(r.body["userId"], json!(id), "{}", r.text);
    assert!(r.body.get("password").is_none(), "{}", r.text);
    let login = koo_login_as(&api, "new_comer", "N3w-Koo-Pass", &[]).await;
    assert_eq!(
        koo_ok(&login)["userInfo"],
        json!({
            "userId": id,
            "firstname": "New",
            "surname": "Comer",
            "phone": "13800009999",
            "email": "new.comer@koodrive.example"
        })
    );
    let code = mint_auth_code(&api, json!({ "userId": id }), &[]).await;
    let s = koo_create_session(&api, code["code"].as_str().expect("code"), &[]).await;
    let info = &koo_ok(&s)["userInfo"];
    assert_eq!(info["userId"], json!(id));
    assert_eq!(info["orgName"], json!("lym09"));
}

#[tokio::test]
async fn adding_a_koodrive_org_lets_a_new_user_belong_to_it() {
    let api = Api::new().await;
    let org = json!({
        "orgId": "9190086000001729999",
        "orgName": "lym99",
        "tenantId": KOO_TENANT,
        "xhwSchema": "tenants1_added",
        "userCount": 7
    });

    let r = add(&api, "koodrive", "orgs", org).await;

    assert_status(&r, 201);
    assert_eq!(r.body["orgId"], json!("9190086000001729999"), "{}", r.text);
    let id = "1008600000709990004";
    assert_status(
        &add(
            &api,
            "koodrive",
            "users",
            koo_user(id, "org_member", "9190086000001729999"),
        )
        .await,
        201,
    );
    let code = mint_auth_code(&api, json!({ "userId": id }), &[]).await;
    let s = koo_create_session(&api, code["code"].as_str().expect("code"), &[]).await;
    let info = &koo_ok(&s)["userInfo"];
    assert_eq!(info["orgId"], json!("9190086000001729999"));
    assert_eq!(info["orgName"], json!("lym99"));
    assert_eq!(info["xhwSchema"], json!("tenants1_added"));
    assert_eq!(info["userCount"], json!(7));
}

#[tokio::test]
async fn adding_a_oneaccess_tenant_and_user_lets_the_user_log_in() {
    let api = Api::new().await;

    let tenant = add(
        &api,
        "oneaccess",
        "orgs",
        json!({ "id": "tenant-added", "name": "Added Tenant" }),
    )
    .await;
    let user = add(
        &api,
        "oneaccess",
        "users",
        oa_user("oa-added-1", "wangwu", OA_TENANT),
    )
    .await;
    let in_new_tenant = add(
        &api,
        "oneaccess",
        "users",
        oa_user("oa-added-2", "zhaoliu", "tenant-added"),
    )
    .await;

    assert_status(&tenant, 201);
    assert_eq!(tenant.body["id"], json!("tenant-added"), "{}", tenant.text);
    assert_status(&user, 201);
    assert_eq!(user.body["id"], json!("oa-added-1"), "{}", user.text);
    assert!(user.body.get("password").is_none(), "{}", user.text);
    assert_status(&in_new_tenant, 201);
    let r = oa_login(&api, "wangwu", "Wangwu@12345", &[]).await;
    assert_status(&r, 200);
    assert_eq!(r.body["status"], json!("SUCCESS"), "{}", r.text);
    let session = r.body["session_token"].as_str().expect("session_token");
    let app = oa_app_token(&api, &[]).await;
    let ticket = oa_ticket(&api, &app, session, &[]).await;
    assert_status(&ticket, 200);
    let v = oa_verify(
        &api,
        &app,
        ticket.body["sso_ticket"].as_str().expect("ticket"),
        &[],
    )
    .await;
    assert_status(&v, 200);
    assert_eq!(
        v.body["data"]["user"]["id"],
        json!("oa-added-1"),
        "{}",
        v.text
    );
}

#[tokio::test]
async fn adding_an_enos_org_and_user_lets_the_user_log_in_and_choose_the_org() {
    let api = Api::new().await;

    let org = add(
        &api,
        "enos",
        "orgs",
        json!({ "id": "oAdded0001", "name": "Added Org" }),
    )
    .await;
    let user = add(
        &api,
        "enos",
        "users",
        enos_user("uAdded0001", "added_user", &["oAdded0001"]),
    )
    .await;

    assert_status(&org, 201);
    assert_eq!(org.body["id"], json!("oAdded0001"), "{}", org.text);
    assert_status(&user, 201);
    assert_eq!(user.body["id"], json!("uAdded0001"), "{}", user.text);
    assert!(user.body.get("password").is_none(), "{}", user.text);
    let login = enos_login(&api, "added_user", "NewUser1234", &[]).await;
    let data = enos_ok(&login);
    assert_eq!(
        data["organizations"],
        json!([{ "id": "oAdded0001", "name": "Added Org" }])
    );
    assert_eq!(
        data["user"],
        json!({ "id": "uAdded0001", "name": "added_user", "email": "added_user@example.com" })
    );
    let set = enos_set(
        &api,
        data["accessToken"].as_str().expect("token"),
        "oAdded0001",
        &[],
    )
    .await;
    assert_eq!(enos_ok(&set)["currentOrgName"], json!("Added Org"));
}

#[tokio::test]
async fn adding_a_user_with_an_unknown_org_or_tenant_answers_400_naming_it() {
    let api = Api::new().await;

    let koo = add(
        &api,
        "koodrive",
        "users",
        koo_user("1008600000709990005", "orphan", "no-such-org"),
    )
    .await;
    let oa = add(
        &api,
        "oneaccess",
        "users",
        oa_user("oa-orphan", "orphan", "no-such-tenant"),
    )
    .await;
    let enos = add(
        &api,
        "enos",
        "users",
        enos_user("uOrphan", "orphan", &["yourOrgId", "no-such-org"]),
    )
    .await;

    assert_refused_naming(&koo, &["orgId", "no-such-org"]);
    assert_refused_naming(&oa, &["tenantId", "no-such-tenant"]);
    assert_refused_naming(&enos, &["orgs[1]", "no-such-org"]);
    // Nothing was added.
    koo_wrong_password(&koo_login_as(&api, "orphan", "N3w-Koo-Pass", &[]).await);
    enos_error(
        &enos_login(&api, "orphan", "NewUser1234", &[]).await,
        31400,
        "The user name or password is wrong.",
    );
}

#[tokio::test]
async fn adding_a_duplicate_user_answers_400_naming_it() {
    let api = Api::new().await;

    let koo_id = add(
        &api,
        "koodrive",
        "users",
        koo_user(KOO_USER_ID, "fresh_account", KOO_ORG),
    )
    .await;
    let koo_account = add(
        &api,
        "koodrive",
        "users",
        koo_user("1008600000709990006", KOO_ACCOUNT, KOO_ORG),
    )
    .await;
    let oa_id = add(
        &api,
        "oneaccess",
        "users",
        oa_user(OA_USER_ID, "fresh", OA_TENANT),
    )
    .await;
    let oa_name = add(
        &api,
        "oneaccess",
        "users",
        oa_user("oa-fresh", OA_USER, OA_TENANT),
    )
    .await;
    let enos_id = add(&api, "enos", "users", enos_user(ENOS_USER_ID, "fresh", &[])).await;
    let enos_account = add(
        &api,
        "enos",
        "users",
        enos_user("uFresh", ENOS_ACCOUNT, &[]),
    )
    .await;

    assert_refused_naming(&koo_id, &["duplicate", "userId", KOO_USER_ID]);
    assert_refused_naming(&koo_account, &["account", KOO_ACCOUNT]);
    assert_refused_naming(&oa_id, &["duplicate", OA_USER_ID]);
    assert_refused_naming(&oa_name, &["duplicate", OA_USER]);
    assert_refused_naming(&enos_id, &["duplicate", ENOS_USER_ID]);
    assert_refused_naming(&enos_account, &["duplicate", ENOS_ACCOUNT]);
    // The fixture users are untouched.
    koo_ok(&koo_login(&api, &[]).await);
    assert_status(&oa_login(&api, OA_USER, OA_PASSWORD, &[]).await, 200);
    enos_ok(&enos_login(&api, ENOS_ACCOUNT, ENOS_PASSWORD, &[]).await);
}

#[tokio::test]
async fn adding_a_duplicate_org_answers_400_naming_it() {
    let api = Api::new().await;

    let koo = add(
        &api,
        "koodrive",
        "orgs",
        json!({ "orgId": KOO_ORG, "orgName": "clash", "tenantId": KOO_TENANT, "xhwSchema": "x" }),
    )
    .await;
    let oa = add(
        &api,
        "oneaccess",
        "orgs",
        json!({ "id": OA_TENANT, "name": "clash" }),
    )
    .await;
    let enos = add(
        &api,
        "enos",
        "orgs",
        json!({ "id": ENOS_ORG, "name": "clash" }),
    )
    .await;

    assert_refused_naming(&koo, &["duplicate", KOO_ORG]);
    assert_refused_naming(&oa, &["duplicate", OA_TENANT]);
    assert_refused_naming(&enos, &["duplicate", ENOS_ORG]);
    let set = enos_set(&api, ENOS_STATIC_TOKEN, ENOS_ORG, &[]).await;
    assert_eq!(enos_ok(&set)["currentOrgName"], json!("Portal Demo"));
}

#[tokio::test]
async fn adding_a_user_shaped_unlike_the_fixture_file_answers_400() {
    let api = Api::new().await;
    let mut no_password = koo_user("1008600000709990007", "badly_shaped", KOO_ORG);
    no_password["password"] = json!("");
    let mut bad_role = koo_user("1008600000709990007", "badly_shaped", KOO_ORG);
    bad_role["role"] = json!("9");
    let mut unknown_field = koo_user("1008600000709990007", "badly_shaped", KOO_ORG);
    unknown_field["nickname"] = json!("Nick");
    let mut missing_field = enos_user("uBad", "badly_shaped", &[]);
    missing_field
        .as_object_mut()
        .expect("object")
        .remove("name");

    let no_password = add(&api, "koodrive", "users", no_password).await;
    let bad_role = add(&api, "koodrive", "users", bad_role).await;
    let unknown_field = add(&api, "koodrive", "users", unknown_field).await;
    let missing_field = add(&api, "enos", "users", missing_field).await;
    let not_json = api
        .post_raw(
            "/__admin/koodrive/users",
            &[("content-type", "application/json")],
            b"{\"userId\":",
        )
        .await;

    assert_refused_naming(&no_password, &["password"]);
    assert_refused_naming(&bad_role, &["role"]);
    assert_refused_naming(&unknown_field, &["nickname"]);
    assert_refused_naming(&missing_field, &["name"]);
    admin_error(&not_json, 400);
    koo_wrong_password(&koo_login_as(&api, "badly_shaped", "N3w-Koo-Pass", &[]).await);
}

#[tokio::test]
async fn adding_a_user_to_an_unknown_family_answers_404_naming_it() {
    let api = Api::new().await;

    let r = add(&api, "acme", "users", json!({ "id": "x" })).await;

    let msg = admin_error(&r, 404);
    assert!(msg.contains("acme"), "{msg}");
}

#[tokio::test]
async fn deleting_a_koodrive_user_stops_its_tokens_codes_and_login() {
    let api = Api::new().await;
    let session = koo_session(&api, KOO_USER_CODE, &[]).await;
    let info = koo_session_info(&api, &[]).await;
    assert_status(&koo_auth(&api, &session, &[]).await, 200);

    let r = api
        .delete(&format!("/__admin/koodrive/users/{KOO_USER_ID}"), &[])
        .await;
    let r2 = api
        .delete(&format!("/__admin/koodrive/users/{KOO_LOGIN_USER_ID}"), &[])
        .await;

    assert_status(&r, 200);
    assert_status(&r2, 200);
    koo_session_invalid(&koo_auth(&api, &session, &[]).await);
    koo_bad_code(&koo_create_session(&api, KOO_USER_CODE, &[]).await);
    koo_wrong_password(&koo_login_as(&api, "koo_user", "User@Koo123", &[]).await);
    let access = info["accessToken"].as_str().expect("accessToken");
    let auth = format!("AT+{}", access.trim_start_matches("AT "));
    let refresh = api
        .post(
            KOO_REFRESH_TOKEN,
            &[("Authorization", auth.as_str())],
            json!({ "refreshToken": info["refreshToken"] }),
        )
        .await;
    koo_session_invalid(&refresh);
    // The other users are still there.
    koo_ok(&koo_create_session(&api, SEED_CODE, &[]).await);
}

#[tokio::test]
async fn deleting_a_oneaccess_user_stops_its_session_and_login() {
    let api = Api::new().await;
    let app = oa_app_token(&api, &[]).await;
    let session = oa_session_token(&api, &[]).await;
    assert_status(&oa_ticket(&api, &app, &session, &[]).await, 200);

    let r = api
        .delete(&format!("/__admin/oneaccess/users/{OA_USER_ID}"), &[])
        .await;

    assert_status(&r, 200);
    oa_error(
        &oa_ticket(&api, &app, &session, &[]).await,
        400,
        "SESSION.0001",
        "Session token is invalid or expired.",
    );
    let login = oa_login(&api, OA_USER, OA_PASSWORD, &[]).await;
    assert_status(&login, 400);
    assert_eq!(
        login.body["error_code"],
        json!("LOGIN.0002"),
        "{}",
        login.text
    );
}

#[tokio::test]
async fn deleting_an_enos_user_stops_its_tokens_and_login() {
    let api = Api::new().await;
    let access = enos_access_token(&api, &[]).await;
    enos_ok(&enos_info(&api, &access, &[]).await);

    let r = api
        .delete(&format!("/__admin/enos/users/{ENOS_USER_ID}"), &[])
        .await;

    assert_status(&r, 200);
    enos_error(
        &enos_info(&api, &access, &[]).await,
        31401,
        "Please login first",
    );
    enos_error(
        &enos_set(&api, ENOS_STATIC_TOKEN, ENOS_ORG, &[]).await,
        31401,
        "Please login first",
    );
    enos_error(
        &enos_login(&api, ENOS_ACCOUNT, ENOS_PASSWORD, &[]).await,
        31400,
        "The user name or password is wrong.",
    );
}

#[tokio::test]
async fn deleting_an_unknown_user_answers_404() {
    let api = Api::new().await;
    let path = format!("/__admin/enos/users/{ENOS_USER_ID}");
    assert_status(&api.delete(&path, &[]).await, 200);

    let unknown = api.delete("/__admin/enos/users/uNobody", &[]).await;
    let again = api.delete(&path, &[]).await;

    admin_error(&unknown, 404);
    admin_error(&again, 404);
}

// =============================================================================================
// minted codes

#[tokio::test]
async fn a_minted_auth_code_creates_one_session_then_answers_13000201() {
    let api = Api::new().await;
    freeze_at(&api, JAN_2026, &[]).await;

    let minted = mint_auth_code(&api, json!({ "userId": KOO_USER_ID }), &[]).await;

    let code = minted["code"].as_str().expect("code");
    assert!(!code.is_empty());
    assert_instant(&minted["expiresAt"], JAN_2026_MS + 5 * 60_000);
    let first = koo_create_session(&api, code, &[]).await;
    assert_eq!(koo_ok(&first)["userId"], json!(KOO_USER_ID));
    koo_bad_code(&koo_create_session(&api, code, &[]).await);
}

#[tokio::test]
async fn a_minted_auth_code_honours_ttl_seconds() {
    let api = Api::new().await;
    freeze_at(&api, JAN_2026, &[]).await;
    let body = json!({ "userId": KOO_USER_ID, "ttlSeconds": 60 });
    let first = mint_auth_code(&api, body.clone(), &[]).await;
    let second = mint_auth_code(&api, body, &[]).await;
    assert_instant(&first["expiresAt"], JAN_2026_MS + 60_000);

    clock(&api, json!({ "advance": "59s" }), &[]).await;
    let before = koo_create_session(&api, first["code"].as_str().expect("code"), &[]).await;
    clock(&api, json!({ "advance": 2 }), &[]).await;
    let after = koo_create_session(&api, second["code"].as_str().expect("code"), &[]).await;

    koo_ok(&before);
    koo_bad_code(&after);
}

#[tokio::test]
async fn a_minted_verification_code_logs_in_with_auth_type_2_once() {
    let api = Api::new().await;

    let captcha = mint_captcha(&api, KOO_ACCOUNT).await;

    let first = koo_captcha_login(&api, &captcha).await;
    assert_eq!(
        koo_ok(&first)["userInfo"]["userId"],
        json!(KOO_LOGIN_USER_ID)
    );
    koo_wrong_password(&koo_captcha_login(&api, &captcha).await);
    // The fixture's standing code stays valid.
    koo_ok(&koo_captcha_login(&api, "123456").await);
}

#[tokio::test]
async fn minting_a_code_without_a_known_user_is_refused() {
    let api = Api::new().await;

    let no_user = admin(&api, "POST", "/__admin/koodrive/auth-codes", json!({}), &[]).await;
    let unknown_user = admin(
        &api,
        "POST",
        "/__admin/koodrive/auth-codes",
        json!({ "userId": "nobody" }),
        &[],
    )
    .await;
    let unknown_account = admin(
        &api,
        "POST",
        "/__admin/koodrive/verification-codes",
        json!({ "account": "nobody" }),
        &[],
    )
    .await;

    assert!(admin_error(&no_user, 400).contains("userId"));
    assert!(admin_error(&unknown_user, 404).contains("nobody"));
    assert!(admin_error(&unknown_account, 404).contains("nobody"));
}

// =============================================================================================
// token revocation

#[tokio::test]
async fn revoking_a_koodrive_session_token_answers_13000202_on_its_next_use() {
    let api = Api::new().await;
    let session = koo_session(&api, SEED_CODE, &[]).await;
    assert_status(&koo_auth(&api, &session, &[]).await, 200);

    let path = format!("/__admin/tokens/{}", session.replace(' ', "%20"));
    let r = api.delete(&path, &[]).await;

    assert_status(&r, 200);
    koo_session_invalid(&koo_auth(&api, &session, &[]).await);
}

#[tokio::test]
async fn revoking_a_oneaccess_app_token_answers_invalid_token_on_its_next_use() {
    let api = Api::new().await;
    let app = oa_app_token(&api, &[]).await;
    let session = oa_session_token(&api, &[]).await;
    assert_status(&oa_ticket(&api, &app, &session, &[]).await, 200);

    let r = api.delete(&format!("/__admin/tokens/{app}"), &[]).await;

    assert_status(&r, 200);
    oa_error(
        &oa_ticket(&api, &app, &session, &[]).await,
        400,
        "invalid_token",
        &format!("Invalid access token: {app}"),
    );
}

#[tokio::test]
async fn revoking_an_enos_access_token_answers_31401_on_its_next_use() {
    let api = Api::new().await;
    let access = enos_access_token(&api, &[]).await;
    enos_ok(&enos_info(&api, &access, &[]).await);

    let r = api.delete(&format!("/__admin/tokens/{access}"), &[]).await;

    assert_status(&r, 200);
    enos_error(
        &enos_info(&api, &access, &[]).await,
        31401,
        "Please login first",
    );
}

#[tokio::test]
async fn revoking_an_unknown_token_answers_404() {
    let api = Api::new().await;

    let r = api.delete("/__admin/tokens/not-a-token", &[]).await;

    admin_error(&r, 404);
}

// =============================================================================================
// the request journal

#[tokio::test]
async fn the_journal_records_each_exchange_newest_first() {
    let api = Api::new().await;
    let login = koo_login(&api, &[]).await;
    let refused = koo_auth(&api, "Bearer 0000", &[]).await;

    let entries = journal(&api, "", &[]).await;

    assert_eq!(entries.len(), 2, "{entries:?}");
    let (newest, oldest) = (&entries[0], &entries[1]);
    assert_eq!(newest["method"], json!("GET"));
    assert_eq!(newest["path"], json!(KOO_AUTH));
    assert_eq!(newest["route"], json!(KOO_AUTH));
    assert_eq!(newest["status"], json!(401));
    assert_eq!(newest["response"]["body"], refused.body);
    assert_eq!(oldest["method"], json!("POST"));
    assert_eq!(oldest["path"], json!(KOO_LOGIN));
    assert_eq!(oldest["route"], json!(KOO_LOGIN));
    assert_eq!(oldest["status"], json!(200));
    assert_eq!(
        oldest["request"]["headers"]["x-hw-agentname"],
        json!("authmock-tests")
    );
    assert_eq!(oldest["request"]["body"]["account"], json!(KOO_ACCOUNT));
    assert_eq!(oldest["request"]["body"]["authType"], json!("1"));
    assert_eq!(
        oldest["response"]["body"]["data"]["userInfo"],
        login.body["data"]["userInfo"]
    );
    for e in &entries {
        assert_rfc3339(&e["time"]);
        let ms = e["durationMs"]
            .as_f64()
            .unwrap_or_else(|| panic!("durationMs is not a number: {e}"));
        assert!((0.0..60_000.0).contains(&ms), "{e}");
    }
}

#[tokio::test]
async fn the_journal_masks_passwords_secrets_and_tokens() {
    let api = Api::new().await;
    // KooDrive: login, refreshToken, a verification-code login, a malformed login, createSession.
    let info = koo_session_info(&api, &[]).await;
    let access = info["accessToken"].as_str().expect("access").to_owned();
    let refresh = info["refreshToken"].as_str().expect("refresh").to_owned();
    let auth = format!("AT+{}", access.trim_start_matches("AT "));
    let rotated = api
        .post(
            KOO_REFRESH_TOKEN,
            &[("Authorization", auth.as_str())],
            json!({ "refreshToken": refresh }),
        )
        .await;
    let rotated = koo_ok(&rotated)["sessionInfo"].clone();
    let captcha = mint_captcha(&api, KOO_ACCOUNT).await;
    koo_ok(&koo_captcha_login(&api, &captcha).await);
    let malformed = api
        .post_raw(
            KOO_LOGIN,
            &[AGENT, ("content-type", "application/json")],
            SEED_001_WITH_COMMA.as_bytes(),
        )
        .await;
    koo_error(&malformed, 400, 13000102, "Verify parameters failed.");
    let session = koo_session(&api, SEED_CODE, &[]).await;
    assert_status(&koo_auth(&api, &session, &[]).await, 200);
    // OneAccess: token (form with client_secret), sdk/login, sso-ticket, verify.
    let app = oa_app_token(&api, &[]).await;
    let oa_session = oa_session_token(&api, &[]).await;
    let t = oa_ticket(&api, &app, &oa_session, &[]).await;
    let ticket = t.body["sso_ticket"]
        .as_str()
        .expect("sso_ticket")
        .to_owned();
    assert_status(&oa_verify(&api, &app, &ticket, &[]).await, 200);
    // EnOS: login, session/set, token/refresh?refreshToken=.
    let login = enos_login_token(&api, &[]).await;
    let set = enos_set(&api, &login, ENOS_ORG, &[]).await;
    let enos_access = enos_ok(&set)["accessToken"].as_str().expect("a").to_owned();
    let enos_refresh = enos_ok(&set)["refreshToken"]
        .as_str()
        .expect("r")
        .to_owned();
    let r = api
        .get(&format!("{ENOS_REFRESH}?refreshToken={enos_refresh}"), &[])
        .await;
    enos_ok(&r);

    let listed = api.get("/__admin/requests", &[]).await;
    assert_status(&listed, 200);

    let raw_secrets = [
        KOO_PASSWORD,
        OA_PASSWORD,
        ENOS_PASSWORD,
        OA_CLIENT_SECRET,
        SEED_CODE,
        access.trim_start_matches("AT "),
        &refresh,
        rotated["accessToken"]
            .as_str()
            .expect("a")
            .trim_start_matches("AT "),
        rotated["refreshToken"].as_str().expect("r"),
        session.trim_start_matches("Bearer "),
        &app,
        &oa_session,
        &ticket,
        &login,
        &enos_access,
        &enos_refresh,
    ];
    for secret in raw_secrets {
        assert!(
            !listed.text.contains(secret),
            "the journal shows {secret:?}"
        );
    }
    let entries = listed.body["requests"].as_array().expect("requests");
    let find = |path: &str, nth: usize| -> &Value {
        entries
            .iter()
            .rev()
            .filter(|e| e["path"] == json!(path))
            .nth(nth)
            .unwrap_or_else(|| panic!("no entry {nth} for {path}"))
    };
    let first_login = find(KOO_LOGIN, 0);
    assert_masked(&first_login["request"]["body"]["password"], KOO_PASSWORD);
    assert_masked(
        &first_login["response"]["body"]["data"]["sessionInfo"]["accessToken"],
        &access,
    );
    let refresh_entry = find(KOO_REFRESH_TOKEN, 0);
    assert_masked(&refresh_entry["request"]["headers"]["authorization"], &auth);
    assert_masked(&refresh_entry["request"]["body"]["refreshToken"], &refresh);
    assert_masked(
        &find(KOO_LOGIN, 1)["request"]["body"]["captchaToken"],
        &captcha,
    );
    let verify = find(OA_VERIFY, 0);
    assert_masked(&verify["request"]["body"]["sso_ticket"], &ticket);
    assert_eq!(
        verify["response"]["body"]["code"],
        json!("200"),
        "a response code is not a secret: {verify}"
    );
}

#[tokio::test]
async fn the_journal_masks_tokens_in_a_malformed_answer() {
    let api = Api::new().await;
    add_fault(
        &api,
        json!({ "route": format!("POST {KOO_LOGIN}"), "malformed": true }),
        &[],
    )
    .await;
    let r = koo_login(&api, &[]).await;
    let at = r
        .text
        .find("\"accessToken\":\"")
        .unwrap_or_else(|| panic!("the cut falls after the access token starts: {}", r.text));
    let fragment: String = r.text[at + 15..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    assert!(fragment.len() > 8, "{}", r.text);

    let listed = api.get("/__admin/requests", &[]).await;

    assert!(
        !listed.text.contains(&fragment),
        "the journal shows the token fragment {fragment:?}: {}",
        listed.text
    );
    assert!(!listed.text.contains(KOO_PASSWORD), "{}", listed.text);
}

#[tokio::test]
async fn the_journal_filters_by_method_path_status_and_limit() {
    let api = Api::new().await;
    koo_login(&api, &[]).await;
    koo_auth(&api, "Bearer 0000", &[]).await;
    enos_login(&api, ENOS_ACCOUNT, "wrong", &[]).await;
    oa_token_request(&api, &[]).await;
    let paths = |v: Vec<Value>| -> Vec<String> {
        v.iter()
            .map(|e| e["path"].as_str().unwrap_or_default().to_owned())
            .collect()
    };

    assert_eq!(paths(journal(&api, "?method=GET", &[]).await), [KOO_AUTH]);
    assert_eq!(paths(journal(&api, "?status=401", &[]).await), [KOO_AUTH]);
    assert_eq!(
        paths(journal(&api, "?path=/app-portal-service/v2.2/login", &[]).await),
        [ENOS_LOGIN]
    );
    assert_eq!(
        paths(journal(&api, "?limit=2", &[]).await),
        [OA_TOKEN, ENOS_LOGIN]
    );
    assert_eq!(
        paths(journal(&api, "?method=POST&status=200&limit=2", &[]).await),
        [OA_TOKEN, ENOS_LOGIN]
    );
    assert_eq!(
        paths(journal(&api, "", &[]).await),
        [OA_TOKEN, ENOS_LOGIN, KOO_AUTH, KOO_LOGIN]
    );
}

#[tokio::test]
async fn the_journal_keeps_only_its_newest_journal_size_entries() {
    let api = Api::with(MockServer::builder().journal_size(5).start().await);
    for i in 0..20 {
        koo_login_as(&api, &format!("user{i}"), "whatever", &[]).await;
    }

    let entries = journal(&api, "", &[]).await;

    let accounts: Vec<&str> = entries
        .iter()
        .map(|e| e["request"]["body"]["account"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(accounts, ["user19", "user18", "user17", "user16", "user15"]);
}

#[tokio::test]
async fn journal_size_zero_disables_the_journal() {
    let api = Api::with(MockServer::builder().journal_size(0).start().await);
    koo_login(&api, &[]).await;
    enos_login(&api, ENOS_ACCOUNT, ENOS_PASSWORD, &[]).await;

    assert_eq!(journal(&api, "", &[]).await, Vec::<Value>::new());
}

#[tokio::test]
async fn deleting_the_journal_clears_it() {
    let api = Api::new().await;
    koo_login(&api, &[]).await;
    enos_login(&api, ENOS_ACCOUNT, ENOS_PASSWORD, &[]).await;
    assert_eq!(journal(&api, "", &[]).await.len(), 2);

    let r = api.delete("/__admin/requests", &[]).await;

    assert_status(&r, 200);
    assert_eq!(journal(&api, "", &[]).await, Vec::<Value>::new());
    oa_token_request(&api, &[]).await;
    let entries = journal(&api, "", &[]).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["path"], json!(OA_TOKEN));
}

// =============================================================================================
// faults

#[tokio::test]
async fn a_fault_answers_the_named_koodrive_error_once_then_the_route_works() {
    let api = Api::new().await;

    let r = admin(
        &api,
        "POST",
        "/__admin/faults",
        json!({ "route": "POST /koodrive/ose/v1/auth/login", "times": 1, "error": "13000203" }),
        &[],
    )
    .await;

    assert_status(&r, 201);
    assert!(
        r.body["id"].as_str().is_some_and(|id| !id.is_empty()),
        "{}",
        r.text
    );
    koo_wrong_password(&koo_login(&api, &[]).await);
    koo_ok(&koo_login(&api, &[]).await);
}

#[tokio::test]
async fn a_fault_may_name_a_numeric_vendor_code_as_a_json_number() {
    let api = Api::new().await;
    let login = enos_login_token(&api, &[]).await;

    let koo = admin(
        &api,
        "POST",
        "/__admin/faults",
        json!({ "route": format!("POST {KOO_LOGIN}"), "error": 13000203 }),
        &[],
    )
    .await;
    let enos = admin(
        &api,
        "POST",
        "/__admin/faults",
        json!({ "route": format!("POST {ENOS_SET}"), "error": 31512 }),
        &[],
    )
    .await;

    assert_status(&koo, 201);
    assert_status(&enos, 201);
    koo_wrong_password(&koo_login(&api, &[]).await);
    enos_error(
        &enos_set(&api, &login, ENOS_ORG, &[]).await,
        31512,
        "Organization unselected",
    );
}

#[tokio::test]
async fn a_fault_applies_to_as_many_requests_as_times_says() {
    let api = Api::new().await;
    add_fault(
        &api,
        json!({ "route": format!("POST {KOO_LOGIN}"), "times": 2, "error": "13000204" }),
        &[],
    )
    .await;

    let answers = [
        koo_login(&api, &[]).await,
        koo_login(&api, &[]).await,
        koo_login(&api, &[]).await,
    ];

    koo_error(
        &answers[0],
        401,
        13000204,
        "Account is locked. Try again later.",
    );
    koo_error(
        &answers[1],
        401,
        13000204,
        "Account is locked. Try again later.",
    );
    koo_ok(&answers[2]);
}

#[tokio::test]
async fn a_fault_answers_an_enos_error_as_http_200_with_the_code_in_the_body() {
    let api = Api::new().await;
    let login = enos_login_token(&api, &[]).await;
    add_fault(
        &api,
        json!({ "route": format!("POST {ENOS_SET}"), "error": "31404" }),
        &[],
    )
    .await;

    let faulted = enos_set(&api, &login, ENOS_ORG, &[]).await;
    let next = enos_set(&api, &login, ENOS_ORG, &[]).await;

    enos_error(&faulted, 31404, "Can not find this organization.");
    enos_ok(&next);
}

#[tokio::test]
async fn a_fault_answers_a_oneaccess_error_as_the_route_would() {
    let api = Api::new().await;
    add_fault(
        &api,
        json!({ "route": format!("POST {OA_TOKEN}"), "error": "invalid_client" }),
        &[],
    )
    .await;

    let faulted = oa_token_request(&api, &[]).await;
    let next = oa_token_request(&api, &[]).await;

    oa_error(&faulted, 401, "invalid_client", "Bad client credentials");
    assert_status(&next, 200);
}

#[tokio::test]
async fn a_fault_with_status_and_body_answers_them_raw() {
    let api = Api::new().await;
    let route = format!("POST {KOO_LOGIN}");
    add_fault(
        &api,
        json!({ "route": route, "status": 503, "body": { "message": "upstream down" } }),
        &[],
    )
    .await;
    add_fault(
        &api,
        json!({ "route": route, "status": 502, "body": "Bad Gateway" }),
        &[],
    )
    .await;

    let first = koo_login(&api, &[]).await;
    let second = koo_login(&api, &[]).await;
    let third = koo_login(&api, &[]).await;

    assert_eq!(
        (first.status, &first.body),
        (503, &json!({ "message": "upstream down" })),
        "{}",
        first.text
    );
    assert_eq!((second.status, second.text.as_str()), (502, "Bad Gateway"));
    koo_ok(&third);
}

#[tokio::test]
async fn a_fault_with_delay_ms_answers_normally_after_the_delay() {
    let api = Api::new().await;
    add_fault(
        &api,
        json!({ "route": format!("POST {KOO_LOGIN}"), "delayMs": 300 }),
        &[],
    )
    .await;

    let start = Instant::now();
    let r = koo_login(&api, &[]).await;
    let took = start.elapsed();

    koo_ok(&r);
    assert!(took >= Duration::from_millis(300), "took {took:?}");
}

#[tokio::test]
async fn a_fault_with_drop_closes_the_connection_without_an_answer() {
    let api = Api::new().await;
    add_fault(
        &api,
        json!({ "route": format!("POST {KOO_LOGIN}"), "drop": true }),
        &[],
    )
    .await;
    let client = reqwest::Client::new();

    let r = client
        .post(api.url(KOO_LOGIN))
        .header(AGENT.0, AGENT.1)
        .json(&json!({ "account": KOO_ACCOUNT, "authType": "1", "password": KOO_PASSWORD }))
        .send()
        .await;

    match r {
        Err(e) => assert!(!e.is_timeout(), "{e}"),
        Ok(resp) => panic!("got an answer: {}", resp.status()),
    }
    koo_ok(&koo_login(&api, &[]).await);
}

/// A browser's request carries `Origin`; the server sends those through the router's CORS layer and
/// answers the others directly. Both paths must behave as one.
const ORIGIN: (&str, &str) = ("Origin", "http://localhost:3000");

#[tokio::test]
async fn requests_with_and_without_origin_get_the_same_answers_and_journal_entries() {
    let api = Api::new().await;

    let plain = koo_login_as(&api, KOO_ACCOUNT, "wrong", &[]).await;
    let cors = koo_login_as(&api, KOO_ACCOUNT, "wrong", &[ORIGIN]).await;
    let missing_agent = api.post(KOO_LOGIN, &[], json!({})).await;
    let missing_agent_cors = api.post(KOO_LOGIN, &[ORIGIN], json!({})).await;

    koo_wrong_password(&plain);
    assert_eq!((cors.status, &cors.text), (plain.status, &plain.text));
    assert_eq!(
        (missing_agent_cors.status, &missing_agent_cors.text),
        (missing_agent.status, &missing_agent.text)
    );
    for r in [&plain, &cors] {
        assert_eq!(r.header("content-type"), "application/json");
        assert_eq!(r.header("access-control-allow-origin"), "*");
        assert_eq!(r.header("access-control-expose-headers"), "*");
    }
    let entries = journal(&api, "", &[]).await;
    let routes: Vec<&Value> = entries.iter().map(|e| &e["route"]).collect();
    assert_eq!(routes, vec![&json!(KOO_LOGIN); 4], "{entries:?}");
}

#[tokio::test]
async fn faults_apply_to_requests_with_origin_too() {
    let api = Api::new().await;
    add_fault(
        &api,
        json!({ "route": format!("POST {KOO_LOGIN}"), "times": 1, "error": "13000203" }),
        &[],
    )
    .await;
    add_fault(
        &api,
        json!({ "route": format!("POST {KOO_SESSION}"), "drop": true }),
        &[],
    )
    .await;

    koo_wrong_password(&koo_login(&api, &[ORIGIN]).await);
    let dropped = reqwest::Client::new()
        .post(api.url(KOO_SESSION))
        .header(ORIGIN.0, ORIGIN.1)
        .json(&json!({ "code": SEED_CODE }))
        .send()
        .await;

    match dropped {
        Err(e) => assert!(!e.is_timeout(), "{e}"),
        Ok(resp) => panic!("got an answer: {}", resp.status()),
    }
    koo_ok(&koo_login(&api, &[ORIGIN]).await);
}

#[tokio::test]
async fn a_fault_with_malformed_answers_a_body_that_is_not_json() {
    let api = Api::new().await;
    add_fault(
        &api,
        json!({ "route": format!("POST {KOO_LOGIN}"), "malformed": true }),
        &[],
    )
    .await;

    let faulted = koo_login(&api, &[]).await;
    let next = koo_login(&api, &[]).await;

    assert!(!faulted.text.is_empty());
    assert!(
        serde_json::from_str::<Value>(&faulted.text).is_err(),
        "parses as JSON: {}",
        faulted.text
    );
    koo_ok(&next);
}

#[tokio::test]
async fn a_fault_with_times_zero_applies_until_it_is_deleted() {
    let api = Api::new().await;
    let id = add_fault(
        &api,
        json!({ "route": format!("POST {KOO_LOGIN}"), "times": 0, "error": "13000204" }),
        &[],
    )
    .await;
    for _ in 0..3 {
        koo_error(
            &koo_login(&api, &[]).await,
            401,
            13000204,
            "Account is locked. Try again later.",
        );
    }
    let listed = faults(&api, &[]).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], json!(id));
    assert_eq!(listed[0]["route"], json!(format!("POST {KOO_LOGIN}")));

    let r = api.delete(&format!("/__admin/faults/{id}"), &[]).await;

    assert_status(&r, 200);
    koo_ok(&koo_login(&api, &[]).await);
    assert_eq!(faults(&api, &[]).await, Vec::<Value>::new());
    admin_error(
        &api.delete(&format!("/__admin/faults/{id}"), &[]).await,
        404,
    );
}

#[tokio::test]
async fn deleting_all_faults_removes_every_fault() {
    let api = Api::new().await;
    add_fault(
        &api,
        json!({ "route": format!("POST {KOO_LOGIN}"), "times": 0, "error": "13000204" }),
        &[],
    )
    .await;
    add_fault(
        &api,
        json!({ "route": format!("POST {ENOS_LOGIN}"), "times": 0, "error": "31429" }),
        &[],
    )
    .await;
    assert_eq!(faults(&api, &[]).await.len(), 2);

    let r = api.delete("/__admin/faults", &[]).await;

    assert_status(&r, 200);
    assert_eq!(faults(&api, &[]).await, Vec::<Value>::new());
    koo_ok(&koo_login(&api, &[]).await);
    enos_ok(&enos_login(&api, ENOS_ACCOUNT, ENOS_PASSWORD, &[]).await);
}

#[tokio::test]
async fn a_fault_for_an_unknown_route_or_another_familys_code_answers_400() {
    let api = Api::new().await;
    let refused = [
        (
            json!({ "route": "POST /koodrive/ose/v1/auth/logon", "error": "13000203" }),
            "logon",
        ),
        (
            json!({ "route": "GET /koodrive/ose/v1/auth/login", "error": "13000203" }),
            "GET",
        ),
        (
            json!({ "route": format!("POST {KOO_LOGIN}"), "error": "31404" }),
            "31404",
        ),
        (
            json!({ "route": format!("POST {ENOS_SET}"), "error": "13000203" }),
            "13000203",
        ),
        (
            json!({ "route": format!("POST {OA_TICKET}"), "error": "13000202" }),
            "13000202",
        ),
        (
            json!({ "route": format!("POST {KOO_LOGIN}"), "error": "13009999" }),
            "13009999",
        ),
    ];

    for (body, named) in refused {
        let r = admin(&api, "POST", "/__admin/faults", body.clone(), &[]).await;
        let msg = admin_error(&r, 400);
        assert!(msg.contains(named), "{body}: {msg:?} does not name {named}");
    }

    assert_eq!(faults(&api, &[]).await, Vec::<Value>::new());
    koo_ok(&koo_login(&api, &[]).await);
}

#[tokio::test]
async fn x_mock_error_answers_that_vendor_error_for_one_request() {
    let api = Api::new().await;
    let login = enos_login_token(&api, &[]).await;

    let koo = koo_login(&api, &[("X-Mock-Error", "13000204")]).await;
    let koo_next = koo_login(&api, &[]).await;
    let enos = enos_set(&api, &login, ENOS_ORG, &[("X-Mock-Error", "31404")]).await;

    koo_error(&koo, 401, 13000204, "Account is locked. Try again later.");
    koo_ok(&koo_next);
    enos_error(&enos, 31404, "Can not find this organization.");
    enos_ok(&enos_set(&api, &login, ENOS_ORG, &[]).await);
}

#[tokio::test]
async fn x_mock_delay_delays_one_request() {
    let api = Api::new().await;

    let start = Instant::now();
    let r = koo_login(&api, &[("X-Mock-Delay", "250ms")]).await;
    let took = start.elapsed();

    koo_ok(&r);
    assert!(took >= Duration::from_millis(250), "took {took:?}");
}

// =============================================================================================
// the clock

#[tokio::test]
async fn the_clock_follows_real_time_by_default() {
    let api = Api::new().await;

    let c = get_clock(&api, &[]).await;

    assert_eq!(keys(&c), ["epochMs", "mode", "now"]);
    assert_eq!(c["mode"], json!("real"));
    let ms = c["epochMs"].as_i64().expect("epochMs");
    assert!((ms - system_ms()).abs() < 60_000, "{c}");
    assert_instant(&c["now"], ms);
}

#[tokio::test]
async fn a_frozen_clock_gives_two_logins_the_same_issued_at() {
    let api = Api::new().await;

    let frozen = clock(&api, json!({ "freeze": true }), &[]).await;
    let first = koo_session_info(&api, &[]).await;
    // The second login waits a little: a running clock would have moved on.
    let second = koo_session_info(&api, &[("X-Mock-Delay", "30ms")]).await;

    assert_eq!(frozen["mode"], json!("frozen"));
    let at = frozen["epochMs"].as_i64().expect("epochMs");
    assert_eq!(first["issuedAt"], json!(at.to_string()));
    assert_eq!(second["issuedAt"], json!(at.to_string()));
    assert_eq!(get_clock(&api, &[]).await["epochMs"], json!(at));
}

#[tokio::test]
async fn setting_a_frozen_clock_moves_issuance_to_that_instant() {
    let api = Api::new().await;
    clock(&api, json!({ "freeze": true }), &[]).await;

    let c = clock(&api, json!({ "set": JAN_2026 }), &[]).await;
    let info = koo_session_info(&api, &[]).await;

    assert_eq!(c["mode"], json!("frozen"));
    assert_eq!(c["epochMs"], json!(JAN_2026_MS));
    assert_instant(&c["now"], JAN_2026_MS);
    assert_eq!(info["issuedAt"], json!("1767225600000"));
}

#[tokio::test]
async fn set_and_freeze_in_one_request_stop_the_clock_exactly_there() {
    let api = Api::new().await;

    let c = clock(&api, json!({ "set": JAN_2026, "freeze": true }), &[]).await;
    let info = koo_session_info(&api, &[]).await;

    assert_eq!(c["mode"], json!("frozen"));
    assert_eq!(c["epochMs"], json!(JAN_2026_MS));
    assert_eq!(info["issuedAt"], json!("1767225600000"));
}

#[tokio::test]
async fn setting_a_running_clock_lets_it_run_on_from_there() {
    let api = Api::new().await;

    let c = clock(&api, json!({ "set": JAN_2026 }), &[]).await;
    let later = get_clock(&api, &[]).await;

    assert_eq!(c["mode"], json!("offset"));
    let ms = later["epochMs"].as_i64().expect("epochMs");
    assert!((JAN_2026_MS..JAN_2026_MS + 60_000).contains(&ms), "{later}");
}

#[tokio::test]
async fn advancing_21_minutes_expires_a_koodrive_session() {
    let api = Api::new().await;
    let session = koo_session(&api, SEED_CODE, &[]).await;

    let c = clock(&api, json!({ "advance": "19m" }), &[]).await;
    let still = koo_auth(&api, &session, &[]).await;
    clock(&api, json!({ "advance": "21m" }), &[]).await;
    let expired = koo_auth(&api, &session, &[]).await;

    assert_eq!(c["mode"], json!("offset"));
    let ahead = c["epochMs"].as_i64().expect("epochMs") - system_ms();
    assert!(
        (19 * 60_000 - 60_000..=19 * 60_000 + 1000).contains(&ahead),
        "{c}"
    );
    assert_status(&still, 200);
    koo_session_invalid(&expired);
}

#[tokio::test]
async fn advancing_1860_seconds_expires_a_oneaccess_app_token() {
    let api = Api::new().await;
    let app = oa_app_token(&api, &[]).await;
    let session = oa_session_token(&api, &[]).await;
    assert_status(&oa_ticket(&api, &app, &session, &[]).await, 200);

    clock(&api, json!({ "advance": 1860 }), &[]).await;
    let r = oa_ticket(&api, &app, &session, &[]).await;

    oa_error(
        &r,
        400,
        "invalid_token",
        &format!("Access token expired:{app}"),
    );
}

#[tokio::test]
async fn advancing_31_minutes_leaves_a_koodrive_login_refreshable() {
    let api = Api::new().await;
    let info = koo_session_info(&api, &[]).await;
    let auth = format!(
        "AT+{}",
        info["accessToken"]
            .as_str()
            .expect("accessToken")
            .trim_start_matches("AT ")
    );

    clock(&api, json!({ "advance": "31m" }), &[]).await;
    let r = api
        .post(
            KOO_REFRESH_TOKEN,
            &[("Authorization", auth.as_str())],
            json!({ "refreshToken": info["refreshToken"] }),
        )
        .await;

    let fresh = &koo_ok(&r)["sessionInfo"];
    let issued: i64 = fresh["issuedAt"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("issuedAt");
    assert!(issued - system_ms() >= 30 * 60_000, "{fresh}");
}

#[tokio::test]
async fn deleting_the_clock_returns_to_real_time() {
    let api = Api::new().await;
    freeze_at(&api, JAN_2026, &[]).await;

    let r = api.delete("/__admin/clock", &[]).await;
    let info = koo_session_info(&api, &[]).await;

    assert_status(&r, 200);
    assert_eq!(r.body["mode"], json!("real"));
    let c = get_clock(&api, &[]).await;
    assert_eq!(c["mode"], json!("real"));
    assert!((c["epochMs"].as_i64().expect("ms") - system_ms()).abs() < 60_000);
    let issued: i64 = info["issuedAt"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("issuedAt");
    assert!((issued - system_ms()).abs() < 60_000, "{info}");
}

#[tokio::test]
async fn a_clock_request_without_a_valid_instruction_answers_400() {
    let api = Api::new().await;

    for body in [
        json!({}),
        json!({ "advance": "soon" }),
        json!({ "set": "yesterday" }),
        json!({ "freeze": "yes" }),
    ] {
        let r = admin(&api, "POST", "/__admin/clock", body.clone(), &[]).await;
        admin_error(&r, 400);
    }

    assert_eq!(get_clock(&api, &[]).await["mode"], json!("real"));
}

// =============================================================================================
// namespaces

#[tokio::test]
async fn a_token_issued_in_one_namespace_is_refused_in_another_and_in_default() {
    let api = Api::new().await;
    let (a, b) = (ns("a"), ns("b"));
    let session = koo_session(&api, SEED_CODE, &a).await;
    let app = oa_app_token(&api, &a).await;
    let oa_session = oa_session_token(&api, &a).await;
    let enos = enos_login_token(&api, &a).await;

    assert_status(&koo_auth(&api, &session, &a).await, 200);
    koo_session_invalid(&koo_auth(&api, &session, &b).await);
    koo_session_invalid(&koo_auth(&api, &session, &[]).await);
    oa_error(
        &oa_ticket(&api, &app, &oa_session, &b).await,
        400,
        "invalid_token",
        &format!("Invalid access token: {app}"),
    );
    enos_error(
        &enos_set(&api, &enos, ENOS_ORG, &[]).await,
        31401,
        "Please login first",
    );
    enos_ok(&enos_set(&api, &enos, ENOS_ORG, &a).await);
    assert_status(&oa_ticket(&api, &app, &oa_session, &a).await, 200);
}

#[tokio::test]
async fn a_fault_in_one_namespace_does_not_affect_another() {
    let api = Api::new().await;
    let (a, b) = (ns("a"), ns("b"));
    add_fault(
        &api,
        json!({ "route": format!("POST {KOO_LOGIN}"), "times": 0, "error": "13000204" }),
        &a,
    )
    .await;

    koo_ok(&koo_login(&api, &b).await);
    koo_ok(&koo_login(&api, &[]).await);
    koo_error(
        &koo_login(&api, &a).await,
        401,
        13000204,
        "Account is locked. Try again later.",
    );
    assert_eq!(faults(&api, &b).await, Vec::<Value>::new());
    assert_eq!(faults(&api, &a).await.len(), 1);
}

#[tokio::test]
async fn freezing_the_clock_in_one_namespace_leaves_another_real() {
    let api = Api::new().await;
    let (a, b) = (ns("a"), ns("b"));

    freeze_at(&api, JAN_2026, &a).await;

    let in_a = get_clock(&api, &a).await;
    let in_b = get_clock(&api, &b).await;
    assert_eq!(in_a["mode"], json!("frozen"));
    assert_eq!(in_a["epochMs"], json!(JAN_2026_MS));
    assert_eq!(in_b["mode"], json!("real"));
    assert!((in_b["epochMs"].as_i64().expect("ms") - system_ms()).abs() < 60_000);
    assert_eq!(get_clock(&api, &[]).await["mode"], json!("real"));
    assert_eq!(
        koo_session_info(&api, &a).await["issuedAt"],
        json!("1767225600000")
    );
    let issued: i64 = koo_session_info(&api, &b).await["issuedAt"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("issuedAt");
    assert!((issued - system_ms()).abs() < 60_000);
}

#[tokio::test]
async fn the_journal_of_one_namespace_shows_only_its_own_requests() {
    let api = Api::new().await;
    let (a, b) = (ns("a"), ns("b"));
    koo_login(&api, &a).await;
    enos_login(&api, ENOS_ACCOUNT, ENOS_PASSWORD, &b).await;
    enos_login(&api, ENOS_ACCOUNT, ENOS_PASSWORD, &b).await;

    let in_a = journal(&api, "", &a).await;
    let in_b = journal(&api, "", &b).await;
    let in_default = journal(&api, "", &[]).await;

    assert_eq!(in_a.len(), 1, "{in_a:?}");
    assert_eq!(in_a[0]["path"], json!(KOO_LOGIN));
    assert_eq!(in_b.len(), 2, "{in_b:?}");
    assert!(in_b.iter().all(|e| e["path"] == json!(ENOS_LOGIN)));
    assert_eq!(in_default, Vec::<Value>::new());
}

#[tokio::test]
async fn a_new_namespace_starts_from_the_fixtures() {
    let api = Api::new().await;
    assert_status(
        &add(
            &api,
            "koodrive",
            "users",
            koo_user("1008600000709990008", "only_in_default", KOO_ORG),
        )
        .await,
        201,
    );
    let c = ns("c");

    koo_ok(&koo_create_session(&api, SEED_CODE, &c).await);
    koo_ok(&koo_login(&api, &c).await);
    koo_wrong_password(&koo_login_as(&api, "only_in_default", "N3w-Koo-Pass", &c).await);
    koo_ok(&koo_login_as(&api, "only_in_default", "N3w-Koo-Pass", &[]).await);
}

#[tokio::test]
async fn state_all_names_and_counts_every_namespace() {
    let api = Api::new().await;
    koo_login(&api, &ns("a")).await;
    get_clock(&api, &ns("b")).await;

    let st = state(&api, "?all=true", &[]).await.body;
    let in_a = state(&api, "", &ns("a")).await.body;

    assert_eq!(st["namespaces"]["count"], json!(3), "{}", st["namespaces"]);
    let mut names: Vec<&str> = st["namespaces"]["names"]
        .as_array()
        .expect("names")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["a", "b", "default"]);
    assert_eq!(in_a["namespace"], json!("a"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespaces_are_capped_at_1000_dropping_the_least_recently_used() {
    let api = Api::new().await;
    let touch = |name: String| {
        let api = &api;
        async move {
            let r = api.get("/__admin/health", &ns(&name)).await;
            assert_status(&r, 200);
        }
    };
    for name in ["n0000", "n0001", "n0002", "n0000"] {
        touch(name.to_string()).await;
    }
    // 998 more, concurrently: with default that makes 1002 namespaces asked for.
    for chunk in (3..=1000).collect::<Vec<u32>>().chunks(100) {
        join_all(chunk.iter().map(|i| touch(format!("n{i:04}")))).await;
    }

    let st = state(&api, "?all=true", &[]).await.body;

    let count = st["namespaces"]["count"].as_u64().expect("count");
    assert!(count <= 1000, "{count} namespaces live");
    let names: Vec<&str> = st["namespaces"]["names"]
        .as_array()
        .expect("names")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(names.len() as u64, count);
    assert!(
        !names.contains(&"n0001"),
        "the least recently used is dropped"
    );
    assert!(names.contains(&"n0000"), "a recently used one stays");
    assert!(names.contains(&"n1000") && names.contains(&"default"));
}

// =============================================================================================
// determinism

/// The same scripted conversation against a server seeded with `seed`; every answer's body.
async fn scripted_run(seed: u64) -> Vec<String> {
    let api = Api::with(MockServer::builder().seed(seed).start().await);
    let mut out = Vec::new();
    let r = admin(
        &api,
        "POST",
        "/__admin/clock",
        json!({ "freeze": true, "set": JAN_2026 }),
        &[],
    )
    .await;
    assert_status(&r, 200);
    out.push(r.text);
    let r = koo_login(&api, &[]).await;
    koo_ok(&r);
    out.push(r.text);
    let r = koo_create_session(&api, SEED_CODE, &[]).await;
    koo_ok(&r);
    out.push(r.text);
    let r = oa_token_request(&api, &[]).await;
    assert_status(&r, 200);
    let app = r.body["access_token"].as_str().expect("app").to_owned();
    out.push(r.text);
    let r = oa_login(&api, OA_USER, OA_PASSWORD, &[]).await;
    assert_status(&r, 200);
    let session = r.body["session_token"].as_str().expect("s").to_owned();
    out.push(r.text);
    let r = oa_ticket(&api, &app, &session, &[]).await;
    assert_status(&r, 200);
    out.push(r.text);
    let r = enos_login(&api, ENOS_ACCOUNT, ENOS_PASSWORD, &[]).await;
    let login = enos_ok(&r)["accessToken"].as_str().expect("t").to_owned();
    out.push(r.text);
    let r = enos_set(&api, &login, ENOS_ORG, &[]).await;
    enos_ok(&r);
    out.push(r.text);
    out
}

#[tokio::test]
async fn the_same_seed_and_requests_give_byte_identical_answers() {
    let first = scripted_run(42).await;
    let second = scripted_run(42).await;

    for (i, (a, b)) in first.iter().zip(&second).enumerate() {
        assert_eq!(a, b, "answer {i} differs");
    }
    assert_eq!(first.len(), second.len());
}

#[tokio::test]
async fn a_different_seed_gives_different_tokens() {
    let first = scripted_run(42).await;
    let other = scripted_run(43).await;

    // The clock answer is the same; every answer carrying a token differs.
    assert_eq!(first[0], other[0]);
    for i in 1..first.len() {
        assert_ne!(
            first[i], other[i],
            "answer {i} is the same under another seed"
        );
    }
}

// =============================================================================================
// protection

/// Every control-plane route but health, with a body where it takes one.
fn guarded_routes() -> Vec<(&'static str, String, Value)> {
    vec![
        ("POST", "/__admin/reset".into(), json!({})),
        ("GET", "/__admin/state".into(), Value::Null),
        (
            "POST",
            "/__admin/koodrive/users".into(),
            koo_user("1008600000709990009", "guarded", KOO_ORG),
        ),
        (
            "DELETE",
            format!("/__admin/koodrive/users/{KOO_USER_ID}"),
            Value::Null,
        ),
        (
            "POST",
            "/__admin/enos/orgs".into(),
            json!({ "id": "oGuarded", "name": "G" }),
        ),
        (
            "POST",
            "/__admin/koodrive/auth-codes".into(),
            json!({ "userId": KOO_USER_ID }),
        ),
        (
            "POST",
            "/__admin/koodrive/verification-codes".into(),
            json!({ "account": KOO_ACCOUNT }),
        ),
        (
            "DELETE",
            format!("/__admin/tokens/{ENOS_STATIC_TOKEN}"),
            Value::Null,
        ),
        ("GET", "/__admin/requests".into(), Value::Null),
        ("DELETE", "/__admin/requests".into(), Value::Null),
        ("GET", "/__admin/faults".into(), Value::Null),
        (
            "POST",
            "/__admin/faults".into(),
            json!({ "route": format!("POST {KOO_LOGIN}"), "error": "13000204" }),
        ),
        ("DELETE", "/__admin/faults".into(), Value::Null),
        ("DELETE", "/__admin/faults/f_unknown".into(), Value::Null),
        ("GET", "/__admin/clock".into(), Value::Null),
        (
            "POST",
            "/__admin/clock".into(),
            json!({ "set": JAN_2026, "freeze": true }),
        ),
        ("DELETE", "/__admin/clock".into(), Value::Null),
    ]
}

async fn call(api: &Api, method: &str, path: &str, body: &Value, h: &[(&str, &str)]) -> Resp {
    let body = (!body.is_null()).then(|| body.to_string().into_bytes());
    api.send(
        method,
        path,
        &cat(&[("content-type", "application/json")], h),
        body,
    )
    .await
}

#[tokio::test]
async fn an_admin_token_guards_every_admin_route_but_health() {
    let api = Api::with(MockServer::builder().admin_token("T").start().await);

    for (method, path, body) in guarded_routes() {
        for h in [
            vec![],
            vec![("Authorization", "Bearer U")],
            vec![("Authorization", "Bearer TT")],
        ] {
            let r = call(&api, method, &path, &body, &h).await;
            admin_error(&r, 401);
        }
    }

    // Nothing above took effect.
    koo_ok(&koo_create_session(&api, KOO_USER_CODE, &[]).await);
    enos_ok(&enos_set(&api, ENOS_STATIC_TOKEN, ENOS_ORG, &[]).await);
    koo_ok(&koo_login(&api, &[]).await);
    let auth = [("Authorization", "Bearer T")];
    let c = get_clock(&api, &auth).await;
    assert_eq!(c["mode"], json!("real"));
    assert_eq!(journal(&api, "", &auth).await.len(), 3);
    // Health stays open; the right token opens the rest.
    assert_status(&api.get("/__admin/health", &[]).await, 200);
    for (method, path, body) in guarded_routes() {
        let r = call(&api, method, &path, &body, &auth).await;
        assert_ne!(r.status, 401, "{method} {path}: {}", r.text);
    }
}

#[tokio::test]
async fn without_an_admin_token_the_control_plane_is_open() {
    let api = Api::new().await;

    for (method, path, body) in guarded_routes() {
        let r = call(&api, method, &path, &body, &[]).await;
        assert!(
            r.status != 401 && r.status != 403,
            "{method} {path}: {} {}",
            r.status,
            r.text
        );
    }
    assert_status(&api.get("/__admin/state", &[]).await, 200);
}
