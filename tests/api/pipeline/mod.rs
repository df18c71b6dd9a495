//! The request pipeline every vendor route runs through, checked across the three families, one step
//! per file: routing, body, JSON reading, headers, CORS, the connection's edges, and isolation between
//! families and namespaces. Here: the raw-socket helpers and the per-family envelope checks they share.

mod body;
mod cors;
mod edge;
mod headers;
mod isolation;
mod json;
mod routing;

use crate::fixtures::{enos, koo, oa};
use crate::helpers::{Api, Resp};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::json;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Sends one HTTP/1.1 request byte for byte as written (header names keep their case) over a fresh
/// TCP connection and reads the answer to the end. Adds `Host`, `Content-Length` (when there is a
/// body or the method is POST) and `Connection: close` unless the caller gave one.
pub(crate) async fn raw(
    api: &Api,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Resp {
    let addr = api.server.address();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("connection"))
    {
        req.push_str("Connection: close\r\n");
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);

    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .expect("timeout");
        stream.write_all(&bytes).expect("write request");
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).expect("read answer");
        answer
    })
    .await
    .expect("raw request task");
    parse_answer(&answer)
}

pub(crate) fn parse_answer(answer: &[u8]) -> Resp {
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of head");
    let head = std::str::from_utf8(&answer[..split]).expect("ascii head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let mut headers = HeaderMap::new();
    for line in lines {
        let (k, v) = line.split_once(':').expect("header line");
        headers.append(
            HeaderName::from_bytes(k.trim().as_bytes()).expect("header name"),
            HeaderValue::from_str(v.trim()).expect("header value"),
        );
    }
    let mut body = answer[split + 4..].to_vec();
    let chunked = headers
        .get("transfer-encoding")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    let text = String::from_utf8(body).expect("utf-8 body");
    Resp::new(status, headers, text)
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size line");
        let size_text = std::str::from_utf8(&rest[..eol]).expect("chunk size");
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .expect("hex chunk size");
        rest = &rest[eol + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

fn assert_json_content_type(r: &Resp) {
    assert!(
        r.header("content-type")
            .to_ascii_lowercase()
            .starts_with("application/json"),
        "status {} content-type {:?} body {}",
        r.status,
        r.header("content-type"),
        r.text
    );
}

fn oneaccess_login_headers() -> Vec<(&'static str, &'static str)> {
    vec![
        ("x-client-id", oa::CLIENT_ID),
        ("x-device-fingerprint", "fp-rules-test"),
        ("x-operating-sys-version", "Windows 10"),
        ("x-agent", "Chrome"),
    ]
}

fn enos_err(r: &Resp, code: i64, message: &str) {
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body,
        json!({"code": code, "message": message, "data": null}),
        "{}",
        r.text
    );
}

fn koodrive_err(r: &Resp, status: u16, code: i64, msg: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.body, json!({"code": code, "msg": msg}), "{}", r.text);
}

fn oneaccess_err(r: &Resp, status: u16, code: &str, msg: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(
        r.body,
        json!({"error_code": code, "error_msg": msg}),
        "{}",
        r.text
    );
}

/// Writes `bytes` on a fresh connection, optionally shuts down the write side, and reads to the end.
pub(crate) async fn exchange(api: &Api, bytes: Vec<u8>, half_close: bool) -> Vec<u8> {
    let addr = api.server.address();
    tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .expect("timeout");
        s.write_all(&bytes).expect("write");
        if half_close {
            s.shutdown(std::net::Shutdown::Write).expect("shutdown");
        }
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        out
    })
    .await
    .expect("exchange task")
}

fn login_body(password: &str) -> serde_json::Value {
    json!({"account": koo::ACCOUNT, "authType": "1", "password": password})
}

pub(crate) fn read_status_line(s: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut byte = [0u8; 1];
    while !got.ends_with(b"\r\n") {
        match s.read(&mut byte) {
            Ok(1) => got.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&got).trim_end().to_string()
}
