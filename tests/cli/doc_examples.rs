//! The docs' shell examples, run as written (only the port changed from 8080 to the test server's):
//! what a newcomer pastes must do what the doc says.

use crate::process::Server;
use std::path::Path;
use std::process::Command;

/// The ```sh block of `doc` (relative to the repository) that contains `marker`.
pub fn sh_block(doc: &str, marker: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(doc);
    let text = std::fs::read_to_string(&path).expect("read the doc");
    text.split("```sh\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .find(|b| b.contains(marker))
        .unwrap_or_else(|| panic!("no ```sh block with {marker:?} in {doc}"))
        .to_string()
}

/// Runs `script` with bash in `dir`, the default port replaced by `port`; returns stdout, asserting
/// exit 0.
pub fn run_sh(script: &str, port: u16, dir: &Path) -> String {
    let script = script.replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"));
    let out = Command::new("bash")
        .args(["-eu", "-o", "pipefail", "-c", &script])
        .current_dir(dir)
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "the example failed ({}):\n{script}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn the_control_plane_example_shows_a_minted_code_expire_when_the_clock_advances() {
    let server = Server::start(&[]);
    let block = sh_block("docs/control-plane.md", r#"{"advance":"#);

    let out = run_sh(&block, server.port, Path::new(env!("CARGO_MANIFEST_DIR")));

    assert!(
        out.contains(r#"{"code":13000201,"msg":"Authorization code is invalid or expired."}"#),
        "{out}"
    );
    server.stop();
}
