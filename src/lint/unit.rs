//! Each rule provoked and kept quiet, on the pure [`super::check`].

use super::{check, refuse, RULES};
use crate::contract::{enos, koodrive, oneaccess, Op};
use axum::http::HeaderMap;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts this thread's allocations, to show that a request that follows its page allocates nothing.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; the counter is a const-initialised thread-local Cell.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

const KD_SESSION: Op = Op::KooDrive(koodrive::Op::CreateSession);
const KD_AUTH: Op = Op::KooDrive(koodrive::Op::SessionAuth);
const KD_LOGIN: Op = Op::KooDrive(koodrive::Op::Login);
const KD_REFRESH: Op = Op::KooDrive(koodrive::Op::RefreshToken);
const OA_TICKET: Op = Op::OneAccess(oneaccess::Op::SsoTicket);
const OA_LOGIN: Op = Op::OneAccess(oneaccess::Op::SdkLogin);
const EN_SET: Op = Op::Enos(enos::Op::SessionSet);
const EN_REVOKE: Op = Op::Enos(enos::Op::RevokeAll);

const LOGIN_BODY: &str =
    r#"{"account": "0027188460911", "authType": "1", "password": "123qweASD143"}"#;
const TICKET_BODY: &str = r#"{ "session_token": "bts1", "operating_sys_version": "Android 10", "device_ip": "10.10.10.1", "device_fingerprint": "156aysdna213sac", "agent": "Mozilla/5.0", "client_id": "9fIHl3Dc9ivToWLVtblrF6Sjv9Fx47JJ" }"#;

fn hm(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(
            axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    h
}

/// The path as sent when the server would collapse it (it has a repeated slash).
fn raw(path: &str) -> Option<&str> {
    path.contains("//").then_some(path)
}

/// The ids of the warnings, and whether each was lenient.
fn ids(op: Op, path: &str, headers: &[(&str, &str)], body: &str) -> Vec<(&'static str, bool)> {
    check(op, raw(path), &hm(headers), body.as_bytes())
        .iter()
        .map(|w| (w.id, w.lenient))
        .collect()
}

/// The notes, as `id: message`.
fn notes(op: Op, path: &str, headers: &[(&str, &str)], body: &str) -> Vec<String> {
    check(op, raw(path), &hm(headers), body.as_bytes())
        .notes()
        .map(|w| format!("{}: {}", w.id, w.message))
        .collect()
}

fn messages(op: Op, path: &str, headers: &[(&str, &str)], body: &str) -> Vec<String> {
    check(op, raw(path), &hm(headers), body.as_bytes())
        .iter()
        .map(|w| format!("{}: {}", w.id, w.message))
        .collect()
}

const TICKET_OK: &[(&str, &str)] = &[
    ("content-type", "application/json;charset=utf8"),
    (
        "authorization",
        "Bearer 334963fc-1e4a-473b-9096-52a929140000",
    ),
    ("x-tenant-id", "08f770f51f80d2f40f38c00cb199fd21"),
];
const P_TICKET: &str = "/api/v2/tenant/sso/session-token/sso-ticket";
const P_LOGIN: &str = "/koodrive/ose/v1/auth/login";
const P_SET: &str = "/app-portal-service/v2.2/session/set";

/// A request: operation, raw path, headers, body.
type Case<'a> = (Op, &'a str, &'a [(&'a str, &'a str)], &'a str);

#[test]
fn requests_that_follow_the_pages_get_no_warnings_and_no_allocation() {
    let agent = [
        ("x-hw-agentName", "curl"),
        ("content-type", "application/json"),
    ];
    let cases: &[Case] = &[
        (KD_LOGIN, P_LOGIN, &agent, LOGIN_BODY),
        (OA_TICKET, P_TICKET, TICKET_OK, TICKET_BODY),
        (
            KD_SESSION,
            "/koodrive/ose/v1/session",
            &[],
            r#"{ "code" : "Frb", "domain" : "kdconsole-***-***.************.cn:8080" }"#,
        ),
        (
            EN_SET,
            P_SET,
            &[(
                "authorization",
                "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
            )],
            r#"{"orgId":"yourOrgId"}"#,
        ),
        (
            KD_AUTH,
            "/koodrive/ose/v1/session/auth",
            &[
                (
                    "authorization",
                    "Bearer 6ebb6266dd5cdefa1d7126af2eb6173ce0a054d8ba4295be",
                ),
                ("language", "en-US"),
                (
                    "x-traceid",
                    &"a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9"[..58],
                ),
            ],
            "",
        ),
        (
            KD_REFRESH,
            "/koodrive/ose/v1/auth/refreshToken",
            &[("authorization", "AT+3b91")],
            r#"{"refreshToken":"0e0e"}"#,
        ),
        (
            EN_REVOKE,
            "/app-portal-service/v2.2/refreshToken/revokeAll",
            &[
                ("authorization", "Bearer x"),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            "{}",
        ),
    ];
    for (op, path, headers, body) in cases {
        let headers = hm(headers);
        let before = allocations();
        let w = check(*op, raw(path), &headers, body.as_bytes());
        assert_eq!(allocations(), before, "{op:?} {path} allocated");
        assert!(w.is_empty(), "{op:?} {path}: {w:?}");
        assert!(w.header_value().is_none());
    }
    // The counter sees a warning's message being built.
    let before = allocations();
    let w = check(KD_LOGIN, Some("//x"), &HeaderMap::new(), b"{}");
    assert!(!w.is_empty() && allocations() > before);
}

#[test]
fn path_slash_names_the_repeated_slash() {
    let agent = [("x-hw-agentName", "curl")];
    assert_eq!(
        ids(
            KD_LOGIN,
            "//koodrive/ose/v1//auth/login",
            &agent,
            LOGIN_BODY
        ),
        [("path-slash", true)]
    );
}

#[test]
fn content_type_of_sso_ticket_must_be_the_pages_value() {
    let with = |ct: Option<&str>| {
        let mut h: Vec<(&str, &str)> = TICKET_OK[1..].to_vec();
        if let Some(ct) = ct {
            h.push(("content-type", ct));
        }
        messages(OA_TICKET, P_TICKET, &h, TICKET_BODY)
    };
    assert_eq!(
        with(Some("application/json")),
        ["content-type: expected application/json;charset=utf8, got application/json"]
    );
    assert_eq!(with(Some("application/json;charset=utf-8")).len(), 1);
    // None at all is the page's own example: a note, no warning.
    assert!(with(None).is_empty());
    assert_eq!(
        notes(OA_TICKET, P_TICKET, &TICKET_OK[1..], TICKET_BODY),
        ["content-type: missing; the page's Request Parameters set application/json;charset=utf8 (its example sends none)"]
    );
    assert!(with(Some("Application/JSON; charset=UTF8")).is_empty());
}

#[test]
fn content_type_of_other_json_routes_must_be_json_when_sent() {
    let h = [
        ("x-hw-agentName", "curl"),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    assert_eq!(
        ids(KD_LOGIN, P_LOGIN, &h, LOGIN_BODY),
        [("content-type", true)]
    );
    let h = [
        ("x-hw-agentName", "curl"),
        ("content-type", "application/json;charset=utf-8"),
    ];
    assert!(ids(KD_LOGIN, P_LOGIN, &h, LOGIN_BODY).is_empty());
}

#[test]
fn numbers_and_booleans_where_the_page_says_string() {
    let agent = [("x-hw-agentName", "curl")];
    assert_eq!(
        messages(
            KD_LOGIN,
            P_LOGIN,
            &agent,
            r#"{"account":27188460911,"authType":1,"password":"p"}"#
        ),
        [
            "type: account is a JSON number; the page says String",
            "type: authType is a JSON number; the page says String"
        ]
    );
    assert_eq!(
        ids(
            EN_SET,
            P_SET,
            &[("authorization", "Bearer t")],
            r#"{"orgId":true}"#
        ),
        [("type", false)]
    );
    assert_eq!(
        ids(
            EN_SET,
            P_SET,
            &[("authorization", "Bearer t")],
            r#"{"orgId":["a"]}"#
        )[0],
        ("type", false)
    );
}

#[test]
fn unknown_fields_name_the_closest_documented_one() {
    let m = messages(
        EN_SET,
        P_SET,
        &[("authorization", "Bearer t")],
        r#"{"orgId":"o","orgid":"o","org_id":"o","captcha":"x"}"#,
    );
    assert_eq!(
        m,
        [
            "unknown-field: orgid - did you mean orgId?",
            "unknown-field: org_id - did you mean orgId?",
            "unknown-field: captcha - not documented for this route (orgId)",
        ]
    );
    let agent = [("x-hw-agentName", "curl")];
    let m = messages(
        KD_LOGIN,
        P_LOGIN,
        &agent,
        r#"{"account":"a","auth_type":"1","authType":"1","capchaToken":"1"}"#,
    );
    assert_eq!(
        m,
        [
            "unknown-field: auth_type - did you mean authType?",
            "unknown-field: capchaToken - did you mean captchaToken?",
        ]
    );
}

#[test]
fn auth_scheme_follows_each_routes_documented_form() {
    let auth = |op, path, v: &str| ids(op, path, &[("authorization", v)], "");
    let p_auth = "/koodrive/ose/v1/session/auth";
    // KooDrive session routes: `Bearer <t>` as createSession returns it.
    assert_eq!(auth(KD_AUTH, p_auth, "6ebb6266dd"), [("auth-scheme", true)]);
    assert_eq!(
        auth(KD_AUTH, p_auth, "Bearer+6ebb6266dd"),
        [("auth-scheme", true)]
    );
    assert_eq!(auth(KD_AUTH, p_auth, "AT 3b91"), [("auth-scheme", false)]);
    assert!(auth(KD_AUTH, p_auth, "bearer 6ebb6266dd").is_empty());
    // auth/refreshToken: `AT <t>` or `AT+<t>`; the mock also takes Bearer and a bare token.
    let p_rt = "/koodrive/ose/v1/auth/refreshToken";
    let body = r#"{"refreshToken":"r"}"#;
    let rt = |v: &str| ids(KD_REFRESH, p_rt, &[("authorization", v)], body);
    assert!(rt("AT 3b91").is_empty());
    assert_eq!(rt("Bearer 3b91"), [("auth-scheme", true)]);
    assert_eq!(rt("3b91"), [("auth-scheme", true)]);
    // OneAccess and EnOS refuse anything but Bearer: warned, not lenient.
    assert_eq!(
        auth(EN_REVOKE, "/x", "APP_PORTAL_S_x"),
        [("auth-scheme", false)]
    );
    assert_eq!(
        auth(EN_REVOKE, "/x", "Bearer+APP_PORTAL_S_x"),
        [("auth-scheme", true)]
    );
    assert_eq!(
        messages(KD_AUTH, p_auth, &[("authorization", "AT 3b91")], ""),
        ["auth-scheme: scheme AT; the page's form is Bearer <token>"]
    );
}

#[test]
fn mandatory_headers_and_fields_are_named_when_missing() {
    assert_eq!(
        messages(KD_LOGIN, P_LOGIN, &[], r#"{"account":"a","authType":" "}"#),
        [
            "required: x-hw-agentName header is Mandatory",
            "required: authType field is Mandatory"
        ]
    );
    assert_eq!(
        messages(EN_SET, P_SET, &[], r#"{"orgId":null}"#),
        [
            "required: Authorization header is Mandatory (Bearer <token>)",
            "required: orgId field is Mandatory"
        ]
    );
    let oa = ids(
        OA_LOGIN,
        "/api/v2/sdk/login",
        &[],
        r#"{"user_name":"u","password":"p"}"#,
    );
    assert_eq!(oa.len(), 4);
}

#[test]
fn a_missing_x_tenant_id_is_a_note_not_a_warning() {
    assert!(ids(OA_TICKET, P_TICKET, &TICKET_OK[..2], TICKET_BODY).is_empty());
    assert_eq!(
        notes(OA_TICKET, P_TICKET, &TICKET_OK[..2], TICKET_BODY),
        ["x-tenant-id: X-tenant-id missing; the page makes it mandatory when an ISV calls"]
    );
    assert!(notes(OA_TICKET, P_TICKET, TICKET_OK, TICKET_BODY).is_empty());
}

#[test]
fn x_traceid_must_have_58_characters_and_language_must_be_a_tag() {
    let agent = ("x-hw-agentName", "curl");
    let tid = "0".repeat(58);
    assert!(ids(KD_LOGIN, P_LOGIN, &[agent, ("x-traceid", &tid)], LOGIN_BODY).is_empty());
    assert_eq!(
        messages(
            KD_LOGIN,
            P_LOGIN,
            &[agent, ("x-traceid", "abc123")],
            LOGIN_BODY
        ),
        ["x-traceid: 6 characters; the page's X-Traceid has 58 (\"contains 58 bits\")"]
    );
    for ok in ["en-US", "en", "zh-Hans-CN", "es-419", "EN-us"] {
        assert!(
            ids(KD_LOGIN, P_LOGIN, &[agent, ("language", ok)], LOGIN_BODY).is_empty(),
            "{ok}"
        );
    }
    for bad in ["en_US", "english", "e", "en-USA", "en-US-x-y", "zh-Hans"] {
        assert_eq!(
            ids(KD_LOGIN, P_LOGIN, &[agent, ("language", bad)], LOGIN_BODY),
            [("language", true)],
            "{bad}"
        );
    }
    // Only KooDrive documents these gateway headers.
    assert!(ids(
        EN_SET,
        P_SET,
        &[("authorization", "Bearer t"), ("language", "english")],
        r#"{"orgId":"o"}"#
    )
    .is_empty());
}

#[test]
fn device_ip_must_be_an_ip_address() {
    let body = TICKET_BODY.replace("10.10.10.1", "my-phone");
    assert_eq!(
        messages(OA_TICKET, P_TICKET, TICKET_OK, &body),
        ["device-ip: device_ip my-phone is not an IP address"]
    );
    let v6 = TICKET_BODY.replace("10.10.10.1", "::1");
    assert!(ids(OA_TICKET, P_TICKET, TICKET_OK, &v6).is_empty());
}

#[test]
fn a_body_the_scan_cannot_read_gets_no_body_warnings() {
    let agent = [("x-hw-agentName", "curl")];
    // The "Login" page's example with its trailing comma: the handler answers 13000102.
    let body = "{\n\"account\": \"0027188460911\",\n\"authType\": 1,\n\"pasword\": \"x\",\n}";
    assert!(ids(KD_LOGIN, P_LOGIN, &agent, body).is_empty());
}

#[test]
fn strict_mode_answers_the_familys_parameter_error() {
    let mut h = TICKET_OK[1..].to_vec();
    h.push(("content-type", "application/json"));
    let w = check(OA_TICKET, None, &hm(&h), TICKET_BODY.as_bytes());
    let first = w.first_lenient().unwrap();
    let r = refuse(OA_TICKET, first);
    assert_eq!(r.status(), 400);
    let r = refuse(KD_LOGIN, first);
    assert_eq!(r.status(), 400);
    let r = refuse(EN_SET, first);
    assert_eq!(r.status(), 200);
}

#[test]
fn every_rule_id_is_unique_and_has_a_source() {
    for (i, r) in RULES.iter().enumerate() {
        assert!(!r.sources.is_empty() && !r.what.is_empty());
        assert!(RULES[..i].iter().all(|o| o.id != r.id), "{}", r.id);
    }
}
