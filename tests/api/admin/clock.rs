//! The control plane: the clock.

use super::*;

// =============================================================================================
// the clock

#[tokio::test]
async fn the_clock_follows_real_time_by_default() {
    let api = Api::new().await;

    let c = api.get_clock(&[]).await;

    assert_eq!(keys(&c), ["epochMs", "mode", "now"]);
    assert_eq!(c["mode"], json!("real"));
    let ms = c["epochMs"].as_i64().expect("epochMs");
    assert!((ms - system_ms()).abs() < 60_000, "{c}");
    assert_instant(&c["now"], ms);
}

#[tokio::test]
async fn a_frozen_clock_gives_two_logins_the_same_issued_at() {
    let api = Api::new().await;

    let frozen = api.clock(json!({ "freeze": true }), &[]).await;
    let first = api.koo_session_info(&[]).await;
    // The second login waits a little: a running clock would have moved on.
    let second = api.koo_session_info(&[("X-Mock-Delay", "30ms")]).await;

    assert_eq!(frozen["mode"], json!("frozen"));
    let at = frozen["epochMs"].as_i64().expect("epochMs");
    assert_eq!(first["issuedAt"], json!(at.to_string()));
    assert_eq!(second["issuedAt"], json!(at.to_string()));
    assert_eq!(api.get_clock(&[]).await["epochMs"], json!(at));
}

#[tokio::test]
async fn setting_a_frozen_clock_moves_issuance_to_that_instant() {
    let api = Api::new().await;
    api.clock(json!({ "freeze": true }), &[]).await;

    let c = api.clock(json!({ "set": JAN_2026 }), &[]).await;
    let info = api.koo_session_info(&[]).await;

    assert_eq!(c["mode"], json!("frozen"));
    assert_eq!(c["epochMs"], json!(JAN_2026_MS));
    assert_instant(&c["now"], JAN_2026_MS);
    assert_eq!(info["issuedAt"], json!("1767225600000"));
}

#[tokio::test]
async fn set_and_freeze_in_one_request_stop_the_clock_exactly_there() {
    let api = Api::new().await;

    let c = api
        .clock(json!({ "set": JAN_2026, "freeze": true }), &[])
        .await;
    let info = api.koo_session_info(&[]).await;

    assert_eq!(c["mode"], json!("frozen"));
    assert_eq!(c["epochMs"], json!(JAN_2026_MS));
    assert_eq!(info["issuedAt"], json!("1767225600000"));
}

#[tokio::test]
async fn setting_a_running_clock_lets_it_run_on_from_there() {
    let api = Api::new().await;

    let c = api.clock(json!({ "set": JAN_2026 }), &[]).await;
    let later = api.get_clock(&[]).await;

    assert_eq!(c["mode"], json!("offset"));
    let ms = later["epochMs"].as_i64().expect("epochMs");
    assert!((JAN_2026_MS..JAN_2026_MS + 60_000).contains(&ms), "{later}");
}

#[tokio::test]
async fn advancing_21_minutes_expires_a_koodrive_session() {
    let api = Api::new().await;
    let session = api.koo_session(koo::SEED_CODE, &[]).await;

    let c = api.clock(json!({ "advance": "19m" }), &[]).await;
    let still = api.koo_auth(&session, &[]).await;
    api.clock(json!({ "advance": "21m" }), &[]).await;
    let expired = api.koo_auth(&session, &[]).await;

    assert_eq!(c["mode"], json!("offset"));
    let ahead = c["epochMs"].as_i64().expect("epochMs") - system_ms();
    assert!(
        (19 * 60_000 - 60_000..=19 * 60_000 + 1000).contains(&ahead),
        "{c}"
    );
    assert_status(&still, 200);
    koo_session_invalid(&expired);
}

#[tokio::test]
async fn advancing_1860_seconds_expires_a_oneaccess_app_token() {
    let api = Api::new().await;
    let app = api.oa_app_token(&[]).await;
    let session = api.oa_session_token(&[]).await;
    assert_status(&api.oa_ticket(&app, &session, &[]).await, 200);

    api.clock(json!({ "advance": 1860 }), &[]).await;
    let r = api.oa_ticket(&app, &session, &[]).await;

    oa_error(
        &r,
        400,
        "invalid_token",
        &format!("Access token expired:{app}"),
    );
}

#[tokio::test]
async fn advancing_31_minutes_leaves_a_koodrive_login_refreshable() {
    let api = Api::new().await;
    let info = api.koo_session_info(&[]).await;
    let auth = format!(
        "AT+{}",
        info["accessToken"]
            .as_str()
            .expect("accessToken")
            .trim_start_matches("AT ")
    );

    api.clock(json!({ "advance": "31m" }), &[]).await;
    let r = api
        .post(
            koo::REFRESH_TOKEN,
            &[("Authorization", auth.as_str())],
            json!({ "refreshToken": info["refreshToken"] }),
        )
        .await;

    let fresh = &koo_ok(&r)["sessionInfo"];
    let issued: i64 = fresh["issuedAt"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("issuedAt");
    assert!(issued - system_ms() >= 30 * 60_000, "{fresh}");
}

#[tokio::test]
async fn deleting_the_clock_returns_to_real_time() {
    let api = Api::new().await;
    api.freeze_at(JAN_2026, &[]).await;

    let r = api.delete("/__admin/clock", &[]).await;
    let info = api.koo_session_info(&[]).await;

    assert_status(&r, 200);
    assert_eq!(r.body["mode"], json!("real"));
    let c = api.get_clock(&[]).await;
    assert_eq!(c["mode"], json!("real"));
    assert!((c["epochMs"].as_i64().expect("ms") - system_ms()).abs() < 60_000);
    let issued: i64 = info["issuedAt"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("issuedAt");
    assert!((issued - system_ms()).abs() < 60_000, "{info}");
}

#[tokio::test]
async fn a_clock_request_without_a_valid_instruction_answers_400() {
    let api = Api::new().await;

    for body in [
        json!({}),
        json!({ "advance": "soon" }),
        json!({ "set": "yesterday" }),
        json!({ "freeze": "yes" }),
    ] {
        let r = admin(&api, "POST", "/__admin/clock", body.clone(), &[]).await;
        admin_error(&r, 400);
    }

    assert_eq!(api.get_clock(&[]).await["mode"], json!("real"));
}

#[tokio::test]
async fn a_clock_set_below_the_documented_minimum_is_refused_even_when_advance_brings_it_back() {
    let api = Api::new().await;
    let doc = document(&api).await;
    let set = &doc["components"]["schemas"]["ClockRequest"]["properties"]["set"];
    let min = set["oneOf"]
        .as_array()
        .and_then(|o| o.iter().find_map(|s| s["minimum"].as_i64()))
        .expect("a documented minimum");
    let max = set["oneOf"]
        .as_array()
        .and_then(|o| o.iter().find_map(|s| s["maximum"].as_i64()))
        .expect("a documented maximum");

    let below = api
        .post(
            "/__admin/clock",
            &[],
            json!({ "set": min - 1, "advance": 1 }),
        )
        .await;
    let above = api
        .post(
            "/__admin/clock",
            &[],
            json!({ "set": max + 1, "advance": -1 }),
        )
        .await;
    let at_min = api
        .post("/__admin/clock", &[], json!({ "set": min, "freeze": true }))
        .await;

    assert_eq!(below.status, 400, "{}", below.text);
    assert!(below.body["error"]
        .as_str()
        .unwrap_or_default()
        .contains("0000-01-01T00:00:00Z"));
    assert_eq!(above.status, 400, "{}", above.text);
    assert_eq!(at_min.status, 200, "{}", at_min.text);
    assert_eq!(at_min.body["epochMs"], min);
    assert!(set["description"]
        .as_str()
        .unwrap_or_default()
        .contains("400"));
}
