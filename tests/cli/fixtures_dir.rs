//! `--fixtures-dir` and `check-fixtures`: a bad directory stops the start naming every problem; an
//! empty one starts on the defaults.

use super::*;

// ---------------------------------------------------------------------------------------------------
// Fixtures: a bad directory stops the start; check-fixtures reports every problem
// ---------------------------------------------------------------------------------------------------

/// Starts `authmock --port 0 --fixtures DIR` with one bad file; it must refuse with code 2 and say
/// which file, where in it and what is wrong.
fn assert_start_refused(file: &str, text: &str, json_path: &str, problem: &str) {
    let dir = TempDir::new("bad-fixtures");
    let path = dir.write(file, text);

    let out = run(authmock(&["--port", "0", "--fixtures", utf8(dir.path())]));

    assert_eq!(out.status.code(), Some(2), "{}", out.all_output());
    assert!(
        !out.stdout.contains("listening"),
        "it started anyway: {}",
        out.stdout
    );
    let line = out
        .stderr
        .lines()
        .find(|l| l.contains(&*path.to_string_lossy()))
        .unwrap_or_else(|| panic!("stderr does not name {}:\n{}", path.display(), out.stderr));
    assert!(
        line.contains(&format!(": {json_path}: ")),
        "no JSON path {json_path} in {line:?}"
    );
    assert!(line.contains(problem), "no {problem:?} in {line:?}");
}

#[test]
fn fixtures_with_an_unknown_org_reference_refuse_to_start_with_code_2() {
    assert_start_refused(
        "enos.json",
        r#"{"orgs":[{"id":"org-a","name":"A"}],
            "users":[{"id":"u1","account":"a","password":"p","name":"A","orgs":["org-nowhere"]}]}"#,
        "$.users[0].orgs[0]",
        "unknown org \"org-nowhere\"",
    );
}

#[test]
fn fixtures_with_a_duplicate_id_refuse_to_start_with_code_2() {
    assert_start_refused(
        "oneaccess.json",
        r#"{"tenants":[{"id":"t1","name":"T"},{"id":"t1","name":"T again"}]}"#,
        "$.tenants[1].id",
        "duplicate tenant id \"t1\"",
    );
}

#[test]
fn fixtures_with_a_value_of_the_wrong_json_type_refuse_to_start_with_code_2() {
    assert_start_refused(
        "koodrive.json",
        r#"{"orgs":[{"orgId":"o1","orgName":"O","tenantId":"t","xhwSchema":"s","userCount":"forty"}]}"#,
        "$.orgs[0].userCount",
        "invalid type: string \"forty\"",
    );
}

#[test]
fn fixtures_with_malformed_json_refuse_to_start_with_code_2() {
    assert_start_refused(
        "koodrive.json",
        "{\"orgs\": [],\n}",
        "$",
        "trailing comma at line 2",
    );
}

#[test]
fn fixtures_with_text_after_the_json_value_refuse_to_start_with_code_2() {
    assert_start_refused(
        "enos.json",
        r#"{"orgs": []} {"users": []}"#,
        "$",
        "trailing characters",
    );
}

#[test]
fn check_fixtures_prints_every_problem_of_every_file_and_exits_2() {
    let dir = TempDir::new("check-bad");
    let koo = dir.write("koodrive.json", r#"{"orgs": ["#);
    let enos = dir.write(
        "enos.json",
        r#"{"orgs":[{"id":"org-a","name":"A"}],
            "users":[{"id":"u1","account":"a","password":"p","name":"A","orgs":["org-nowhere"]},
                     {"id":"u1","account":"b","password":"p","name":"B","orgs":["org-a"]}]}"#,
    );

    let out = run(authmock(&["check-fixtures", utf8(dir.path())]));

    assert_eq!(out.status.code(), Some(2), "{}", out.all_output());
    let text = out.all_output();
    let problems: Vec<&str> = text.lines().filter(|l| l.contains(": $")).collect();
    let koo = koo.display().to_string();
    let enos = enos.display().to_string();
    let expected = [
        (koo.as_str(), "$.orgs", "EOF while parsing"),
        (
            enos.as_str(),
            "$.users[0].orgs[0]",
            "unknown org \"org-nowhere\"",
        ),
        (enos.as_str(), "$.users[1].id", "duplicate user id \"u1\""),
    ];
    for (file, path, msg) in expected {
        assert!(
            problems
                .iter()
                .any(|l| l.contains(&format!("{file}: {path}")) && l.contains(msg)),
            "missing {file}: {path}: {msg} in:\n{text}"
        );
    }
    assert_eq!(problems.len(), 3, "one line per problem:\n{text}");
}

#[test]
fn check_fixtures_accepts_a_copy_of_the_default_fixtures_and_exits_0() {
    let dir = TempDir::new("check-good");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for name in ["koodrive.json", "oneaccess.json", "enos.json"] {
        std::fs::copy(repo.join(name), dir.path().join(name)).expect("copy fixture");
    }

    let out = run(authmock(&["check-fixtures", utf8(dir.path())]));

    assert_eq!(out.status.code(), Some(0), "{}", out.all_output());
}

#[test]
fn check_fixtures_on_a_missing_directory_exits_2() {
    let dir = TempDir::new("check-missing");
    let missing = dir.path().join("nowhere");

    let out = run(authmock(&[
        "check-fixtures",
        missing.to_str().expect("utf-8"),
    ]));

    assert_eq!(out.status.code(), Some(2), "{}", out.all_output());
    assert!(out.all_output().contains("not a directory"));
}

// ---------------------------------------------------------------------------------------------------
// A fixtures directory holding none of the files
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_fixtures_directory_holding_none_of_the_files_starts_on_the_defaults_with_one_warning() {
    let dir = TempDir::new("fixtures-none");
    let server = Server::start(&["--fixtures", utf8(dir.path())]);

    let login = post_json(
        &client(),
        &server.url("/koodrive/ose/v1/auth/login"),
        &[("x-hw-agentName", "t")],
        json!({ "account": "0027188460911", "authType": "1", "password": "123qweASD143" }),
    )
    .await;
    let out = server.stop();

    assert_eq!(login.status, 200, "{}", login.text);
    let warnings: Vec<&str> = out.stderr.lines().filter(|l| l.contains("WARN")).collect();
    assert_eq!(warnings.len(), 1, "stderr:\n{}", out.stderr);
    assert!(
        warnings[0].contains("koodrive.json") && warnings[0].contains("default"),
        "{}",
        warnings[0]
    );
}
