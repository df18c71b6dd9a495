//! EnOS token/refresh: new tokens for a signed refresh token, once, within thirty days.

use super::*;

// ---------------------------------------------------------------------------------------------
// token/refresh

#[tokio::test]
async fn token_refresh_answers_new_tokens_for_the_same_session() {
    let api = Api::new().await;
    let sess = session_of(&api, ACCOUNT, PASSWORD, "o15589308944781").await;

    let r = refresh(&api, s(&sess["refreshToken"])).await;

    let (access, rt) = assert_session_data(ok(&r), "o15589308944781", "Envision Demo");
    assert_ne!(json!(access), sess["accessToken"]);
    assert_ne!(json!(rt), sess["refreshToken"]);
    let info = get_with(&api, INFO, &access).await;
    assert_eq!(ok(&info)["currentOrgId"], json!("o15589308944781"));
    ok(&refresh(&api, &rt).await);
}

#[tokio::test]
async fn token_refresh_retires_the_old_refresh_token_and_the_previous_access_token() {
    let api = Api::new().await;
    let sess = session(&api).await;
    ok(&refresh(&api, s(&sess["refreshToken"])).await);

    err(
        &refresh(&api, s(&sess["refreshToken"])).await,
        31401,
        "Please login first",
    );
    err(
        &get_with(&api, INFO, s(&sess["accessToken"])).await,
        31401,
        "Please login first",
    );
}

#[tokio::test]
async fn token_refresh_without_refresh_token_answers_31400() {
    let api = Api::new().await;

    err(
        &api.get(REFRESH, &[]).await,
        31400,
        "Refresh Token is required",
    );
    err(
        &api.get(&format!("{REFRESH}?refreshToken="), &[]).await,
        31400,
        "Refresh Token is required",
    );
}

#[tokio::test]
async fn token_refresh_with_a_tampered_signature_answers_31401() {
    let api = Api::new().await;
    let sess = session(&api).await;
    let rt = s(&sess["refreshToken"]);
    let (rest, sig) = rt.rsplit_once('.').expect("jwt");
    let first = sig.chars().next().expect("signature");
    let flipped = if first == 'A' { 'B' } else { 'A' };
    let tampered = format!("{rest}.{flipped}{}", &sig[1..]);

    err(&refresh(&api, &tampered).await, 31401, "Please login first");
    ok(&refresh(&api, rt).await);
}

#[tokio::test]
async fn token_refresh_with_forged_claims_or_alg_none_answers_31401() {
    let api = Api::new().await;
    let sess = session(&api).await;
    let rt = s(&sess["refreshToken"]);
    let parts: Vec<&str> = rt.split('.').collect();
    let (_, mut claims) = decode_jwt(rt);
    claims["workingOrganizationId"] = json!("o10000000000001");
    let forged_claims = URL_SAFE_NO_PAD.encode(claims.to_string());
    let forged = format!("{}.{}.{}", parts[0], forged_claims, parts[2]);
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
    let alg_none = format!("{none_header}.{}.", parts[1]);
    let seed_example = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MTU1ODkzMTYxMDkwOTEiLCJhZG1pbkxldmVsIjoyLCJpc3MiOiJBUFAtUE9SVEFMIiwid29ya2luZ09yZ2FuaXphdGlvbklkIjoibzE1NTg5MzA4OTQ0NzgxIiwidXNlck5hbWUiOiJwb3J0YWxfZGVtbyIsIndvcmtpbmdPcmdhbml6YXRpb25OYW1lIjoiUG9ydGFsIERlbW8iLCJleHAiOjE1NzAwMTg5NTgsInVzZXJJZCI6InUxNTU4OTMxNjEwOTA5MSIsImlhdCI6MTU2NzQyNjk1OCwianRpIjoiand0X2lkIn0.Ql1vNVvb0ok2uWzzU1jiBzAyvRdBOkzzfnHD4PLsi1E";

    for bad in [
        forged.as_str(),
        alg_none.as_str(),
        seed_example,
        "not-a-jwt",
        "a.b.c",
    ] {
        err(&refresh(&api, bad).await, 31401, "Please login first");
    }
}

#[tokio::test]
async fn token_refresh_works_until_the_last_millisecond_of_thirty_days() {
    let api = Api::new().await;
    // On a whole second, `exp` (seconds) × 1000 is exactly issuance + 30 days.
    api.freeze().await;
    let first = session(&api).await;
    let second = session(&api).await;

    api.advance_ms(THIRTY_DAYS * 1000 - 1).await;
    assert_session_data(
        ok(&refresh(&api, s(&first["refreshToken"])).await),
        ORG,
        "Portal Demo",
    );

    api.advance_ms(1).await;
    err(
        &refresh(&api, s(&second["refreshToken"])).await,
        31401,
        "Please login first",
    );
}

#[tokio::test]
async fn an_access_token_lives_two_hours_to_the_millisecond() {
    let api = Api::new().await;
    api.freeze().await;
    let early = session(&api).await;
    let late = session(&api).await;
    let login_early = login(&api).await;
    let login_late = login(&api).await;

    api.advance_ms(2 * 3_600_000 - 1).await;
    let alive = get_with(&api, INFO, s(&early["accessToken"])).await;
    let login_alive = api.enos_set(&login_early, ORG, &[]).await;
    api.advance_ms(1).await;
    let expired = get_with(&api, INFO, s(&late["accessToken"])).await;
    let login_expired = api.enos_set(&login_late, ORG, &[]).await;

    assert_eq!(
        ok(&alive),
        &json!({
            "userId": USER_ID,
            "userName": ACCOUNT,
            "currentOrgId": ORG,
            "currentOrgName": "Portal Demo"
        })
    );
    assert_session_data(ok(&login_alive), ORG, "Portal Demo");
    err(&expired, 31401, "Please login first");
    err(&login_expired, 31401, "Please login first");
}

#[tokio::test]
async fn token_refresh_after_thirty_one_days_answers_31401() {
    let api = Api::new().await;
    let sess = session(&api).await;

    api.advance_clock(31 * 86_400).await;

    err(
        &refresh(&api, s(&sess["refreshToken"])).await,
        31401,
        "Please login first",
    );
}

#[tokio::test]
async fn sixty_four_concurrent_refreshes_of_one_refresh_token_succeed_exactly_once() {
    let api = Api::new().await;
    let sess = session(&api).await;
    let rt = s(&sess["refreshToken"]).to_string();

    let answers = futures::future::join_all((0..64).map(|_| refresh(&api, &rt))).await;

    let mut successes = 0;
    for r in &answers {
        if r.body["code"] == json!(0) {
            assert_session_data(ok(r), ORG, "Portal Demo");
            successes += 1;
        } else {
            err(r, 31401, "Please login first");
        }
    }
    assert_eq!(successes, 1);
}
