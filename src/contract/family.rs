//! The three vendor families: their names and path prefixes, and what each answers on its own terms
//! (its unparsable-body, store-outage and too-large errors, the codes a fault may name).

use super::{enos, koodrive, oneaccess, Op};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A vendor family: decides the error envelope, the codes a fault may name and the fixture file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    KooDrive,
    OneAccess,
    Enos,
}

impl Family {
    /// Every family, in the order routes, fixtures and the dashboard list them.
    pub const ALL: [Family; 3] = [Family::KooDrive, Family::OneAccess, Family::Enos];

    /// The lower-case name used in admin paths, fixture files, lockout keys and the dashboard.
    pub const fn name(self) -> &'static str {
        match self {
            Family::KooDrive => "koodrive",
            Family::OneAccess => "oneaccess",
            Family::Enos => "enos",
        }
    }

    /// The path prefix of the family's routes.
    pub const fn prefix(self) -> &'static str {
        match self {
            Family::KooDrive => "/koodrive/",
            Family::OneAccess => "/api/v2/",
            Family::Enos => "/app-portal-service/",
        }
    }

    /// The family a request path belongs to, if any.
    pub fn of(path: &str) -> Option<Family> {
        Family::ALL
            .into_iter()
            .find(|f| path.starts_with(f.prefix()))
    }

    /// The family with this lower-case name.
    pub fn named(name: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl std::fmt::Display for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a request is answered 500 ([`Family::internal`]); OneAccess's `error_code` tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Internal {
    /// A key of the shared store holds what authmock cannot use (`STORE.0500`).
    Store,
    /// authmock panicked while answering: a bug (`MOCK.0500`).
    Bug,
}

/// What each family answers on its own terms.
impl Family {
    /// The family's answer to a body that cannot be read.
    pub fn bad_body(self) -> Response {
        match self {
            Family::KooDrive => koodrive::KooError::Param.into_response(),
            Family::OneAccess => oneaccess::OaError::BadBody.into_response(),
            Family::Enos => enos::EnosError::Invalid.into_response(),
        }
    }

    /// The family's answer while the shared store cannot be reached: 503 with `Retry-After`.
    pub fn unavailable(self) -> Response {
        match self {
            Family::KooDrive => koodrive::KooError::Unavailable.into_response(),
            Family::OneAccess => oneaccess::OaError::Unavailable.into_response(),
            Family::Enos => enos::EnosError::Unavailable.into_response(),
        }
    }

    /// The family's envelope for HTTP 500: nothing the client did or can wait out.
    pub fn internal(self, why: Internal, msg: &str) -> Response {
        let code = match why {
            Internal::Store => "STORE.0500",
            Internal::Bug => "MOCK.0500",
        };
        self.mock_error(StatusCode::INTERNAL_SERVER_ERROR, code, msg)
    }

    /// The family's answer while the server starts (fixtures loading, the store not reached yet): 503
    /// with `Retry-After`.
    pub fn starting(self) -> Response {
        let msg = "Service unavailable: the mock is starting. Retry later.";
        let resp = self.mock_error(StatusCode::SERVICE_UNAVAILABLE, "MOCK.0503", msg);
        super::respond::retry_later(resp)
    }

    /// A 5xx of the mock's own in the family's envelope: the HTTP status as KooDrive's and EnOS's
    /// `code`, `oneaccess_code` as OneAccess's `error_code`.
    fn mock_error(self, status: StatusCode, oneaccess_code: &'static str, msg: &str) -> Response {
        let code = match self {
            Family::OneAccess => crate::metrics::VendorCode::Text(oneaccess_code),
            _ => crate::metrics::VendorCode::Num(i64::from(status.as_u16())),
        };
        let body = match self {
            Family::KooDrive => serde_json::json!({ "code": status.as_u16(), "msg": msg }),
            Family::OneAccess => {
                serde_json::json!({ "error_code": oneaccess_code, "error_msg": msg })
            }
            Family::Enos => {
                serde_json::json!({ "code": status.as_u16(), "message": msg, "data": null })
            }
        };
        let mut resp = (status, axum::Json(body)).into_response();
        resp.extensions_mut().insert(code);
        resp
    }

    /// The family's answer to a body over the limit: 413 with its unparsable-body error.
    pub fn too_large(self) -> Response {
        match self {
            Family::KooDrive => koodrive::KooError::TooLarge.into_response(),
            Family::OneAccess => oneaccess::OaError::TooLarge.into_response(),
            Family::Enos => enos::EnosError::TooLarge.into_response(),
        }
    }

    /// The error a fault or `X-Mock-Error` names, answered as `op` would answer it; `token` is the
    /// credential the request carries (OneAccess quotes it).
    pub fn vendor_error(self, code: &str, op: Op, token: &str) -> Option<Response> {
        match (self, op) {
            (Family::KooDrive, _) => {
                koodrive::KooError::from_code(code).map(IntoResponse::into_response)
            }
            (Family::OneAccess, _) => {
                oneaccess::OaError::from_code(code, token).map(IntoResponse::into_response)
            }
            (Family::Enos, Op::Enos(op)) => {
                enos::EnosError::from_code(code, op).map(IntoResponse::into_response)
            }
            (Family::Enos, _) => None,
        }
    }

    /// The vendor codes this family can answer (for fault validation and the dashboard).
    pub fn codes(self) -> Vec<String> {
        match self {
            Family::KooDrive => koodrive::KooError::ALL
                .iter()
                .map(|e| e.code().to_string())
                .collect(),
            Family::OneAccess => oneaccess::OaError::CODES
                .iter()
                .map(|c| c.to_string())
                .collect(),
            Family::Enos => enos::EnosError::CODES
                .iter()
                .map(|c| c.to_string())
                .collect(),
        }
    }
}
