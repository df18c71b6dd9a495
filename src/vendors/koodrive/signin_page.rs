//! The sign-in page's HTML (the shell and its styles are `signin.html`). Every value from a request or
//! the fixtures goes through [`esc`]; the page has no script and loads nothing.

use crate::store::koodrive::KooUser;
use crate::store::orgid::OrgIdClient;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::borrow::Cow;
use std::fmt::Write;
use std::sync::Arc;

const SHELL: &str = include_str!("signin.html");

/// Text made safe for HTML content and quoted attribute values.
pub(super) fn esc(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The account form's state: what it shows in the field and the message above it.
pub(super) struct Form<'a> {
    account: &'a str,
    message: Option<&'static str>,
}

impl<'a> Form<'a> {
    pub(super) fn blank(account: &'a str) -> Form<'a> {
        Form {
            account,
            message: Some("Enter your account and password."),
        }
    }

    /// The login route's 13000203 message.
    pub(super) fn wrong(account: &'a str) -> Form<'a> {
        Form {
            account,
            message: Some("Incorrect account or password."),
        }
    }

    /// The login route's 13000204 message.
    pub(super) fn locked(account: &'a str) -> Form<'a> {
        Form {
            account,
            message: Some("Account is locked. Try again later."),
        }
    }

    pub(super) fn quiet(self) -> Form<'a> {
        Form {
            message: None,
            ..self
        }
    }
}

/// What the page shows.
pub(super) struct View<'a> {
    pub client: &'a OrgIdClient,
    pub redirect_uri: &'a str,
    /// The forms' target (relative).
    pub action: &'a str,
    /// The authorization request, carried by each form.
    pub hidden: &'a [(&'a str, Cow<'a, str>)],
    /// Each user with its org's name.
    pub users: &'a [(Arc<KooUser>, String)],
    pub form: Form<'a>,
}

fn role(r: &str) -> &'static str {
    match r {
        "0" => "Admin",
        "2" => "Super admin",
        _ => "User",
    }
}

fn shell(title: &str, main: &str) -> String {
    SHELL
        .replacen("{{title}}", &esc(title), 1)
        .replacen("{{main}}", main, 1)
}

/// A form tag and the hidden fields of the request.
fn open_form(out: &mut String, v: &View<'_>) {
    let _ = write!(out, r#"<form method="post" action="{}">"#, esc(v.action));
    for (k, val) in v.hidden {
        let _ = write!(
            out,
            r#"<input type="hidden" name="{k}" value="{}">"#,
            esc(val)
        );
    }
}

/// The sign-in page.
pub(super) fn render(v: &View<'_>) -> String {
    let mut m = String::with_capacity(4096);
    let app = if v.client.name.is_empty() {
        "KooDrive"
    } else {
        v.client.name.as_str()
    };
    let host = v
        .redirect_uri
        .split_once("://")
        .map(|(_, r)| r.split(['/', '?']).next().unwrap_or(r))
        .unwrap_or(v.redirect_uri);
    let _ = write!(
        m,
        r#"<header><div class="logo" aria-hidden="true">O</div><h1>Sign in with OrgID</h1></header>
<p class="sub">to continue to <b>{}</b> · back to <span id="redirect-host">{}</span></p>"#,
        esc(app),
        esc(host)
    );
    if let Some(msg) = v.form.message {
        let _ = write!(m, r#"<p class="alert" id="error" role="alert">{msg}</p>"#);
    }
    if !v.users.is_empty() {
        m.push_str(r#"<h2>Sign in as</h2>"#);
        open_form(&mut m, v);
        m.push_str(r#"<div class="users">"#);
        for (u, org) in v.users {
            let name = format!("{} {}", u.firstname, u.surname);
            let name = if name.trim().is_empty() {
                u.user_name.as_str()
            } else {
                name.trim()
            };
            let initial: String = name
                .chars()
                .next()
                .map(|c| c.to_uppercase().collect())
                .unwrap_or_default();
            let _ = write!(
                m,
                r#"<button class="user" type="submit" name="as" value="{a}" id="user-{a}"><span class="avatar" aria-hidden="true">{i}</span><span class="who"><b>{n}</b><small>{a} · {o}</small></span><span class="role">{r}</span></button>"#,
                a = esc(&u.account),
                i = esc(&initial),
                n = esc(name),
                o = esc(org),
                r = role(&u.role),
            );
        }
        m.push_str("</div></form>");
    }
    m.push_str(r#"<h2>Or with an account</h2>"#);
    open_form(&mut m, v);
    let _ = write!(
        m,
        r#"<label for="account">Account or phone</label><input type="text" id="account" name="account" value="{}" autocomplete="username" autocapitalize="none" spellcheck="false">
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password">
<button class="primary" type="submit" id="sign-in" name="action" value="sign-in">Sign in</button></form>"#,
        esc(v.form.account)
    );
    open_form(&mut m, v);
    m.push_str(r#"<button class="secondary" type="submit" id="deny" name="action" value="deny">Deny</button></form>"#);
    shell("Sign in", &m)
}

/// An error page: the request cannot go back to its client.
pub(super) fn error(title: &str, detail: &str) -> String {
    let m = format!(
        r#"<header><div class="logo" aria-hidden="true">O</div><h1 id="error-title">{}</h1></header>
<p class="alert error-detail" id="error" role="alert">{}</p>
<p class="sub">The sign-in request cannot be sent back to the application. Check its client_id and redirect_uri against the OrgID clients of the KooDrive fixtures.</p>"#,
        esc(title),
        esc(detail)
    );
    shell(title, &m)
}

/// `uri` with `pairs` added to its query (kept as it was).
pub(super) fn redirect(uri: &str, pairs: &[(&str, &str)]) -> Response {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.extend_pairs(pairs);
    let sep = match uri.find('?') {
        None => "?",
        Some(_) if uri.ends_with(['?', '&']) => "",
        Some(_) => "&",
    };
    let location = format!("{uri}{sep}{}", q.finish());
    // The redirect URI was checked to be printable ASCII, and the pairs are percent-encoded.
    let Ok(v) = HeaderValue::from_str(&location) else {
        return html(StatusCode::BAD_REQUEST, error("Invalid redirect URI", uri));
    };
    let mut r = StatusCode::FOUND.into_response();
    r.headers_mut().insert(header::LOCATION, v);
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// An HTML answer that loads nothing from anywhere and cannot be framed.
pub(super) fn html(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The shared store cannot be reached: a page saying so, with `Retry-After`, as the vendor routes'
/// 503 does.
pub(super) fn unavailable() -> Response {
    let mut r = html(
        StatusCode::SERVICE_UNAVAILABLE,
        error("Try again", "The mock's store cannot be reached right now."),
    );
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn the_redirect_keeps_the_uri_query() {
        let r = redirect(
            "https://a.example/cb?x=1",
            &[("code", "c"), ("state", "a b&c")],
        );
        assert_eq!(
            r.headers()[header::LOCATION],
            "https://a.example/cb?x=1&code=c&state=a+b%26c"
        );
        let r = redirect("https://a.example/cb", &[("code", "c")]);
        assert_eq!(r.headers()[header::LOCATION], "https://a.example/cb?code=c");
    }

    #[test]
    fn escapes_every_markup_character() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert!(matches!(esc("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_error_page_escapes_its_detail() {
        let p = error("Unknown client", "<script>alert(1)</script>");
        assert!(!p.contains("<script>"));
        assert!(p.contains("&lt;script&gt;"));
    }
}
