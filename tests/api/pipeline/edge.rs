//! The connection's edges: half-closed sockets, large and oversized request heads, silent and
//! half-sent connections, the header timeout.

use super::*;

#[tokio::test]
async fn a_client_that_half_closes_after_its_request_still_gets_the_answer() {
    let api = Api::new().await;
    let body = br#"{"code":"koo-admin-code"}"#;
    for _ in 0..20 {
        let mut req = format!(
            "POST {} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            koo::SESSION,
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(body);
        let answer = exchange(&api, req, true).await;
        assert!(!answer.is_empty(), "no answer to a half-closed request");
        assert_eq!(parse_answer(&answer).body["code"], 0);
    }
}

#[tokio::test]
async fn a_head_of_95_long_headers_under_32_kib_is_served_and_over_100_header_lines_get_431() {
    let api = Api::new().await;
    let long = "v".repeat(280);
    let big: Vec<(String, String)> = (0..95).map(|i| (format!("X-H{i}"), long.clone())).collect();
    let mut h: Vec<(&str, &str)> = big.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    h.push(("Content-Type", "application/json"));
    let r = raw(
        &api,
        "POST",
        koo::SESSION,
        &h,
        br#"{"code":"koo-admin-code"}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // hyper's own limit (its header array stays on the stack): more than 100 lines.
    let many: Vec<(String, String)> = (0..120).map(|i| (format!("X-H{i}"), "v".into())).collect();
    let h: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = raw(&api, "POST", koo::SESSION, &h, b"{}").await;
    assert_eq!(r.status, 431);
}

// ---------------------------------------------------------------------------------------------------
// Hostile-ish clients
// ---------------------------------------------------------------------------------------------------

/// A GET of health whose head is exactly `total` bytes, padded with ~1 KiB headers.
fn head_of(total: usize) -> Vec<u8> {
    let mut head = String::from("GET /__admin/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    // Each pad line is `X-Pad-NNN: <value>\r\n`: 13 bytes around its value, at least 1 of value.
    const AROUND: usize = 13;
    let mut left = total - head.len() - 2;
    let mut i = 0;
    while left > 0 {
        let line = if left <= 1000 || left > 1000 + AROUND {
            left.min(1000)
        } else {
            left - (AROUND + 1)
        };
        assert!(line > AROUND, "cannot pad to {total}");
        head.push_str(&format!("X-Pad-{i:03}: {}\r\n", "a".repeat(line - AROUND)));
        left -= line;
        i += 1;
    }
    head.push_str("\r\n");
    assert_eq!(head.len(), total);
    head.into_bytes()
}

/// Sends `head` on a fresh connection; the status line, or "" when the server closed without one.
async fn send_head(addr: SocketAddr, head: Vec<u8>) -> String {
    tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        if s.write_all(&head).is_err() {
            return String::new();
        }
        read_status_line(&mut s)
    })
    .await
    .expect("task")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_head_of_32_kib_is_served() {
    let api = Api::new().await;

    let status = send_head(api.server.address(), head_of(32 * 1024)).await;

    assert_eq!(status, "HTTP/1.1 200 OK");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_head_over_32_kib_gets_431_and_the_server_still_serves() {
    let api = Api::new().await;
    let addr = api.server.address();

    let just_over = send_head(addr, head_of(32 * 1024 + 1)).await;
    let far_over = send_head(addr, head_of(40 * 1024)).await;
    let health = api.get("/__admin/health", &[]).await;

    for status in [&just_over, &far_over] {
        assert!(
            status.is_empty() || status.starts_with("HTTP/1.1 431"),
            "{status:?}"
        );
    }
    assert_eq!(health.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_and_half_sent_connections_do_not_stop_others_being_served() {
    let api = Api::new().await;
    let addr = api.server.address();
    let mut idle = Vec::new();
    for i in 0..20 {
        let mut s = TcpStream::connect(addr).expect("connect");
        if i % 2 == 1 {
            s.write_all(b"GET /__admin/health HTTP/1.1\r\nHost: ")
                .expect("write");
        }
        idle.push(s);
    }

    let replies = tokio::time::timeout(
        Duration::from_secs(5),
        futures::future::join_all((0..20).map(|_| api.get("/__admin/health", &[]))),
    )
    .await
    .expect("requests stalled behind silent connections");

    assert!(replies.iter().all(|r| r.status == 200));
    drop(idle);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_connection_is_closed_after_the_header_timeout() {
    let api = Api::new().await;
    let addr = api.server.address();

    let outcome = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(
            authmock::server::HEADER_TIMEOUT + Duration::from_secs(5),
        ))
        .expect("timeout");
        let mut buf = [0u8; 64];
        s.read(&mut buf)
    })
    .await
    .expect("task");

    match outcome {
        Ok(0) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        other => panic!("the silent connection was not closed: {other:?}"),
    }
}
