//! Assertions on a response: its status, and the error envelope each vendor answers with (shared by
//! `api` and `redis` through `#[path]`). A failure shows the response's text.
// Each binary uses a different part of it.
#![allow(dead_code)]

use crate::http::Resp;
use serde_json::{json, Value};

pub fn assert_status(r: &Resp, status: u16) {
    assert_eq!(r.status, status, "{}", r.text);
}

/// Asserts a KooDrive success (HTTP 200, code 0) and returns `data`.
pub fn koo_ok(r: &Resp) -> &Value {
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["code"], json!(0), "{}", r.text);
    &r.body["data"]
}

/// Asserts the EnOS success envelope and returns `data`.
pub fn enos_ok(r: &Resp) -> &Value {
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["code"], json!(0), "{}", r.text);
    &r.body["data"]
}

pub fn koo_error(r: &Resp, status: u16, code: i64, msg: &str) {
    assert_eq!(
        (r.status, &r.body),
        (status, &json!({ "code": code, "msg": msg })),
        "{}",
        r.text
    );
}

pub fn koo_session_invalid(r: &Resp) {
    koo_error(r, 401, 13000202, "Session is invalid or expired.");
}

pub fn koo_bad_code(r: &Resp) {
    koo_error(
        r,
        400,
        13000201,
        "Authorization code is invalid or expired.",
    );
}

pub fn koo_wrong_password(r: &Resp) {
    koo_error(r, 401, 13000203, "Incorrect account or password.");
}

pub fn oa_error(r: &Resp, status: u16, code: &str, msg: &str) {
    assert_eq!(
        (r.status, &r.body),
        (status, &json!({ "error_code": code, "error_msg": msg })),
        "{}",
        r.text
    );
}

pub fn enos_error(r: &Resp, code: i64, message: &str) {
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

/// Of racers' answers, asserts exactly one winner (`won`) and that every loser is refused as `lost`
/// checks; returns the winner.
pub fn one_winner(answers: &[Resp], won: impl Fn(&Resp) -> bool, lost: impl Fn(&Resp)) -> &Resp {
    let winners: Vec<&Resp> = answers.iter().filter(|r| won(r)).collect();
    assert_eq!(winners.len(), 1, "{answers:#?}");
    answers.iter().filter(|r| !won(r)).for_each(lost);
    winners[0]
}

/// An EnOS success.
pub fn enos_won(r: &Resp) -> bool {
    r.status == 200 && r.body["code"] == 0
}

/// EnOS's answer to a credential a concurrent request spent first.
pub fn enos_spent(r: &Resp) {
    enos_error(r, 31401, "Please login first");
}
