//! Shared test plumbing: a real authmock server on 127.0.0.1:0 and a small HTTP client around it.

use authmock::MockServer;
use reqwest::header::HeaderMap;
use serde_json::Value;

/// A running server plus a client that talks to it.
pub struct Api {
    pub server: MockServer,
    pub client: reqwest::Client,
}

/// What came back: status, headers, raw text and the body parsed as JSON (`Value::Null` if it is not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Resp {
    /// A header's value as text ("" when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl Api {
    /// Starts a server on the embedded default fixtures.
    pub async fn new() -> Api {
        Api::with(MockServer::start().await)
    }

    /// Wraps a server started by a builder.
    pub fn with(server: MockServer) -> Api {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()
            .expect("client");
        Api { server, client }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.uri(), path)
    }

    /// Sends any request; `body` is sent as-is (no Content-Type unless given in `headers`).
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Resp {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.client.request(method, self.url(path));
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
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            text,
            body,
        }
    }

    /// POST with a JSON body and `Content-Type: application/json`.
    pub async fn post(&self, path: &str, headers: &[(&str, &str)], body: Value) -> Resp {
        let mut h: Vec<(&str, &str)> = vec![("content-type", "application/json")];
        h.extend_from_slice(headers);
        self.send("POST", path, &h, Some(body.to_string().into_bytes()))
            .await
    }

    /// POST with raw bytes and the given headers only.
    pub async fn post_raw(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
        self.send("POST", path, headers, Some(body.to_vec())).await
    }

    /// GET with headers.
    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        self.send("GET", path, headers, None).await
    }

    /// DELETE with headers.
    pub async fn delete(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        self.send("DELETE", path, headers, None).await
    }
}
