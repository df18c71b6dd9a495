//! OrgID's sign-in page as the mock plays it: `GET /oauth2/authorize` (the OAuth2 authorization
//! endpoint KooDrive's getAuthCodeURL sends a browser to) and the form it posts back. A user signs in
//! (a "sign in as" button, an account and password, or `login_hint` + `prompt=none` / `X-Mock-Login`
//! for CI), and the browser goes back to the client's `redirect_uri` with a one-time authorization
//! code that `POST /koodrive/ose/v1/session/` redeems.
//!
//! Errors follow RFC 6749 section 4.1.2.1: an unknown client or a redirect URI the client does not allow gets
//! an error page and never a redirect; every other error goes back to the client as `error=…`.

use super::authcode::NAMESPACE_PARAM;
use super::authz::{check, Authz, Params, Refusal};
use super::signin_page::{self as page, html, redirect, unavailable, Form};
use crate::contract::extract::Headers;
use crate::contract::json::Body;
use crate::contract::koodrive::routes::{AUTHORIZE, CODE_TTL_MS, LOCK_AFTER, LOCK_MS};
use crate::contract::Family;
use crate::ids::secret_eq;
use crate::namespace::{Ns, DEFAULT_NAMESPACE};
use crate::store::koodrive::KooUser;
use crate::store::{Kind, LoginAttempt, Settled, TokenRec, Verbs};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use std::borrow::Cow;

/// The lockout family, shared with the login route: the same account locks on both.
const FAMILY: Family = Family::KooDrive;
/// A header that signs in as this account at once (CI without clicking).
const X_MOCK_LOGIN: &str = "x-mock-login";

/// The namespace a sign-in URL names (`mock_namespace`), on the sign-in page's path only; a blank one
/// is absent, a repeated one comes back empty, which the pipeline refuses as invalid.
pub fn namespace_param(path: &str, query: Option<&str>) -> Option<String> {
    if path != AUTHORIZE {
        return None;
    }
    let mut it = form_urlencoded::parse(query?.as_bytes()).filter(|(k, _)| k == NAMESPACE_PARAM);
    let first = it.next()?.1.into_owned();
    if first.is_empty() && it.next().is_none() {
        // Blank, as every blank parameter of the mock: as if absent.
        return None;
    }
    Some(if it.next().is_some() {
        String::new()
    } else {
        first
    })
}

/// `GET /oauth2/authorize` — OrgID's sign-in page (mock-defined; the URI KooDrive's getAuthCodeURL
/// hands out).
#[utoipa::path(
    get,
    path = "/oauth2/authorize",
    operation_id = "orgid_authorize",
    tag = "OrgID sign-in",
    summary = "OrgID-like sign-in page (HTML): pick a fixture user, or account and password",
    params(
        ("response_type" = String, Query, description = "`code` (else `error=unsupported_response_type`).", example = "code"),
        ("client_id" = String, Query, description = "An OrgID client of the KooDrive fixtures (unknown: an error page, no redirect).", example = "be93d606a69a214642bf324e147af3366aef98f2cb1eb0b51bf8a27647d135b0"),
        ("redirect_uri" = String, Query, description = "Where the browser goes back to; the client must allow it (else an error page, no redirect).", example = "http://localhost:3000/cloudfile/index.html"),
        ("scope" = Option<String>, Query, description = "Of `openid phone profile email` (else `error=invalid_scope`)."),
        ("state" = Option<String>, Query, description = "Echoed back; printable ASCII, at most 1024 characters (else `error=invalid_request`)."),
        ("login_hint" = Option<String>, Query, description = "An account: prefills the form; with `prompt=none` signs in at once (unknown: `error=login_required`)."),
        ("prompt" = Option<String>, Query, description = "`none`: no page (with `login_hint`; without: `error=login_required`)."),
        ("mock_namespace" = Option<String>, Query, description = "The namespace the code lands in (a browser cannot send `X-Mock-Namespace`)."),
        ("X-Mock-Login" = Option<String>, Header, description = "Sign in as this account at once (CI)."),
    ),
    responses(
        (status = 200, description = "The sign-in page (HTML).", body = String, content_type = "text/html"),
        (status = 302, description = "Back to `redirect_uri` with `code` and `state`, or with `error` (`invalid_request`, `unsupported_response_type`, `invalid_scope`, `login_required`, `access_denied`) and `state`.", headers(("Location" = String, description = "`redirect_uri` with `code`/`error` and `state` added to its query."))),
        (status = 400, description = "Unknown client, or a redirect URI the client does not allow: an error page (HTML), no redirect. An invalid `mock_namespace`: the control plane's `{\"error\"}`.", content((String = "text/html"))),
        (status = 413, description = "Body over 64 KiB: the control plane's `{\"error\"}`.", body = Object, content_type = "application/json"),
    )
)]
pub(super) async fn authorize(ns: Ns, uri: Uri, Headers(headers): Headers) -> Response {
    let p = Params::parse(uri.query().unwrap_or("").as_bytes());
    let authz = match check(&ns, &p) {
        Ok(a) => a,
        Err(r) => return r.answer(),
    };
    let login = headers
        .get(X_MOCK_LOGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let at_once = login.or(authz.login_hint.as_deref().filter(|_| authz.prompt_none));
    match at_once {
        Some(account) => match ns.koo().user_by_account(account) {
            Some(user) => approve(&ns, &authz, &user, true).await,
            None => back(&authz, "login_required", "no such account"),
        },
        None if authz.prompt_none => back(&authz, "login_required", "prompt=none needs login_hint"),
        None => show(&ns, &authz, StatusCode::OK, None),
    }
}

/// `POST /oauth2/authorize` — the sign-in page's forms: `as=<account>` (a user button),
/// `account` + `password`, or `action=deny`, with the request's parameters as hidden fields.
#[utoipa::path(
    post,
    path = "/oauth2/authorize",
    operation_id = "orgid_authorize_submit",
    tag = "OrgID sign-in",
    summary = "The sign-in page's form (application/x-www-form-urlencoded)",
    request_body(content_type = "application/x-www-form-urlencoded", description = "The authorization request's parameters, and `as=<account>`, `account`+`password`, or `action=deny`."),
    responses(
        (status = 302, description = "Back to `redirect_uri` with `code` and `state`; `error=access_denied` for Deny; `error=invalid_request` for a form with none of the fields.", headers(("Location" = String, description = "`redirect_uri` with `code`/`error` and `state` added to its query."))),
        (status = 400, description = "Unknown client or redirect URI not allowed (error page, no redirect); account or password left blank (the page again). An invalid `mock_namespace`: the control plane's `{\"error\"}`.", content((String = "text/html"))),
        (status = 401, description = "Wrong account or password, or the account is locked (5 failures lock it for 15 minutes, as on the login route): the page again, with the message.", body = String, content_type = "text/html"),
        (status = 413, description = "Body over 64 KiB: the control plane's `{\"error\"}`.", body = Object, content_type = "application/json"),
    )
)]
pub(super) async fn authorize_submit(ns: Ns, _uri: Uri, _h: Headers, body: &Body<'_>) -> Response {
    let p = Params::parse(body.bytes());
    let authz = match check(&ns, &p) {
        Ok(a) => a,
        Err(r) => return r.answer(),
    };
    let (Ok(action), Ok(as_account), Ok(account), Ok(password)) = (
        p.one("action"),
        p.one("as"),
        p.one("account"),
        p.one("password"),
    ) else {
        return back(
            &authz,
            "invalid_request",
            "a form field is repeated or too long",
        );
    };
    if action == Some("deny") {
        return back(&authz, "access_denied", "the user denied the request");
    }
    if let Some(a) = as_account {
        return match ns.koo().user_by_account(a) {
            Some(user) => approve(&ns, &authz, &user, false).await,
            None => show(&ns, &authz, StatusCode::UNAUTHORIZED, Some(Form::wrong(a))),
        };
    }
    match (account, password, action) {
        (Some(a), Some(pw), _) => password_sign_in(&ns, &authz, a, pw).await,
        (a, _, Some("sign-in")) | (a @ Some(_), _, _) => {
            let form = Form::blank(a.unwrap_or(""));
            show(&ns, &authz, StatusCode::BAD_REQUEST, Some(form))
        }
        _ => back(&authz, "invalid_request", "the form carried no decision"),
    }
}

/// Checks an account and password as the login route does (same lockout), and signs in.
async fn password_sign_in(ns: &Ns, authz: &Authz, account: &str, password: &str) -> Response {
    let Some(user) = ns.koo().user_by_account(account) else {
        return show(
            ns,
            authz,
            StatusCode::UNAUTHORIZED,
            Some(Form::wrong(account)),
        );
    };
    let now = ns.now();
    let ok = secret_eq(password, &user.password);
    let (code, rec) = new_code(ns, authz, &user, now);
    let attempt = LoginAttempt {
        family: FAMILY,
        user: &user.user_id,
        now,
        ok,
        max: LOCK_AFTER,
        window_ms: LOCK_MS,
        // The page's form takes the password only.
        code: None,
    };
    let settled = ns
        .store()
        .settle(attempt, [(code.as_str().into(), rec)])
        .await;
    match settled {
        Ok(Settled::Passed) => to_client(authz, &code),
        Ok(Settled::Failed(_)) => show(
            ns,
            authz,
            StatusCode::UNAUTHORIZED,
            Some(Form::wrong(account)),
        ),
        Ok(Settled::Locked) => show(
            ns,
            authz,
            StatusCode::UNAUTHORIZED,
            Some(Form::locked(account)),
        ),
        Err(_) => unavailable(),
    }
}

/// Signs in as `user` without a password (a user button, `prompt=none`, `X-Mock-Login`), unless the
/// account is locked.
async fn approve(ns: &Ns, authz: &Authz, user: &KooUser, at_once: bool) -> Response {
    let now = ns.now();
    match ns.store().is_locked(FAMILY, &user.user_id, now).await {
        Ok(false) => {}
        Ok(true) if at_once => return back(authz, "access_denied", "the account is locked"),
        Ok(true) => {
            return show(
                ns,
                authz,
                StatusCode::UNAUTHORIZED,
                Some(Form::locked(&user.account)),
            )
        }
        Err(_) => return unavailable(),
    }
    let (code, rec) = new_code(ns, authz, user, now);
    match ns.store().insert(code.clone(), rec).await {
        Ok(()) => to_client(authz, &code),
        Err(_) => unavailable(),
    }
}

/// A one-time authorization code for `user`, as the control plane mints them (5 minutes, used up by
/// create-session), bound to the client that asked.
fn new_code(ns: &Ns, authz: &Authz, user: &KooUser, now: i64) -> (String, TokenRec) {
    let code = ns.gen.base62_key(64);
    let mut rec = TokenRec::new(Kind::KooAuthCode, user.user_id.clone(), now, CODE_TTL_MS);
    let b = rec.bind();
    b.client = Some(authz.client.client_id.as_str().into());
    // The org of the session it opens (create-session stores it in the step that takes the code).
    b.org = Some(user.org_id.as_str().into());
    (code, rec)
}

fn to_client(authz: &Authz, code: &str) -> Response {
    let mut pairs = vec![("code", code)];
    if let Some(s) = &authz.state {
        pairs.push(("state", s));
    }
    redirect(&authz.redirect_uri, &pairs)
}

fn back(authz: &Authz, error: &'static str, description: &'static str) -> Response {
    let r = Refusal::Back {
        uri: authz.redirect_uri.clone(),
        error,
        description,
        state: authz.state.clone(),
    };
    r.answer()
}

/// The page, with the form's message when there is one.
fn show(ns: &Ns, authz: &Authz, status: StatusCode, form: Option<Form<'_>>) -> Response {
    let mut users = ns.koo().users();
    users.sort_by(|a, b| a.account.cmp(&b.account));
    let rows: Vec<_> = users
        .iter()
        .map(|u| {
            let org = ns.koo().org(&u.org_id);
            (
                u.clone(),
                org.map(|o| o.org_name.clone()).unwrap_or_default(),
            )
        })
        .collect();
    let mut hidden: Vec<(&str, Cow<'_, str>)> = vec![
        ("response_type", "code".into()),
        ("client_id", authz.client.client_id.as_str().into()),
        ("redirect_uri", authz.redirect_uri.as_str().into()),
    ];
    for (k, v) in [("scope", &authz.scope), ("state", &authz.state)] {
        if let Some(v) = v {
            hidden.push((k, v.as_str().into()));
        }
    }
    // Relative, so that the page works behind a proxy that serves it under a path prefix.
    let action = if ns.name == DEFAULT_NAMESPACE {
        "authorize".to_string()
    } else {
        format!("authorize?{NAMESPACE_PARAM}={}", ns.name)
    };
    let prefill = authz.login_hint.as_deref().unwrap_or("");
    let form = form.unwrap_or(Form::blank(prefill).quiet());
    let view = page::View {
        client: &authz.client,
        redirect_uri: &authz.redirect_uri,
        action: &action,
        hidden: &hidden,
        users: &rows,
        form,
    };
    html(status, page::render(&view))
}
