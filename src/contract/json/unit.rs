//! The parse's and the body's own tests (their parity with the readings they replaced is in `parity`).

use super::parse::parse;
use super::*;
use crate::contract::extract::JsonError;
use serde::Deserialize;

fn read(body: &str) -> Result<Vec<(&str, JsonKind, &str)>, Malformed> {
    let m = parse(body.as_bytes())?;
    Ok(m.as_slice()
        .iter()
        .map(|m| (m.key, m.kind, m.text))
        .collect())
}

#[test]
fn reads_top_level_members_and_skips_nested_values() {
    let v = read(
        r#" { "a" : "x\"}y", "b":1.5e3,"c":true,"d":null,"e":{"f":["}",{"g":1}]},"h":[1,"]"] } "#,
    )
    .unwrap();
    assert_eq!(
        v,
        [
            ("a", JsonKind::String, r#"x\"}y"#),
            ("b", JsonKind::Number, "1.5e3"),
            ("c", JsonKind::Bool, "true"),
            ("d", JsonKind::Null, "null"),
            ("e", JsonKind::Object, r#"{"f":["}",{"g":1}]}"#),
            ("h", JsonKind::Array, r#"[1,"]"]"#),
        ]
    );
    assert_eq!(read("{}").unwrap(), []);
    assert_eq!(
        read("\u{feff}{\"a\":1}").unwrap(),
        [("a", JsonKind::Number, "1")]
    );
}

#[test]
fn keeps_eight_members_inline_and_more_on_the_heap() {
    for n in [7, 8, 9, 40] {
        let body: Vec<String> = (0..n).map(|i| format!("\"k{i}\":{i}")).collect();
        let m = parse(format!("{{{}}}", body.join(",")).as_bytes())
            .map(|m| {
                m.as_slice()
                    .iter()
                    .map(|m| m.text.to_owned())
                    .collect::<Vec<_>>()
            })
            .unwrap();
        let want: Vec<String> = (0..n).map(|i| i.to_string()).collect();
        assert_eq!(m, want);
    }
}

#[test]
fn refuses_what_is_not_one_object_of_valid_json() {
    for bad in [
        "",
        "[]",
        "\"x\"",
        "{",
        "\u{c}{}",
        "\u{feff}\u{feff}{}",
        r#"{"a":1,}"#,
        r#"{"a":1} x"#,
        r#"{"a" 1}"#,
        r#"{"a":tru}"#,
        r#"{"a":"x"#,
        r#"{"a":{"b":1}"#,
        r#"{"a":[1,]}"#,
        r#"{"a":{"b":1,}}"#,
        r#"{"a":{1:1}}"#,
        r#"{"a":[}"#,
        "{\"a\":\"\u{1}\"}",
        "{\"a\":[\"\t\"]}",
        r#"{"a":"\x"}"#,
        r#"{"a":"\u12g4"}"#,
        r#"{"a":"\u12"}"#,
        r#"{"a":01}"#,
        r#"{"a":1.}"#,
        r#"{"a":.5}"#,
        r#"{"a":-}"#,
        r#"{"a":+1}"#,
        r#"{"a":1e}"#,
        r#"{"a":1e+}"#,
        r#"{"a":[01]}"#,
    ] {
        assert_eq!(read(bad), Err(Malformed), "{bad:?}");
    }
    assert_eq!(parse(b"{\"a\":\"\xff\"}").map(|_| ()), Err(Malformed));
    // A top-level key is decoded by every reader: its UTF-16 surrogates must pair.
    for bad in [
        r#"{"\ud800":1}"#,
        r#"{"\udc00":1}"#,
        r#"{"\ud800\u0041":1}"#,
        r#"{"\ud800x":1}"#,
    ] {
        assert_eq!(read(bad), Err(Malformed), "{bad:?}");
    }
    for good in [
        r#"{"\ud83d\ude00":1}"#,
        r#"{"a":"\ud800"}"#,
        r#"{"a":{"\ud800":1}}"#,
    ] {
        assert!(read(good).is_ok(), "{good:?}");
    }
}

#[test]
fn nests_without_a_depth_limit_as_serde_json_skips_a_value() {
    for n in [127, 128, 129, 5000] {
        let body = format!("{{\"a\":{}1{}}}", "[{\"b\":".repeat(n), "}]".repeat(n));
        assert_eq!(read(&body).map(|v| v[0].1), Ok(JsonKind::Array), "{n}");
        let unbalanced = format!("{{\"a\":{}{}}}", "[".repeat(n), "]".repeat(n - 1));
        assert_eq!(read(&unbalanced), Err(Malformed), "{n}");
    }
}

#[derive(Deserialize, Debug)]
struct B {
    #[serde(default, deserialize_with = "lenient_string")]
    a: Option<String>,
}

fn json(body: &[u8]) -> Result<B, JsonError> {
    Body::new(body).json()
}

#[test]
fn coerces_numbers_and_rejects_other_kinds() {
    assert_eq!(json(br#"{"a":1}"#).unwrap().a.as_deref(), Some("1"));
    for n in [
        "1.5",
        "1.10",
        "1e2",
        "1E+2",
        "-0",
        "100.0",
        "18446744073709551616",
    ] {
        let body = format!(r#"{{"a":{n}}}"#);
        assert_eq!(json(body.as_bytes()).unwrap().a.as_deref(), Some(n));
    }
    assert!(json(br#"{"a":{}}"#).is_err());
    assert!(json(br#"{"a":["1"]}"#).is_err());
    assert_eq!(
        json(br#"{"a":"x\"y\u00e9"}"#).unwrap().a.as_deref(),
        Some("x\"y\u{e9}")
    );
    assert_eq!(
        json(br#"{"a" : "plain" }"#).unwrap().a.as_deref(),
        Some("plain")
    );
    assert_eq!(json(br#"{"a":null}"#).unwrap().a, None);
    assert_eq!(json(br#"{}"#).unwrap().a, None);
    assert!(json(br#"{"a":true}"#).is_err());
    assert!(json(br#"{"a":"\ud800"}"#).is_err());
    assert!(json(br#"["x"]"#).is_err());
    assert!(json(b"").is_err());
    assert!(json(b"{\"a\":\"\xff\"}").is_err());
}

#[test]
fn skips_a_bom_and_keeps_the_last_of_repeated_keys() {
    let parse = |b: &[u8]| json(b).map(|v| v.a);
    assert_eq!(parse(b"\xEF\xBB\xBF{\"a\":\"x\"}"), Ok(Some("x".into())));
    assert_eq!(parse(br#"{"a":"x","b":0,"a":2}"#), Ok(Some("2".into())));
    assert_eq!(parse(br#"{"a":{},"a":"y"}"#), Ok(Some("y".into())));
    assert_eq!(parse(br#"{"a":{},"\u0061":"y"}"#), Ok(Some("y".into())));
    assert!(parse(br#"{"a":"y","a":{}}"#).is_err());
    assert!(parse(br#"{"\ud800":"y","a":"x"}"#).is_err());
    assert!(parse(b"\xEF\xBB\xBF\xEF\xBB\xBF{}").is_err());
}

#[test]
fn parses_once_whoever_asks_first() {
    let body = Body::new(br#"{"a":"x"}"#);
    let first: *const Members = body.members().unwrap();
    assert_eq!(body.json::<B>().unwrap().a.as_deref(), Some("x"));
    assert!(std::ptr::eq(first, body.members().unwrap()));
}

#[test]
fn many_members_cost_a_decode_or_two_each_not_their_square() {
    for n in [17, 4000] {
        // Every key escaped, every other one repeated: the worst case for finding the last of each.
        let members: Vec<String> = (0..n)
            .map(|i| format!(r#""\u0061{}":"{i}""#, i / 2))
            .collect();
        let body = format!(r#"{{{},"\u0061":"last"}}"#, members.join(","));
        de::DECODED.with(|d| d.set(0));
        let b: B = Body::new(body.as_bytes()).json().unwrap();
        assert_eq!(b.a.as_deref(), Some("last"));
        let decoded = de::DECODED.with(|d| d.get());
        assert!(decoded <= 2 * (n + 1), "{n} members: {decoded} decodes");
    }
}
