//! The control plane: `GET`/`PUT /__admin/snapshot` — a namespace's state saved as one document and
//! restored (after a reset, into another namespace), each credential then accepted to its last
//! millisecond and refused at its expiry under the restored clock; a document of another version,
//! with a dangling reference or not JSON is refused naming its JSON path, with nothing changed.

use super::*;
use crate::snapshot::*;

#[tokio::test]
async fn a_snapshot_names_its_format_clock_identities_credentials_lockouts_and_faults() {
    let api = Api::new().await;
    let w = prepare(&api).await;

    let doc = snapshot(&api, &[]).await;

    let top = [
        "clock",
        "credentials",
        "faults",
        "format",
        "identities",
        "lockouts",
        "version",
    ];
    assert_eq!(keys(&doc), top);
    assert_eq!(doc["format"], json!("authmock-snapshot"));
    assert_eq!(doc["version"], json!(1));
    assert_eq!(doc["clock"], json!({ "mode": "frozen", "epochMs": NOW }));
    let added = json!({ "op": "addUser", "family": "enos", "body": { "id": "uSnap0001",
        "account": SNAP_ACCOUNT, "password": SNAP_PASSWORD, "name": "Snap User", "orgs": [enos::ORG] } });
    let removed = json!({ "op": "removeUser", "family": "koodrive", "id": koo::USER_ID });
    assert_eq!(doc["identities"], json!([added, removed]));
    let lock = json!({ "family": "enos", "userId": enos::USER_ID, "failures": 5,
        "lockedUntilMs": T0 + 15 * 60_000 });
    assert_eq!(doc["lockouts"], json!([lock]));
    assert_eq!(doc["faults"], json!(api.faults(&[]).await));
    assert_eq!(
        credential(&doc, &w.koo_refresh),
        &json!({ "token": w.koo_refresh, "kind": "kooRefresh", "family": "koodrive",
            "owner": koo::LOGIN_USER_ID, "issuedAtMs": T0, "expiresAtMs": T0 + 30 * DAY_MS,
            "linked": w.koo_access.trim_start_matches("AT ") })
    );
    assert_eq!(
        credential(&doc, &w.koo_access),
        &json!({ "token": w.koo_access.trim_start_matches("AT "), "kind": "kooAccess",
            "family": "koodrive", "owner": koo::LOGIN_USER_ID, "issuedAtMs": T0,
            "expiresAtMs": T0 + 1_800_000, "retainUntilMs": T0 + 30 * DAY_MS, "linked": w.koo_refresh })
    );
    assert_eq!(
        credential(&doc, &w.enos_access)["boundTo"],
        json!({ "org": enos::ORG })
    );
    assert_eq!(
        credential(&doc, enos::STATIC_TOKEN),
        &json!({ "token": enos::STATIC_TOKEN, "kind": "enosLogin", "family": "enos",
            "owner": enos::USER_ID, "issuedAtMs": 0, "expiresAtMs": null, "fixture": true })
    );
    let vc = credential(&doc, &format!("vc:{}", koo::LOGIN_USER_ID));
    assert_eq!(
        (&vc["kind"], &vc["owner"], keys(&vc["boundTo"])),
        (
            &json!("kooVerificationCode"),
            &json!(koo::LOGIN_USER_ID),
            vec!["code".to_string()]
        )
    );
    assert_eq!(doc["credentials"].as_array().map(Vec::len), Some(12));
}

#[tokio::test]
async fn a_snapshot_restored_after_a_reset_is_the_same_state_and_its_logins_work() {
    let api = Api::new().await;
    let w = prepare(&api).await;
    let before = snapshot(&api, &[]).await;

    api.reset().await;
    koo_session_invalid(&api.koo_auth(&w.koo_session, &[]).await);
    let r = put(&api, before.to_string().into_bytes(), &[]).await;

    assert_status(&r, 200);
    let counts = json!({ "restored": "default", "identities": 2, "credentials": 12,
        "lockouts": 1, "faults": 1 });
    assert_eq!(r.body, counts);
    assert_eq!(snapshot(&api, &[]).await, before);
    koo_ok(&api.koo_auth(&w.koo_session, &[]).await);
    enos_ok(&api.enos_info(&w.enos_access, &[]).await);
    let app = api.oa_app_token(&[]).await;
    assert_status(&api.oa_verify(&app, &w.oa_ticket, &[]).await, 200);
    // The added user logs in with its password; the removed one's code is refused; the lock holds.
    enos_ok(&api.enos_login(SNAP_ACCOUNT, SNAP_PASSWORD, &[]).await);
    koo_bad_code(&api.koo_create_session(koo::USER_CODE, &[]).await);
    let locked = "Attempt of accessing with incorrect password or IP reaches the limit. Please try again later.";
    enos_error(
        &api.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await,
        31429,
        locked,
    );
    let fired = api.post(enos::REVOKE_ALL, &[], json!({})).await;
    enos_error(&fired, 31401, "Please login first");
    assert_eq!(api.faults(&[]).await[0]["hits"], json!(1));
}

#[tokio::test]
async fn each_restored_credential_lives_to_its_last_millisecond_under_the_restored_clock() {
    let api = Api::new().await;
    let w = prepare(&api).await;
    let doc = snapshot(&api, &[]).await;
    api.reset().await;

    assert_lifetimes(&api, &api, &w, &doc).await;
}

#[tokio::test]
async fn a_snapshot_restores_into_another_namespace_leaving_its_own_alone() {
    let api = Api::new().await;
    let w = prepare(&api).await;
    let doc = snapshot(&api, &[]).await;
    let copy = ns("copy");

    let r = put(&api, doc.to_string().into_bytes(), &copy).await;

    assert_status(&r, 200);
    assert_eq!(r.body["restored"], json!("copy"));
    assert_eq!(snapshot(&api, &copy).await, doc);
    assert_eq!(api.get_clock(&copy).await["epochMs"], json!(NOW));
    koo_ok(&api.koo_auth(&w.koo_session, &copy).await);
    enos_ok(&api.enos_info(&w.enos_access, &copy).await);
    // Logging off in the copy leaves the original's session alone.
    let off = api
        .get(
            koo::SESSION_LOGOFF,
            &cat(&[("Authorization", w.koo_session.as_str())], &copy),
        )
        .await;
    koo_ok(&off);
    koo_session_invalid(&api.koo_auth(&w.koo_session, &copy).await);
    koo_ok(&api.koo_auth(&w.koo_session, &[]).await);
}

/// Sends `doc` to a prepared namespace and asserts the 400 naming `path` with `message`, and that
/// the namespace's state did not change.
async fn assert_refused(api: &Api, doc: Vec<u8>, path: &str, message: &str) {
    let before = snapshot(api, &[]).await;

    let r = put(api, doc, &[]).await;

    let problem = json!({ "path": path, "message": message });
    let body = json!({ "error": format!("{path}: {message}"), "problems": [problem] });
    assert_eq!((r.status, &r.body), (400, &body), "{}", r.text);
    assert_eq!(snapshot(api, &[]).await, before);
}

#[tokio::test]
async fn a_snapshot_of_another_version_is_refused_naming_version_with_nothing_changed() {
    let api = Api::new().await;
    prepare(&api).await;
    let mut doc = snapshot(&api, &[]).await;
    doc["version"] = json!(2);
    // What it holds besides does not matter: another version is not read.
    doc["credentials"] = json!("not a list");
    api.reset().await;
    prepare(&api).await;

    let msg = "version 2 is not one this server reads (it reads 1)";
    assert_refused(&api, doc.to_string().into_bytes(), "$.version", msg).await;
}

#[tokio::test]
async fn a_snapshot_with_a_dangling_reference_is_refused_naming_it_with_nothing_changed() {
    let api = Api::new().await;
    let w = prepare(&api).await;
    let doc = snapshot(&api, &[]).await;
    let i = doc["credentials"]
        .as_array()
        .and_then(|a| a.iter().position(|c| c["token"] == json!(w.enos_access)))
        .expect("enos access token listed");
    let mut owner = doc.clone();
    owner["credentials"][i]["owner"] = json!("uNobody");
    let mut org = doc.clone();
    org["credentials"][i]["boundTo"]["org"] = json!("noSuchOrg");
    // Without the identity change that added it, the user its login token belongs to is unknown.
    let mut unadded = doc.clone();
    unadded["identities"] = json!([doc["identities"][1]]);
    let j = doc["credentials"]
        .as_array()
        .and_then(|a| a.iter().position(|c| c["token"] == json!(w.enos_login)))
        .expect("enos login token listed");

    let at = format!("$.credentials[{i}]");
    let msg = "no enos user \"uNobody\" in the fixtures or the snapshot's identities";
    assert_refused(
        &api,
        owner.to_string().into_bytes(),
        &format!("{at}.owner"),
        msg,
    )
    .await;
    let msg = "no enos org \"noSuchOrg\"";
    assert_refused(
        &api,
        org.to_string().into_bytes(),
        &format!("{at}.boundTo.org"),
        msg,
    )
    .await;
    let msg = "no enos user \"uSnap0001\" in the fixtures or the snapshot's identities";
    let path = format!("$.credentials[{j}].owner");
    assert_refused(&api, unadded.to_string().into_bytes(), &path, msg).await;
}

#[tokio::test]
async fn a_corrupt_snapshot_is_refused_naming_where_with_nothing_changed() {
    let api = Api::new().await;
    prepare(&api).await;
    let doc = snapshot(&api, &[]).await;
    let mut kind = doc.clone();
    kind["credentials"][2]["kind"] = json!("kooPassport");
    let mut expiry = doc.clone();
    expiry["credentials"][3]["expiresAtMs"] = json!("tomorrow");
    let mut format = doc.clone();
    format["format"] = json!("wiremock-mappings");

    let cut = br#"{"format":"authmock-snapshot","version":1,"clock":"#.to_vec();
    let msg = "invalid JSON: EOF while parsing a value at line 1 column 50";
    assert_refused(&api, cut, "$", msg).await;
    let unknown = "unknown variant `kooPassport`, expected one of `kooSession`, `kooAccess`, `kooRefresh`, `kooAuthCode`, `kooVerificationCode`, `oaAppToken`, `oaSession`, `oaTicket`, `enosLogin`, `enosAccess`, `enosRefresh`";
    assert_refused(
        &api,
        kind.to_string().into_bytes(),
        "$.credentials[2].kind",
        unknown,
    )
    .await;
    let msg = "invalid type: string \"tomorrow\", expected i64";
    assert_refused(
        &api,
        expiry.to_string().into_bytes(),
        "$.credentials[3].expiresAtMs",
        msg,
    )
    .await;
    let msg = "must be \"authmock-snapshot\"";
    assert_refused(&api, format.to_string().into_bytes(), "$.format", msg).await;
    assert_refused(
        &api,
        b"[]".to_vec(),
        "$",
        "must be an object: an authmock snapshot",
    )
    .await;
}

#[tokio::test]
async fn under_a_seed_tokens_issued_after_a_restore_do_not_repeat_the_snapshots_own() {
    let api = Api::with(MockServer::builder().seed(7).start().await);
    let w = prepare(&api).await;
    let doc = snapshot(&api, &[]).await;
    api.reset().await;
    restore(&api, &doc, &[]).await;

    let again = api.koo_session_info(&[]).await;

    // Without a new stream the seed would issue the prepared login pair again, over its record.
    assert_ne!(again["accessToken"], json!(w.koo_access));
    assert_ne!(again["refreshToken"], json!(w.koo_refresh));
    assert_eq!(
        credential(&snapshot(&api, &[]).await, &w.koo_refresh)["issuedAtMs"],
        json!(T0)
    );
    koo_ok(&api.koo_refresh(&w.koo_access, &w.koo_refresh).await);
}

#[tokio::test]
async fn a_snapshot_over_64_kib_is_restored_and_one_over_16_mib_refused_with_413() {
    let api = Api::new().await;
    prepare(&api).await;
    let before = snapshot(&api, &[]).await;

    // What GET answers must go back in even past the 64 KiB of every other route.
    let mut padded = before.to_string().into_bytes();
    padded.extend(std::iter::repeat_n(b' ', 100 * 1024));
    let r = put(&api, padded, &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(snapshot(&api, &[]).await, before);

    let mut big = before.clone();
    big["identities"] = json!([{ "op": "revokeCode", "code": "x".repeat(16 * 1024 * 1024) }]);
    let r = put(&api, big.to_string().into_bytes(), &[]).await;
    let body = json!({ "error": "request body over 16 MiB" });
    assert_eq!((r.status, &r.body), (413, &body), "{}", r.text);
    assert_eq!(snapshot(&api, &[]).await, before);
}
