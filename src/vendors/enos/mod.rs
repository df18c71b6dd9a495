//! What the mock does on the EnOS Application Portal routes (login, choose organization, token refresh,
//! logout, session and user info, revoking refresh tokens): `handlers`, `sessions`. What the API is (routes, bodies,
//! [`EnosError`]) is in [`crate::contract::enos`].

mod handlers;
mod sessions;

use crate::contract::enos::{EnosError, Op};
use crate::contract::extract::Headers;
use crate::contract::json::Body;
use crate::namespace::Ns;
use axum::extract::RawQuery;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use handlers::{login, logout, revoke_all, session_info, user_info};
use sessions::{session_set, token_refresh};

const TOKEN_PREFIX: &str = "APP_PORTAL_S_";

/// The family's operations in the OpenAPI document, in the order it lists them; each handler carries
/// its `#[utoipa::path]`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    handlers::login,
    sessions::session_set,
    sessions::token_refresh,
    handlers::logout,
    handlers::session_info,
    handlers::user_info,
    handlers::revoke_all,
))]
pub struct Api;

/// Runs one operation on a request whose body has been read.
pub async fn handle(op: Op, ns: Ns, parts: Parts, body: &Body<'_>) -> Response {
    let query = || RawQuery(parts.uri.query().map(str::to_owned));
    match op {
        Op::Login => login(ns, body).await.into_response(),
        Op::SessionSet => session_set(ns, Headers(parts.headers), body)
            .await
            .into_response(),
        Op::TokenRefresh => token_refresh(ns, query()).await.into_response(),
        Op::Logout => logout(ns, Headers(parts.headers)).await.into_response(),
        Op::SessionInfo => session_info(ns, Headers(parts.headers))
            .await
            .into_response(),
        Op::UserInfo => user_info(ns, Headers(parts.headers)).await.into_response(),
        Op::RevokeAll => {
            let q = query();
            revoke_all(ns, Headers(parts.headers), q)
                .await
                .into_response()
        }
    }
}

// The store is above the contract, so its outage maps to the family's error here.
impl From<crate::store::Down> for EnosError {
    fn from(_: crate::store::Down) -> Self {
        EnosError::Unavailable
    }
}
