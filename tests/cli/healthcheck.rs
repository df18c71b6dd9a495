//! `authmock healthcheck`: exit 0 against a live server, 1 otherwise, whatever form of URL it is given.

use super::*;

// ---------------------------------------------------------------------------------------------------
// healthcheck
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn healthcheck_exits_0_against_a_running_server() {
    let server = Server::start(&[]);
    let url = server.url("/__admin/health");

    let out = run(authmock(&["healthcheck", "--url", &url]));

    assert_eq!(out.status.code(), Some(0), "{}", out.all_output());
}

#[test]
fn healthcheck_exits_1_against_a_closed_port() {
    let url = format!("http://127.0.0.1:{}/__admin/health", closed_port());

    let out = run(authmock(&["healthcheck", "--url", &url]));

    assert_eq!(out.status.code(), Some(1), "{}", out.all_output());
}

#[tokio::test]
async fn healthcheck_exits_1_when_the_url_does_not_answer_200() {
    let server = Server::start(&[]);
    let url = server.url("/__admin/no-such-route");

    let out = run(authmock(&["healthcheck", "--url", &url]));

    assert_eq!(out.status.code(), Some(1), "{}", out.all_output());
}

#[tokio::test]
async fn healthcheck_without_url_probes_the_port_in_authmock_port() {
    let server = Server::start(&[]);
    let mut live = authmock(&["healthcheck"]);
    live.env("AUTHMOCK_PORT", server.port.to_string());
    let mut dead = authmock(&["healthcheck"]);
    dead.env("AUTHMOCK_PORT", closed_port().to_string());

    let live = run(live);
    let dead = run(dead);

    assert_eq!(live.status.code(), Some(0), "{}", live.all_output());
    assert_eq!(dead.status.code(), Some(1), "{}", dead.all_output());
}

// ---------------------------------------------------------------------------------------------------
// healthcheck against the base URL the server prints (issue 16, item 10)
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn healthcheck_of_the_base_url_with_or_without_a_slash_probes_the_health_route() {
    let server = Server::start(&[]);

    let bare = run(authmock(&["healthcheck", "--url", &server.base()]));
    let slash = run(authmock(&["healthcheck", "--url", &server.url("/")]));

    assert_eq!(bare.status.code(), Some(0), "{}", bare.all_output());
    assert_eq!(slash.status.code(), Some(0), "{}", slash.all_output());
    assert!(
        bare.stdout.contains("/__admin/health"),
        "{}",
        bare.all_output()
    );
}
