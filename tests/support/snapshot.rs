//! A prepared namespace for the snapshot tests of both binaries (`api`: memory; `redis`: the shared
//! store): one of every family's credentials, identities added and removed, a lockout, a fault, a
//! frozen and advanced clock; and the calls that snapshot, restore and use it.
// Each binary uses a different part of it.
#![allow(dead_code)]

use crate::expect::{assert_status, enos_ok};
use crate::fixtures::{enos, koo, JAN_2026_MS};
use crate::flows::{cat, Flows};
use crate::http::Resp;
use serde_json::{json, Value};

pub const DAY_MS: i64 = 86_400_000;
/// When the prepared world issued its credentials, and where its clock stands when snapshotted.
pub const T0: i64 = JAN_2026_MS;
pub const NOW: i64 = T0 + 60_000;

/// An EnOS user added at run time (its password travels in the snapshot).
pub const SNAP_ACCOUNT: &str = "snap_user";
pub const SNAP_PASSWORD: &str = "Snap1234";

/// What `prepare` issued.
pub struct World {
    pub koo_session: String,
    pub koo_access: String,
    pub koo_refresh: String,
    pub koo_code: String,
    pub oa_session: String,
    pub oa_ticket: String,
    pub enos_login: String,
    pub enos_access: String,
    pub enos_refresh: String,
}

/// One of every family's credentials (KooDrive login pair, session, minted code; OneAccess app
/// token, session, ticket; EnOS login-only token, access and refresh pair), an EnOS user added and a
/// KooDrive user removed, portal_demo locked out, a fault queued; clock frozen at T0, then
/// advanced a minute.
pub async fn prepare(api: &Flows) -> World {
    api.freeze().await;
    let user = json!({ "id": "uSnap0001", "account": SNAP_ACCOUNT, "password": SNAP_PASSWORD,
        "name": "Snap User", "orgs": [enos::ORG] });
    api.add_identity("enos", "users", user, &[]).await;
    let gone = api
        .delete(&format!("/__admin/koodrive/users/{}", koo::USER_ID), &[])
        .await;
    assert_status(&gone, 200);
    let info = api.koo_session_info(&[]).await;
    let app = api.oa_app_token(&[]).await;
    let oa_session = api.oa_session_token(&[]).await;
    let (enos_access, enos_refresh) = api.enos_session(&[]).await;
    let login = api.enos_login(SNAP_ACCOUNT, SNAP_PASSWORD, &[]).await;
    for _ in 0..5 {
        api.enos_login(enos::ACCOUNT, "wrong", &[]).await;
    }
    let fault =
        json!({ "route": format!("POST {}", enos::REVOKE_ALL), "error": "31401", "times": 2 });
    api.add_fault(fault, &[]).await;
    // Kept as `vc:<userId>`, its digits bound to it.
    api.mint_verification_code(koo::ACCOUNT).await;
    let w = World {
        koo_session: api.koo_session(koo::SEED_CODE, &[]).await,
        koo_access: info["accessToken"]
            .as_str()
            .expect("accessToken")
            .to_owned(),
        koo_refresh: info["refreshToken"]
            .as_str()
            .expect("refreshToken")
            .to_owned(),
        koo_code: api.mint_auth_code(koo::SEED_USER_ID, &[]).await,
        oa_ticket: api.oa_sso_ticket(&app, &oa_session, &[]).await,
        oa_session,
        enos_login: enos_ok(&login)["accessToken"]
            .as_str()
            .expect("token")
            .to_owned(),
        enos_access,
        enos_refresh,
    };
    api.advance_ms(NOW - T0).await;
    w
}

pub async fn snapshot(api: &Flows, h: &[(&str, &str)]) -> Value {
    let r = api.get("/__admin/snapshot", h).await;
    assert_status(&r, 200);
    r.body
}

pub async fn put(api: &Flows, doc: Vec<u8>, h: &[(&str, &str)]) -> Resp {
    let headers = cat(&[("Content-Type", "application/json")], h);
    api.send("PUT", "/__admin/snapshot", &headers, Some(doc))
        .await
}

pub async fn restore(api: &Flows, doc: &Value, h: &[(&str, &str)]) {
    let r = put(api, doc.to_string().into_bytes(), h).await;
    assert_status(&r, 200);
}

pub async fn set_clock(api: &Flows, ms: i64) {
    api.clock(json!({ "set": ms }), &[]).await;
}

/// The entry of `token` among a snapshot's credentials.
pub fn credential<'a>(doc: &'a Value, token: &str) -> &'a Value {
    let bare = token
        .trim_start_matches("Bearer ")
        .trim_start_matches("AT ");
    doc["credentials"]
        .as_array()
        .expect("credentials")
        .iter()
        .find(|c| c["token"] == json!(bare))
        .unwrap_or_else(|| panic!("{token} is not in {doc}"))
}

/// Uses one of the world's credentials at the current clock; the answer.
pub async fn use_credential(api: &Flows, w: &World, which: &str) -> Resp {
    match which {
        "kooSession" => api.koo_auth(&w.koo_session, &[]).await,
        "kooRefresh" => api.koo_refresh(&w.koo_access, &w.koo_refresh).await,
        "kooAuthCode" => api.koo_create_session(&w.koo_code, &[]).await,
        "oaSession" => {
            let app = api.oa_app_token(&[]).await;
            api.oa_ticket(&app, &w.oa_session, &[]).await
        }
        "oaTicket" => {
            let app = api.oa_app_token(&[]).await;
            api.oa_verify(&app, &w.oa_ticket, &[]).await
        }
        "enosLogin" => api.enos_set(&w.enos_login, enos::ORG, &[]).await,
        "enosAccess" => api.enos_info(&w.enos_access, &[]).await,
        "enosRefresh" => api.enos_refresh(&w.enos_refresh).await,
        "lockout" => api.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await,
        other => panic!("no credential {other}"),
    }
}

/// A vendor's success: 200 and its success code (KooDrive and EnOS 0, OneAccess verify "200",
/// other OneAccess answers no `error_code`).
pub fn accepted(r: &Resp) -> bool {
    let code = r.body.get("code");
    r.status == 200
        && r.body.get("error_code").is_none()
        && code.is_none_or(|c| *c == json!(0) || *c == json!("200"))
}

/// Each credential of the prepared world (and its lockout) with the instant it ends on the mock
/// clock and the vendor's exact refusal then: (what, ends at, HTTP status, body).
pub fn lifetimes() -> Vec<(&'static str, i64, u16, Value)> {
    let koo_refused = json!({ "code": 13000202, "msg": "Session is invalid or expired." });
    let enos_refused = json!({ "code": 31401, "message": "Please login first", "data": null });
    vec![
        ("kooSession", T0 + 1_200_000, 401, koo_refused),
        (
            "kooRefresh",
            T0 + 30 * DAY_MS,
            401,
            json!({ "code": 13000205, "msg": "Refresh token is invalid or expired." }),
        ),
        (
            "kooAuthCode",
            T0 + 300_000,
            400,
            json!({ "code": 13000201, "msg": "Authorization code is invalid or expired." }),
        ),
        (
            "oaSession",
            T0 + 7 * DAY_MS,
            400,
            json!({ "error_code": "SESSION.0001", "error_msg": "Session token is invalid or expired." }),
        ),
        (
            "oaTicket",
            T0 + 9_600_000,
            400,
            json!({ "error_code": "TICKET.0001", "error_msg": "SSO ticket is invalid, used or expired." }),
        ),
        ("enosLogin", T0 + 2 * 3_600_000, 200, enos_refused.clone()),
        ("enosAccess", T0 + 2 * 3_600_000, 200, enos_refused.clone()),
        ("enosRefresh", T0 + 30 * DAY_MS, 200, enos_refused),
        (
            "lockout",
            T0 + 15 * 60_000,
            200,
            json!({ "code": 31429, "message":
            "Attempt of accessing with incorrect password or IP reaches the limit. Please try again later.",
            "data": null }),
        ),
    ]
}

/// For each of [`lifetimes`]: restores `doc` on `control`, sets its clock to the last millisecond and
/// uses the credential on `user` (accepted; a lockout still refuses), then again at the end (refused
/// exactly as the vendor refuses it; the lockout is over).
pub async fn assert_lifetimes(user: &Flows, control: &Flows, w: &World, doc: &Value) {
    for (which, expiry, status, refused) in lifetimes() {
        restore(control, doc, &[]).await;
        set_clock(control, expiry - 1).await;
        let last = use_credential(user, w, which).await;
        restore(control, doc, &[]).await;
        set_clock(control, expiry).await;
        let after = use_credential(user, w, which).await;

        if which == "lockout" {
            // The lock holds to its last millisecond and is gone at its end.
            assert_eq!((last.status, &last.body), (status, &refused), "{which}");
            assert_eq!(after.body["code"], json!(0), "{which}: {}", after.text);
        } else {
            assert!(
                accepted(&last),
                "{which} at its last millisecond: {}",
                last.text
            );
            assert_eq!(
                (after.status, &after.body),
                (status, &refused),
                "{which} at its expiry"
            );
        }
    }
}
