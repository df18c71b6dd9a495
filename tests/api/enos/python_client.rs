//! EnOS as the vendor's Python client (poseidon) calls it: its header casing and GET bodies, and the
//! envelope every answer keeps.

use super::*;

// ---------------------------------------------------------------------------------------------
// the vendor's Python client (poseidon)

#[tokio::test]
async fn session_info_accepts_a_get_with_json_content_type_and_a_body() {
    let api = Api::new().await;
    let sess = session(&api).await;
    let auth = bearer(s(&sess["accessToken"]));

    for body in [&b"{}"[..], b"{\"orgId\":\"yourOrgId\"}", b"not json at all"] {
        let r = api
            .send(
                "GET",
                INFO,
                &[
                    ("authorization", auth.as_str()),
                    ("content-type", "application/json;charset=utf-8"),
                ],
                Some(body.to_vec()),
            )
            .await;
        assert_eq!(ok(&r)["currentOrgId"], json!(ORG));
    }
}

#[tokio::test]
async fn the_python_client_flow_with_title_cased_headers_works_end_to_end() {
    let api = Api::new().await;
    let json_ct = ("Content-Type", "application/json;charset=utf-8");
    let manners = [
        ("Apim-Accesstoken", "blob"),
        ("Connection", "close"),
        json_ct,
    ];

    let r = raw(
        &api,
        "POST",
        LOGIN,
        &manners,
        br#"{"account":"portal_demo","password":"Test1234"}"#,
    )
    .await;
    let token = assert_portal_token(&ok(&r)["accessToken"]);

    let auth = bearer(&token);
    let mut h = manners.to_vec();
    h.push(("Authorization", auth.as_str()));
    let r = raw(&api, "POST", SET, &h, br#"{"orgId":"yourOrgId"}"#).await;
    let (access, rt) = assert_session_data(ok(&r), ORG, "Portal Demo");

    let auth = bearer(&access);
    let mut h = manners.to_vec();
    h.push(("Authorization", auth.as_str()));
    let r = raw(&api, "GET", INFO, &h, b"{}").await;
    assert_eq!(ok(&r)["currentOrgName"], json!("Portal Demo"));
    let r = raw(&api, "GET", USER_INFO, &h, b"").await;
    assert_eq!(ok(&r)["id"], json!(USER_ID));

    let r = raw(
        &api,
        "GET",
        &format!("{REFRESH}?refreshToken={rt}"),
        &manners,
        b"{}",
    )
    .await;
    let (access, rt) = assert_session_data(ok(&r), ORG, "Portal Demo");

    let auth = bearer(&access);
    let h = [
        ("Apim-Accesstoken", "blob"),
        ("Connection", "close"),
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Authorization", auth.as_str()),
    ];
    let r = raw(
        &api,
        "POST",
        &format!("{REVOKE_ALL}?refreshToken={rt}"),
        &h,
        b"{}",
    )
    .await;
    assert_eq!(ok(&r), &json!(true));

    let mut h = manners.to_vec();
    h.push(("Authorization", auth.as_str()));
    let r = raw(&api, "GET", LOGOUT, &h, b"").await;
    assert_eq!(ok(&r), &json!(true));
}

#[tokio::test]
async fn no_enos_answer_carries_a_top_level_apim_status_key() {
    let api = Api::new().await;
    let sess = session(&api).await;
    let access = s(&sess["accessToken"]);
    let answers = vec![
        api.enos_login(ACCOUNT, PASSWORD, &[]).await,
        api.enos_login(ACCOUNT, "wrong", &[]).await,
        api.enos_set(STATIC_TOKEN, ORG, &[]).await,
        api.enos_set(STATIC_TOKEN, "o10000000000001", &[]).await,
        api.enos_set("nope", ORG, &[]).await,
        get_with(&api, INFO, access).await,
        get_with(&api, USER_INFO, STATIC_TOKEN).await,
        api.get(REFRESH, &[]).await,
        refresh(&api, "a.b.c").await,
        api.get(LOGOUT, &[]).await,
        revoke_all(&api, access, None).await,
        api.post_raw(SET, &[("content-type", "application/json")], b"{")
            .await,
    ];

    for r in &answers {
        assert_eq!(r.status, 200, "{}", r.text);
        let obj = r.body.as_object().unwrap_or_else(|| panic!("{}", r.text));
        assert!(!obj.contains_key("apim_status"), "{}", r.text);
        assert!(
            obj.contains_key("code") && obj.contains_key("message") && obj.contains_key("data")
        );
    }
}
