//! What the mock does on the EnOS Application Portal routes (login, choose organization, token refresh,
//! logout, session and user info, revoking refresh tokens): `handlers`. What the API is (routes, bodies,
//! [`EnosError`]) is in [`crate::contract::enos`].

mod handlers;

// The OpenAPI document names the handlers by their path in this module: utoipa documents each one
// in a `__path_<handler>` type beside it.
pub(crate) use handlers::{
    __path_login, __path_logout, __path_revoke_all, __path_session_info, __path_session_set,
    __path_token_refresh, __path_user_info,
};

use crate::contract::enos::{EnosError, Op};
use crate::contract::extract::Headers;
use crate::state::Ns;
use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use handlers::{login, logout, revoke_all, session_info, session_set, token_refresh, user_info};

const TOKEN_PREFIX: &str = "APP_PORTAL_S_";

/// Runs one operation on a request whose body has been read.
pub async fn handle(op: Op, ns: Ns, parts: Parts, body: Bytes) -> Response {
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
impl From<crate::store::remote::Down> for EnosError {
    fn from(_: crate::store::remote::Down) -> Self {
        EnosError::Unavailable
    }
}
