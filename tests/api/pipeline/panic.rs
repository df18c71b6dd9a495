//! A panic while answering (made on purpose with `MockServerBuilder::panic_when_asked` and
//! `X-Mock-Panic`): 500 in the family's envelope, the mock's own `{"error"}` on the control plane and
//! on unknown paths, with the CORS headers; logged and counted; the connection and the server go on
//! serving.

use super::*;
use authmock::pipeline::layers::PANIC_MESSAGE;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn panicking() -> Api {
    Api::with(
        authmock::MockServer::builder()
            .panic_when_asked(true)
            .start()
            .await,
    )
}

/// Writes one request on a kept-alive connection and reads exactly its answer (framed by
/// `Content-Length`).
async fn exchange_on(
    s: &mut tokio::net::TcpStream,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Resp {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: x\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.write_all(req.as_bytes()).await.expect("write request");
    let mut answer = Vec::new();
    while !answer.ends_with(b"\r\n\r\n") {
        answer.push(s.read_u8().await.expect("read head"));
    }
    let head = String::from_utf8_lossy(&answer).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse().expect("content-length"))
        .expect("a framed answer");
    let mut rest = vec![0; len];
    s.read_exact(&mut rest).await.expect("read body");
    answer.extend_from_slice(&rest);
    parse_answer(&answer)
}

#[tokio::test]
async fn a_panic_answers_500_in_each_familys_envelope_and_the_connection_keeps_serving() {
    let api = panicking().await;
    let mut conn = tokio::net::TcpStream::connect(api.server.address())
        .await
        .expect("connect");
    let panic = [("X-Mock-Panic", "1"), ("Origin", "http://localhost:3000")];
    let koo_body = login_body(koo::PASSWORD).to_string();
    let oa_body = json!({"user_name": oa::USER, "password": oa::PASSWORD}).to_string();
    let enos_body = json!({"account": enos::ACCOUNT, "password": enos::PASSWORD}).to_string();
    let cases = [
        (
            "POST",
            koo::LOGIN,
            vec![koo::AGENT, ("Content-Type", "application/json")],
            koo_body,
            json!({"code": 500, "msg": PANIC_MESSAGE}),
        ),
        (
            "POST",
            oa::LOGIN,
            [
                oneaccess_login_headers(),
                vec![("Content-Type", "application/json")],
            ]
            .concat(),
            oa_body,
            json!({"error_code": "MOCK.0500", "error_msg": PANIC_MESSAGE}),
        ),
        (
            "POST",
            enos::LOGIN,
            vec![("Content-Type", "application/json")],
            enos_body,
            json!({"code": 500, "message": PANIC_MESSAGE, "data": null}),
        ),
        (
            "GET",
            "/__admin/health",
            vec![],
            String::new(),
            json!({ "error": PANIC_MESSAGE }),
        ),
        (
            "GET",
            "/no/such/route",
            vec![],
            String::new(),
            json!({ "error": PANIC_MESSAGE }),
        ),
    ];

    for (method, path, headers, body, envelope) in cases {
        let headers = [headers, panic.to_vec()].concat();
        let r = exchange_on(&mut conn, method, path, &headers, &body).await;
        let after = exchange_on(&mut conn, "GET", "/__admin/health/live", &[], "").await;

        assert_eq!((r.status, &r.body), (500, &envelope), "{path}: {}", r.text);
        assert_json_content_type(&r);
        assert_eq!(r.header("access-control-allow-origin"), "*", "{path}");
        assert_eq!(r.header("access-control-expose-headers"), "*", "{path}");
        assert_eq!(
            (after.status, &after.body),
            (200, &json!({"status": "live"})),
            "{path}: the same connection after the panic"
        );
    }
    let session = api.koo_session_info(&[]).await;
    assert!(session.is_object(), "{session}");
}

#[tokio::test]
async fn without_the_builder_option_x_mock_panic_is_an_ordinary_header() {
    let api = Api::new().await;

    let r = api
        .post(
            koo::LOGIN,
            &[koo::AGENT, ("X-Mock-Panic", "1")],
            login_body(koo::PASSWORD),
        )
        .await;

    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["code"], 0, "{}", r.text);
    assert!(r.body["data"]["sessionInfo"].is_object(), "{}", r.text);
}

/// Captures what the server logs on this thread (a `#[tokio::test]` runs the server on the test's
/// own thread).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_panic_is_logged_with_its_request_and_message() {
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let api = panicking().await;

    let r = api
        .post(
            enos::LOGIN,
            &[("X-Mock-Panic", "1")],
            json!({"account": enos::ACCOUNT, "password": enos::PASSWORD}),
        )
        .await;

    assert_eq!(r.status, 500, "{}", r.text);
    let text = String::from_utf8(log.0.lock().expect("log buffer").clone()).expect("utf-8 log");
    let line = text
        .lines()
        .find(|l| l.contains("a request panicked: answered 500"))
        .unwrap_or_else(|| panic!("no panic line in {text:?}"));
    assert!(line.contains("ERROR"), "{line}");
    assert!(
        line.contains(&format!("path=\"{}\"", enos::LOGIN)),
        "{line}"
    );
    assert!(line.contains("method=POST"), "{line}");
    assert!(
        line.contains("x-mock-panic asked for a panic (MockServerBuilder::panic_when_asked)"),
        "{line}"
    );
}
