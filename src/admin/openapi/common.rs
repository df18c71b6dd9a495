//! What every operation of the document shares: the `X-Mock-Namespace` header, the request layer's own
//! answers (invalid namespace, body timeout, head too large) and the security schemes.

use super::NAMESPACE_PATTERN;
use crate::contract::envelope::ErrorBody;
use crate::contract::schema::str_enum;
use crate::contract::Family;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, RefOr, Required, ResponseBuilder, Schema};
use utoipa::Modify;

/// What every operation shares: the namespace header, the request layer's own answers, the security
/// schemes.
pub(super) struct Common;

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
            .or_insert_with(<ErrorBody<'static> as utoipa::PartialSchema>::schema);

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
                Family::ALL.iter().map(|f| f.name()),
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
                } else {
                    // A 400 of another media type (the sign-in page's HTML).
                    let json = json_content(mock_error.clone());
                    r.content.insert("application/json".into(), json);
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
            let either = OneOfBuilder::new()
                .item(koo)
                .item(mock_error.clone())
                .build();
            responses.insert(
                "400".into(),
                RefOr::T(
                    ResponseBuilder::new()
                        .description("13000102 in strict mode (`X-Mock-Strict`). Or `{\"error\"}` for an invalid `X-Mock-Namespace`.")
                        .content("application/json", json_content(RefOr::T(Schema::OneOf(either))))
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
