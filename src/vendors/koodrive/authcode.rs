//! KooDrive "Obtaining the Authorization Code URL (getAuthCodeURL)"
//! (<https://support.huaweicloud.com/intl/en-us/api-koodrive/getAuthCodeURL.html>): where a KooDrive
//! front end sends a browser to sign in. Here OrgID is the mock itself, so the `uri` leads to its own
//! sign-in page ([`super::signin`]) and `orgIdHost` is its public base URL.

use crate::contract::extract::{Headers, OverTls};
use crate::contract::koodrive::error::{ErrorBody, KooError};
use crate::contract::koodrive::routes::AUTHORIZE;
use crate::contract::koodrive::types::AuthCodeUrl;
use crate::namespace::{Ns, DEFAULT_NAMESPACE};
use crate::store::orgid::{is_loopback, split_authority};
use axum::http::{Extensions, HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// The query parameter that carries the namespace through a browser, which cannot send
/// `X-Mock-Namespace` (authCodeURL adds it to `uri`; the sign-in page reads it).
pub const NAMESPACE_PARAM: &str = "mock_namespace";
/// The scope the vendor's example asks for.
const SCOPE: &str = "phone+profile+email";
/// Where the vendor's example sends the browser back, on the front end's domain.
const LANDING: &str = "/cloudfile/index.html";
/// Longest `domain` taken (a DNS name of 253 characters and a port).
const MAX_DOMAIN: usize = 259;

/// `GET /koodrive/ose/v1/session/authCodeURL?domain=…` — the OrgID sign-in URL for a front end
/// (KooDrive "Obtaining the Authorization Code URL (getAuthCodeURL)").
#[utoipa::path(
    get,
    path = "/koodrive/ose/v1/session/authCodeURL",
    operation_id = "koodrive_auth_code_url",
    tag = "KooDrive",
    summary = "The OrgID sign-in URL for a front end's domain",
    params(
        ("domain" = String, Query, description = "The front end's domain, `host` or `host:port` (required; missing, blank, repeated or not a host: 13000102). The browser comes back to `https://<domain>/cloudfile/index.html`, or `http://` for a loopback host (`localhost`, `127.0.0.1`, `[::1]`).", example = "kdconsole.example.cn:8080"),
        ("X-Traceid" = Option<String>, Header, description = "Message log trace ID (58 characters)."),
        ("language" = Option<String>, Header, description = "Language code such as `en-US`."),
    ),
    responses(
        (status = 200, description = "Where to send the browser: the mock's own OrgID-like sign-in page.", body = AuthCodeUrl),
        (status = 400, description = "13000102: `domain` missing, blank, repeated or not a `host[:port]`.", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB: 13000102.", body = ErrorBody),
    )
)]
pub(super) async fn auth_code_url(
    ns: Ns,
    uri: Uri,
    Headers(headers): Headers,
    ext: Extensions,
) -> Response {
    let Some(domain) = single_param(uri.query(), "domain") else {
        return KooError::Param.into_response();
    };
    let Some(redirect) = landing(&domain) else {
        return KooError::Param.into_response();
    };
    let host = public_base(&ns, &headers, ext.get::<OverTls>().is_some());
    let client = ns.koo().clients().swap_remove(0);
    let mut uri = authorize_uri(&host, &client.client_id, &redirect);
    if ns.name != DEFAULT_NAMESPACE {
        uri.push('&');
        uri.push_str(NAMESPACE_PARAM);
        uri.push('=');
        uri.push_str(&ns.name);
    }
    Json(AuthCodeUrl {
        uri,
        org_id_host: host,
        code: 0,
        msg: "success",
    })
    .into_response()
}

/// The one non-blank value of `name` in a query; `None` when missing, blank or repeated.
pub(super) fn single_param(query: Option<&str>, name: &str) -> Option<String> {
    let mut found = form_urlencoded::parse(query?.as_bytes()).filter(|(k, _)| k == name);
    let v = found.next()?.1;
    if found.next().is_some() || v.trim().is_empty() {
        return None;
    }
    Some(v.trim().to_string())
}

/// `https://<domain>/cloudfile/index.html` (`http://` for a loopback host), if `domain` is a
/// `host[:port]`.
pub fn landing(domain: &str) -> Option<String> {
    if domain.len() > MAX_DOMAIN {
        return None;
    }
    let (host, _) = split_authority(domain)?;
    let scheme = if is_loopback(&host) { "http" } else { "https" };
    Some(format!("{scheme}://{domain}{LANDING}"))
}

/// The sign-in URI as the vendor's example spells it (`redirect_uri` not percent-encoded: a
/// `scheme://host:port/path` is valid query text).
pub fn authorize_uri(base: &str, client_id: &str, redirect_uri: &str) -> String {
    format!(
        "{base}{AUTHORIZE}?response_type=code&client_id={client_id}&scope={SCOPE}&redirect_uri={redirect_uri}"
    )
}

/// The mock's base URL as a browser reaches it: `--public-url`, else the request's scheme (https on
/// the TLS listener; `X-Forwarded-Proto` first) and host (`X-Forwarded-Host`, else `Host`).
fn public_base(ns: &Ns, headers: &HeaderMap, tls: bool) -> String {
    if let Some(u) = &ns.settings.public_url {
        return u.clone();
    }
    // Of a list a chain of proxies built, the first entry is the client-facing one.
    let first = |name: &str| {
        let v = headers.get(name)?.to_str().ok()?;
        let v = v.split(',').next()?.trim();
        (!v.is_empty()).then_some(v)
    };
    let scheme = match first("x-forwarded-proto") {
        Some(p) if p.eq_ignore_ascii_case("https") => "https",
        Some(p) if p.eq_ignore_ascii_case("http") => "http",
        _ if tls => "https",
        _ => "http",
    };
    let host = [first("x-forwarded-host"), first("host")]
        .into_iter()
        .flatten()
        .find(|h| split_authority(h).is_some())
        .unwrap_or("127.0.0.1");
    format!("{scheme}://{host}")
}
