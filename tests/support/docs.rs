//! The docs' shell examples, run as written: only the ports change (8080, 8443 to the test server's),
//! and the `authmock` of this build is first on PATH. What a newcomer pastes must do what the doc says.

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

/// Runs `script` with bash in `dir` after each `(from, to)` replacement; returns stdout, asserting
/// exit 0.
pub fn run_sh(script: &str, replace: &[(&str, String)], dir: &Path) -> String {
    let script = replace
        .iter()
        .fold(script.to_string(), |s, (from, to)| s.replace(from, to));
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_authmock"))
        .parent()
        .expect("the binary's directory");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-eu", "-o", "pipefail", "-c", &script])
        .current_dir(dir)
        .env("PATH", path)
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
