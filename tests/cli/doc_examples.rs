//! The docs' shell examples that need only the http port, run as written (tests/support/docs.rs).

use crate::docs::{run_sh, sh_block};
use crate::process::Server;
use std::path::Path;

#[test]
fn the_control_plane_example_shows_a_minted_code_expire_when_the_clock_advances() {
    let server = Server::start(&[]);
    let block = sh_block("docs/control-plane.md", r#"{"advance":"#);

    let out = run_sh(
        &block,
        &[("127.0.0.1:8080", format!("127.0.0.1:{}", server.port))],
        Path::new(env!("CARGO_MANIFEST_DIR")),
    );

    assert!(
        out.contains(r#"{"code":13000201,"msg":"Authorization code is invalid or expired."}"#),
        "{out}"
    );
    server.stop();
}
