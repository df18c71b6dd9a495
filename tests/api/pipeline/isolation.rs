//! Tokens never cross: a token of one family means nothing to another, a token of one namespace
//! nothing in another.

use super::*;

// ---------------------------------------------------------------------------------------------
// tokens never cross families

#[tokio::test]
async fn a_koodrive_session_token_means_nothing_to_enos() {
    let api = Api::new().await;
    let token = api.koo_session(koo::SEED_CODE, &[]).await;
    assert!(token.starts_with("Bearer "), "{token}");
    let ok = api
        .get(koo::SESSION_AUTH, &[("authorization", token.as_str())])
        .await;
    assert_eq!(ok.body["code"], json!(0), "{}", ok.text);

    let r = api
        .get(enos::INFO, &[("authorization", token.as_str())])
        .await;
    enos_err(&r, 31401, "Please login first");
    let r = api
        .post(
            enos::SET,
            &[("authorization", token.as_str())],
            json!({"orgId": enos::ORG}),
        )
        .await;
    enos_err(&r, 31401, "Please login first");
}

#[tokio::test]
async fn an_enos_token_means_nothing_to_koodrive() {
    let api = Api::new().await;
    let r = api.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await;
    let login_token = r.body["data"]["accessToken"]
        .as_str()
        .expect("token")
        .to_string();
    let r = api
        .post(
            enos::SET,
            &[("authorization", format!("Bearer {login_token}").as_str())],
            json!({"orgId": enos::ORG}),
        )
        .await;
    let org_token = r.body["data"]["accessToken"]
        .as_str()
        .expect("token")
        .to_string();

    for t in [enos::STATIC_TOKEN, org_token.as_str()] {
        for auth in [format!("Bearer {t}"), t.to_string()] {
            let r = api
                .get(koo::SESSION_AUTH, &[("authorization", auth.as_str())])
                .await;
            koodrive_err(&r, 401, 13000202, "Session is invalid or expired.");
        }
    }
}

#[tokio::test]
async fn a_oneaccess_app_token_means_nothing_to_enos_or_koodrive() {
    let api = Api::new().await;
    let token = api.oa_app_token(&[]).await;
    let auth = format!("Bearer {token}");

    let r = api
        .get(enos::INFO, &[("authorization", auth.as_str())])
        .await;
    enos_err(&r, 31401, "Please login first");
    let r = api
        .get(koo::SESSION_AUTH, &[("authorization", auth.as_str())])
        .await;
    koodrive_err(&r, 401, 13000202, "Session is invalid or expired.");
}

#[tokio::test]
async fn an_enos_token_means_nothing_to_oneaccess() {
    let api = Api::new().await;
    let auth = format!("Bearer {}", enos::STATIC_TOKEN);

    let r = api
        .post(oa::TICKET, &[("authorization", auth.as_str())], json!({}))
        .await;

    oneaccess_err(
        &r,
        400,
        "invalid_token",
        &format!("Invalid access token: {}", enos::STATIC_TOKEN),
    );
}

// ---------------------------------------------------------------------------------------------
// namespaces

#[tokio::test]
async fn a_token_issued_in_one_namespace_means_nothing_in_another_or_in_the_default() {
    let api = Api::new().await;
    let ns_a = ("x-mock-namespace", "a");
    let r = api.enos_login(enos::ACCOUNT, enos::PASSWORD, &[ns_a]).await;
    let enos_token = r.body["data"]["accessToken"]
        .as_str()
        .expect("token")
        .to_string();
    let enos_auth = format!("Bearer {enos_token}");
    let r = api
        .post(koo::SESSION, &[ns_a], json!({"code": koo::SEED_CODE}))
        .await;
    let kd_token = r.body["data"]["accessToken"]
        .as_str()
        .expect("token")
        .to_string();

    for ns in [vec![("x-mock-namespace", "b")], vec![]] {
        let mut h = ns.clone();
        h.push(("authorization", enos_auth.as_str()));
        let r = api.post(enos::SET, &h, json!({"orgId": enos::ORG})).await;
        enos_err(&r, 31401, "Please login first");
        let mut h = ns.clone();
        h.push(("authorization", kd_token.as_str()));
        let r = api.get(koo::SESSION_AUTH, &h).await;
        koodrive_err(&r, 401, 13000202, "Session is invalid or expired.");
    }

    let r = api
        .post(
            enos::SET,
            &[ns_a, ("authorization", enos_auth.as_str())],
            json!({"orgId": enos::ORG}),
        )
        .await;
    assert_eq!(r.body["code"], json!(0), "{}", r.text);
    let r = api
        .get(
            koo::SESSION_AUTH,
            &[ns_a, ("authorization", kd_token.as_str())],
        )
        .await;
    assert_eq!(r.body["code"], json!(0), "{}", r.text);
}

#[tokio::test]
async fn a_token_issued_in_the_default_namespace_means_nothing_in_a_named_one() {
    let api = Api::new().await;
    let r = api.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await;
    let token = r.body["data"]["accessToken"]
        .as_str()
        .expect("token")
        .to_string();
    let auth = format!("Bearer {token}");

    let r = api
        .post(
            enos::SET,
            &[("x-mock-namespace", "b"), ("authorization", auth.as_str())],
            json!({"orgId": enos::ORG}),
        )
        .await;

    enos_err(&r, 31401, "Please login first");
}
