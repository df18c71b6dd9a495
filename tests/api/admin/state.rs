//! The control plane: `GET /__admin/state`.

use super::*;

// =============================================================================================
// state

/// The entry of `token` (with or without its `Bearer `/`AT ` prefix) in a state dump.
fn token_entry<'a>(st: &'a Value, token: &str) -> &'a Value {
    let bare = token
        .strip_prefix("Bearer ")
        .or_else(|| token.strip_prefix("AT "))
        .unwrap_or(token);
    st["tokens"]
        .as_array()
        .unwrap_or_else(|| panic!("no tokens array: {st}"))
        .iter()
        .find(|t| t["token"] == json!(bare) || t["token"] == json!(token))
        .unwrap_or_else(|| panic!("{token} is not in the state's tokens"))
}

/// Asserts an entry's kind, owner, and issue/expiry instants (ms after 2026-01-01T00:00:00Z).
fn assert_token(entry: &Value, kind: &str, owner: &str, expires_after_ms: i64) {
    assert_eq!(entry["kind"], json!(kind), "{entry}");
    assert_eq!(entry["owner"], json!(owner), "{entry}");
    assert_instant(&entry["issuedAt"], JAN_2026_MS);
    assert_instant(&entry["expiresAt"], JAN_2026_MS + expires_after_ms);
}

#[tokio::test]
async fn state_lists_identities_codes_tickets_and_live_tokens_with_their_bindings() {
    let api = Api::new().await;
    api.freeze_at(JAN_2026, &[]).await;
    let info = api.koo_session_info(&[]).await;
    let access = info["accessToken"].as_str().expect("accessToken");
    let refresh = info["refreshToken"].as_str().expect("refreshToken");
    let created = api.koo_create_session(koo::SEED_CODE, &[]).await;
    let session = koo_ok(&created)["accessToken"].as_str().expect("token");
    let session_id = created.body["data"]["sessionId"].as_str().expect("id");
    let app = api.oa_app_token(&[]).await;
    let oa_session = api.oa_session_token(&[]).await;
    let t = api.oa_ticket(&app, &oa_session, &[]).await;
    assert_status(&t, 200);
    let ticket = t.body["sso_ticket"].as_str().expect("sso_ticket");
    let enos = api.enos_access_token(&[]).await;
    let code = mint_auth_code(&api, json!({ "userId": koo::USER_ID }), &[]).await;
    let code = code["code"].as_str().expect("code");

    let st = state(&api, "", &[]).await.body;

    // identities
    assert_eq!(
        ids(&st["koodrive"]["users"], "userId"),
        [
            "1008600000701011122",
            "1008600000701011200",
            "1008600000701011201",
            "1882575898755117312"
        ]
    );
    assert_eq!(
        ids(&st["koodrive"]["orgs"], "orgId"),
        ["9190086000001721760", "9190086000001721761"]
    );
    assert_eq!(
        ids(&st["oneaccess"]["tenants"], "id"),
        [oa::TENANT, "5c1e0e2a9b7f4d3e8a6b1c2d3e4f5a6b"]
    );
    assert_eq!(
        ids(&st["oneaccess"]["clients"], "clientId"),
        [oa::CLIENT_ID, "OtherTenantApp0000000000000000001"]
    );
    assert_eq!(
        ids(&st["oneaccess"]["users"], "id"),
        [
            oa::USER_ID,
            "20220126153857263-A04D-60E0D4ADMIN",
            "20220126153857263-B05E-71F1E557D"
        ]
    );
    assert_eq!(
        ids(&st["enos"]["orgs"], "id"),
        ["o10000000000001", "o15589308944781", "yourOrgId"]
    );
    assert_eq!(
        ids(&st["enos"]["users"], "id"),
        ["u15589316109091", "u15589316109092", "u15589316109093"]
    );
    // reusable codes
    assert!(
        ids(&st["koodrive"]["authCodes"], "code").contains(&koo::SEED_CODE.to_string()),
        "{}",
        st["koodrive"]["authCodes"]
    );

    // live tokens, codes and tickets: kind, owner, issued, expires, bindings
    let e = token_entry(&st, access);
    assert_token(e, "kooAccess", koo::LOGIN_USER_ID, 30 * 60_000);
    assert_eq!(e["boundTo"]["linked"], json!(refresh), "{e}");
    let e = token_entry(&st, refresh);
    assert_token(e, "kooRefresh", koo::LOGIN_USER_ID, 30 * 86_400_000);
    let e = token_entry(&st, session);
    assert_token(e, "kooSession", koo::SEED_USER_ID, 20 * 60_000);
    assert_eq!(e["boundTo"]["session"], json!(session_id), "{e}");
    assert_eq!(e["boundTo"]["org"], json!(koo::ORG), "{e}");
    let e = token_entry(&st, code);
    assert_token(e, "kooAuthCode", koo::USER_ID, 5 * 60_000);
    let e = token_entry(&st, &app);
    assert_token(e, "oaAppToken", oa::CLIENT_ID, 1_800_000);
    assert_eq!(e["boundTo"]["client"], json!(oa::CLIENT_ID), "{e}");
    assert_eq!(e["boundTo"]["tenant"], json!(oa::TENANT), "{e}");
    let e = token_entry(&st, &oa_session);
    assert_token(e, "oaSession", oa::USER_ID, 604_800_000);
    assert_eq!(e["boundTo"]["fingerprint"], json!(oa::FINGERPRINT), "{e}");
    assert_eq!(e["boundTo"]["client"], json!(oa::CLIENT_ID), "{e}");
    let e = token_entry(&st, ticket);
    assert_token(e, "oaTicket", oa::USER_ID, 9_600_000);
    assert_eq!(e["boundTo"]["fingerprint"], json!(oa::FINGERPRINT), "{e}");
    let e = token_entry(&st, &enos);
    assert_token(e, "enosAccess", enos::USER_ID, 2 * 3_600_000);
    assert_eq!(e["boundTo"]["org"], json!(enos::ORG), "{e}");
}

#[tokio::test]
async fn state_never_shows_a_password_or_a_client_secret() {
    let api = Api::new().await;
    let added = add(
        &api,
        "koodrive",
        "users",
        koo_user("1008600000709990002", "secretive", koo::ORG),
    )
    .await;
    assert_status(&added, 201);
    api.koo_session_info(&[]).await;
    koo_ok(&api.koo_login_as("secretive", "N3w-Koo-Pass", &[]).await);
    let app = api.oa_app_token(&[]).await;
    let session = api.oa_session_token(&[]).await;
    assert_status(&api.oa_ticket(&app, &session, &[]).await, 200);
    api.enos_access_token(&[]).await;
    api.mint_verification_code(koo::ACCOUNT).await;
    for _ in 0..3 {
        api.koo_login_as(koo::ACCOUNT, "wrong-password", &[]).await;
    }

    for query in ["", "?all=true"] {
        let st = state(&api, query, &[]).await;
        assert!(
            st.text.contains(oa::CLIENT_ID) && st.text.contains("secretive"),
            "the dump lists clients and users: {}",
            st.text
        );
        for secret in SECRETS.iter().chain(&["N3w-Koo-Pass"]) {
            assert!(
                !st.text.contains(secret),
                "state{query} shows the secret {secret:?}"
            );
        }
    }
    assert!(
        !added.text.contains("N3w-Koo-Pass"),
        "the created user is echoed without its password: {}",
        added.text
    );
}
