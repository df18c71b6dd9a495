//! `authmock check-fixtures DIR`: which files it read, which keep their default, which `*.json` files
//! it does not read, and every problem; exit 0 (valid), 1 (valid, but DIR is not what it looks like)
//! or 2 (the server would refuse DIR).

use crate::process::{authmock, run, Exited};
use crate::tempdir::TempDir;
use std::path::Path;

fn check(dir: &Path) -> Exited {
    run(authmock(&["check-fixtures", dir.to_str().expect("utf-8")]))
}

fn copy_default(dir: &TempDir, name: &str) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    std::fs::copy(repo.join(name), dir.path().join(name)).expect("copy fixture");
}

fn lines(out: &Exited) -> Vec<String> {
    out.stdout.lines().map(str::to_string).collect()
}

#[test]
fn check_fixtures_on_a_directory_with_none_of_the_files_says_the_defaults_would_be_used_and_exits_1(
) {
    let dir = TempDir::new("check-none");
    let d = dir.path().display();

    let out = check(dir.path());

    assert_eq!(out.status.code(), Some(1), "{}", out.all_output());
    assert_eq!(
        lines(&out),
        [
            format!("default: koodrive.json (not in {d})"),
            format!("default: oneaccess.json (not in {d})"),
            format!("default: enos.json (not in {d})"),
            format!("{d}: none of the three files is there: the defaults would be used"),
        ]
    );
}

#[test]
fn check_fixtures_names_a_misnamed_enos_json_and_exits_1() {
    let dir = TempDir::new("check-misnamed");
    copy_default(&dir, "koodrive.json");
    let enos = dir.write("Enos.json", r#"{"orgs":[],"users":[]}"#);
    let d = dir.path().display();

    let out = check(dir.path());

    assert_eq!(out.status.code(), Some(1), "{}", out.all_output());
    assert_eq!(
        lines(&out),
        [
            format!("read: {}", dir.path().join("koodrive.json").display()),
            format!("default: oneaccess.json (not in {d})"),
            format!("default: enos.json (not in {d})"),
            format!(
                "not read: {}: authmock reads only koodrive.json, oneaccess.json and enos.json (did you mean enos.json?)",
                enos.display()
            ),
            format!("{d}: 1 file(s) not read"),
        ]
    );
}

#[test]
fn check_fixtures_lists_the_three_files_read_and_exits_0_on_a_copy_of_the_defaults() {
    let dir = TempDir::new("check-all");
    for name in ["koodrive.json", "oneaccess.json", "enos.json"] {
        copy_default(&dir, name);
    }
    let d = dir.path().display();

    let out = check(dir.path());

    assert_eq!(out.status.code(), Some(0), "{}", out.all_output());
    assert_eq!(
        lines(&out),
        [
            format!("read: {}", dir.path().join("koodrive.json").display()),
            format!("read: {}", dir.path().join("oneaccess.json").display()),
            format!("read: {}", dir.path().join("enos.json").display()),
            format!("{d}: fixtures are valid"),
        ]
    );
}

#[test]
fn check_fixtures_reports_an_unknown_field_and_every_other_problem_of_the_file() {
    let dir = TempDir::new("check-unknown");
    let enos = dir.write(
        "enos.json",
        r#"{"orgs":[{"id":"org-a","name":"A","colour":"red"}],
            "users":[{"id":"u1","account":"a","password":"p","name":"A","emial":"a@x","orgs":["org-nowhere"]},
                     {"id":"u1","account":"b","password":"p","name":"B","orgs":["org-a"]}]}"#,
    );
    let e = enos.display();

    let out = check(dir.path());

    assert_eq!(out.status.code(), Some(2), "{}", out.all_output());
    let problems: Vec<String> = lines(&out)
        .into_iter()
        .filter(|l| l.starts_with(&format!("{e}: ")))
        .collect();
    assert_eq!(problems.len(), 4, "{}", out.stdout);
    for (path, msg) in [
        ("$.orgs[0].colour", "unknown field `colour`"),
        ("$.users[0].emial", "unknown field `emial`"),
        ("$.users[0].orgs[0]", "unknown org \"org-nowhere\""),
        ("$.users[1].id", "duplicate user id \"u1\""),
    ] {
        assert!(
            problems
                .iter()
                .any(|l| l.starts_with(&format!("{e}: {path}: {msg}"))),
            "no {path}: {msg} in:\n{}",
            out.stdout
        );
    }
    assert!(
        out.stdout.ends_with(&format!(
            "{}: 4 problem(s): authmock would not start\n",
            dir.path().display()
        )),
        "{}",
        out.stdout
    );
}
