//! The OpenAPI document (issue 5): served at `GET /__admin/openapi.json` and printed by
//! `authmock openapi`; OpenAPI 3.1, one operation per route, each family's error codes listed.

use crate::helpers::{Api, Resp};
use authmock::contract::{enos, koodrive, oneaccess};
use authmock::MockServer;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const DOC: &str = "/__admin/openapi.json";

pub(super) async fn document(api: &Api) -> Value {
    let r = api.get(DOC, &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_json(&r);
    r.body
}

fn assert_json(r: &Resp) {
    assert!(
        r.header("content-type").starts_with("application/json"),
        "content-type {:?}",
        r.header("content-type")
    );
}

/// Every `"METHOD /path"` the document describes.
fn documented(doc: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths object") {
        for (method, op) in item.as_object().expect("path item object") {
            if op.get("responses").is_some() {
                out.insert(format!("{} {path}", method.to_ascii_uppercase()));
            }
        }
    }
    out
}

fn operations(doc: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths object") {
        for (method, op) in item.as_object().expect("path item object") {
            out.push((format!("{} {path}", method.to_ascii_uppercase()), op));
        }
    }
    out
}

fn error_codes(doc: &Value, schema: &str, field: &str) -> Vec<Value> {
    doc["components"]["schemas"][schema]["properties"][field]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{schema}.{field} has no enum: {doc:#}"))
        .clone()
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_describes_exactly_the_routes_served() {
    let api = Api::new().await;

    let doc = document(&api).await;

    let version = doc["openapi"].as_str().expect("openapi version");
    assert!(version.starts_with("3.1."), "openapi {version}");
    assert_eq!(doc["info"]["title"], json!("authmock"));
    assert_eq!(doc["info"]["version"], json!(env!("CARGO_PKG_VERSION")));
    let served: BTreeSet<String> = authmock::pipeline::route::all_routes()
        .into_iter()
        .collect();
    let described = documented(&doc);
    let undocumented: Vec<_> = served.difference(&described).collect();
    let unserved: Vec<_> = described.difference(&served).collect();
    assert!(
        undocumented.is_empty(),
        "routes without documentation: {undocumented:?}"
    );
    assert!(
        unserved.is_empty(),
        "documented but not served: {unserved:?}"
    );
    assert!(served.contains("GET /__admin/openapi.json"));
}

#[tokio::test]
async fn every_operation_has_an_id_a_tag_the_namespace_header_and_its_answers() {
    let api = Api::new().await;

    let doc = document(&api).await;

    let mut ids = BTreeSet::new();
    for (route, op) in operations(&doc) {
        let id = op["operationId"].as_str().expect("operationId");
        assert!(ids.insert(id.to_string()), "{route}: duplicate id {id}");
        let tag = op["tags"][0].as_str().unwrap_or("");
        let family = match route.split(' ').nth(1).unwrap_or("") {
            p if p.starts_with("/koodrive/") => "KooDrive",
            p if p.starts_with("/api/v2/") => "OneAccess",
            p if p.starts_with("/app-portal-service/") => "EnOS",
            p if p.starts_with("/oauth2/") => "OrgID sign-in",
            _ => "control plane",
        };
        assert_eq!(tag, family, "{route}");
        let params = op["parameters"].as_array().expect("parameters");
        let ns = params
            .iter()
            .find(|p| p["name"] == json!("X-Mock-Namespace"))
            .unwrap_or_else(|| panic!("{route}: no X-Mock-Namespace"));
        assert_eq!(ns["in"], json!("header"), "{route}");
        assert_eq!(ns["required"], json!(false), "{route}");
        assert_eq!(
            ns["schema"]["pattern"],
            json!("^[A-Za-z0-9._-]{1,64}$"),
            "{route}"
        );
        assert!(
            params
                .iter()
                .all(|p| p["name"] != json!("X-Mock-Error") && p["name"] != json!("X-Mock-Delay")),
            "{route}: fault headers are described in info, not per operation"
        );
        let responses = op["responses"].as_object().expect("responses");
        let success = if route.starts_with("POST /__admin/") && responses.contains_key("201") {
            "201"
        } else if route == "POST /oauth2/authorize" {
            "302"
        } else {
            "200"
        };
        assert!(responses.contains_key(success), "{route}: no {success}");
        assert!(responses.contains_key("400"), "{route}: no 400");
        if family != "control plane" {
            assert!(responses.contains_key("413"), "{route}: no 413");
        }
    }
}

#[tokio::test]
async fn each_family_error_schema_lists_exactly_its_codes() {
    let api = Api::new().await;

    let doc = document(&api).await;

    let koo: Vec<Value> = koodrive::KooError::ALL
        .iter()
        .map(|e| json!(e.code()))
        .collect();
    assert_eq!(error_codes(&doc, "KooDriveError", "code"), koo);
    let oa: Vec<Value> = oneaccess::OaError::CODES.iter().map(|c| json!(c)).collect();
    assert_eq!(error_codes(&doc, "OneAccessError", "error_code"), oa);
    let en: Vec<Value> = enos::EnosError::CODES
        .iter()
        .map(|c| json!(c.parse::<i64>().expect("numeric code")))
        .collect();
    assert_eq!(error_codes(&doc, "EnosError", "code"), en);
    assert_eq!(
        doc["components"]["schemas"]["EnosError"]["properties"]["data"],
        json!({ "type": "null" })
    );
    // Each code is described.
    let described = &doc["components"]["schemas"]["KooDriveError"]["properties"]["code"]
        ["x-enumDescriptions"]["13000204"];
    assert_eq!(
        described,
        &json!("HTTP 401: Account is locked. Try again later.")
    );
}

#[tokio::test]
async fn enos_answers_its_errors_with_http_200_so_its_200_is_success_or_error() {
    let api = Api::new().await;

    let doc = document(&api).await;

    let ok = &doc["paths"]["/app-portal-service/v2.2/session/set"]["post"]["responses"]["200"]
        ["content"]["application/json"]["schema"]["$ref"];
    let name = ok
        .as_str()
        .expect("a schema reference")
        .rsplit('/')
        .next()
        .expect("name");
    let one_of = doc["components"]["schemas"][name]["oneOf"]
        .as_array()
        .expect("oneOf");
    assert_eq!(one_of.len(), 2, "{one_of:?}");
    assert_eq!(
        one_of[1]["$ref"],
        json!("#/components/schemas/EnosError"),
        "{one_of:?}"
    );
}

#[tokio::test]
async fn the_tenant_token_body_is_a_form_and_the_dashboard_is_html() {
    let api = Api::new().await;

    let doc = document(&api).await;

    let form = &doc["paths"]["/api/v2/tenant/token"]["post"]["requestBody"]["content"];
    assert!(
        form.get("application/x-www-form-urlencoded").is_some(),
        "{form}"
    );
    for page in ["/__admin/", "/__admin/ui"] {
        let content = &doc["paths"][page]["get"]["responses"]["200"]["content"];
        assert!(content.get("text/html").is_some(), "{page}: {content}");
    }
}

#[tokio::test]
async fn the_document_needs_the_admin_token_when_the_server_has_one() {
    let api = Api::with(MockServer::builder().admin_token("T").start().await);

    let without = api.get(DOC, &[]).await;
    let with = api.get(DOC, &[("Authorization", "Bearer T")]).await;

    assert_eq!(without.status, 401, "{}", without.text);
    assert_eq!(
        without.body,
        json!({ "error": "admin token required: Authorization: Bearer <token>" })
    );
    assert_eq!(with.status, 200, "{}", with.text);
    assert!(with.body["openapi"].is_string());
}

#[tokio::test]
async fn authmock_openapi_prints_the_served_document() {
    let api = Api::new().await;
    let served = document(&api).await;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let out = Command::new(env!("CARGO_BIN_EXE_authmock"))
            .arg("openapi")
            .stdin(Stdio::null())
            .output();
        let _ = tx.send(out);
    });

    let out = rx
        .recv_timeout(Duration::from_secs(15))
        .expect("`authmock openapi` finished within 15 s")
        .expect("spawn authmock");

    assert!(out.status.success(), "exit {:?}", out.status);
    let printed: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(printed, served);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------------------------------------------
// Answers that did not match the document before it was written (found while documenting them)
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_path_parameter_that_is_not_utf8_answers_the_control_planes_json_400() {
    let api = Api::new().await;

    for (method, path, name) in [
        ("DELETE", "/__admin/tokens/%FF", "token"),
        ("POST", "/__admin/%FF/users", "family"),
        ("POST", "/__admin/%FF/orgs", "family"),
        ("DELETE", "/__admin/koodrive/users/%C3", "id"),
        ("DELETE", "/__admin/faults/%FF", "id"),
    ] {
        let r = api.send(method, path, &[], None).await;

        assert_eq!(r.status, 400, "{method} {path}: {}", r.text);
        assert_json(&r);
        assert_eq!(
            r.body,
            json!({ "error": format!("invalid path: Invalid URL: Invalid UTF-8 in `{name}`") }),
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn the_clock_refuses_instants_outside_the_years_0000_to_9999() {
    let api = Api::new().await;
    let refused = json!({
        "error": "the clock must stay between 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z"
    });

    for body in [
        json!({ "set": i64::MIN }),
        json!({ "freeze": true, "set": 9_223_372_036_854_775_000_i64 }),
        json!({ "set": -62_167_219_200_001_i64 }),
        json!({ "set": "9999-12-31T23:59:59.999Z", "advance": "1ms" }),
        json!({ "set": "0000-01-01T00:00:00+01:00" }),
    ] {
        let r = api.post("/__admin/clock", &[], body.clone()).await;

        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert_eq!(r.body, refused, "{body}");
    }
    let clock = api.get("/__admin/clock", &[]).await;
    assert_eq!(clock.body["mode"], json!("real"), "nothing above moved it");
}

#[tokio::test]
async fn at_the_last_instant_the_clock_allows_tokens_are_still_issued() {
    let api = Api::new().await;
    let r = api
        .post(
            "/__admin/clock",
            &[],
            json!({ "freeze": true, "set": "9999-12-31T23:59:59.999Z" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["epochMs"], json!(253_402_300_799_999_i64));

    let set = api
        .post(
            "/app-portal-service/v2.2/session/set",
            &[(
                "Authorization",
                "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
            )],
            json!({ "orgId": "yourOrgId" }),
        )
        .await;

    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.body["code"], json!(0), "{}", set.text);
    // 30 days after the last instant, in whole seconds, as milliseconds.
    assert_eq!(
        set.body["data"]["refreshTokenExpire"],
        json!((253_402_300_799_999_i64 + 30 * 86_400_000) / 1000 * 1000)
    );
}

#[tokio::test]
async fn the_clock_request_schema_needs_at_least_one_property_as_the_route_does() {
    let api = Api::new().await;

    let empty = api.post("/__admin/clock", &[], json!({})).await;
    let doc = document(&api).await;

    assert_eq!(empty.status, 400, "{}", empty.text);
    assert_eq!(
        doc["components"]["schemas"]["ClockRequest"]["minProperties"],
        1
    );
}
