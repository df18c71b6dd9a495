//! The KooDrive operations, the route table that maps `(method, path)` to each, and the lifetimes and
//! lockout limits the handlers apply.

/// The KooDrive operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    CreateSession,
    SessionAuth,
    SessionRefresh,
    SessionLogoff,
    Login,
    RefreshToken,
}

/// Every KooDrive route, with the operation that answers it.
pub const ROUTES: &[(&str, &str, Op)] = &[
    ("POST", "/koodrive/ose/v1/session/", Op::CreateSession),
    ("POST", "/koodrive/ose/v1/session", Op::CreateSession),
    ("GET", "/koodrive/ose/v1/session/auth", Op::SessionAuth),
    (
        "POST",
        "/koodrive/ose/v1/session/refresh",
        Op::SessionRefresh,
    ),
    ("GET", "/koodrive/ose/v1/session/logoff", Op::SessionLogoff),
    ("POST", "/koodrive/ose/v1/auth/login", Op::Login),
    (
        "POST",
        "/koodrive/ose/v1/auth/refreshToken",
        Op::RefreshToken,
    ),
];

/// Sliding lifetime of a session token.
pub const SESSION_WINDOW_MS: i64 = 20 * 60 * 1000;
/// `expiresIn` of a login access token, in seconds.
pub const ACCESS_TTL_S: i64 = 1800;
/// Lifetime of a login refresh token.
pub const REFRESH_TTL_MS: i64 = 30 * 24 * 3600 * 1000;
/// Lifetime of minted one-time authorization and verification codes.
pub const CODE_TTL_MS: i64 = 5 * 60 * 1000;
/// Consecutive wrong passwords or codes that lock an account.
pub const LOCK_AFTER: u32 = 5;
/// How long a locked account stays locked.
pub const LOCK_MS: i64 = 15 * 60 * 1000;
