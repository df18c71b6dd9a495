//! What the mock does on the KooDrive routes: `session` holds the handlers of the enterprise session
//! APIs (create session, auth, refresh, logoff), `carrier` those of the carrier login APIs (login,
//! refreshToken), `authcode` getAuthCodeURL, and `signin` (with `authz` and `signin_page`) the
//! OrgID-like sign-in page it sends a browser to. What the API is (routes, bodies, [`KooError`]) is in
//! [`crate::contract::koodrive`].

mod authcode;
mod authz;
mod carrier;
mod session;
mod signin;
mod signin_page;

pub use authcode::{authorize_uri, landing};
pub use signin::namespace_param;

use crate::contract::extract::Headers;
use crate::contract::json::Body;
use crate::contract::koodrive::{KooError, Op};
use crate::namespace::Ns;
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
    authcode::auth_code_url,
    signin::authorize,
    signin::authorize_submit,
))]
pub struct Api;

/// Runs one operation on a request whose body has been read.
pub async fn handle(op: Op, ns: Ns, parts: Parts, body: &Body<'_>) -> Response {
    let headers = Headers(parts.headers);
    match op {
        Op::CreateSession => create_session(ns, body).await.into_response(),
        Op::SessionAuth => session_auth(ns, headers).await.into_response(),
        Op::SessionRefresh => session_refresh(ns, headers).await.into_response(),
        Op::SessionLogoff => session_logoff(ns, headers).await.into_response(),
        Op::Login => login(ns, headers, body).await.into_response(),
        Op::RefreshToken => refresh_token(ns, headers, body).await.into_response(),
        Op::AuthCodeUrl => authcode::auth_code_url(ns, parts.uri, headers, parts.extensions).await,
        Op::Authorize => signin::authorize(ns, parts.uri, headers).await,
        Op::AuthorizeSubmit => signin::authorize_submit(ns, parts.uri, headers, body).await,
    }
}

// The store is above the contract, so its outage maps to the family's error here.
impl From<crate::store::Down> for KooError {
    fn from(_: crate::store::Down) -> Self {
        KooError::Unavailable
    }
}
