//! The control plane: identities added and removed at run time.

use super::*;

// =============================================================================================
// identities added and removed at run time

#[tokio::test]
async fn adding_a_koodrive_user_lets_it_log_in_and_create_a_session() {
    let api = Api::new().await;
    let id = "1008600000709990003";

    let r = add(
        &api,
        "koodrive",
        "users",
        koo_user(id, "new_comer", koo::ORG),
    )
    .await;

    assert_status(&r, 201);
    assert_eq!(r.body["userId"], json!(id), "{}", r.text);
    assert!(r.body.get("password").is_none(), "{}", r.text);
    let login = api.koo_login_as("new_comer", "N3w-Koo-Pass", &[]).await;
    assert_eq!(
        koo_ok(&login)["userInfo"],
        json!({
            "userId": id,
            "firstname": "New",
            "surname": "Comer",
            "phone": "13800009999",
            "email": "new.comer@koodrive.example"
        })
    );
    let code = mint_auth_code(&api, json!({ "userId": id }), &[]).await;
    let s = api
        .koo_create_session(code["code"].as_str().expect("code"), &[])
        .await;
    let info = &koo_ok(&s)["userInfo"];
    assert_eq!(info["userId"], json!(id));
    assert_eq!(info["orgName"], json!("lym09"));
}

#[tokio::test]
async fn adding_a_koodrive_org_lets_a_new_user_belong_to_it() {
    let api = Api::new().await;
    let org = json!({
        "orgId": "9190086000001729999",
        "orgName": "lym99",
        "tenantId": koo::TENANT,
        "xhwSchema": "tenants1_added",
        "userCount": 7
    });

    let r = add(&api, "koodrive", "orgs", org).await;

    assert_status(&r, 201);
    assert_eq!(r.body["orgId"], json!("9190086000001729999"), "{}", r.text);
    let id = "1008600000709990004";
    assert_status(
        &add(
            &api,
            "koodrive",
            "users",
            koo_user(id, "org_member", "9190086000001729999"),
        )
        .await,
        201,
    );
    let code = mint_auth_code(&api, json!({ "userId": id }), &[]).await;
    let s = api
        .koo_create_session(code["code"].as_str().expect("code"), &[])
        .await;
    let info = &koo_ok(&s)["userInfo"];
    assert_eq!(info["orgId"], json!("9190086000001729999"));
    assert_eq!(info["orgName"], json!("lym99"));
    assert_eq!(info["xhwSchema"], json!("tenants1_added"));
    assert_eq!(info["userCount"], json!(7));
}

#[tokio::test]
async fn adding_a_oneaccess_tenant_and_user_lets_the_user_log_in() {
    let api = Api::new().await;

    let tenant = add(
        &api,
        "oneaccess",
        "orgs",
        json!({ "id": "tenant-added", "name": "Added Tenant" }),
    )
    .await;
    let user = add(
        &api,
        "oneaccess",
        "users",
        oa_user("oa-added-1", "wangwu", oa::TENANT),
    )
    .await;
    let in_new_tenant = add(
        &api,
        "oneaccess",
        "users",
        oa_user("oa-added-2", "zhaoliu", "tenant-added"),
    )
    .await;

    assert_status(&tenant, 201);
    assert_eq!(tenant.body["id"], json!("tenant-added"), "{}", tenant.text);
    assert_status(&user, 201);
    assert_eq!(user.body["id"], json!("oa-added-1"), "{}", user.text);
    assert!(user.body.get("password").is_none(), "{}", user.text);
    assert_status(&in_new_tenant, 201);
    let r = api.oa_login("wangwu", "Wangwu@12345", &[]).await;
    assert_status(&r, 200);
    assert_eq!(r.body["status"], json!("SUCCESS"), "{}", r.text);
    let session = r.body["session_token"].as_str().expect("session_token");
    let app = api.oa_app_token(&[]).await;
    let ticket = api.oa_ticket(&app, session, &[]).await;
    assert_status(&ticket, 200);
    let v = api
        .oa_verify(
            &app,
            ticket.body["sso_ticket"].as_str().expect("ticket"),
            &[],
        )
        .await;
    assert_status(&v, 200);
    assert_eq!(
        v.body["data"]["user"]["id"],
        json!("oa-added-1"),
        "{}",
        v.text
    );
}

#[tokio::test]
async fn adding_an_enos_org_and_user_lets_the_user_log_in_and_choose_the_org() {
    let api = Api::new().await;

    let org = add(
        &api,
        "enos",
        "orgs",
        json!({ "id": "oAdded0001", "name": "Added Org" }),
    )
    .await;
    let user = add(
        &api,
        "enos",
        "users",
        enos_user("uAdded0001", "added_user", &["oAdded0001"]),
    )
    .await;

    assert_status(&org, 201);
    assert_eq!(org.body["id"], json!("oAdded0001"), "{}", org.text);
    assert_status(&user, 201);
    assert_eq!(user.body["id"], json!("uAdded0001"), "{}", user.text);
    assert!(user.body.get("password").is_none(), "{}", user.text);
    let login = api.enos_login("added_user", "NewUser1234", &[]).await;
    let data = enos_ok(&login);
    assert_eq!(
        data["organizations"],
        json!([{ "id": "oAdded0001", "name": "Added Org" }])
    );
    assert_eq!(
        data["user"],
        json!({ "id": "uAdded0001", "name": "added_user", "email": "added_user@example.com" })
    );
    let set = api
        .enos_set(
            data["accessToken"].as_str().expect("token"),
            "oAdded0001",
            &[],
        )
        .await;
    assert_eq!(enos_ok(&set)["currentOrgName"], json!("Added Org"));
}

#[tokio::test]
async fn adding_a_user_with_an_unknown_org_or_tenant_answers_400_naming_it() {
    let api = Api::new().await;

    let koo = add(
        &api,
        "koodrive",
        "users",
        koo_user("1008600000709990005", "orphan", "no-such-org"),
    )
    .await;
    let oa = add(
        &api,
        "oneaccess",
        "users",
        oa_user("oa-orphan", "orphan", "no-such-tenant"),
    )
    .await;
    let enos = add(
        &api,
        "enos",
        "users",
        enos_user("uOrphan", "orphan", &[enos::ORG, "no-such-org"]),
    )
    .await;

    assert_refused_naming(&koo, &["orgId", "no-such-org"]);
    assert_refused_naming(&oa, &["tenantId", "no-such-tenant"]);
    assert_refused_naming(&enos, &["orgs[1]", "no-such-org"]);
    // Nothing was added.
    koo_wrong_password(&api.koo_login_as("orphan", "N3w-Koo-Pass", &[]).await);
    enos_error(
        &api.enos_login("orphan", "NewUser1234", &[]).await,
        31400,
        "The user name or password is wrong.",
    );
}

#[tokio::test]
async fn adding_a_duplicate_user_answers_400_naming_it() {
    let api = Api::new().await;

    let koo_id = add(
        &api,
        "koodrive",
        "users",
        koo_user(koo::USER_ID, "fresh_account", koo::ORG),
    )
    .await;
    let koo_account = add(
        &api,
        "koodrive",
        "users",
        koo_user("1008600000709990006", koo::ACCOUNT, koo::ORG),
    )
    .await;
    let oa_id = add(
        &api,
        "oneaccess",
        "users",
        oa_user(oa::USER_ID, "fresh", oa::TENANT),
    )
    .await;
    let oa_name = add(
        &api,
        "oneaccess",
        "users",
        oa_user("oa-fresh", oa::USER, oa::TENANT),
    )
    .await;
    let enos_id = add(
        &api,
        "enos",
        "users",
        enos_user(enos::USER_ID, "fresh", &[]),
    )
    .await;
    let enos_account = add(
        &api,
        "enos",
        "users",
        enos_user("uFresh", enos::ACCOUNT, &[]),
    )
    .await;

    assert_refused_naming(&koo_id, &["duplicate", "userId", koo::USER_ID]);
    assert_refused_naming(&koo_account, &["account", koo::ACCOUNT]);
    assert_refused_naming(&oa_id, &["duplicate", oa::USER_ID]);
    assert_refused_naming(&oa_name, &["duplicate", oa::USER]);
    assert_refused_naming(&enos_id, &["duplicate", enos::USER_ID]);
    assert_refused_naming(&enos_account, &["duplicate", enos::ACCOUNT]);
    // The fixture users are untouched.
    koo_ok(&api.koo_login(&[]).await);
    assert_status(&api.oa_login(oa::USER, oa::PASSWORD, &[]).await, 200);
    enos_ok(&api.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await);
}

#[tokio::test]
async fn adding_a_duplicate_org_answers_400_naming_it() {
    let api = Api::new().await;

    let koo = add(
        &api,
        "koodrive",
        "orgs",
        json!({ "orgId": koo::ORG, "orgName": "clash", "tenantId": koo::TENANT, "xhwSchema": "x" }),
    )
    .await;
    let oa = add(
        &api,
        "oneaccess",
        "orgs",
        json!({ "id": oa::TENANT, "name": "clash" }),
    )
    .await;
    let enos = add(
        &api,
        "enos",
        "orgs",
        json!({ "id": enos::ORG, "name": "clash" }),
    )
    .await;

    assert_refused_naming(&koo, &["duplicate", koo::ORG]);
    assert_refused_naming(&oa, &["duplicate", oa::TENANT]);
    assert_refused_naming(&enos, &["duplicate", enos::ORG]);
    let set = api.enos_set(enos::STATIC_TOKEN, enos::ORG, &[]).await;
    assert_eq!(enos_ok(&set)["currentOrgName"], json!("Portal Demo"));
}

#[tokio::test]
async fn adding_a_user_shaped_unlike_the_fixture_file_answers_400() {
    let api = Api::new().await;
    let mut no_password = koo_user("1008600000709990007", "badly_shaped", koo::ORG);
    no_password["password"] = json!("");
    let mut bad_role = koo_user("1008600000709990007", "badly_shaped", koo::ORG);
    bad_role["role"] = json!("9");
    let mut unknown_field = koo_user("1008600000709990007", "badly_shaped", koo::ORG);
    unknown_field["nickname"] = json!("Nick");
    let mut missing_field = enos_user("uBad", "badly_shaped", &[]);
    missing_field
        .as_object_mut()
        .expect("object")
        .remove("name");

    let no_password = add(&api, "koodrive", "users", no_password).await;
    let bad_role = add(&api, "koodrive", "users", bad_role).await;
    let unknown_field = add(&api, "koodrive", "users", unknown_field).await;
    let missing_field = add(&api, "enos", "users", missing_field).await;
    let not_json = api
        .post_raw(
            "/__admin/koodrive/users",
            &[("content-type", "application/json")],
            b"{\"userId\":",
        )
        .await;

    assert_refused_naming(&no_password, &["password"]);
    assert_refused_naming(&bad_role, &["role"]);
    assert_refused_naming(&unknown_field, &["nickname"]);
    assert_refused_naming(&missing_field, &["name"]);
    admin_error(&not_json, 400);
    koo_wrong_password(&api.koo_login_as("badly_shaped", "N3w-Koo-Pass", &[]).await);
}

#[tokio::test]
async fn adding_a_user_to_an_unknown_family_answers_404_naming_it() {
    let api = Api::new().await;

    let r = add(&api, "acme", "users", json!({ "id": "x" })).await;

    let msg = admin_error(&r, 404);
    assert!(msg.contains("acme"), "{msg}");
}

#[tokio::test]
async fn deleting_a_koodrive_user_stops_its_tokens_codes_and_login() {
    let api = Api::new().await;
    let session = api.koo_session(koo::USER_CODE, &[]).await;
    let info = api.koo_session_info(&[]).await;
    assert_status(&api.koo_auth(&session, &[]).await, 200);

    let r = api
        .delete(&format!("/__admin/koodrive/users/{}", koo::USER_ID), &[])
        .await;
    let r2 = api
        .delete(
            &format!("/__admin/koodrive/users/{}", koo::LOGIN_USER_ID),
            &[],
        )
        .await;

    assert_status(&r, 200);
    assert_status(&r2, 200);
    koo_session_invalid(&api.koo_auth(&session, &[]).await);
    koo_bad_code(&api.koo_create_session(koo::USER_CODE, &[]).await);
    koo_wrong_password(&api.koo_login_as("koo_user", "User@Koo123", &[]).await);
    let access = info["accessToken"].as_str().expect("accessToken");
    let auth = format!("AT+{}", access.trim_start_matches("AT "));
    let refresh = api
        .post(
            koo::REFRESH_TOKEN,
            &[("Authorization", auth.as_str())],
            json!({ "refreshToken": info["refreshToken"] }),
        )
        .await;
    koo_session_invalid(&refresh);
    // The other users are still there.
    koo_ok(&api.koo_create_session(koo::SEED_CODE, &[]).await);
}

#[tokio::test]
async fn deleting_a_oneaccess_user_stops_its_session_and_login() {
    let api = Api::new().await;
    let app = api.oa_app_token(&[]).await;
    let session = api.oa_session_token(&[]).await;
    assert_status(&api.oa_ticket(&app, &session, &[]).await, 200);

    let r = api
        .delete(&format!("/__admin/oneaccess/users/{}", oa::USER_ID), &[])
        .await;

    assert_status(&r, 200);
    oa_error(
        &api.oa_ticket(&app, &session, &[]).await,
        400,
        "SESSION.0001",
        "Session token is invalid or expired.",
    );
    let login = api.oa_login(oa::USER, oa::PASSWORD, &[]).await;
    assert_status(&login, 400);
    assert_eq!(
        login.body["error_code"],
        json!("LOGIN.0002"),
        "{}",
        login.text
    );
}

#[tokio::test]
async fn deleting_an_enos_user_stops_its_tokens_and_login() {
    let api = Api::new().await;
    let access = api.enos_access_token(&[]).await;
    enos_ok(&api.enos_info(&access, &[]).await);

    let r = api
        .delete(&format!("/__admin/enos/users/{}", enos::USER_ID), &[])
        .await;

    assert_status(&r, 200);
    enos_error(
        &api.enos_info(&access, &[]).await,
        31401,
        "Please login first",
    );
    enos_error(
        &api.enos_set(enos::STATIC_TOKEN, enos::ORG, &[]).await,
        31401,
        "Please login first",
    );
    enos_error(
        &api.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await,
        31400,
        "The user name or password is wrong.",
    );
}

#[tokio::test]
async fn deleting_an_unknown_user_answers_404() {
    let api = Api::new().await;
    let path = format!("/__admin/enos/users/{}", enos::USER_ID);
    assert_status(&api.delete(&path, &[]).await, 200);

    let unknown = api.delete("/__admin/enos/users/uNobody", &[]).await;
    let again = api.delete(&path, &[]).await;

    admin_error(&unknown, 404);
    admin_error(&again, 404);
}
