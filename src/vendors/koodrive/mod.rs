//! What the mock does on the KooDrive routes: `session` holds the handlers of the enterprise session
//! APIs (create session, auth, refresh, logoff), `carrier` those of the carrier login APIs (login,
//! refreshToken). What the API is (routes, bodies, [`KooError`]) is in [`crate::contract::koodrive`].

mod carrier;
mod session;

use crate::contract::extract::Headers;
use crate::contract::koodrive::{KooError, Op};
use crate::namespace::Ns;
use axum::body::Bytes;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use carrier::{login, refresh_token};
use session::{create_session, session_auth, session_logoff, session_refresh};

/// The family's operations in the OpenAPI document, in the order it lists them; each handler carries
/// its `#[utoipa::path]`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    session::create_session,
    session::session_auth,
    session::session_refresh,
    session::session_logoff,
    carrier::login,
    carrier::refresh_token,
))]
pub struct Api;

/// Runs one operation on a request whose body has been read.
pub async fn handle(op: Op, ns: Ns, parts: Parts, body: Bytes) -> Response {
    let headers = Headers(parts.headers);
    match op {
        Op::CreateSession => create_session(ns, body).await.into_response(),
        Op::SessionAuth => session_auth(ns, headers).await.into_response(),
        Op::SessionRefresh => session_refresh(ns, headers).await.into_response(),
        Op::SessionLogoff => session_logoff(ns, headers).await.into_response(),
        Op::Login => login(ns, headers, body).await.into_response(),
        Op::RefreshToken => refresh_token(ns, headers, body).await.into_response(),
    }
}

// The store is above the contract, so its outage maps to the family's error here.
impl From<crate::store::Down> for KooError {
    fn from(_: crate::store::Down) -> Self {
        KooError::Unavailable
    }
}
