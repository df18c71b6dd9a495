//! Shared test plumbing: a real authmock server on 127.0.0.1:0, a small HTTP client around it, and the
//! vendor flows tests arrange their state with (log in, new session, app token, …).

use crate::fixtures::{enos, koo, oa, JAN_2026};
pub use crate::http::Resp;
use authmock::MockServer;
use serde_json::{json, Value};

/// A running server plus a client that talks to it.
pub struct Api {
    pub server: MockServer,
    pub client: reqwest::Client,
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

/// The string at `field` of `r`'s body, asserting HTTP 200 (and `code` 0 where the family has one).
fn issued(r: &Resp, field: &str) -> String {
    assert_eq!(r.status, 200, "{}", r.text);
    let data = match r.body.get("code") {
        Some(code) => {
            assert_eq!(code, &json!(0), "{}", r.text);
            &r.body["data"]
        }
        None => &r.body,
    };
    data[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {}", r.text))
        .to_owned()
}

impl Api {
    /// Starts a server on the embedded default fixtures.
    pub async fn new() -> Api {
        Api::with(MockServer::start().await)
    }

    /// Wraps a server started by a builder.
    pub fn with(server: MockServer) -> Api {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()
            .expect("client");
        Api { server, client }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.uri(), path)
    }

    /// Sends any request; `body` is sent as-is (no Content-Type unless given in `headers`).
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Resp {
        crate::http::send(&self.client, method, &self.url(path), headers, body).await
    }

    /// POST with a JSON body and `Content-Type: application/json`.
    pub async fn post(&self, path: &str, headers: &[(&str, &str)], body: Value) -> Resp {
        crate::http::post_json(&self.client, &self.url(path), headers, body).await
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

    /// `POST /__admin/clock {"advance": seconds}`, asserting success.
    pub async fn advance_clock(&self, seconds: i64) {
        let r = self
            .post("/__admin/clock", &[], json!({ "advance": seconds }))
            .await;
        assert_eq!(r.status, 200, "advancing the clock: {}", r.text);
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
        let r = self.koo_login(h).await;
        assert_eq!((r.status, &r.body["code"]), (200, &json!(0)), "{}", r.text);
        r.body["data"]["sessionInfo"].clone()
    }

    pub async fn koo_create_session(&self, code: &str, h: &[(&str, &str)]) -> Resp {
        self.post(koo::SESSION, h, json!({ "code": code })).await
    }

    /// A session token (`Bearer <48 hex>`) from createSession.
    pub async fn koo_session(&self, code: &str, h: &[(&str, &str)]) -> String {
        issued(&self.koo_create_session(code, h).await, "accessToken")
    }

    pub async fn koo_auth(&self, token: &str, h: &[(&str, &str)]) -> Resp {
        self.get(koo::SESSION_AUTH, &cat(&[("Authorization", token)], h))
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
        issued(&self.oa_token_request(h).await, "access_token")
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
        issued(&r, "session_token")
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
        issued(&r, "accessToken")
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

    /// An org-bound EnOS access token of portal_demo in `yourOrgId`.
    pub async fn enos_access_token(&self, h: &[(&str, &str)]) -> String {
        let login = self.enos_login_token(h).await;
        issued(&self.enos_set(&login, enos::ORG, h).await, "accessToken")
    }

    pub async fn enos_info(&self, token: &str, h: &[(&str, &str)]) -> Resp {
        let auth = format!("Bearer {token}");
        self.get(enos::INFO, &cat(&[("Authorization", auth.as_str())], h))
            .await
    }
}
