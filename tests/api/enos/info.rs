//! EnOS session/info and user/info: what an org-bound token tells about its user and org.

use super::*;

// ---------------------------------------------------------------------------------------------
// session/info and user/info

#[tokio::test]
async fn session_info_with_an_org_bound_token_answers_user_and_org() {
    let api = Api::new().await;
    let sess = session(&api).await;

    let r = get_with(&api, INFO, s(&sess["accessToken"])).await;

    assert_eq!(
        ok(&r),
        &json!({
            "userId": USER_ID,
            "userName": ACCOUNT,
            "currentOrgId": ORG,
            "currentOrgName": "Portal Demo"
        })
    );
}

#[tokio::test]
async fn user_info_with_an_org_bound_token_answers_the_fixture_profile() {
    let api = Api::new().await;
    let sess = session(&api).await;

    let r = get_with(&api, USER_INFO, s(&sess["accessToken"])).await;

    let data = ok(&r);
    assert_eq!(
        data,
        &json!({
            "id": USER_ID,
            "name": ACCOUNT,
            "domain": "",
            "description": "Demo user of the seed examples",
            "nickName": "Portal Demo",
            "phoneArea": "+86",
            "phone": "13900000000",
            "email": "portal_demo@example.com",
            "createdTime": "2019-05-27 04:33:30.0",
            "type": 0,
            "company": "Envision",
            "department": "Digital",
            "position": "Engineer"
        })
    );
    assert!(data["createdTime"].is_string());
    assert!(data["type"].is_i64());
}

#[tokio::test]
async fn user_info_answers_the_profile_of_the_token_owner() {
    let api = Api::new().await;
    let sess = session_of(&api, "portal_admin", "Admin1234", "o15589308944781").await;

    let r = get_with(&api, USER_INFO, s(&sess["accessToken"])).await;

    let data = ok(&r);
    assert_eq!(data["id"], json!("u15589316109092"));
    assert_eq!(data["name"], json!("portal_admin"));
    assert_eq!(data["position"], json!("Administrator"));
}

#[tokio::test]
async fn session_info_and_user_info_with_a_login_only_token_answer_31512() {
    let api = Api::new().await;
    let token = login(&api).await;

    for t in [token.as_str(), STATIC_TOKEN] {
        err(
            &get_with(&api, INFO, t).await,
            31512,
            "Organization unselected",
        );
        err(
            &get_with(&api, USER_INFO, t).await,
            31512,
            "Organization unselected",
        );
    }
}

#[tokio::test]
async fn session_info_and_user_info_without_a_token_answer_31401() {
    let api = Api::new().await;

    for path in [INFO, USER_INFO] {
        err(&api.get(path, &[]).await, 31401, "Please login first");
        err(
            &get_with(&api, path, "APP_PORTAL_S_unknownunknownunknownunknown1234").await,
            31401,
            "Please login first",
        );
    }
}
