//! The OpenAPI 3.1 document of every vendor and control-plane route (`GET /__admin/openapi.json`,
//! `authmock openapi`).
//!
//! It is derived from the code: each handler carries `#[utoipa::path(...)]` next to its route, and the
//! request, response and error bodies derive `utoipa::ToSchema` on the very structs that are serialized
//! (error codes come from the families' error enums). What is common to every operation — the
//! `X-Mock-Namespace` header, the answers of the request layer (invalid namespace, body timeout, head too
//! large), the security schemes — is added here by [`Common`], and the route aliases are copies of the
//! operation they alias. `tests/api/openapi.rs` checks that every route of [`crate::app::all_routes`] is
//! documented.

use crate::admin;
use crate::vendors::{enos, koodrive, oneaccess};
use std::collections::BTreeMap;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Object, RefOr, Required, ResponseBuilder, Schema};
use utoipa::{Modify, OpenApi};

/// Pattern of an `X-Mock-Namespace` value.
pub const NAMESPACE_PATTERN: &str = "^[A-Za-z0-9._-]{1,64}$";

const DESCRIPTION: &str = r#"A stateful mock of the Huawei KooDrive, Huawei Cloud OneAccess and EnOS Application Portal authentication APIs, with a control plane under `/__admin`.

**Envelopes.** Every failure is the vendor family's envelope: KooDrive `{"code":<int>,"msg"}` (HTTP 400/401), OneAccess `{"error_code","error_msg"}` (HTTP 400/401), EnOS `{"code":<int>,"message","data":null}` with **HTTP 200** (the vendor's own client drops non-2xx answers). A body over 64 KiB answers 413 with the family's parameter error. The control plane answers `{"error":"…"}`. Each error schema lists its family's codes.

**Lenient bodies.** Unknown JSON fields are ignored, and a string field also accepts a JSON number (taken as its decimal text); such fields are documented as strings. Checks run in this order and a request shows the first failure only: the token, then the parameters, then the state.

**Namespaces.** `X-Mock-Namespace` (1–64 of `A-Za-z0-9._-`) on any request selects an isolated state (store, journal, faults, clock); without it, `default`. An invalid value answers 400 `{"error"}`.

**Per-request faults** (not listed on each operation, as they only exercise the fault plane): on a vendor route, `X-Mock-Error: <vendor code>` answers that code exactly as the route would (an unknown code answers 400 `{"error"}`), and `X-Mock-Delay: 250ms` (or `1s`, or milliseconds) delays the answer, at most 60 s. Faults queued by `POST /__admin/faults` can also answer any raw status and body, drop the connection or truncate the JSON.

**Contract lint.** A vendor request that deviates from its vendor page — a `Content-Type` other than the page's, a JSON number where the page says String, an undocumented body field, a token without the page's `Bearer`/`AT` form, a repeated slash, a malformed `X-Traceid` or `language`, a missing `X-tenant-id`, … — is answered as usual and gets an `X-Mock-Warnings` response header: printable ASCII, one `id: message` entry per deviation, entries separated by ` | ` (e.g. `content-type: expected application/json;charset=utf8, got application/json | unknown-field: orgid - did you mean orgId?`). A request that follows its page gets no such header. `X-Mock-Strict: true` on a vendor request (or the server's `--strict`; `X-Mock-Strict: false` turns it off for one request) answers the first deviation the mock would have accepted with the family's parameter error instead: KooDrive 13000102 (HTTP 400), OneAccess PARAM.0001 naming the deviation (HTTP 400), EnOS 31400 (HTTP 200). `GET /__admin/warnings` summarises a namespace's warnings by rule and route; `GET /__admin/requests?warnings=true` lists the requests.

**Admin token.** Started with `--admin-token T`, every `/__admin` route but health and the dashboard page needs `Authorization: Bearer T` (401 otherwise)."#;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "authmock",
        description = DESCRIPTION,
        license(name = "MIT"),
    ),
    paths(
        koodrive::create_session,
        koodrive::session_auth,
        koodrive::session_refresh,
        koodrive::session_logoff,
        koodrive::login,
        koodrive::refresh_token,
        oneaccess::tenant_token,
        oneaccess::sdk_login,
        oneaccess::sso_ticket,
        oneaccess::verify_ticket,
        enos::login,
        enos::session_set,
        enos::token_refresh,
        enos::logout,
        enos::session_info,
        enos::user_info,
        enos::revoke_all,
        admin::health,
        admin::reset,
        admin::view::state,
        admin::identities::add_user,
        admin::identities::delete_user,
        admin::identities::add_org,
        admin::identities::add_client,
        admin::identities::mint_auth_code,
        admin::identities::mint_verification_code,
        admin::view::revoke_token,
        admin::control::list_requests,
        admin::control::clear_requests,
        admin::control::warnings,
        admin::control::list_faults,
        admin::control::add_fault,
        admin::control::clear_faults,
        admin::control::delete_fault,
        admin::get_clock,
        admin::set_clock,
        admin::reset_clock,
        admin::dashboard::page,
        admin::dashboard::meta,
        admin::openapi,
    ),
    modifiers(&Common),
    tags(
        (name = "KooDrive", description = "Huawei KooDrive: enterprise session APIs and carrier login."),
        (name = "OneAccess", description = "Huawei Cloud OneAccess: app credential, SDK login, sso_ticket and its verification."),
        (name = "EnOS", description = "EnOS Application Portal: login, choose organization, refresh, logout, session and user info."),
        (name = "control plane", description = "`/__admin`: health, reset, state, identities, codes, tokens, journal, faults, clock, dashboard."),
    )
)]
struct Doc;

/// Routes served by the same handler under a second path: (method, documented path, alias, operationId).
const ALIASES: &[(&str, &str, &str, &str)] = &[
    (
        "post",
        "/koodrive/ose/v1/session/",
        "/koodrive/ose/v1/session",
        "koodrive_create_session_no_slash",
    ),
    (
        "post",
        "/app-portal-service/v2.2/session/set",
        "/app-portal-service/v2.1/session/set",
        "enos_session_set_v2_1",
    ),
    ("get", "/__admin/", "/__admin/ui", "admin_dashboard_ui"),
];

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = Doc::openapi();
    for (method, from, to, id) in ALIASES {
        let Some(mut op) = doc
            .paths
            .paths
            .get(*from)
            .and_then(|item| operation(item, method))
            .cloned()
        else {
            continue;
        };
        op.operation_id = Some((*id).to_string());
        op.description = Some(format!("Alias of `{} {from}`.", method.to_uppercase()));
        let item = doc.paths.paths.entry((*to).to_string()).or_default();
        if let Some(slot) = operation_mut(item, method) {
            *slot = Some(op);
        }
    }
    doc
}

/// The document as pretty JSON: what `GET /__admin/openapi.json` serves and `authmock openapi` prints.
pub fn json() -> String {
    let mut v = serde_json::to_value(document()).unwrap_or_default();
    fix_links(&mut v);
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

/// utoipa 5 serializes the fields of a Link Object in snake case (`operation_id`, `request_body`);
/// OpenAPI spells them `operationId`, `operationRef` and `requestBody`.
fn fix_links(doc: &mut serde_json::Value) {
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    let responses = paths
        .values_mut()
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut())
        .filter_map(|op| op.get_mut("responses").and_then(|r| r.as_object_mut()))
        .flat_map(|r| r.values_mut());
    for response in responses {
        let Some(links) = response.get_mut("links").and_then(|l| l.as_object_mut()) else {
            continue;
        };
        for link in links.values_mut().filter_map(|l| l.as_object_mut()) {
            for (from, to) in [
                ("operation_id", "operationId"),
                ("operation_ref", "operationRef"),
                ("request_body", "requestBody"),
            ] {
                if let Some(x) = link.remove(from) {
                    link.insert(to.to_string(), x);
                }
            }
        }
    }
}

fn operation<'a>(item: &'a PathItem, method: &str) -> Option<&'a Operation> {
    match method {
        "get" => item.get.as_ref(),
        "post" => item.post.as_ref(),
        "delete" => item.delete.as_ref(),
        "put" => item.put.as_ref(),
        _ => None,
    }
}

fn operation_mut<'a>(item: &'a mut PathItem, method: &str) -> Option<&'a mut Option<Operation>> {
    match method {
        "get" => Some(&mut item.get),
        "post" => Some(&mut item.post),
        "delete" => Some(&mut item.delete),
        "put" => Some(&mut item.put),
        _ => None,
    }
}

/// An integer limited to `codes`, each described in the description and in `x-enumDescriptions`.
pub(crate) fn int_codes(intro: &str, codes: impl IntoIterator<Item = (i64, String)>) -> Object {
    let codes: Vec<(i64, String)> = codes.into_iter().collect();
    described_enum(
        Type::Integer,
        intro,
        codes
            .into_iter()
            .map(|(c, d)| (serde_json::Value::from(c), c.to_string(), d)),
    )
}

/// A string limited to `codes`, each described in the description and in `x-enumDescriptions`.
pub(crate) fn str_codes<'a>(
    intro: &str,
    codes: impl IntoIterator<Item = (&'a str, String)>,
) -> Object {
    described_enum(
        Type::String,
        intro,
        codes
            .into_iter()
            .map(|(c, d)| (serde_json::Value::from(c), c.to_string(), d)),
    )
}

/// A string limited to `values`.
pub(crate) fn str_enum<'a>(description: &str, values: impl IntoIterator<Item = &'a str>) -> Object {
    let mut v: Vec<&str> = values.into_iter().collect();
    v.dedup();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(v))
        .build()
}

/// Any JSON value.
pub(crate) fn any_value() -> Object {
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::AnyValue)
        .build()
}

/// JSON `null`.
pub(crate) fn null() -> Object {
    ObjectBuilder::new().schema_type(Type::Null).build()
}

fn described_enum(
    ty: Type,
    intro: &str,
    codes: impl Iterator<Item = (serde_json::Value, String, String)>,
) -> Object {
    let mut values = Vec::new();
    let mut text = String::from(intro);
    let mut descriptions = BTreeMap::new();
    for (v, key, d) in codes {
        if values.contains(&v) {
            continue;
        }
        text.push_str(&format!("\n- `{key}`: {d}"));
        descriptions.insert(key, serde_json::Value::String(d));
        values.push(v);
    }
    ObjectBuilder::new()
        .schema_type(ty)
        .description(Some(text))
        .enum_values(Some(values))
        .extensions(Some(
            ExtensionsBuilder::new()
                .add(
                    "x-enumDescriptions",
                    serde_json::Value::Object(descriptions.into_iter().collect()),
                )
                .build(),
        ))
        .build()
}

/// What every operation shares: the namespace header, the request layer's own answers, the security
/// schemes.
struct Common;

impl Modify for Common {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        let schemes: [(&str, SecurityScheme); 6] = [
            (
                "koodriveSession",
                SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                    "Authorization",
                    "A KooDrive session token: `Bearer <token>`, `Bearer+<token>` or the bare token (the cookie form).",
                ))),
            ),
            (
                "koodriveAccess",
                SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                    "Authorization",
                    "A KooDrive login access token: `AT <token>` (or `AT+<token>`, `Bearer <token>`, the bare token).",
                ))),
            ),
            (
                "oneaccessApp",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some(
                            "A OneAccess app access token from `POST /api/v2/tenant/token`. Missing: PARAM.0001; unknown, expired or another scheme: invalid_token.",
                        ))
                        .build(),
                ),
            ),
            (
                "oneaccessClient",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Basic)
                        .description(Some(
                            "OAuth 2.0 client authentication: `client_id:client_secret`, used when the form has no `client_id`.",
                        ))
                        .build(),
                ),
            ),
            (
                "enosBearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some("An EnOS `APP_PORTAL_S_…` access token."))
                        .build(),
                ),
            ),
            (
                "adminToken",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some(
                            "The `--admin-token` of the server, when it was started with one (otherwise the control plane is open).",
                        ))
                        .build(),
                ),
            ),
        ];
        for (name, scheme) in schemes {
            components.add_security_scheme(name, scheme);
        }
        let mock_error: RefOr<Schema> =
            RefOr::Ref(utoipa::openapi::Ref::from_schema_name("MockError"));
        components
            .schemas
            .entry("MockError".to_string())
            .or_insert_with(<admin::ErrorBody<'static> as utoipa::PartialSchema>::schema);

        for item in doc.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                add_common(op, &mock_error);
            }
        }
    }
}

fn namespace_header() -> Parameter {
    ParameterBuilder::new()
        .name("X-Mock-Namespace")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "The isolated state this request uses (created from the fixtures on first use); `default` without it. An invalid value answers 400 `{\"error\"}`.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(NAMESPACE_PATTERN))
                .build(),
        ))
        .build()
}

/// `X-Mock-Warnings` on every vendor answer that deviates from its page.
fn warnings_header() -> utoipa::openapi::header::Header {
    utoipa::openapi::header::HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::String).build())
        .description(Some(
            "Where the request deviated from the vendor page: `id: message` entries separated by ` | ` (see the contract lint in the description); absent when it followed the page.",
        ))
        .build()
}

fn json_content(schema: RefOr<Schema>) -> Content {
    Content::new(Some(schema))
}

fn add_common(op: &mut Operation, mock_error: &RefOr<Schema>) {
    let params = op.parameters.get_or_insert_with(Vec::new);
    for p in params.iter_mut() {
        if p.name == "family" && p.parameter_in == ParameterIn::Path {
            let d = p.description.clone().unwrap_or_default();
            p.schema = Some(RefOr::T(Schema::Object(str_enum(
                &d,
                admin::identities::FAMILIES,
            ))));
        }
    }
    params.push(namespace_header());
    let admin = op
        .tags
        .as_ref()
        .is_some_and(|t| t.iter().any(|t| t == "control plane"));
    let guarded = op.security.as_ref().is_some_and(|s| {
        serde_json::to_value(s)
            .map(|v| v.to_string().contains("adminToken"))
            .unwrap_or(false)
    });
    let responses = &mut op.responses.responses;
    if guarded {
        responses.entry("401".into()).or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description("The server has an admin token and the request does not carry it.")
                    .content("application/json", json_content(mock_error.clone()))
                    .build(),
            )
        });
    }
    // An invalid X-Mock-Namespace is refused before the route runs, with the control plane's envelope
    // (which a control-plane route's own 400 schema already accepts).
    match responses.get_mut("400") {
        Some(RefOr::T(r)) => {
            if !admin {
                if let Some(c) = r.content.get_mut("application/json") {
                    if let Some(s) = c.schema.take() {
                        c.schema = Some(RefOr::T(Schema::OneOf(
                            OneOfBuilder::new().item(s).item(mock_error.clone()).build(),
                        )));
                    }
                }
            }
            r.description
                .push_str(" Or `{\"error\"}` for an invalid `X-Mock-Namespace`.");
        }
        // KooDrive's GET routes document no 400 of their own; strict mode answers 13000102 there.
        _ if op
            .tags
            .as_ref()
            .is_some_and(|t| t.iter().any(|t| t == "KooDrive")) =>
        {
            let koo = RefOr::Ref(utoipa::openapi::Ref::from_schema_name("KooDriveError"));
            responses.insert(
                "400".into(),
                RefOr::T(
                    ResponseBuilder::new()
                        .description("13000102 in strict mode (`X-Mock-Strict`). Or `{\"error\"}` for an invalid `X-Mock-Namespace`.")
                        .content(
                            "application/json",
                            json_content(RefOr::T(Schema::OneOf(
                                OneOfBuilder::new().item(koo).item(mock_error.clone()).build(),
                            ))),
                        )
                        .build(),
                ),
            );
        }
        _ => {
            responses.insert(
                "400".into(),
                RefOr::T(
                    ResponseBuilder::new()
                        .description("Invalid `X-Mock-Namespace`.")
                        .content("application/json", json_content(mock_error.clone()))
                        .build(),
                ),
            );
        }
    }
    if !admin {
        for r in responses.values_mut() {
            if let RefOr::T(r) = r {
                r.headers
                    .insert("X-Mock-Warnings".into(), warnings_header());
            }
        }
    }
    responses.entry("408".into()).or_insert_with(|| {
        RefOr::T(
            ResponseBuilder::new()
                .description("The request body did not arrive within 30 s.")
                .content("application/json", json_content(mock_error.clone()))
                .build(),
        )
    });
    responses.entry("431".into()).or_insert_with(|| {
        RefOr::T(
            ResponseBuilder::new()
                .description("Request line and headers over 32 KiB.")
                .content("application/json", json_content(mock_error.clone()))
                .build(),
        )
    });
}
