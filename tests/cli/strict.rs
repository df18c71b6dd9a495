//! `AUTHMOCK_STRICT` and `--strict=` take the usual switch spellings; anything else stops the start.

use super::client;
use super::http::send;
use super::process::{authmock, run, Server};

const SLASH_LOGIN_BODY: &str =
    r#"{"account": "0027188460911", "authType": "1", "password": "123qweASD143"}"#;

/// The KooDrive code a login with a repeated slash in its path gets (13000102 when strict).
async fn slash_login_code(server: &Server) -> i64 {
    let r = send(
        &client(),
        "POST",
        &server.url("//koodrive/ose/v1/auth/login"),
        &[("x-hw-agentName", "curl")],
        Some(SLASH_LOGIN_BODY.as_bytes().to_vec()),
    )
    .await;
    r.body["code"].as_i64().unwrap_or(-1)
}

#[tokio::test]
async fn every_switch_spelling_of_authmock_strict_is_honoured() {
    for (v, code) in [
        ("yes", 13000102),
        ("ON", 13000102),
        ("1", 13000102),
        ("True", 13000102),
        ("no", 0),
        ("off", 0),
        ("0", 0),
        ("FALSE", 0),
    ] {
        let mut cmd = authmock(&["--port", "0"]);
        cmd.env("AUTHMOCK_STRICT", v);
        let server = Server::spawn(cmd);
        assert_eq!(slash_login_code(&server).await, code, "AUTHMOCK_STRICT={v}");
    }
    for (arg, code) in [
        ("--strict", 13000102),
        ("--strict=on", 13000102),
        ("--strict=off", 0),
    ] {
        let server = Server::start(&[arg]);
        assert_eq!(slash_login_code(&server).await, code, "{arg}");
    }
}

#[test]
fn an_authmock_strict_that_is_no_switch_value_stops_the_start() {
    for v in ["ture", "2", "enabled"] {
        let mut cmd = authmock(&["--port", "0"]);
        cmd.env("AUTHMOCK_STRICT", v);
        let out = run(cmd);
        assert_eq!(
            out.status.code(),
            Some(2),
            "AUTHMOCK_STRICT={v}: {}",
            out.all_output()
        );
        assert!(
            out.stderr
                .contains("expected true, false, 1, 0, yes, no, on or off"),
            "{}",
            out.stderr
        );
    }
}
