//! No secret from the environment or the command line reaches `--help` or a start-up error.

use super::process::{authmock, run};

const SECRET: &str = "s3cr3t-Pa55";

#[test]
fn help_never_prints_a_secret_taken_from_the_environment() {
    let mut cmd = authmock(&["--help"]);
    cmd.env(
        "AUTHMOCK_STORE",
        format!("redis://:{SECRET}@127.0.0.1:6379/0"),
    )
    .env("AUTHMOCK_ADMIN_TOKEN", format!("{SECRET}-admin"))
    .env("AUTHMOCK_JWT_SECRET", format!("{SECRET}-jwt"));
    let out = run(cmd);
    assert_eq!(out.status.code(), Some(0), "{}", out.all_output());
    assert!(out.stdout.contains("AUTHMOCK_STORE"), "{}", out.stdout);
    assert!(!out.all_output().contains(SECRET), "{}", out.all_output());
}

#[test]
fn a_mistyped_store_scheme_is_refused_without_echoing_its_password() {
    for url in [
        format!("redis:/:{SECRET}@127.0.0.1:6379"),
        format!("reddis://user:{SECRET}@127.0.0.1:6379/0"),
        format!("redis//{SECRET}@127.0.0.1"),
    ] {
        for by_env in [false, true] {
            let mut cmd = authmock(&["--port", "0"]);
            if by_env {
                cmd.env("AUTHMOCK_STORE", &url);
            } else {
                cmd.args(["--store", &url]);
            }
            let out = run(cmd);
            assert_eq!(out.status.code(), Some(2), "{url}: {}", out.all_output());
            assert!(out.stderr.contains("--store"), "{url}: {}", out.stderr);
            assert!(
                out.stderr.contains("***@127.0.0.1"),
                "{url}: {}",
                out.stderr
            );
            assert!(
                !out.all_output().contains(SECRET),
                "{url}: {}",
                out.all_output()
            );
        }
    }
}

#[test]
fn help_says_which_admin_routes_the_token_does_not_guard() {
    let out = run(authmock(&["--help"]));
    let help = out.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        help.contains(
            "except health (/__admin/health), the dashboard page (/__admin/) and the CA \
             (/__admin/ca.pem), which stay open"
        ),
        "{}",
        out.stdout
    );
}
