//! One request helper for every test binary (shared by `api` and `cli` through `#[path]`): send a
//! request with reqwest and keep status, headers, text and the body parsed as JSON.
// Each binary uses a different part of it.
#![allow(dead_code)]

use reqwest::header::HeaderMap;
use serde_json::Value;

/// What came back: status, headers, raw text and the body parsed as JSON (`Value::Null` if it is not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Resp {
    /// Keeps `text` and parses it as JSON.
    pub fn new(status: u16, headers: HeaderMap, text: String) -> Resp {
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            text,
            body,
        }
    }

    /// A header's value as text ("" when absent).
    pub fn header(&self, name: &str) -> &str {
        self.header_opt(name).unwrap_or("")
    }

    /// A header's value as text, `None` when absent (or not text).
    pub fn header_opt(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends any request; `body` is sent as-is (no Content-Type unless given in `headers`).
pub async fn send(
    client: &reqwest::Client,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> Resp {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut req = client.request(method, url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.body(b);
    }
    let resp = req.send().await.expect("request failed");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    Resp::new(status, headers, text)
}

/// GET with headers.
pub async fn get(client: &reqwest::Client, url: &str, headers: &[(&str, &str)]) -> Resp {
    send(client, "GET", url, headers, None).await
}

/// POST with a JSON body and `Content-Type: application/json`.
pub async fn post_json(
    client: &reqwest::Client,
    url: &str,
    headers: &[(&str, &str)],
    body: Value,
) -> Resp {
    let mut h: Vec<(&str, &str)> = vec![("content-type", "application/json")];
    h.extend_from_slice(headers);
    send(client, "POST", url, &h, Some(body.to_string().into_bytes())).await
}

/// Polls GET `url` until it answers `status` (a refused connection counts as not yet), at most
/// `within`; that answer.
pub async fn poll_until(
    client: &reqwest::Client,
    url: &str,
    status: u16,
    within: std::time::Duration,
) -> Resp {
    let deadline = std::time::Instant::now() + within;
    loop {
        if let Ok(r) = client.get(url).send().await {
            let got = r.status().as_u16();
            let headers = r.headers().clone();
            let text = r.text().await.unwrap_or_default();
            if got == status {
                return Resp::new(got, headers, text);
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{url} still answers {got} after {within:?}: {text}"
            );
        } else {
            assert!(
                std::time::Instant::now() < deadline,
                "{url} did not answer within {within:?}"
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
