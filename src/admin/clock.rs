//! `/__admin/clock`: read, freeze, set, advance or reset the namespace's clock.

use super::{parse, AdminError};
use crate::clock::{parse_duration_ms, parse_rfc3339, rfc3339};
use crate::contract::envelope::ErrorBody;
use crate::namespace::Ns;
use axum::body::Bytes;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// The namespace's clock.
// Fields in alphabetical order, as in the `json!` map this replaced: the bytes on the wire stay the same.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Clock)]
pub(crate) struct ClockView {
    epoch_ms: i64,
    #[schema(schema_with = clock_mode_schema)]
    mode: &'static str,
    /// RFC 3339 UTC with milliseconds.
    now: String,
}

fn clock_mode_schema() -> utoipa::openapi::Object {
    crate::contract::schema::str_enum(
        "`real`, `frozen`, or `offset` (running, shifted).",
        ["real", "frozen", "offset"],
    )
}

pub(crate) fn clock_view(ns: &Ns) -> ClockView {
    view_of(ns.clock())
}

fn view_of(c: &crate::clock::Clock) -> ClockView {
    let now = c.now_ms();
    ClockView {
        epoch_ms: now,
        mode: c.mode().as_str(),
        now: rfc3339(now),
    }
}

/// `GET /__admin/clock`.
#[utoipa::path(
    get,
    path = "/__admin/clock",
    operation_id = "admin_get_clock",
    tag = "control plane",
    summary = "Read the clock",
    security((), ("adminToken" = [])),
    responses((status = 200, description = "The namespace's clock.", body = ClockView))
)]
pub async fn get_clock(ns: Ns) -> Response {
    Json(clock_view(&ns)).into_response()
}

/// Moves the clock: freeze, set and advance apply in that order; at least one is required.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ClockRequest)]
struct ClockReq {
    /// `true` stops time at the current instant; `false` lets a frozen clock run on from where it stands.
    #[serde(default)]
    freeze: Option<bool>,
    #[serde(default)]
    #[schema(schema_with = clock_set_schema)]
    set: Option<Value>,
    #[serde(default)]
    #[schema(schema_with = clock_advance_schema)]
    advance: Option<Value>,
}

/// Says in the document that `ClockRequest` needs one of its fields (utoipa's derive cannot say it).
pub(crate) fn require_one_field(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{RefOr, Schema};
    let schemas = doc.components.as_mut().map(|c| &mut c.schemas);
    if let Some(RefOr::T(Schema::Object(o))) = schemas.and_then(|s| s.get_mut("ClockRequest")) {
        o.min_properties = Some(1);
    }
}

pub use crate::clock::{CLOCK_MAX_MS, CLOCK_MIN_MS};

fn clock_set_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    OneOfBuilder::new()
        .description(Some("Jump to this instant (0000-01-01 to 9999-12-31; outside: 400): an RFC 3339 instant such as `2026-01-01T00:00:00Z`, or epoch milliseconds."))
        .item(ObjectBuilder::new().schema_type(Type::String))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(CLOCK_MIN_MS as f64))
                .maximum(Some(CLOCK_MAX_MS as f64)),
        )
        .build()
        .into()
}

fn clock_advance_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    OneOfBuilder::new()
        .description(Some("Move time by this much (negative: back): a duration such as `31m`, `90s`, `1h30m`, `2d`, or seconds as a number."))
        .item(ObjectBuilder::new().schema_type(Type::String))
        .item(ObjectBuilder::new().schema_type(Type::Number))
        .build()
        .into()
}

/// `POST /__admin/clock`: `{"freeze":true|false}`, `{"set":"<RFC 3339>"|epochMs}`, `{"advance":"31m"|seconds}`;
/// several at once apply in the order freeze, set, advance (so `{"freeze":true,"set":…}` stops the clock
/// exactly at the instant set, not a millisecond after it).
#[utoipa::path(
    post,
    path = "/__admin/clock",
    operation_id = "admin_set_clock",
    tag = "control plane",
    summary = "Freeze, set or advance the clock",
    security((), ("adminToken" = [])),
    request_body(
        content = ClockReq,
        content_type = "application/json",
        example = json!({ "freeze": true, "set": "2026-01-01T00:00:00Z", "advance": "31m" })
    ),
    responses(
        (status = 200, description = "The clock after the change.", body = ClockView),
        (status = 400, description = "Not JSON, an unknown field, none of the three, a bad value, or an instant out of range.", body = ErrorBody),
    )
)]
pub async fn set_clock(ns: Ns, body: Bytes) -> Result<Response, AdminError> {
    let req: ClockReq = parse(&body)?;
    if req.freeze.is_none() && req.set.is_none() && req.advance.is_none() {
        return Err(AdminError::bad_request(
            "expected one of \"freeze\", \"set\", \"advance\"",
        ));
    }
    let set = match &req.set {
        None => None,
        Some(Value::String(s)) => match parse_rfc3339(s) {
            Some(ms) => Some(ms),
            None => return Err(AdminError::bad_request("\"set\" must be an RFC 3339 instant such as 2026-01-01T00:00:00Z, or epoch milliseconds")),
        },
        Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
        Some(_) => return Err(AdminError::bad_request("\"set\" must be an RFC 3339 instant or epoch milliseconds")),
    };
    let advance = match &req.advance {
        None => None,
        Some(Value::String(s)) => match parse_duration_ms(s) {
            Some(ms) => Some(ms),
            None => return Err(AdminError::bad_request("\"advance\" must be a duration such as \"31m\", \"90s\", \"1h30m\", \"2d\", or seconds as a number")),
        },
        Some(Value::Number(n)) => match n.as_f64().map(|s| s * 1000.0).filter(|ms| ms.is_finite() && ms.abs() < 1e15) {
            Some(ms) => Some(ms.round() as i64),
            None => return Err(AdminError::bad_request("\"advance\" is out of range")),
        },
        Some(_) => return Err(AdminError::bad_request("\"advance\" must be a duration string or seconds as a number")),
    };
    // The clock stays within what RFC 3339 can write (years 0000-9999), so that no issuance or expiry
    // computed from it can overflow; `set` itself too, as the document says, even when `advance` would
    // bring the clock back into range.
    let in_range = |t: i64| (CLOCK_MIN_MS..=CLOCK_MAX_MS).contains(&t);
    let target = set
        .unwrap_or_else(|| ns.now())
        .checked_add(advance.unwrap_or(0));
    if !target.is_some_and(in_range) || set.is_some_and(|t| !in_range(t)) {
        return Err(AdminError::bad_request(
            "the clock must stay between 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z",
        ));
    }
    let view = ns
        .clock_op(|c| {
            match req.freeze {
                Some(true) => c.freeze(),
                Some(false) => c.unfreeze(),
                None => {}
            }
            if let Some(ms) = set {
                c.set(ms);
            }
            if let Some(ms) = advance {
                c.advance(ms);
            }
            view_of(c)
        })
        .await?;
    Ok(Json(view).into_response())
}

/// `DELETE /__admin/clock`.
#[utoipa::path(
    delete,
    path = "/__admin/clock",
    operation_id = "admin_reset_clock",
    tag = "control plane",
    summary = "Back to real time",
    security((), ("adminToken" = [])),
    responses((status = 200, description = "The clock, now real time.", body = ClockView))
)]
pub async fn reset_clock(ns: Ns) -> Result<Response, AdminError> {
    let view = ns
        .clock_op(|c| {
            c.reset();
            view_of(c)
        })
        .await?;
    Ok(Json(view).into_response())
}
