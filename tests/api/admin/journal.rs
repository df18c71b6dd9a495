//! The control plane: the request journal.

use super::*;

// =============================================================================================
// the request journal

#[tokio::test]
async fn the_journal_records_each_exchange_newest_first() {
    let api = Api::new().await;
    let login = api.koo_login(&[]).await;
    let refused = api.koo_auth("Bearer 0000", &[]).await;

    let entries = journal(&api, "", &[]).await;

    assert_eq!(entries.len(), 2, "{entries:?}");
    let (newest, oldest) = (&entries[0], &entries[1]);
    assert_eq!(newest["method"], json!("GET"));
    assert_eq!(newest["path"], json!(koo::SESSION_AUTH));
    assert_eq!(newest["route"], json!(koo::SESSION_AUTH));
    assert_eq!(newest["status"], json!(401));
    assert_eq!(newest["response"]["body"], refused.body);
    assert_eq!(oldest["method"], json!("POST"));
    assert_eq!(oldest["path"], json!(koo::LOGIN));
    assert_eq!(oldest["route"], json!(koo::LOGIN));
    assert_eq!(oldest["status"], json!(200));
    assert_eq!(
        oldest["request"]["headers"]["x-hw-agentname"],
        json!("authmock-tests")
    );
    assert_eq!(oldest["request"]["body"]["account"], json!(koo::ACCOUNT));
    assert_eq!(oldest["request"]["body"]["authType"], json!("1"));
    assert_eq!(
        oldest["response"]["body"]["data"]["userInfo"],
        login.body["data"]["userInfo"]
    );
    for e in &entries {
        assert_rfc3339(&e["time"]);
        let ms = e["durationMs"]
            .as_f64()
            .unwrap_or_else(|| panic!("durationMs is not a number: {e}"));
        assert!((0.0..60_000.0).contains(&ms), "{e}");
    }
}

#[tokio::test]
async fn the_journal_masks_passwords_secrets_and_tokens() {
    let api = Api::new().await;
    // KooDrive: login, refreshToken, a verification-code login, a malformed login, createSession.
    let info = api.koo_session_info(&[]).await;
    let access = info["accessToken"].as_str().expect("access").to_owned();
    let refresh = info["refreshToken"].as_str().expect("refresh").to_owned();
    let auth = format!("AT+{}", access.trim_start_matches("AT "));
    let rotated = api
        .post(
            koo::REFRESH_TOKEN,
            &[("Authorization", auth.as_str())],
            json!({ "refreshToken": refresh }),
        )
        .await;
    let rotated = koo_ok(&rotated)["sessionInfo"].clone();
    let captcha = api.mint_verification_code(koo::ACCOUNT).await;
    koo_ok(&koo_captcha_login(&api, &captcha).await);
    let malformed = api
        .post_raw(
            koo::LOGIN,
            &[koo::AGENT, ("content-type", "application/json")],
            koo::SEED_001_REQUEST.as_bytes(),
        )
        .await;
    koo_error(&malformed, 400, 13000102, "Verify parameters failed.");
    let session = api.koo_session(koo::SEED_CODE, &[]).await;
    assert_status(&api.koo_auth(&session, &[]).await, 200);
    // OneAccess: token (form with client_secret), sdk/login, sso-ticket, verify.
    let app = api.oa_app_token(&[]).await;
    let oa_session = api.oa_session_token(&[]).await;
    let t = api.oa_ticket(&app, &oa_session, &[]).await;
    let ticket = t.body["sso_ticket"]
        .as_str()
        .expect("sso_ticket")
        .to_owned();
    assert_status(&api.oa_verify(&app, &ticket, &[]).await, 200);
    // EnOS: login, session/set, token/refresh?refreshToken=.
    let login = api.enos_login_token(&[]).await;
    let set = api.enos_set(&login, enos::ORG, &[]).await;
    let enos_access = enos_ok(&set)["accessToken"].as_str().expect("a").to_owned();
    let enos_refresh = enos_ok(&set)["refreshToken"]
        .as_str()
        .expect("r")
        .to_owned();
    let r = api
        .get(
            &format!("{}?refreshToken={enos_refresh}", enos::REFRESH),
            &[],
        )
        .await;
    enos_ok(&r);

    let listed = api.get("/__admin/requests", &[]).await;
    assert_status(&listed, 200);

    let raw_secrets = [
        koo::PASSWORD,
        oa::PASSWORD,
        enos::PASSWORD,
        oa::CLIENT_SECRET,
        koo::SEED_CODE,
        access.trim_start_matches("AT "),
        &refresh,
        rotated["accessToken"]
            .as_str()
            .expect("a")
            .trim_start_matches("AT "),
        rotated["refreshToken"].as_str().expect("r"),
        session.trim_start_matches("Bearer "),
        &app,
        &oa_session,
        &ticket,
        &login,
        &enos_access,
        &enos_refresh,
    ];
    for secret in raw_secrets {
        assert!(
            !listed.text.contains(secret),
            "the journal shows {secret:?}"
        );
    }
    let entries = listed.body["requests"].as_array().expect("requests");
    let find = |path: &str, nth: usize| -> &Value {
        entries
            .iter()
            .rev()
            .filter(|e| e["path"] == json!(path))
            .nth(nth)
            .unwrap_or_else(|| panic!("no entry {nth} for {path}"))
    };
    let first_login = find(koo::LOGIN, 0);
    assert_masked(&first_login["request"]["body"]["password"], koo::PASSWORD);
    assert_masked(
        &first_login["response"]["body"]["data"]["sessionInfo"]["accessToken"],
        &access,
    );
    let refresh_entry = find(koo::REFRESH_TOKEN, 0);
    assert_masked(&refresh_entry["request"]["headers"]["authorization"], &auth);
    assert_masked(&refresh_entry["request"]["body"]["refreshToken"], &refresh);
    assert_masked(
        &find(koo::LOGIN, 1)["request"]["body"]["captchaToken"],
        &captcha,
    );
    let verify = find(oa::VERIFY, 0);
    assert_masked(&verify["request"]["body"]["sso_ticket"], &ticket);
    assert_eq!(
        verify["response"]["body"]["code"],
        json!("200"),
        "a response code is not a secret: {verify}"
    );
}

#[tokio::test]
async fn the_journal_masks_tokens_in_a_malformed_answer() {
    let api = Api::new().await;
    api.add_fault(
        json!({ "route": format!("POST {}", koo::LOGIN), "malformed": true }),
        &[],
    )
    .await;
    let r = api.koo_login(&[]).await;
    let at = r
        .text
        .find("\"accessToken\":\"")
        .unwrap_or_else(|| panic!("the cut falls after the access token starts: {}", r.text));
    let fragment: String = r.text[at + 15..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    assert!(fragment.len() > 8, "{}", r.text);

    let listed = api.get("/__admin/requests", &[]).await;

    assert!(
        !listed.text.contains(&fragment),
        "the journal shows the token fragment {fragment:?}: {}",
        listed.text
    );
    assert!(!listed.text.contains(koo::PASSWORD), "{}", listed.text);
}

#[tokio::test]
async fn the_journal_filters_by_method_path_status_and_limit() {
    let api = Api::new().await;
    api.koo_login(&[]).await;
    api.koo_auth("Bearer 0000", &[]).await;
    api.enos_login(enos::ACCOUNT, "wrong", &[]).await;
    api.oa_token_request(&[]).await;
    let paths = |v: Vec<Value>| -> Vec<String> {
        v.iter()
            .map(|e| e["path"].as_str().unwrap_or_default().to_owned())
            .collect()
    };

    assert_eq!(
        paths(journal(&api, "?method=GET", &[]).await),
        [koo::SESSION_AUTH]
    );
    assert_eq!(
        paths(journal(&api, "?status=401", &[]).await),
        [koo::SESSION_AUTH]
    );
    assert_eq!(
        paths(journal(&api, "?path=/app-portal-service/v2.2/login", &[]).await),
        [enos::LOGIN]
    );
    assert_eq!(
        paths(journal(&api, "?limit=2", &[]).await),
        [oa::TOKEN, enos::LOGIN]
    );
    assert_eq!(
        paths(journal(&api, "?method=POST&status=200&limit=2", &[]).await),
        [oa::TOKEN, enos::LOGIN]
    );
    assert_eq!(
        paths(journal(&api, "", &[]).await),
        [oa::TOKEN, enos::LOGIN, koo::SESSION_AUTH, koo::LOGIN]
    );
}

#[tokio::test]
async fn the_journal_keeps_only_its_newest_journal_size_entries() {
    let api = Api::with(MockServer::builder().journal_size(5).start().await);
    for i in 0..20 {
        api.koo_login_as(&format!("user{i}"), "whatever", &[]).await;
    }

    let entries = journal(&api, "", &[]).await;

    let accounts: Vec<&str> = entries
        .iter()
        .map(|e| e["request"]["body"]["account"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(accounts, ["user19", "user18", "user17", "user16", "user15"]);
}

#[tokio::test]
async fn journal_size_zero_disables_the_journal() {
    let api = Api::with(MockServer::builder().journal_size(0).start().await);
    api.koo_login(&[]).await;
    api.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await;

    assert_eq!(journal(&api, "", &[]).await, Vec::<Value>::new());
}

#[tokio::test]
async fn deleting_the_journal_clears_it() {
    let api = Api::new().await;
    api.koo_login(&[]).await;
    api.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await;
    assert_eq!(journal(&api, "", &[]).await.len(), 2);

    let r = api.delete("/__admin/requests", &[]).await;

    assert_status(&r, 200);
    assert_eq!(journal(&api, "", &[]).await, Vec::<Value>::new());
    api.oa_token_request(&[]).await;
    let entries = journal(&api, "", &[]).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["path"], json!(oa::TOKEN));
}

#[tokio::test]
async fn the_journal_says_how_many_entries_matched_the_filter_besides_the_total() {
    let api = Api::new().await;
    for _ in 0..3 {
        api.koo_auth("Bearer 0000", &[]).await;
    }
    api.koo_login(&[]).await;

    let r = api.get("/__admin/requests?status=401&limit=2", &[]).await;

    assert_eq!(r.status, 200, "{}", r.text);
    let listed = r.body["requests"].as_array().expect("requests").len();
    assert_eq!(
        (listed, &r.body["matched"], &r.body["total"]),
        (2, &json!(3), &json!(4)),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn the_journal_masks_tokens_quoted_in_oneaccess_messages_and_session_ids() {
    let api = Api::new().await;
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret=demo-client-secret",
        oa::CLIENT_ID
    );
    let t = api.post_raw(oa::TOKEN, &[], form.as_bytes()).await;
    let app = t.body["access_token"].as_str().unwrap().to_string();
    api.advance_clock(31 * 60).await;
    let bearer = format!("Bearer {app}");
    let r = api
        .post(oa::TICKET, &[("authorization", &bearer)], json!({}))
        .await;
    assert_eq!(r.body["error_msg"], format!("Access token expired:{app}"));
    let s = api
        .post(koo::SESSION, &[], json!({"code": "koo-admin-code"}))
        .await;
    let session_id = s.body["data"]["sessionId"].as_str().unwrap().to_string();

    let journal = api.get("/__admin/requests", &[]).await;
    assert!(!journal.text.contains(&app), "{}", journal.text);
    assert!(!journal.text.contains(&session_id), "{}", journal.text);
    let e = &journal.body["requests"][1];
    assert_eq!(
        e["response"]["body"]["error_msg"],
        format!("Access token expired:{}****", &app[..4])
    );
}

#[tokio::test]
async fn the_journal_keeps_the_first_4_kib_of_a_body_and_its_whole_size() {
    let api = Api::new().await;
    let big = format!(
        r#"{{"account":"portal_demo","password":"x","pad":"{}"}}"#,
        "p".repeat(10_000)
    );
    let r = api
        .post_raw(
            enos::LOGIN,
            &[("content-type", "application/json")],
            big.as_bytes(),
        )
        .await;
    assert_eq!(r.body["code"], 31400);

    let journal = api.get("/__admin/requests", &[]).await;
    let req = &journal.body["requests"][0]["request"];
    assert_eq!(req["bodyBytes"], big.len());
    assert_eq!(req["bodyTruncated"], true);
    let kept = req["body"].as_str().unwrap();
    // The first 4096 bytes, with the one-character password shown as "x****".
    assert_eq!(kept.len(), 4096 + 4, "{kept}");
    assert!(kept.contains(r#""password":"x****""#), "{kept}");
    let resp = &journal.body["requests"][0]["response"];
    assert_eq!(resp["bodyTruncated"], false);
}

#[tokio::test]
async fn proxy_authorization_is_masked_in_the_journal() {
    let api = Api::new().await;
    let secret = "Basic c2VjcmV0LXVzZXI6c2VjcmV0LXBhc3N3b3Jk";
    api.post(
        LOGIN,
        &[("x-hw-agentName", "t"), ("Proxy-Authorization", secret)],
        login_body(),
    )
    .await;
    let j = api.get("/__admin/requests?limit=1", &[]).await;
    let shown = j.body["requests"][0]["request"]["headers"]["proxy-authorization"]
        .as_str()
        .expect("the header is journaled")
        .to_string();
    assert!(!j.text.contains(secret), "{}", j.text);
    assert_eq!(shown, "Basi****");
}

#[tokio::test]
async fn a_journal_status_filter_beyond_the_documented_maximum_answers_400() {
    let api = Api::new().await;
    let doc = document(&api).await;
    let params = doc["paths"]["/__admin/requests"]["get"]["parameters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let status = params
        .iter()
        .find(|p| p["name"] == "status")
        .expect("status parameter");
    let max = status["schema"]["maximum"]
        .as_u64()
        .expect("a documented maximum");

    let at_max = api
        .get(&format!("/__admin/requests?status={max}"), &[])
        .await;
    let beyond = api
        .get(&format!("/__admin/requests?status={}", max + 1), &[])
        .await;
    let huge = api
        .get("/__admin/requests?status=9223372036854775808", &[])
        .await;

    assert_eq!(at_max.status, 200, "{}", at_max.text);
    assert_eq!(beyond.status, 400, "{}", beyond.text);
    assert_eq!(huge.status, 400, "{}", huge.text);
}
