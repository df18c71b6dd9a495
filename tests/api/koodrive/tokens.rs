//! KooDrive's token kinds never cross: a login token is no session token, another family's or
//! namespace's token means nothing here.

use super::*;

#[tokio::test]
async fn a_login_at_token_is_refused_by_session_routes() {
    let api = Api::new().await;
    let pair = login_ok(&api).await;
    let session = create_seed_session(&api).await;

    for authorization in [
        format!("AT {}", pair.access),
        format!("AT+{}", pair.access),
        format!("Bearer {}", pair.access),
        pair.access.clone(),
    ] {
        let auth = api.koo_auth(&authorization, &[]).await;
        let refresh = session_refresh(&api, &authorization, &session.session_id).await;

        assert_bad_session(&auth);
        assert_bad_session(&refresh);
    }
}

#[tokio::test]
async fn a_token_of_another_family_means_nothing_to_koodrive() {
    let api = Api::new().await;

    let enos_static = api
        .koo_auth("Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44", &[])
        .await;
    let enos_as_at = api
        .post(
            REFRESH_TOKEN,
            &[(
                "authorization",
                "AT APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
            )],
            json!({"refreshToken": "0".repeat(48)}),
        )
        .await;

    assert_bad_session(&enos_static);
    assert_bad_session(&enos_as_at);
}

#[tokio::test]
async fn a_session_of_one_namespace_means_nothing_to_another() {
    let api = Api::new().await;
    let ns_a = ("X-Mock-Namespace", "koo-a");
    let ns_b = ("X-Mock-Namespace", "koo-b");
    let created = api.post(SESSION, &[ns_a], json!({"code": SEED_CODE})).await;
    let session = assert_session_created(&created, seed_user_info());
    let auth = ("authorization", session.bearer.as_str());

    let same = api.get(SESSION_AUTH, &[ns_a, auth]).await;
    let other = api.get(SESSION_AUTH, &[ns_b, auth]).await;
    let default = api.get(SESSION_AUTH, &[auth]).await;

    assert_session_auth_ok(&same, seed_user_info());
    assert_bad_session(&other);
    assert_bad_session(&default);
}

#[tokio::test]
async fn a_refresh_token_is_not_a_session_token() {
    let api = Api::new().await;
    let pair = login_ok(&api).await;

    let r = api.koo_auth(&format!("Bearer {}", pair.refresh), &[]).await;

    assert_bad_session(&r);
}
