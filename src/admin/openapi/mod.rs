//! The OpenAPI 3.1 document of every vendor and control-plane route (`GET /__admin/openapi.json`,
//! `authmock openapi`).
//!
//! It is derived from the code: each handler carries `#[utoipa::path(...)]` next to its route, and the
//! request, response and error bodies derive `utoipa::ToSchema` on the very structs that are serialized
//! (error codes come from the families' error enums). What is common to every operation — the
//! `X-Mock-Namespace` header, the answers of the request layer (invalid namespace, body timeout, head too
//! large), the security schemes — is added here by [`Common`], and the route aliases are copies of the
//! operation they alias. `tests/api/openapi.rs` checks that every route the server serves is
//! documented.

mod common;

use crate::admin;
use crate::vendors::{enos, koodrive, oneaccess};
use common::Common;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::Modify;
use utoipa::OpenApi;

/// Pattern of an `X-Mock-Namespace` value.
pub const NAMESPACE_PATTERN: &str = "^[A-Za-z0-9._-]{1,64}$";

const DESCRIPTION: &str = r#"A stateful mock of the Huawei KooDrive, Huawei Cloud OneAccess and EnOS Application Portal authentication APIs, with a control plane under `/__admin`.

**Envelopes.** Every failure is the vendor family's envelope: KooDrive `{"code":<int>,"msg"}` (HTTP 400/401), OneAccess `{"error_code","error_msg"}` (HTTP 400/401), EnOS `{"code":<int>,"message","data":null}` with **HTTP 200** (the vendor's own client drops non-2xx answers). A body over 64 KiB answers 413 with the family's parameter error. The control plane answers `{"error":"…"}`. Each error schema lists its family's codes.

**Lenient bodies.** Unknown JSON fields are ignored, and a string field also accepts a JSON number (taken as its decimal text); such fields are documented as strings. Checks run in this order and a request shows the first failure only: the token, then the parameters, then the state.

**Namespaces.** `X-Mock-Namespace` (1–64 of `A-Za-z0-9._-`) on any request selects an isolated state (store, journal, faults, clock); without it, `default`. An invalid value answers 400 `{"error"}`.

**Per-request faults** (not listed on each operation, as they only exercise the fault plane): on a vendor route, `X-Mock-Error: <vendor code>` answers that code exactly as the route would (an unknown code answers 400 `{"error"}`), and `X-Mock-Delay: 250ms` (or `1s`, or milliseconds) delays the answer, at most 60 s. Faults queued by `POST /__admin/faults` can also answer any raw status and body, drop the connection or truncate the JSON.

**Contract lint.** A vendor request that deviates from its vendor page — a `Content-Type` other than the page's, a JSON number where the page says String, an undocumented body field, a token without the page's `Bearer`/`AT` form, a repeated slash, a malformed `X-Traceid` or `language`, … — is answered as usual and gets an `X-Mock-Warnings` response header: printable ASCII, one `id: message` entry per deviation, entries separated by ` | ` (e.g. `content-type: expected application/json;charset=utf8, got application/json | unknown-field: orgid - did you mean orgId?`). A request that follows its page gets no such header and is never refused by strict mode; conditional advice (a missing `X-tenant-id`, mandatory only for ISV callers) is a note in the journal and `/__admin/warnings`, not a warning. `X-Mock-Strict: true` on a vendor request (or the server's `--strict`; `X-Mock-Strict: false` turns it off for one request; `1`/`0`, `yes`/`no`, `on`/`off` are read the same, any case, and any other value is answered HTTP 400 `{\"error\"}`) answers the first deviation the mock would have accepted with the family's parameter error instead: KooDrive 13000102 (HTTP 400), OneAccess PARAM.0001 naming the deviation (HTTP 400), EnOS 31400 (HTTP 200). `GET /__admin/warnings` summarises a namespace's warnings by rule and route; `GET /__admin/requests?warnings=true` lists the requests.

**Admin token.** Started with `--admin-token T`, every `/__admin` route but health, the dashboard page and `ca.pem` needs `Authorization: Bearer T` (401 otherwise)."#;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "authmock",
        description = DESCRIPTION,
        license(name = "MIT"),
    ),
    tags(
        (name = "KooDrive", description = "Huawei KooDrive: enterprise session APIs and carrier login."),
        (name = "OrgID sign-in", description = "The OrgID-like sign-in page KooDrive's authCodeURL sends a browser to: HTML, mock-defined (docs/signin.md)."),
        (name = "OneAccess", description = "Huawei Cloud OneAccess: app credential, SDK login, sso_ticket and its verification."),
        (name = "EnOS", description = "EnOS Application Portal: login, choose organization, refresh, logout, session and user info."),
        (name = "control plane", description = "`/__admin`: health, reset, state, identities, codes, tokens, journal, verify, faults, clock, dashboard."),
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
    // The vendor operations come first, as each family lists them beside its handlers; then the
    // control plane's, from its route table. What is common to every operation is added to all of them.
    let mut doc = Doc::openapi();
    for paths in [
        koodrive::Api::openapi(),
        oneaccess::Api::openapi(),
        enos::Api::openapi(),
        admin::Paths::openapi(),
    ] {
        doc.merge(paths);
    }
    Common.modify(&mut doc);
    admin::clock::require_one_field(&mut doc);
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
