//! One winner per credential exchanged for its successors, among 64 racers over two replicas: the
//! verbs that read a credential and store what replaces it.

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
