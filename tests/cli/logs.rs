//! Request logs, text and JSON: one line per request, `RUST_LOG` obeyed, and never a password or an
//! issued token, whatever flows a client drives.

use super::*;

// ---------------------------------------------------------------------------------------------------
// Logs
// ---------------------------------------------------------------------------------------------------

/// The request lines of a JSON log: every stderr line must be a JSON object; those with a `path` are
/// request lines.
fn json_request_lines(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str::<Value>(l)
                .ok()
                .filter(Value::is_object)
                .unwrap_or_else(|| panic!("not a JSON object: {l:?}"))
        })
        .filter(|v| v.get("path").is_some())
        .collect()
}

#[tokio::test]
async fn json_logs_print_one_object_per_request_with_method_path_status_latency_and_namespace() {
    let server = Server::start(&["--log-format", "json"]);
    let c = client();
    let health = get(&c, &server.url("/__admin/health"), &[]).await;
    let session = post_json(
        &c,
        &server.url(KD_SESSION),
        &[("X-Mock-Namespace", "team-a")],
        json!({"code": "koo-admin-code"}),
    )
    .await;
    let missing = get(&c, &server.url("/no/such/route"), &[]).await;
    assert_eq!(
        (health.status, session.status, missing.status),
        (200, 200, 404)
    );

    let out = server.stop();
    let lines = json_request_lines(&out.stderr);

    let seen: Vec<(String, String, u64, Option<String>)> = lines
        .iter()
        .map(|l| {
            (
                l["method"].as_str().unwrap_or_default().to_string(),
                l["path"].as_str().unwrap_or_default().to_string(),
                l["status"].as_u64().unwrap_or_default(),
                l.get("namespace")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("GET".into(), "/__admin/health".into(), 200, None),
            (
                "POST".into(),
                KD_SESSION.into(),
                200,
                Some("team-a".to_string())
            ),
            ("GET".into(), "/no/such/route".into(), 404, None),
        ],
        "stderr:\n{}",
        out.stderr
    );
    for l in &lines {
        let latency = l
            .as_object()
            .into_iter()
            .flatten()
            .find(|(k, _)| k.starts_with("latency"))
            .map(|(_, v)| v);
        assert!(
            latency.is_some_and(Value::is_number),
            "no numeric latency in {l}"
        );
    }
}

#[tokio::test]
async fn text_logs_print_one_line_per_request() {
    let server = Server::start(&[]);
    let c = client();
    assert_eq!(
        get(&c, &server.url("/__admin/health"), &[]).await.status,
        200
    );
    assert_eq!(
        get(&c, &server.url("/no/such/route"), &[]).await.status,
        404
    );

    let out = server.stop();

    let health: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("/__admin/health"))
        .collect();
    let missing: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("/no/such/route"))
        .collect();
    assert_eq!(health.len(), 1, "stderr:\n{}", out.stderr);
    assert_eq!(missing.len(), 1, "stderr:\n{}", out.stderr);
    assert!(health[0].contains("GET") && health[0].contains("200"));
    assert!(missing[0].contains("404"));
    assert!(
        !health[0].trim_start().starts_with('{'),
        "not text: {}",
        health[0]
    );
}

#[tokio::test]
async fn rust_log_warn_suppresses_the_request_lines() {
    let mut cmd = authmock(&["--port", "0"]);
    cmd.env("RUST_LOG", "warn");
    let server = Server::spawn(cmd);

    let health = get(&client(), &server.url("/__admin/health"), &[]).await;
    let out = server.stop();

    assert_eq!(health.status, 200);
    assert!(
        !out.stderr.contains("/__admin/health"),
        "stderr:\n{}",
        out.stderr
    );
}

/// `authmock::request` is the target the request lines carry (in text and JSON) and the one
/// `RUST_LOG` filters on: a rename of the module that writes them must not move it.
#[tokio::test]
async fn request_lines_carry_the_authmock_request_target_that_rust_log_filters_on() {
    let json = Server::start(&["--log-format", "json"]);
    assert_eq!(
        get(&client(), &json.url("/__admin/health"), &[])
            .await
            .status,
        200
    );
    let out = json.stop();
    let lines = json_request_lines(&out.stderr);
    assert_eq!(lines.len(), 1, "stderr:\n{}", out.stderr);
    assert_eq!(lines[0]["target"], "authmock::request", "{}", lines[0]);

    let mut cmd = authmock(&["--port", "0"]);
    cmd.env("RUST_LOG", "info,authmock::request=off");
    let quiet = Server::spawn(cmd);
    assert_eq!(
        get(&client(), &quiet.url("/__admin/health"), &[])
            .await
            .status,
        200
    );
    let out = quiet.stop();
    assert!(
        !out.stderr.contains("/__admin/health"),
        "stderr:\n{}",
        out.stderr
    );
}

/// The admin token the log test's server requires: a password that goes over the wire on every
/// control-plane call.
const ADMIN_TOKEN: &str = "cli-admin-t0ken-never-logged";

/// A control-plane call with the admin token (and a JSON body when given).
async fn admin(
    c: &reqwest::Client,
    server: &Server,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Resp {
    let auth = format!("Bearer {ADMIN_TOKEN}");
    let mut h = vec![("Authorization", auth.as_str())];
    if body.is_some() {
        h.push(("content-type", "application/json"));
    }
    send(
        c,
        method,
        &server.url(path),
        &h,
        body.map(|b| b.to_string().into_bytes()),
    )
    .await
}

/// Drives every route — each vendor route and each control-plane route, `DELETE /__admin/tokens/{token}`
/// on credentials of every family included — and returns every secret that went over the wire:
/// passwords, client secrets, the admin token, codes, tickets, session ids and every issued token.
async fn issue_tokens(server: &Server) -> Vec<String> {
    let c = client();
    let mut secrets = vec![
        KD_PASSWORD.to_string(),
        KD_CODE.to_string(),
        OA_PASSWORD.to_string(),
        OA_SECRET.to_string(),
        EN_PASSWORD.to_string(),
        ADMIN_TOKEN.to_string(),
    ];
    secrets.extend(drive_control_plane(&c, server).await);

    // KooDrive: login, refresh, create session, session/auth, session/refresh, logoff.
    let login = post_json(
        &c,
        &server.url(KD_LOGIN),
        &[("x-hw-agentName", "cli-test")],
        json!({"account": "0027188460911", "authType": "1", "password": KD_PASSWORD}),
    )
    .await;
    assert_eq!(login.body["code"], 0, "{}", login.text);
    let at = str_at(&login.body, "/data/sessionInfo/accessToken").to_string();
    let rt = str_at(&login.body, "/data/sessionInfo/refreshToken").to_string();
    let refreshed = post_json(
        &c,
        &server.url(KD_REFRESH),
        &[("Authorization", &at.replacen(' ', "+", 1))],
        json!({"refreshToken": rt}),
    )
    .await;
    assert_eq!(refreshed.body["code"], 0, "{}", refreshed.text);
    let session = post_json(&c, &server.url(KD_SESSION), &[], json!({"code": KD_CODE})).await;
    assert_eq!(session.body["code"], 0, "{}", session.text);
    let bearer = str_at(&session.body, "/data/accessToken").to_string();
    let session_id = str_at(&session.body, "/data/sessionId").to_string();
    let auth = get(&c, &server.url(KD_AUTH), &[("Authorization", &bearer)]).await;
    assert_eq!(auth.body["code"], 0, "{}", auth.text);
    let renewed = send(
        &c,
        "POST",
        &server.url("/koodrive/ose/v1/session/refresh"),
        &[("Authorization", &bearer), ("x-session-id", &session_id)],
        None,
    )
    .await;
    assert_eq!(renewed.status, 200, "{}", renewed.text);
    let renewed = str_at(&renewed.body, "/accessToken").to_string();
    secrets.extend([
        at,
        rt,
        str_at(&refreshed.body, "/data/sessionInfo/accessToken").to_string(),
        str_at(&refreshed.body, "/data/sessionInfo/refreshToken").to_string(),
        bearer,
        session_id,
        renewed.clone(),
    ]);
    secrets.extend(koodrive_minted(&c, server).await);

    // OneAccess: app token, user login, SSO ticket, its redemption; an app added over the control
    // plane gets its token with HTTP Basic.
    let oa = oneaccess_ticket(&c, server, "fp-cli", None).await;
    let verify = post_json(
        &c,
        &server.url("/api/v2/tenant/sso/sso-ticket/verify"),
        &[
            ("Authorization", &format!("Bearer {}", oa.tokens[0])),
            ("X-tenant-id", "08f770f51f80d2f40f38c00cb199fd21"),
        ],
        json!({
            "sso_ticket": oa.tokens[4],
            "operating_sys_version": "Linux 6.1",
            "device_ip": "10.0.0.7",
            "device_fingerprint": "fp-cli",
        }),
    )
    .await;
    assert_eq!(verify.status, 200, "{}", verify.text);
    let oa_session = oa.tokens[2].clone();
    secrets.extend(oa.tokens);
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{CLI_OA_CLIENT}:{CLI_OA_SECRET}"));
    let app = send(
        &c,
        "POST",
        &server.url(OA_TOKEN),
        &[
            ("Authorization", &format!("Basic {basic}")),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        Some("grant_type=client_credentials".into()),
    )
    .await;
    assert_eq!(app.status, 200, "{}", app.text);
    secrets.extend([
        basic,
        str_at(&app.body, "/access_token").to_string(),
        str_at(&app.body, "/id_token").to_string(),
    ]);
    let own = post_json(
        &c,
        &server.url(OA_LOGIN),
        &[
            ("X-client-id", OA_CLIENT),
            ("X-device-fingerprint", "fp-cli"),
            ("X-operating-sys-version", "Linux 6.1"),
            ("X-agent", "cli-test"),
        ],
        json!({"user_name": "cli-user", "password": CLI_OA_PASSWORD}),
    )
    .await;
    assert_eq!(own.status, 200, "{}", own.text);
    secrets.extend([
        str_at(&own.body, "/session_token").to_string(),
        str_at(&own.body, "/id_token").to_string(),
    ]);

    // EnOS: login, session/set, token/refresh (refresh token in the query), session/info, user/info,
    // refreshToken/revokeAll, logout; and a user added over the control plane.
    let login = post_json(
        &c,
        &server.url(EN_LOGIN),
        &[],
        json!({"account": "portal_demo", "password": EN_PASSWORD}),
    )
    .await;
    assert_eq!(login.body["code"], 0, "{}", login.text);
    let token = str_at(&login.body, "/data/accessToken").to_string();
    let set = post_json(
        &c,
        &server.url(EN_SET),
        &[("Authorization", &format!("Bearer {token}"))],
        json!({"orgId": "yourOrgId"}),
    )
    .await;
    assert_eq!(set.body["code"], 0, "{}", set.text);
    let refresh = str_at(&set.body, "/data/refreshToken").to_string();
    let again = get(
        &c,
        &server.url(&format!("{EN_REFRESH}?refreshToken={refresh}")),
        &[],
    )
    .await;
    assert_eq!(again.body["code"], 0, "{}", again.text);
    let access = str_at(&again.body, "/data/accessToken").to_string();
    let refresh2 = str_at(&again.body, "/data/refreshToken").to_string();
    let bearer = format!("Bearer {access}");
    for path in [
        "/app-portal-service/v2.2/session/info",
        "/app-portal-service/v2.2/user/info",
    ] {
        let r = get(&c, &server.url(path), &[("Authorization", &bearer)]).await;
        assert_eq!(r.body["code"], 0, "{path}: {}", r.text);
    }
    let own = post_json(
        &c,
        &server.url(EN_LOGIN),
        &[],
        json!({"account": "cli-user", "password": CLI_EN_PASSWORD}),
    )
    .await;
    assert_eq!(own.body["code"], 0, "{}", own.text);
    let own = str_at(&own.body, "/data/accessToken").to_string();
    let revoke_all = send(
        &c,
        "POST",
        &server.url(&format!(
            "/app-portal-service/v2.2/refreshToken/revokeAll?refreshToken={refresh2}"
        )),
        &[("Authorization", &bearer)],
        None,
    )
    .await;
    assert_eq!(revoke_all.body["code"], 0, "{}", revoke_all.text);
    let logout = get(
        &c,
        &server.url("/app-portal-service/v2.2/logout"),
        &[("Authorization", &bearer)],
    )
    .await;
    assert_eq!(logout.body["code"], 0, "{}", logout.text);
    secrets.extend([
        token,
        str_at(&set.body, "/data/accessToken").to_string(),
        refresh.clone(),
        access,
        refresh2,
        own.clone(),
    ]);

    // Revoking credentials of every family names them in the path.
    for (t, live) in [
        (renewed.replacen(' ', "+", 1), true),
        (oa_session, true),
        (own.clone(), true),
        (refresh, false),
        (KD_CODE.to_string(), false),
    ] {
        let r = admin(&c, server, "DELETE", &format!("/__admin/tokens/{t}"), None).await;
        if live {
            assert_eq!(r.status, 200, "revoke {t}: {}", r.text);
        }
    }
    let logoff = get(
        &c,
        &server.url("/koodrive/ose/v1/session/logoff"),
        &[("Authorization", &renewed)],
    )
    .await;
    assert_eq!(logoff.status, 200, "{}", logoff.text);

    // The rest of the control plane, last: the journal, removing the added users, reset.
    for (method, path) in [
        ("GET", "/__admin/requests?limit=50"),
        ("DELETE", "/__admin/requests"),
        ("DELETE", "/__admin/koodrive/users/1008600000709990001"),
        ("DELETE", "/__admin/oneaccess/users/cli-oa-user"),
        ("DELETE", "/__admin/enos/users/ucli0001"),
        ("POST", "/__admin/reset"),
    ] {
        let r = admin(&c, server, method, path, None).await;
        assert!(r.status < 300, "{method} {path}: {} {}", r.status, r.text);
    }
    secrets
}

const CLI_KD_PASSWORD: &str = "Cli@Koo-pass-4711";

const CLI_KD_VERIFICATION: &str = "80604711";

const CLI_OA_CLIENT: &str = "CliAppClient00000000000000000001";

const CLI_OA_SECRET: &str = "cli-client-secret-4711";

const CLI_OA_PASSWORD: &str = "Cli@Oa-pass-4711";

const CLI_EN_PASSWORD: &str = "Cli@En-pass-4711";

/// Every control-plane route but the journal, revocation, user removal and reset (those come last):
/// health, the pages, meta, OpenAPI, state, clock, faults, and identities of every family (whose
/// passwords, verification code and client secret are returned).
async fn drive_control_plane(c: &reqwest::Client, server: &Server) -> Vec<String> {
    let health = get(c, &server.url("/__admin/health"), &[]).await;
    assert_eq!(health.status, 200, "{}", health.text);
    let calls: Vec<(&str, &str, Option<Value>)> = vec![
        ("GET", "/__admin/", None),
        ("GET", "/__admin/ui", None),
        ("GET", "/__admin/meta", None),
        ("GET", "/__admin/openapi.json", None),
        ("GET", "/__admin/state", None),
        ("GET", "/__admin/clock", None),
        ("POST", "/__admin/clock", Some(json!({"freeze": true}))),
        ("POST", "/__admin/clock", Some(json!({"advance": "1s"}))),
        ("DELETE", "/__admin/clock", None),
        (
            "POST",
            "/__admin/koodrive/orgs",
            Some(json!({
            "orgId": "9190086000009990001", "orgName": "cli", "tenantId": "t-cli",
            "xhwSchema": "cli", "userCount": 1})),
        ),
        (
            "POST",
            "/__admin/oneaccess/orgs",
            Some(json!({"id": "cli-tenant", "name": "cli"})),
        ),
        (
            "POST",
            "/__admin/enos/orgs",
            Some(json!({"id": "cliOrg", "name": "cli"})),
        ),
        (
            "POST",
            "/__admin/koodrive/users",
            Some(json!({
            "userId": "1008600000709990001", "userName": "cli", "innerUserId": "1",
            "orgId": "9190086000001721760", "deptId": "1", "role": "1", "account": "cli-user",
            "phone": "19900009999", "password": CLI_KD_PASSWORD,
            "verificationCode": CLI_KD_VERIFICATION, "firstname": "C", "surname": "Li",
            "email": "cli@example.com"})),
        ),
        (
            "POST",
            "/__admin/oneaccess/users",
            Some(json!({
            "id": "cli-oa-user", "userName": "cli-user", "password": CLI_OA_PASSWORD,
            "tenantId": "08f770f51f80d2f40f38c00cb199fd21"})),
        ),
        (
            "POST",
            "/__admin/enos/users",
            Some(json!({
            "id": "ucli0001", "name": "cli", "account": "cli-user", "password": CLI_EN_PASSWORD,
            "orgs": ["yourOrgId"]})),
        ),
        (
            "POST",
            "/__admin/oneaccess/clients",
            Some(json!({
            "clientId": CLI_OA_CLIENT, "clientSecret": CLI_OA_SECRET,
            "tenantId": "08f770f51f80d2f40f38c00cb199fd21"})),
        ),
        ("GET", "/__admin/faults", None),
        ("DELETE", "/__admin/faults", None),
    ];
    for (method, path, body) in calls {
        let r = admin(c, server, method, path, body).await;
        assert!(r.status < 300, "{method} {path}: {} {}", r.status, r.text);
    }
    let fault = admin(
        c,
        server,
        "POST",
        "/__admin/faults",
        Some(json!({"route": "POST /koodrive/ose/v1/auth/login", "times": 0, "error": "13000203"})),
    )
    .await;
    assert_eq!(fault.status, 201, "{}", fault.text);
    let id = str_at(&fault.body, "/id");
    let removed = admin(c, server, "DELETE", &format!("/__admin/faults/{id}"), None).await;
    assert!(removed.status < 300, "{}", removed.text);
    vec![
        CLI_KD_PASSWORD.into(),
        CLI_KD_VERIFICATION.into(),
        CLI_OA_SECRET.into(),
        CLI_OA_PASSWORD.into(),
        CLI_EN_PASSWORD.into(),
    ]
}

/// KooDrive credentials minted over the control plane and used: an authorization code for a session,
/// a verification code for a login, and the user's own password.
async fn koodrive_minted(c: &reqwest::Client, server: &Server) -> Vec<String> {
    let minted = admin(
        c,
        server,
        "POST",
        "/__admin/koodrive/auth-codes",
        Some(json!({"userId": "1008600000709990001"})),
    )
    .await;
    assert_eq!(minted.status, 201, "{}", minted.text);
    let code = str_at(&minted.body, "/code").to_string();
    let session = post_json(c, &server.url(KD_SESSION), &[], json!({"code": code})).await;
    assert_eq!(session.body["code"], 0, "{}", session.text);
    let captcha = admin(
        c,
        server,
        "POST",
        "/__admin/koodrive/verification-codes",
        Some(json!({"account": "cli-user"})),
    )
    .await;
    assert_eq!(captcha.status, 201, "{}", captcha.text);
    let captcha = str_at(&captcha.body, "/captchaToken").to_string();
    let by_code = post_json(
        c,
        &server.url(KD_LOGIN),
        &[("x-hw-agentName", "cli-test")],
        json!({"account": "cli-user", "authType": "2", "captchaToken": captcha}),
    )
    .await;
    assert_eq!(by_code.body["code"], 0, "{}", by_code.text);
    let by_password = post_json(
        c,
        &server.url(KD_LOGIN),
        &[("x-hw-agentName", "cli-test")],
        json!({"account": "cli-user", "authType": "1", "password": CLI_KD_PASSWORD}),
    )
    .await;
    assert_eq!(by_password.body["code"], 0, "{}", by_password.text);
    let mut out = vec![
        str_at(&session.body, "/data/accessToken").to_string(),
        str_at(&session.body, "/data/sessionId").to_string(),
    ];
    for r in [&by_code, &by_password] {
        out.push(str_at(&r.body, "/data/sessionInfo/accessToken").to_string());
        out.push(str_at(&r.body, "/data/sessionInfo/refreshToken").to_string());
    }
    // Revoked last of all, so the code and the captcha token appear in a path; both were used up
    // above, so the revocation finds nothing.
    for t in [&code, &captcha] {
        let r = admin(c, server, "DELETE", &format!("/__admin/tokens/{t}"), None).await;
        assert_eq!(
            (r.status, &r.body),
            (404, &json!({"error": "no such token in this namespace"})),
            "revoking {t}: {}",
            r.text
        );
    }
    out.extend([code, captcha]);
    out
}

/// The part of a token after its scheme prefix (`AT `, `Bearer `, `APP_PORTAL_S_`), which is what a
/// log that masks or reformats the prefix would still leak.
fn token_core(t: &str) -> &str {
    let t = t
        .strip_prefix("AT ")
        .or_else(|| t.strip_prefix("Bearer "))
        .unwrap_or(t);
    t.strip_prefix("APP_PORTAL_S_").unwrap_or(t)
}

async fn logs_never_contain_secrets(format: &str) {
    let server = Server::start(&["--log-format", format, "--admin-token", ADMIN_TOKEN]);

    let secrets = issue_tokens(&server).await;
    let out = server.stop();

    let all = out.all_output();
    assert!(
        all.contains(KD_LOGIN) && all.contains(EN_REFRESH) && all.contains("/__admin/tokens/"),
        "the requests were not logged at all:\n{all}"
    );
    for s in &secrets {
        assert!(!s.is_empty());
        assert!(
            !all.contains(token_core(s)),
            "the logs show the secret {s:?}:\n{all}"
        );
    }
}

#[tokio::test]
async fn text_logs_never_show_a_password_or_an_issued_token() {
    logs_never_contain_secrets("text").await;
}

#[tokio::test]
async fn json_logs_never_show_a_password_or_an_issued_token() {
    logs_never_contain_secrets("json").await;
}
