//! `authmock healthcheck` without `--url` finds the port of the server it checks from that server's
//! command line (`--pid`, 1 in a container), so `docker run authmock --port 9090` stays healthy.

use crate::process::{authmock, run, Server};

/// A port that was free a moment ago (the server must be given a fixed port here, as a user would).
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn healthcheck_of(server: &Server) -> crate::process::Exited {
    let pid = server.proc.child.id().to_string();
    let mut cmd = authmock(&["healthcheck", "--pid", &pid]);
    // What the image's environment says: the default port, not the flag's.
    cmd.env("AUTHMOCK_PORT", "8080");
    run(cmd)
}

#[test]
fn healthcheck_finds_a_server_whose_port_was_given_as_a_flag() {
    let port = free_port().to_string();
    let server = Server::spawn(authmock(&["--port", &port]));

    let out = healthcheck_of(&server);

    assert_eq!(out.status.code(), Some(0), "{}", out.all_output());
    assert_eq!(
        out.stdout,
        format!("healthy: http://127.0.0.1:{port}/__admin/health\n")
    );
}

#[test]
fn healthcheck_finds_a_server_started_with_the_serve_subcommand_and_a_port_flag() {
    let port = free_port().to_string();
    let server = Server::spawn(authmock(&["serve", "--port", &port]));

    let out = healthcheck_of(&server);

    assert_eq!(out.status.code(), Some(0), "{}", out.all_output());
    assert!(
        out.stdout.contains(&format!(":{port}/__admin/health")),
        "{}",
        out.stdout
    );
}

#[test]
fn healthcheck_of_a_process_that_is_no_authmock_server_probes_authmock_port() {
    let server = Server::start(&[]);
    let mut cmd = authmock(&["healthcheck", "--pid", &std::process::id().to_string()]);
    cmd.env("AUTHMOCK_PORT", server.port.to_string());

    let out = run(cmd);

    assert_eq!(out.status.code(), Some(0), "{}", out.all_output());
    assert_eq!(
        out.stdout,
        format!("healthy: http://127.0.0.1:{}/__admin/health\n", server.port)
    );
}
