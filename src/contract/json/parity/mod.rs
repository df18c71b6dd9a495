//! Differential test: the one parse against the two readings it replaced ([`oracle`]), on 100 000
//! bodies mutated from a corpus of valid and tricky JSON by a seeded generator. For every body, each
//! request type decodes to the same value (or is refused by both), the parse refuses exactly what
//! serde_json refused, and wherever serde_json accepted the body, the lint sees the members its scan saw.

mod oracle;

use super::Body;
use crate::contract::extract::serde_json_lenient_string;
use crate::contract::{enos, koodrive, oneaccess};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use std::borrow::Cow;

type Fields = Vec<Option<String>>;

/// For a request type: its fields as decoded by the old parse and by the new one.
macro_rules! compare {
    ($name:ident, $new:ty, [$($f:ident),*] $(, #[$attr:meta])?) => {
        fn $name(body: &[u8]) -> (Option<Fields>, Option<Fields>) {
            #[derive(Deserialize)]
            $(#[$attr])?
            #[allow(dead_code)]
            struct Old<'a> {
                $(
                    #[serde(borrow, default, deserialize_with = "serde_json_lenient_string")]
                    $f: Option<Cow<'a, str>>,
                )*
            }
            let old = oracle::json_object::<Old>(body).map(|v| vec![$(v.$f.map(Cow::into_owned)),*]);
            let new = Body::new(body)
                .json::<$new>()
                .ok()
                .map(|v| vec![$(v.$f.map(Cow::into_owned)),*]);
            (old, new)
        }
    };
}

compare!(
    koo_session,
    koodrive::types::CreateSessionReq,
    [code, domain]
);
compare!(koo_login, koodrive::types::LoginReq, [account, auth_type, password, captcha_token], #[serde(rename_all = "camelCase")]);
compare!(koo_refresh, koodrive::types::RefreshTokenReq, [refresh_token], #[serde(rename_all = "camelCase")]);
compare!(oa_login, oneaccess::types::LoginReq, [user_name, password]);
compare!(
    oa_ticket,
    oneaccess::types::TicketReq,
    [
        session_token,
        operating_sys_version,
        device_ip,
        device_fingerprint,
        agent,
        client_id
    ]
);
compare!(
    oa_verify,
    oneaccess::types::VerifyReq,
    [
        sso_ticket,
        operating_sys_version,
        device_ip,
        device_fingerprint,
        agent
    ]
);
compare!(enos_login, enos::types::LoginReq, [account, password]);
compare!(enos_set, enos::types::SessionSetReq, [org_id], #[serde(rename_all = "camelCase")]);

type Compare = fn(&[u8]) -> (Option<Fields>, Option<Fields>);
const TYPES: [(&str, Compare); 8] = [
    ("koodrive CreateSessionReq", koo_session),
    ("koodrive LoginReq", koo_login),
    ("koodrive RefreshTokenReq", koo_refresh),
    ("oneaccess LoginReq", oa_login),
    ("oneaccess TicketReq", oa_ticket),
    ("oneaccess VerifyReq", oa_verify),
    ("enos LoginReq", enos_login),
    ("enos SessionSetReq", enos_set),
];

/// No fields: whether a body is accepted at all.
#[derive(Deserialize, Debug)]
struct Empty {}

fn corpus() -> Vec<Vec<u8>> {
    let mut c: Vec<Vec<u8>> = [
        r#"{"account":"0027188460911","authType":"1","password":"Zhangsan@123"}"#,
        r#"{"user_name":"zhangsan","password":"Zhangsan@123"}"#,
        r#"{"session_token":"st","operating_sys_version":"Linux","device_ip":"10.10.10.1","device_fingerprint":"fp","agent":"wrk","client_id":"c"}"#,
        r#"{"sso_ticket":"t","operating_sys_version":"x","device_ip":"::1","device_fingerprint":"f","agent":null}"#,
        r#"{"orgId":"o1"}"#,
        r#"{"code":"Frb","domain":"d"}"#,
        r#"{"refreshToken":"r","captchaToken":"123456"}"#,
        "{}",
        "  { }  ",
        "\u{feff}{\"orgId\":\"o\"}",
        r#"{"account":"a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00","password":"\ud800"}"#,
        r#"{"\u0061ccount":"x","account":"y","acc\u006Funt":1.50}"#,
        r#"{"password":1,"password":-0.0e+10,"account":18446744073709551616,"authType":1E400}"#,
        r#"{"orgId":{"a":[1,2,{"b":null}],"c":"}"},"orgId":"last"}"#,
        r#"{"user_name":[],"user_name":"z","password":true,"password":"p"}"#,
        r#"{"x":[[[[[]]]]],"y":{"z":{"w":{}}}, "code" : "c" , "\ud800x":{"\udc00":"\ud800"}}"#,
        "{\t\"code\"\r\n:\n\"c\"\t}\n",
        r#"{"code":"ünï 中文 😀","domain":"\u4e2d"}"#,
        "{\"code\":\"a\u{1}b\"}",
        "{\"x\":\"\u{1f}\",\"code\":\"c\"}",
        "{\"code\":\"\u{7f}\"}",
        r#"{"code":"c",}"#,
        r#"{"code":01}"#,
        r#"{"code":1.}"#,
        r#"{"code":.5}"#,
        r#"{"code":-}"#,
        r#"{"code":+1}"#,
        r#"{"code":"c"} x"#,
        r#"{"\ud800":1}"#,
        r#"{"\udc00x":"y","code":"c"}"#,
        r#"{"code":"\ud800\u0041"}"#,
        "\u{feff}\u{feff}{}",
        "\u{c}{}",
        r#"{"orgId":"a","orgId":"b","orgId":{}}"#,
        r#"{"org\u0049d":"e","orgId":"p"}"#,
        r#"{"a":true,"b":false,"c":null,"d":-1.5e-3,"e":0,"f":[true,false,null,"s",1]}"#,
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    c.push(b"{\"code\":\"\xff\"}".to_vec());
    c.push(b"{\"\xc3\xa9\":\"\xc3\"}".to_vec());
    for n in [126, 127, 128, 129, 1000] {
        let arrays = format!(
            "{{\"orgId\":\"o\",\"d\":{}{}}}",
            "[".repeat(n),
            "]".repeat(n)
        );
        c.push(arrays.into_bytes());
        let objects = format!("{}\"x\"{}", "{\"a\":".repeat(n), "}".repeat(n));
        c.push(objects.into_bytes());
    }
    c
}

const TOKENS: &[&[u8]] = &[
    b"\"",
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b" ",
    b"\t",
    b"\n",
    b"\r",
    b"0",
    b"1",
    b"-",
    b"+",
    b".",
    b"e",
    b"E",
    b"true",
    b"false",
    b"null",
    b"nul",
    b"\\u",
    b"\\ud800",
    b"\\udc00",
    b"\\ud83d\\ude00",
    b"\\u00e9",
    b"\\x",
    b"\\/",
    b"\x00",
    b"\x01",
    b"\x1f",
    b"\x7f",
    b"\xff",
    b"\xc3",
    b"\xc3\xa9",
    b"\xEF\xBB\xBF",
    b"\"account\":",
    b"\"orgId\":",
    b"\"code\":\"dup\",",
    b"\"password\":1,",
    b"\"user_name\":null,",
    b"01",
    b"1.",
    b".5",
    b"1e5",
    b"-0",
    b"{}",
    b"[]",
    b"\"\\\"\"",
    b"\"x\"",
    b"\x0c",
];

/// Members inserted whole, so that a valid body mostly stays valid.
const MEMBERS: &[&str] = &[
    r#""account":"x""#,
    r#""account":1.0e1"#,
    r#""orgId":-0"#,
    r#""code":null"#,
    r#""password":{"a":[1,{"b":"}"}]}"#,
    r#""password":[]"#,
    r#""user_name":true"#,
    r#""\u0061ccount":"e""#,
    r#""device_ip":"\ud800""#,
    r#""device_ip":"\ud83d\ude00\n""#,
    r#""sso_ticket":"\u00e9\"""#,
    r#""\ud800":0"#,
    r#""x":"\u0000""#,
    r#""refreshToken" : "r" "#,
    r#""org\u0049d":"i""#,
    r#""code":"c""#,
];

fn mutate(rng: &mut StdRng, body: &mut Vec<u8>, corpus: &[Vec<u8>]) {
    let at = |rng: &mut StdRng, b: &Vec<u8>| rng.random_range(0..=b.len());
    match rng.random_range(0..9) {
        6..=8 => {
            let m = MEMBERS[rng.random_range(0..MEMBERS.len())];
            let first = body.iter().position(|&c| c == b'{');
            let last = body.iter().rposition(|&c| c == b'}');
            match (first, last, rng.random_bool(0.5)) {
                (Some(i), _, true) => {
                    body.splice(i + 1..i + 1, format!("{m},").into_bytes());
                }
                (_, Some(i), _) => {
                    body.splice(i..i, format!(",{m}").into_bytes());
                }
                _ => body.extend_from_slice(m.as_bytes()),
            }
        }
        0 => {
            let t = TOKENS[rng.random_range(0..TOKENS.len())];
            let i = at(rng, body);
            body.splice(i..i, t.iter().copied());
        }
        1 if !body.is_empty() => {
            let i = rng.random_range(0..body.len());
            let n = rng.random_range(1..=4).min(body.len() - i);
            body.drain(i..i + n);
        }
        2 if !body.is_empty() => {
            let i = rng.random_range(0..body.len());
            let t = TOKENS[rng.random_range(0..TOKENS.len())];
            body.splice(i..i + 1, t.iter().copied());
        }
        3 => {
            let (i, j) = (at(rng, body), at(rng, body));
            let piece = body[i.min(j)..i.max(j)].to_vec();
            let k = at(rng, body);
            body.splice(k..k, piece);
        }
        4 => {
            let i = at(rng, body);
            body.truncate(i);
        }
        _ => {
            let other = &corpus[rng.random_range(0..corpus.len())];
            let (i, j) = (at(rng, body), rng.random_range(0..=other.len()));
            body.truncate(i);
            body.extend_from_slice(&other[j..]);
        }
    }
}

#[test]
fn the_one_parse_decides_as_the_two_it_replaced() {
    let corpus = corpus();
    let mut rng = StdRng::seed_from_u64(30);
    let (mut accepted, mut refused, mut typed) = (0, 0, 0);
    // Bodies the old lint scan read that serde_json refused, and the reverse.
    let (mut scan_only, mut serde_only) = (0, 0);
    for n in 0..100_000 {
        let mut body = corpus[n % corpus.len()].clone();
        if n >= corpus.len() {
            let times = [0, 1, 1, 1, 1, 1, 2, 2, 2, 3][rng.random_range(0..10)];
            for _ in 0..times {
                mutate(&mut rng, &mut body, &corpus);
            }
        }
        let shown = String::from_utf8_lossy(&body).into_owned();
        let old = oracle::json_object::<Empty>(&body).is_some();
        let parsed = Body::new(&body);
        assert_eq!(parsed.json::<Empty>().is_ok(), old, "{shown:?}");
        for (name, compare) in TYPES {
            let (old, new) = compare(&body);
            assert_eq!(new, old, "{name}: {shown:?}");
            typed += usize::from(new.is_some());
        }
        let scanned = oracle::scan(&body);
        let members = parsed.members().ok().map(|m| {
            let list: Vec<_> = m
                .as_slice()
                .iter()
                .map(|m| {
                    (
                        m.key.as_bytes().to_vec(),
                        m.kind.name(),
                        m.text.as_bytes().to_vec(),
                    )
                })
                .collect();
            list
        });
        if old {
            accepted += 1;
            let bom = body.starts_with(b"\xEF\xBB\xBF");
            // A body serde_json accepted: the lint sees what the scan saw (the scan read no BOM).
            match &scanned {
                Some(s) => assert_eq!(members.as_ref(), Some(s), "{shown:?}"),
                None => {
                    assert!(bom, "{shown:?}");
                    assert_eq!(members, oracle::scan(&body[3..]), "{shown:?}");
                    serde_only += 1;
                }
            }
        } else {
            refused += 1;
            scan_only += usize::from(scanned.is_some());
            assert!(parsed.members().is_err(), "{shown:?}");
        }
    }
    eprintln!(
        "accepted {accepted}, refused {refused}, typed {typed}; the old scan alone read {scan_only}, serde_json alone {serde_only}"
    );
    assert!(accepted > 20_000 && refused > 20_000 && typed > 100_000);
}
