//! HTTPS beside HTTP, over real TLS: reqwest (rustls) trusting only the served CA, and raw sockets for
//! the bytes a TLS port must survive (the binary's own flags: `tls_process.rs`).

use crate::helpers::Resp;
use authmock::MockServer;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

const KD_SESSION: &str = "/koodrive/ose/v1/session/";
const KD_AUTH: &str = "/koodrive/ose/v1/session/auth";
const KD_LOGIN: &str = "/koodrive/ose/v1/auth/login";
const KD_CODE: &str = "FrbMohdqi86v6sMZlFSSuG3E0_9RsDpL08BlYfNQPhvibLET266cQhDI_WczEXJOAoIoKGCdqN2shKX1yfqrVci8nSFdMlxljNFhoffVvH93uSzIoyFxK4P7yhY6fDXa";
const OA_CLIENT: &str = "9fIHl3Dc9ivToWLVtblrF6Sjv9Fx47JJ";
const OA_TENANT: &str = "08f770f51f80d2f40f38c00cb199fd21";
const EN_LOGIN: &str = "/app-portal-service/v2.2/login";
const EN_SET: &str = "/app-portal-service/v2.2/session/set";
const EN_STATIC: &str = "APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44";

/// A client over one base URL: https trusting only `ca_pem` (none: plain http, no TLS roots at all).
pub struct Client {
    base: String,
    http: reqwest::Client,
}

impl Client {
    pub fn new(base: String, ca_pem: Option<&str>) -> Client {
        let mut b = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false);
        if let Some(pem) = ca_pem {
            b = b.add_root_certificate(
                reqwest::Certificate::from_pem(pem.as_bytes()).expect("CA PEM"),
            );
        }
        Client {
            base,
            http: b.build().expect("client"),
        }
    }

    fn https(server: &MockServer, ca_pem: &str) -> Client {
        Client::new(server.https_uri(), Some(ca_pem))
    }

    fn http(server: &MockServer) -> Client {
        Client::new(server.uri(), None)
    }

    async fn try_send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Result<Resp, reqwest::Error> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Resp {
            status,
            headers,
            text,
            body,
        })
    }

    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        self.try_send("GET", path, headers, None)
            .await
            .expect("request")
    }

    async fn post(&self, path: &str, headers: &[(&str, &str)], body: Value) -> Resp {
        self.try_send("POST", path, headers, Some(body.to_string()))
            .await
            .expect("request")
    }
}

async fn tls_server() -> MockServer {
    MockServer::builder().tls(true).start().await
}

fn str_at<'a>(r: &'a Resp, pointer: &str) -> &'a str {
    r.body
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {}", r.text))
}

#[tokio::test]
async fn every_seed_route_answers_over_https_to_a_client_trusting_only_the_served_ca() {
    let server = tls_server().await;
    let ca = Client::http(&server).get("/__admin/ca.pem", &[]).await;
    assert_eq!(ca.status, 200);
    assert!(ca
        .header("content-type")
        .starts_with("application/x-pem-file"));
    assert_eq!(ca.text, server.ca_pem());
    let c = Client::https(&server, &ca.text);

    let session = c.post(KD_SESSION, &[], json!({ "code": KD_CODE })).await;
    assert_eq!(session.body["code"], 0, "{}", session.text);
    let login = c
        .post(
            KD_LOGIN,
            &[("x-hw-agentName", "tls-test")],
            json!({"account": "0027188460911", "authType": "1", "password": "123qweASD143"}),
        )
        .await;
    assert_eq!(login.body["code"], 0, "{}", login.text);

    let app = c
        .http
        .post(format!("{}/api/v2/tenant/token", c.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", OA_CLIENT),
            ("client_secret", "demo-client-secret"),
        ])
        .send()
        .await
        .expect("request")
        .json::<Value>()
        .await
        .expect("json");
    let app_token = app["access_token"].as_str().expect("access_token");
    let fp = ("X-device-fingerprint", "tls-fp");
    let sdk = c
        .post(
            "/api/v2/sdk/login",
            &[
                ("X-client-id", OA_CLIENT),
                fp,
                ("X-operating-sys-version", "Android 10"),
                ("X-agent", "tls-test"),
            ],
            json!({"user_name": "zhangsan", "password": "Zhangsan@123"}),
        )
        .await;
    let bearer = format!("Bearer {app_token}");
    let ticket = c
        .post(
            "/api/v2/tenant/sso/session-token/sso-ticket",
            &[("Authorization", &bearer), ("X-tenant-id", OA_TENANT)],
            json!({"session_token": str_at(&sdk, "/session_token"), "operating_sys_version": "Android 10",
                   "device_ip": "10.10.10.1", "device_fingerprint": "tls-fp", "agent": "tls-test",
                   "client_id": OA_CLIENT}),
        )
        .await;
    assert_eq!(ticket.status, 200, "{}", ticket.text);
    assert!(ticket.body["sso_ticket"].is_string(), "{}", ticket.text);

    let set = c
        .post(
            EN_SET,
            &[("Authorization", &format!("Bearer {EN_STATIC}"))],
            json!({"orgId": "yourOrgId"}),
        )
        .await;
    assert_eq!(set.body["code"], 0, "{}", set.text);
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_served_ca_fails_the_handshake() {
    let server = tls_server().await;
    let other = tls_server().await;
    let strangers = [
        Client::https(&server, other.ca_pem()),
        Client::new(server.https_uri(), None),
    ];
    for c in strangers {
        let e = c
            .try_send("GET", "/__admin/health", &[], None)
            .await
            .expect_err("an untrusted certificate must fail the handshake");
        assert!(e.is_connect(), "{e:?}");
    }
    let trusted = Client::https(&server, server.ca_pem());
    assert_eq!(trusted.get("/__admin/health", &[]).await.status, 200);
}

#[tokio::test]
async fn tokens_issued_over_one_listener_are_accepted_over_the_other() {
    let server = tls_server().await;
    let https = Client::https(&server, server.ca_pem());
    let http = Client::http(&server);

    let login = https
        .post(
            EN_LOGIN,
            &[],
            json!({"account": "portal_demo", "password": "Test1234"}),
        )
        .await;
    let bearer = format!("Bearer {}", str_at(&login, "/data/accessToken"));
    let set = http
        .post(
            EN_SET,
            &[("Authorization", &bearer)],
            json!({"orgId": "yourOrgId"}),
        )
        .await;
    assert_eq!(set.body["code"], 0, "{}", set.text);

    let session = http.post(KD_SESSION, &[], json!({ "code": KD_CODE })).await;
    let token = str_at(&session, "/data/accessToken").to_string();
    let auth = https.get(KD_AUTH, &[("Authorization", &token)]).await;
    assert_eq!(auth.body["code"], 0, "{}", auth.text);
}

#[tokio::test]
async fn the_harness_serves_https_only_when_asked_and_ca_pem_is_404_without_it() {
    let plain = MockServer::start().await;
    assert!(plain.tls_address().is_none());
    let r = Client::http(&plain).get("/__admin/ca.pem", &[]).await;
    assert_eq!(r.status, 404, "{}", r.text);

    let server = tls_server().await;
    let addr = server.tls_address().expect("a TLS address");
    assert_ne!(addr, server.address());
    assert_eq!(server.https_uri(), format!("https://{addr}"));
    assert!(server.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
}

#[tokio::test]
async fn a_server_name_the_certificate_lacks_is_refused_and_the_port_keeps_serving() {
    let server = tls_server().await;
    let addr = server.tls_address().expect("tls");
    let ca = reqwest::Certificate::from_pem(server.ca_pem().as_bytes()).expect("pem");
    let c = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .resolve("auth.vendor.example", addr)
        .build()
        .expect("client");
    let url = format!("https://auth.vendor.example:{}/__admin/health", addr.port());
    let e = c.get(&url).send().await.expect_err("unknown SNI");
    assert!(e.is_connect(), "{e:?}");
    let ok = Client::https(&server, server.ca_pem())
        .get("/__admin/health", &[])
        .await;
    assert_eq!(ok.status, 200);
}

/// Writes `bytes` to a fresh connection to `addr` and reads until the server closes it (bounded); the
/// bytes read.
fn send_and_read_to_close(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    s.write_all(bytes).expect("write");
    let mut out = Vec::new();
    match s.read_to_end(&mut out) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("the server did not close the connection: {e}"),
    }
    out
}

#[tokio::test]
async fn plain_http_garbage_and_stalled_handshakes_on_the_tls_port_close_only_their_connection() {
    let server = tls_server().await;
    let addr = server.tls_address().expect("tls");
    let mut c = Client::https(&server, server.ca_pem());
    // Well under the handshake limit: were a stalled handshake to hold the accept loop, this would fail.
    c.http = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(
            reqwest::Certificate::from_pem(server.ca_pem().as_bytes()).expect("pem"),
        )
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");

    // Clients that connect and never finish a handshake, held open across everything below.
    let mut stalled = Vec::new();
    for i in 0..8 {
        let mut s = TcpStream::connect(addr).expect("connect");
        if i % 2 == 1 {
            // The first bytes of a ClientHello record, then nothing.
            s.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
                .expect("write");
        }
        stalled.push(s);
    }
    let plain = tokio::task::spawn_blocking(move || {
        send_and_read_to_close(addr, b"GET /__admin/health HTTP/1.1\r\nHost: x\r\n\r\n")
    })
    .await
    .expect("plain");
    assert!(!plain.starts_with(b"HTTP/"), "{plain:?}");
    let garbage = tokio::task::spawn_blocking(move || send_and_read_to_close(addr, &[0xff; 300]))
        .await
        .expect("garbage");
    assert!(!garbage.starts_with(b"HTTP/"));

    for _ in 0..3 {
        let r = c.get("/__admin/health", &[]).await;
        assert_eq!(r.status, 200);
    }
    let http = Client::http(&server).get("/__admin/health", &[]).await;
    assert_eq!(http.status, 200);
    drop(stalled);
}

#[tokio::test]
async fn ca_pem_stays_open_under_an_admin_token_while_the_rest_needs_it() {
    let server = MockServer::builder()
        .tls(true)
        .admin_token("s3cret")
        .start()
        .await;
    let c = Client::http(&server);

    let ca = c.get("/__admin/ca.pem", &[]).await;
    let clock = c.get("/__admin/clock", &[]).await;
    let clock_with = c
        .get("/__admin/clock", &[("Authorization", "Bearer s3cret")])
        .await;

    assert_eq!(ca.status, 200, "{}", ca.text);
    assert!(ca
        .header("content-type")
        .starts_with("application/x-pem-file"));
    assert_eq!(ca.text, server.ca_pem());
    assert_eq!(clock.status, 401, "{}", clock.text);
    assert!(clock.body["error"].is_string(), "{}", clock.text);
    assert_eq!(clock_with.status, 200, "{}", clock_with.text);
}
