//! Snapshots on the shared store: taken on replica A, restored on replica B, used on A (after a
//! reset, into another namespace, from a memory-store process); a document of another version
//! changes nothing on either replica.

use super::*;
use crate::snapshot::*;

#[tokio::test]
async fn a_snapshot_taken_on_a_and_restored_on_b_lives_on_a_to_its_last_millisecond() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let w = prepare(&a).await;
    let doc = snapshot(&a, &[]).await;

    b.reset().await;
    koo_session_invalid(&a.koo_auth(&w.koo_session, &[]).await);
    restore(&b, &doc, &[]).await;

    assert_eq!(snapshot(&a, &[]).await, doc);
    koo_ok(&a.koo_auth(&w.koo_session, &[]).await);
    enos_ok(&a.enos_login(SNAP_ACCOUNT, SNAP_PASSWORD, &[]).await);
    koo_bad_code(&a.koo_create_session(koo::USER_CODE, &[]).await);
    // Restored and moved on B, used on A.
    assert_lifetimes(&a, &b, &w, &doc).await;
}

#[tokio::test]
async fn a_snapshot_restored_on_b_into_another_namespace_serves_there_on_a() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let w = prepare(&a).await;
    let doc = snapshot(&a, &[]).await;
    let copy = ns("copy");

    restore(&b, &doc, &copy).await;

    assert_eq!(snapshot(&a, &copy).await, doc);
    koo_ok(&a.koo_auth(&w.koo_session, &copy).await);
    enos_ok(&a.enos_info(&w.enos_access, &copy).await);
    let names = a.get("/__admin/state?all=true", &[]).await;
    assert_eq!(
        names.body["namespaces"]["names"],
        json!(["copy", "default"])
    );
}

#[tokio::test]
async fn a_snapshot_of_a_memory_store_restores_onto_the_shared_one() {
    let redis = redis_or_skip!();
    let memory = Node::spawn(vec![], vec![]);
    let w = prepare(&memory).await;
    let doc = snapshot(&memory, &[]).await;
    let (a, b) = replicas(&redis);

    restore(&b, &doc, &[]).await;

    assert_eq!(snapshot(&a, &[]).await, doc);
    koo_ok(&a.koo_auth(&w.koo_session, &[]).await);
    let app = a.oa_app_token(&[]).await;
    assert_status(&a.oa_verify(&app, &w.oa_ticket, &[]).await, 200);
    enos_error(
        &a.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await,
        31429,
        ENOS_LOCKED,
    );
}

#[tokio::test]
async fn a_snapshot_of_another_version_changes_nothing_on_either_replica() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    prepare(&a).await;
    let mut doc = snapshot(&a, &[]).await;
    doc["version"] = json!(2);
    a.reset().await;
    let w = prepare(&a).await;
    let before = snapshot(&a, &[]).await;

    let r = put(&b, doc.to_string().into_bytes(), &[]).await;

    let msg = "version 2 is not one this server reads (it reads 1)";
    let body = json!({ "error": format!("$.version: {msg}"),
        "problems": [{ "path": "$.version", "message": msg }] });
    assert_eq!((r.status, &r.body), (400, &body), "{}", r.text);
    assert_eq!(snapshot(&a, &[]).await, before);
    assert_eq!(snapshot(&b, &[]).await, before);
    koo_ok(&b.koo_auth(&w.koo_session, &[]).await);
}
