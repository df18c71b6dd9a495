//! What the mock does on the OneAccess routes (app access credential, SDK user login, sso_ticket from a
//! session_token, ticket redemption): `handlers`, `tickets`. What the API is (routes, bodies, [`OaError`]) is in
//! [`crate::contract::oneaccess`].

mod handlers;
mod tickets;

use crate::contract::extract::Headers;
use crate::contract::json::Body;
use crate::contract::oneaccess::{OaError, Op};
use crate::namespace::Ns;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use handlers::{sdk_login, tenant_token};
use tickets::{sso_ticket, verify_ticket};

const ISSUER: &str = "https://oneaccess.authmock.local";

/// The family's operations in the OpenAPI document, in the order it lists them; each handler carries
/// its `#[utoipa::path]`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    handlers::tenant_token,
    handlers::sdk_login,
    tickets::sso_ticket,
    tickets::verify_ticket,
))]
pub struct Api;

/// Runs one operation on a request whose body has been read.
pub async fn handle(op: Op, ns: Ns, parts: Parts, body: &Body<'_>) -> Response {
    let headers = Headers(parts.headers);
    match op {
        Op::TenantToken => tenant_token(ns, headers, body).await.into_response(),
        Op::SdkLogin => sdk_login(ns, headers, body).await.into_response(),
        Op::SsoTicket => sso_ticket(ns, headers, body).await.into_response(),
        Op::VerifyTicket => verify_ticket(ns, headers, body).await.into_response(),
    }
}

// The store is above the contract, so its outage maps to the family's error here.
impl From<crate::store::Down> for OaError {
    fn from(_: crate::store::Down) -> Self {
        OaError::Unavailable
    }
}
