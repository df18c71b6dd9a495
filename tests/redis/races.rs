//! One winner among 64 racers over two replicas: a one-time credential redeemed once, a credential
//! exchanged for its successors once, a session slid by every concurrent use.

use super::*;
use crate::expect::{enos_spent, enos_won, one_winner};

/// Runs `f` for each racer on its replica (`pick`), all at once: each racer first opens its
/// connection (a health request), and none sends until all have, so the requests meet at the
/// replicas rather than trickling in behind connection set-up.
async fn race<'a, F, Fut>(a: &'a Node, b: &'a Node, f: F) -> Vec<Resp>
where
    F: Fn(&'a Node) -> Fut,
    Fut: std::future::Future<Output = Resp>,
{
    let start = tokio::sync::Barrier::new(RACERS);
    join_all((0..RACERS).map(|i| {
        let (node, start, f) = (pick(i, a, b), &start, &f);
        async move {
            assert_status(&node.health().await, 200);
            start.wait().await;
            f(node).await
        }
    }))
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_racers_over_a_and_b_choose_an_org_with_one_login_token_once() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let login = a.enos_login_token(&[]).await;

    let answers = race(&a, &b, |n| n.enos_set(&login, enos::ORG, &[])).await;

    let won = one_winner(&answers, enos_won, enos_spent);
    assert_eq!(enos_ok(won)["userId"], json!(enos::USER_ID));
    enos_ok(&b.enos_refresh(&str_of(enos_ok(won), "refreshToken")).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_racers_over_a_and_b_switch_org_with_one_org_bound_token_once() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let (access, _) = a.enos_session(&[]).await;

    let answers = race(&a, &b, |n| n.enos_set(&access, enos::ORG, &[])).await;

    one_winner(&answers, enos_won, enos_spent);
}

/// One script takes the token and retires its refresh token: of racing logouts one succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_racers_over_a_and_b_log_out_one_token_once() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let (access, refresh) = a.enos_session(&[]).await;

    let answers = race(&a, &b, |n| n.enos_logout(&access)).await;

    let won = one_winner(&answers, enos_won, |r| {
        enos_error(r, 31401, "Access token is not valid")
    });
    assert_eq!(won.body["data"], json!(true), "{}", won.text);
    enos_spent(&b.enos_refresh(&refresh).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_racers_over_a_and_b_on_a_static_login_token_all_choose_an_org() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let answers =
        join_all((0..RACERS).map(|i| pick(i, &a, &b).enos_set(enos::STATIC_TOKEN, enos::ORG, &[])))
            .await;
    assert!(answers.iter().all(enos_won), "{answers:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_racers_over_a_and_b_refresh_one_koodrive_session_once() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let s = a.koo_create_session(koo::SEED_CODE, &[]).await;
    let (bearer, sid) = (
        str_of(koo_ok(&s), "accessToken"),
        str_of(koo_ok(&s), "sessionId"),
    );
    let headers = [
        ("authorization", bearer.as_str()),
        ("x-session-id", sid.as_str()),
    ];

    let answers = race(&a, &b, |n| {
        n.send("POST", koo::SESSION_REFRESH, &headers, None)
    })
    .await;

    let won = one_winner(&answers, |r| r.status == 200, koo_session_invalid);
    assert_status(
        &b.koo_auth(&str_of(&won.body, "accessToken"), &[]).await,
        200,
    );
    koo_session_invalid(&a.koo_auth(&bearer, &[]).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_racers_over_a_and_b_log_in_with_one_minted_verification_code_once() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let minted = a
        .post(
            "/__admin/koodrive/verification-codes",
            &[],
            json!({ "account": koo::ACCOUNT }),
        )
        .await;
    assert_status(&minted, 201);
    let code = str_of(&minted.body, "captchaToken");
    let body = json!({ "account": koo::ACCOUNT, "authType": "2", "captchaToken": code });

    let answers = race(&a, &b, |n| n.post(koo::LOGIN, &[koo::AGENT], body.clone())).await;

    // The losers' used code counts as a wrong one, so five of them lock the account.
    one_winner(
        &answers,
        |r| r.status == 200,
        |r| {
            assert!(
                r.body == json!({ "code": 13000203, "msg": "Incorrect account or password." })
                    || r.body["code"] == 13000204,
                "{}",
                r.text
            )
        },
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_racers_over_a_and_b_redeem_a_minted_koodrive_code_once() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    // B redeems a code A minted: both replicas can win the race below.
    let warm_up = a.mint_auth_code(koo::USER_ID, &[]).await;
    koo_ok(&b.koo_create_session(&warm_up, &[]).await);
    let code = a.mint_auth_code(koo::USER_ID, &[]).await;

    let answers =
        join_all((0..RACERS).map(|i| pick(i, &a, &b).koo_create_session(&code, &[]))).await;

    let winners: Vec<&Resp> = answers.iter().filter(|r| r.status == 200).collect();
    assert_eq!(winners.len(), 1, "{answers:#?}");
    assert_eq!(koo_ok(winners[0])["userId"], json!(koo::USER_ID));
    for r in answers.iter().filter(|r| r.status != 200) {
        koo_bad_code(r);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_racers_over_a_and_b_redeem_an_sso_ticket_once() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let app = a.oa_app_token(&[]).await;
    let session = b.oa_session_token(&[]).await;
    let ticket = a.oa_sso_ticket(&app, &session, &[]).await;

    let answers =
        join_all((0..RACERS).map(|i| pick(i, &a, &b).oa_verify(&app, &ticket, &[]))).await;

    let winners: Vec<&Resp> = answers.iter().filter(|r| r.status == 200).collect();
    assert_eq!(winners.len(), 1, "{answers:#?}");
    assert_eq!(winners[0].body["data"]["user"]["id"], json!(oa::USER_ID));
    for r in answers.iter().filter(|r| r.status != 200) {
        oa_error(
            r,
            400,
            "TICKET.0001",
            "SSO ticket is invalid, used or expired.",
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_concurrent_uses_of_one_session_over_a_and_b_all_slide_it() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let session = a.koo_session(koo::SEED_CODE, &[]).await;

    // Each use slides the session's expiry: racers that lose the write read it again, none is refused.
    let answers = join_all((0..RACERS).map(|i| pick(i, &a, &b).koo_auth(&session, &[]))).await;

    for r in &answers {
        assert_status(r, 200);
        assert_eq!(
            r.body["data"]["userId"],
            json!(koo::SEED_USER_ID),
            "{}",
            r.text
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_racers_over_a_and_b_rotate_an_enos_refresh_token_once() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    // B rotates a refresh token A issued: both replicas can win the race below.
    let (_, warm_up) = a.enos_session(&[]).await;
    enos_ok(&b.enos_refresh(&warm_up).await);
    let (_, refresh) = a.enos_session(&[]).await;

    let answers = join_all((0..RACERS).map(|i| pick(i, &a, &b).enos_refresh(&refresh))).await;

    let winners: Vec<&Resp> = answers.iter().filter(|r| r.body["code"] == 0).collect();
    assert_eq!(winners.len(), 1, "{answers:#?}");
    assert_eq!(enos_ok(winners[0])["userId"], json!(enos::USER_ID));
    for r in answers.iter().filter(|r| r.body["code"] != 0) {
        enos_error(r, 31401, "Please login first");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_racers_over_a_and_b_rotate_a_koodrive_refresh_token_once() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    // B rotates a pair A issued: both replicas can win the race below.
    let warm_up = a.koo_session_info(&[]).await;
    koo_ok(
        &b.koo_refresh(
            &str_of(&warm_up, "accessToken"),
            &str_of(&warm_up, "refreshToken"),
        )
        .await,
    );
    let info = a.koo_session_info(&[]).await;
    let (access, refresh) = (str_of(&info, "accessToken"), str_of(&info, "refreshToken"));

    let answers =
        join_all((0..RACERS).map(|i| pick(i, &a, &b).koo_refresh(&access, &refresh))).await;

    let winners: Vec<&Resp> = answers.iter().filter(|r| r.status == 200).collect();
    assert_eq!(winners.len(), 1, "{answers:#?}");
    koo_ok(winners[0]);
    // A loser finds the refresh token taken (13000205) or, when the winner already retired it, the
    // access token gone (13000202): both refuse, and which one depends on the interleaving.
    for r in answers.iter().filter(|r| r.status != 200) {
        assert_eq!(r.status, 401, "{}", r.text);
        assert!(
            r.body == json!({ "code": 13000205, "msg": "Refresh token is invalid or expired." })
                || r.body == json!({ "code": 13000202, "msg": "Session is invalid or expired." }),
            "{}",
            r.text
        );
    }
}
