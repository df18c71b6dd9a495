//! The vendor flows tests arrange their state with (log in, new session, app token, …) and the
//! control-plane calls they step it with (clock, faults, identities, reset), over any base URL: the
//! `api` binary's in-process server and each replica of the `redis` binary (shared through `#[path]`).
//! Each flow asserts what it needs to go on (a 200, a code 0) and shows the response's text if not.
// Each binary uses a different part of it.
#![allow(dead_code)]

use crate::expect::{assert_status, enos_ok, koo_ok};
use crate::fixtures::{enos, koo, oa, JAN_2026};
use crate::http::{self, Resp};
use serde_json::{json, Value};

/// A client of one server: every path is sent to `base` + path.
pub struct Flows {
    pub client: reqwest::Client,
    base: String,
}

/// The header that selects a namespace.
pub fn ns(name: &str) -> [(&str, &str); 1] {
    [("X-Mock-Namespace", name)]
}

/// `a` then `b`: a call's own headers followed by the caller's extra ones.
pub fn cat<'a>(a: &[(&'a str, &'a str)], b: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v = a.to_vec();
    v.extend_from_slice(b);
    v
}

/// An object's keys, sorted.
pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

/// The string at `field` of `v`.
pub fn str_of(v: &Value, field: &str) -> String {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("no string {field} in {v}"))
        .to_owned()
}

/// The system clock in epoch milliseconds, to compare a running mock clock with.
pub fn system_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("system clock after 1970")
        .as_millis() as i64
}

impl Flows {
    /// Calls `base` (`http://127.0.0.1:<port>`, no trailing slash) with `client`.
    pub fn new(base: String, client: reqwest::Client) -> Flows {
        Flows { client, base }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends any request; `body` is sent as-is (no Content-Type unless given in `headers`).
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Resp {
        http::send(&self.client, method, &self.url(path), headers, body).await
    }

    /// POST with a JSON body and `Content-Type: application/json`.
    pub async fn post(&self, path: &str, headers: &[(&str, &str)], body: Value) -> Resp {
        http::post_json(&self.client, &self.url(path), headers, body).await
    }

    /// POST with raw bytes and the given headers only.
    pub async fn post_raw(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
        self.send("POST", path, headers, Some(body.to_vec())).await
    }

    /// GET with headers.
    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        self.send("GET", path, headers, None).await
    }

    /// DELETE with headers.
    pub async fn delete(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        self.send("DELETE", path, headers, None).await
    }

    // ---------------------------------------------------------------------------- control plane

    pub async fn health(&self) -> Resp {
        self.get("/__admin/health", &[]).await
    }

    /// Health as namespace `name` sees it (which sets the namespace up).
    pub async fn health_of(&self, name: &str) -> Resp {
        self.get("/__admin/health", &ns(name)).await
    }

    /// `POST /__admin/clock`, asserting success; returns the clock it reports.
    pub async fn clock(&self, body: Value, h: &[(&str, &str)]) -> Value {
        let r = self.post("/__admin/clock", h, body).await;
        assert_status(&r, 200);
        r.body
    }

    pub async fn get_clock(&self, h: &[(&str, &str)]) -> Value {
        let r = self.get("/__admin/clock", h).await;
        assert_status(&r, 200);
        r.body
    }

    /// Freezes the clock, then sets it to `instant`.
    pub async fn freeze_at(&self, instant: &str, h: &[(&str, &str)]) {
        self.clock(json!({ "freeze": true }), h).await;
        self.clock(json!({ "set": instant }), h).await;
    }

    /// Freezes the clock at 2026-01-01T00:00:00Z, so that a test can step to a lifetime's last
    /// millisecond and then onto its end (expiry is `now < expires`, in milliseconds).
    pub async fn freeze(&self) {
        let r = self
            .post(
                "/__admin/clock",
                &[],
                json!({ "set": JAN_2026, "freeze": true }),
            )
            .await;
        assert_eq!(r.status, 200, "freezing the clock: {}", r.text);
    }

    /// `POST /__admin/clock {"advance": seconds}`, asserting success.
    pub async fn advance_clock(&self, seconds: i64) {
        let r = self
            .post("/__admin/clock", &[], json!({ "advance": seconds }))
            .await;
        assert_eq!(r.status, 200, "advancing the clock: {}", r.text);
    }

    /// `POST /__admin/clock {"advance": "<ms>ms"}`, asserting success.
    pub async fn advance_ms(&self, ms: i64) {
        let r = self
            .post(
                "/__admin/clock",
                &[],
                json!({ "advance": format!("{ms}ms") }),
            )
            .await;
        assert_eq!(r.status, 200, "advancing the clock: {}", r.text);
    }

    pub async fn reset(&self) {
        assert_status(&self.post("/__admin/reset", &[], json!({})).await, 200);
    }

    /// `DELETE /__admin/tokens/{token}`, asserting success.
    pub async fn revoke(&self, token: &str) {
        let path = format!("/__admin/tokens/{}", token.replace(' ', "%20"));
        assert_status(&self.delete(&path, &[]).await, 200);
    }

    /// `POST /__admin/faults`, asserting 201 `{"id"}`; returns the id.
    pub async fn add_fault(&self, body: Value, h: &[(&str, &str)]) -> String {
        let r = self.post("/__admin/faults", h, body).await;
        assert_status(&r, 201);
        r.body["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no fault id: {}", r.text))
            .to_owned()
    }

    pub async fn faults(&self, h: &[(&str, &str)]) -> Vec<Value> {
        let r = self.get("/__admin/faults", h).await;
        assert_status(&r, 200);
        r.body["faults"]
            .as_array()
            .unwrap_or_else(|| panic!("no faults array: {}", r.text))
            .clone()
    }

    /// `POST /__admin/{family}/{what}` (users, orgs, tenants), asserting 201.
    pub async fn add_identity(&self, family: &str, what: &str, body: Value, h: &[(&str, &str)]) {
        let r = self
            .post(&format!("/__admin/{family}/{what}"), h, body)
            .await;
        assert_status(&r, 201);
    }

    /// A one-time KooDrive authorization code of `user` (`POST /__admin/koodrive/auth-codes`).
    pub async fn mint_auth_code(&self, user: &str, h: &[(&str, &str)]) -> String {
        let r = self
            .post("/__admin/koodrive/auth-codes", h, json!({ "userId": user }))
            .await;
        assert_status(&r, 201);
        str_of(&r.body, "code")
    }

    /// A one-time KooDrive verification code of `account` (`POST /__admin/koodrive/verification-codes`);
    /// returns its captchaToken.
    pub async fn mint_verification_code(&self, account: &str) -> String {
        let r = self
            .post(
                "/__admin/koodrive/verification-codes",
                &[],
                json!({ "account": account }),
            )
            .await;
        assert_status(&r, 201);
        str_of(&r.body, "captchaToken")
    }

    /// The request journal, newest first.
    pub async fn journal(&self) -> Vec<Value> {
        let r = self.get("/__admin/requests", &[]).await;
        assert_status(&r, 200);
        r.body["requests"]
            .as_array()
            .unwrap_or_else(|| panic!("no requests array: {}", r.text))
            .clone()
    }

    // -------------------------------------------------------------------------------- KooDrive

    /// The "Login" page's password login.
    pub async fn koo_login(&self, h: &[(&str, &str)]) -> Resp {
        self.koo_login_as(koo::ACCOUNT, koo::PASSWORD, h).await
    }

    pub async fn koo_login_as(&self, account: &str, password: &str, h: &[(&str, &str)]) -> Resp {
        self.post(
            koo::LOGIN,
            &cat(&[koo::AGENT], h),
            json!({ "account": account, "authType": "1", "password": password }),
        )
        .await
    }

    /// A successful "Login" login's `sessionInfo`.
    pub async fn koo_session_info(&self, h: &[(&str, &str)]) -> Value {
        koo_ok(&self.koo_login(h).await)["sessionInfo"].clone()
    }

    pub async fn koo_create_session(&self, code: &str, h: &[(&str, &str)]) -> Resp {
        self.post(koo::SESSION, h, json!({ "code": code })).await
    }

    /// A session token (`Bearer <48 hex>`) from createSession.
    pub async fn koo_session(&self, code: &str, h: &[(&str, &str)]) -> String {
        str_of(
            koo_ok(&self.koo_create_session(code, h).await),
            "accessToken",
        )
    }

    pub async fn koo_auth(&self, token: &str, h: &[(&str, &str)]) -> Resp {
        self.get(koo::SESSION_AUTH, &cat(&[("Authorization", token)], h))
            .await
    }

    pub async fn koo_logoff(&self, token: &str) -> Resp {
        self.get(koo::SESSION_LOGOFF, &[("Authorization", token)])
            .await
    }

    /// auth/refreshToken with a login's access token (`AT <t>`) and refresh token.
    pub async fn koo_refresh(&self, access: &str, refresh: &str) -> Resp {
        let auth = format!("AT+{}", access.trim_start_matches("AT "));
        self.post(
            koo::REFRESH_TOKEN,
            &[("Authorization", auth.as_str())],
            json!({ "refreshToken": refresh }),
        )
        .await
    }

    // ------------------------------------------------------------------------------- OneAccess

    /// tenant/token for the Demo App.
    pub async fn oa_token_request(&self, h: &[(&str, &str)]) -> Resp {
        let form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            oa::CLIENT_ID,
            oa::CLIENT_SECRET
        );
        self.post_raw(
            oa::TOKEN,
            &cat(&[("content-type", "application/x-www-form-urlencoded")], h),
            form.as_bytes(),
        )
        .await
    }

    /// A OneAccess app access token of the Demo App.
    pub async fn oa_app_token(&self, h: &[(&str, &str)]) -> String {
        let r = self.oa_token_request(h).await;
        assert_status(&r, 200);
        str_of(&r.body, "access_token")
    }

    /// sdk/login with the Demo App's required headers.
    pub async fn oa_login(&self, user: &str, password: &str, h: &[(&str, &str)]) -> Resp {
        let base = [
            ("X-client-id", oa::CLIENT_ID),
            ("X-device-fingerprint", oa::FINGERPRINT),
            ("X-operating-sys-version", "Android 10"),
            ("X-agent", "authmock-tests"),
        ];
        self.post(
            oa::LOGIN,
            &cat(&base, h),
            json!({ "user_name": user, "password": password }),
        )
        .await
    }

    /// A OneAccess session token of zhangsan.
    pub async fn oa_session_token(&self, h: &[(&str, &str)]) -> String {
        let r = self.oa_login(oa::USER, oa::PASSWORD, h).await;
        assert_status(&r, 200);
        str_of(&r.body, "session_token")
    }

    /// sso-ticket for `session` with the app token `app`.
    pub async fn oa_ticket(&self, app: &str, session: &str, h: &[(&str, &str)]) -> Resp {
        let auth = format!("Bearer {app}");
        self.post(
            oa::TICKET,
            &cat(&[("Authorization", auth.as_str())], h),
            json!({
                "session_token": session,
                "operating_sys_version": "Android 10",
                "device_ip": "10.10.10.1",
                "device_fingerprint": oa::FINGERPRINT,
                "client_id": oa::CLIENT_ID
            }),
        )
        .await
    }

    /// A one-time sso_ticket of `session`.
    pub async fn oa_sso_ticket(&self, app: &str, session: &str, h: &[(&str, &str)]) -> String {
        let r = self.oa_ticket(app, session, h).await;
        assert_status(&r, 200);
        str_of(&r.body, "sso_ticket")
    }

    /// sso-ticket/verify of `ticket` with the app token `app`.
    pub async fn oa_verify(&self, app: &str, ticket: &str, h: &[(&str, &str)]) -> Resp {
        let auth = format!("Bearer {app}");
        self.post(
            oa::VERIFY,
            &cat(&[("Authorization", auth.as_str())], h),
            json!({
                "sso_ticket": ticket,
                "operating_sys_version": "Android 10",
                "device_ip": "10.10.10.1",
                "device_fingerprint": oa::FINGERPRINT,
                "agent": "authmock-tests"
            }),
        )
        .await
    }

    // ------------------------------------------------------------------------------------ EnOS

    pub async fn enos_login(&self, account: &str, password: &str, h: &[(&str, &str)]) -> Resp {
        self.post(
            enos::LOGIN,
            h,
            json!({ "account": account, "password": password }),
        )
        .await
    }

    /// An EnOS login-only token of portal_demo.
    pub async fn enos_login_token(&self, h: &[(&str, &str)]) -> String {
        let r = self.enos_login(enos::ACCOUNT, enos::PASSWORD, h).await;
        str_of(enos_ok(&r), "accessToken")
    }

    /// session/set of `org` with the token `token`.
    pub async fn enos_set(&self, token: &str, org: &str, h: &[(&str, &str)]) -> Resp {
        let auth = format!("Bearer {token}");
        self.post(
            enos::SET,
            &cat(&[("Authorization", auth.as_str())], h),
            json!({ "orgId": org }),
        )
        .await
    }

    /// An org-bound access token of portal_demo in `yourOrgId` and its refresh token.
    pub async fn enos_session(&self, h: &[(&str, &str)]) -> (String, String) {
        let login = self.enos_login_token(h).await;
        let r = self.enos_set(&login, enos::ORG, h).await;
        let data = enos_ok(&r);
        (str_of(data, "accessToken"), str_of(data, "refreshToken"))
    }

    /// An org-bound EnOS access token of portal_demo in `yourOrgId`.
    pub async fn enos_access_token(&self, h: &[(&str, &str)]) -> String {
        self.enos_session(h).await.0
    }

    pub async fn enos_info(&self, token: &str, h: &[(&str, &str)]) -> Resp {
        let auth = format!("Bearer {token}");
        self.get(enos::INFO, &cat(&[("Authorization", auth.as_str())], h))
            .await
    }

    pub async fn enos_refresh(&self, refresh: &str) -> Resp {
        self.get(&format!("{}?refreshToken={refresh}", enos::REFRESH), &[])
            .await
    }

    pub async fn enos_logout(&self, token: &str) -> Resp {
        let auth = format!("Bearer {token}");
        self.get(enos::LOGOUT, &[("Authorization", auth.as_str())])
            .await
    }
}
