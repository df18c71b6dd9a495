//! The KooDrive sign-in journey over HTTP: authCodeURL, OrgID's sign-in page at /oauth2/authorize,
//! the code it hands back, and create-session redeeming it. Shared plumbing here; the tests by subject.

mod auth_code_url;
mod codes;
mod page;

use crate::helpers::Api;
use serde_json::{json, Value};

pub const AUTH_CODE_URL: &str = "/koodrive/ose/v1/session/authCodeURL";
pub const CLIENT: &str = "be93d606a69a214642bf324e147af3366aef98f2cb1eb0b51bf8a27647d135b0";
pub const BACK: &str = "http://localhost:3000/cloudfile/index.html";

/// One answer of the sign-in page, redirects not followed.
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub text: String,
}

impl Page {
    /// The query of the redirect, as pairs, asserting it goes back to `to`.
    pub fn back_to(&self, to: &str) -> Vec<(String, String)> {
        assert_eq!(self.status, 302, "{}", self.text);
        let loc = self.location.as_deref().expect("a Location");
        let (base, q) = loc.split_once('?').expect("a query");
        assert_eq!(base, to.split('?').next().unwrap_or(to), "{loc}");
        form_urlencoded::parse(q.as_bytes()).into_owned().collect()
    }

    /// The error page: 400, no redirect.
    pub fn refused(&self, title: &str) {
        assert_eq!(self.status, 400, "{}", self.text);
        assert_eq!(self.location, None);
        assert!(
            self.text
                .contains(&format!(r#"<h1 id="error-title">{title}</h1>"#)),
            "{}",
            self.text
        );
    }
}

pub async fn page(
    api: &Api,
    method: &str,
    path_and_query: &str,
    h: &[(&str, &str)],
    form: Option<&str>,
) -> Page {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut req = client.request(method.parse().expect("method"), api.url(path_and_query));
    for (k, v) in h {
        req = req.header(*k, *v);
    }
    if let Some(f) = form {
        req = req
            .header("content-type", "application/x-www-form-urlencoded")
            .body(f.to_string());
    }
    let r = req.send().await.expect("send");
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().expect("ascii").to_string());
    if status != 302 {
        let ct = r.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .to_string();
        assert!(ct.starts_with("text/html"), "{ct}");
    }
    Page {
        status,
        location,
        text: r.text().await.expect("body"),
    }
}

pub fn authorize(extra: &str) -> String {
    format!("/oauth2/authorize?response_type=code&client_id={CLIENT}&scope=phone+profile+email&redirect_uri={BACK}{extra}")
}

pub fn get<'a>(pairs: &'a [(String, String)], k: &str) -> Option<&'a str> {
    pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

/// The `uri` authCodeURL hands out for `domain`.
pub async fn auth_code_uri(api: &Api, domain: &str, h: &[(&str, &str)]) -> String {
    let r = api
        .get(&format!("{AUTH_CODE_URL}?domain={domain}"), h)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["uri"].as_str().expect("uri").to_string()
}

/// Redeems a code and asserts the session is `user_id`'s.
pub async fn session_of(api: &Api, code: &str, h: &[(&str, &str)]) -> Value {
    let r = api.koo_create_session(code, h).await;
    assert_eq!((r.status, &r.body["code"]), (200, &json!(0)), "{}", r.text);
    r.body["data"]["userInfo"].clone()
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
