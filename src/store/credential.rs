//! A credential's record: what it is ([`Kind`]), whom it belongs to, its lifetime and its bindings.

use crate::contract::Family;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What a credential is, and so which routes accept it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    /// KooDrive enterprise session token (`Bearer <48 hex>`), sliding 20 minutes.
    KooSession,
    /// KooDrive login access token (`AT <48 hex>`).
    KooAccess,
    /// KooDrive login refresh token (48 hex), 30 days.
    KooRefresh,
    /// KooDrive one-time authorization code minted by the admin API.
    KooAuthCode,
    /// KooDrive one-time verification code minted by the admin API (login with authType "2"), stored
    /// under [`verification_code_key`] of its user with its digits in [`Bindings::code`]: one per
    /// user, a new one replaces it.
    KooVerificationCode,
    /// OneAccess app access credential (uuid).
    OaAppToken,
    /// OneAccess user session token (`bts…`).
    OaSession,
    /// OneAccess one-time sso_ticket.
    OaTicket,
    /// EnOS token from login: good for session/set and logout only.
    EnosLogin,
    /// EnOS org-bound access token from session/set or token/refresh.
    EnosAccess,
    /// EnOS refresh token (HS256 JWT).
    EnosRefresh,
}

impl Kind {
    /// The vendor family whose routes accept it.
    pub fn family(self) -> Family {
        match self {
            Kind::KooSession
            | Kind::KooAccess
            | Kind::KooRefresh
            | Kind::KooAuthCode
            | Kind::KooVerificationCode => Family::KooDrive,
            Kind::OaAppToken | Kind::OaSession | Kind::OaTicket => Family::OneAccess,
            Kind::EnosLogin | Kind::EnosAccess | Kind::EnosRefresh => Family::Enos,
        }
    }

    /// Its name as stored and serialised (`kooSession`, …).
    pub fn name(self) -> &'static str {
        match self {
            Kind::KooSession => "kooSession",
            Kind::KooAccess => "kooAccess",
            Kind::KooRefresh => "kooRefresh",
            Kind::KooAuthCode => "kooAuthCode",
            Kind::KooVerificationCode => "kooVerificationCode",
            Kind::OaAppToken => "oaAppToken",
            Kind::OaSession => "oaSession",
            Kind::OaTicket => "oaTicket",
            Kind::EnosLogin => "enosLogin",
            Kind::EnosAccess => "enosAccess",
            Kind::EnosRefresh => "enosRefresh",
        }
    }

    /// Whether the state dump lists and counts it among the tokens (a verification code is shown
    /// under `koodrive.verificationCodes` instead).
    pub fn listed(self) -> bool {
        self != Kind::KooVerificationCode
    }
}

/// The text a KooDrive user's minted verification code is stored under (not the code: one per user,
/// so a new one replaces the last, and a login finds it by its account).
pub fn verification_code_key(user_id: &str) -> String {
    format!("vc:{user_id}")
}

/// Sentinel expiry of fixture credentials: they never expire.
pub const NEVER: i64 = i64::MAX;

/// Shared immutable text (token text, ids): cloning a record or linking two credentials bumps a count
/// instead of copying a string.
pub type Text = Arc<str>;

/// One credential and what it is bound to.
///
/// The bindings only some credentials carry sit behind one pointer, so that a login's pair of records
/// (the bulk of a busy table) stays small.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRec {
    pub kind: Kind,
    /// User id (client id for a OneAccess app token).
    pub owner: Text,
    pub issued_ms: i64,
    /// When the credential stops being accepted.
    pub expires_ms: i64,
    /// When the sweeper may drop it (≥ `expires_ms`: a KooDrive access token is kept while its refresh
    /// token lives, because refreshing needs the expired access token).
    #[serde(skip)]
    pub retain_ms: i64,
    /// A fixture credential: never expires, never retired by use.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fixed: bool,
    /// Org, session, device and client bindings, when the credential has any.
    #[serde(flatten)]
    pub bind: Option<Box<Bindings>>,
    /// The paired credential (access ↔ refresh).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<Text>,
}

const _: () = assert!(std::mem::size_of::<TokenRec>() <= 72);

/// What a credential is bound to besides its owner.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bindings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<Text>,
    /// A verification code's digits (its record is stored under its user).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Text>,
}

impl TokenRec {
    /// A credential of `kind` for `owner`, issued at `now` and accepted for `ttl_ms`.
    pub fn new(kind: Kind, owner: impl Into<Text>, now: i64, ttl_ms: i64) -> TokenRec {
        let expires = now.saturating_add(ttl_ms);
        TokenRec {
            kind,
            owner: owner.into(),
            issued_ms: now,
            expires_ms: expires,
            retain_ms: expires,
            fixed: false,
            bind: None,
            link: None,
        }
    }

    /// A fixture credential of `kind` for `owner`: never expires, never retired by use.
    pub fn fixture(kind: Kind, owner: impl Into<Text>) -> TokenRec {
        let mut rec = TokenRec::new(kind, owner, 0, 0);
        rec.expires_ms = NEVER;
        rec.retain_ms = NEVER;
        rec.fixed = true;
        rec
    }

    pub fn live_at(&self, now: i64) -> bool {
        now < self.expires_ms
    }

    /// The bindings, created empty on first use.
    pub fn bind(&mut self) -> &mut Bindings {
        self.bind.get_or_insert_with(Box::default)
    }

    fn bound(&self, f: impl FnOnce(&Bindings) -> &Option<Text>) -> Option<&str> {
        self.bind.as_deref().and_then(|b| f(b).as_deref())
    }

    pub fn org(&self) -> Option<&str> {
        self.bound(|b| &b.org)
    }

    pub fn session(&self) -> Option<&str> {
        self.bound(|b| &b.session)
    }

    pub fn fingerprint(&self) -> Option<&str> {
        self.bound(|b| &b.fingerprint)
    }

    pub fn client(&self) -> Option<&str> {
        self.bound(|b| &b.client)
    }

    pub fn tenant(&self) -> Option<&str> {
        self.bound(|b| &b.tenant)
    }

    pub fn code(&self) -> Option<&str> {
        self.bound(|b| &b.code)
    }
}

/// What a credential taken or exchanged must also be bound to, beside its kind and lifetime: fields
/// compared with given texts rather than a closure, so that the Redis backend tests them in the same
/// script that takes the credential (one round trip), as the memory one does under its lock.
#[derive(Debug, Default, Clone, Copy)]
pub struct Must<'a> {
    pub owner: Option<&'a str>,
    pub link: Option<&'a str>,
    pub session: Option<&'a str>,
    pub tenant: Option<&'a str>,
    pub fingerprint: Option<&'a str>,
}

impl Must<'_> {
    /// No binding required.
    pub const ANY: Must<'static> = Must {
        owner: None,
        link: None,
        session: None,
        tenant: None,
        fingerprint: None,
    };

    pub fn holds(&self, r: &TokenRec) -> bool {
        let eq = |want: Option<&str>, have: Option<&str>| want.is_none() || want == have;
        eq(self.owner, Some(&r.owner))
            && eq(self.link, r.link.as_deref())
            && eq(self.session, r.session())
            && eq(self.tenant, r.tenant())
            && eq(self.fingerprint, r.fingerprint())
    }
}

/// What a lookup found (`T`: the record, or what was read of it).
#[derive(Debug)]
pub enum Lookup<T = TokenRec> {
    Live(T),
    /// Known but past its lifetime (still stored, or recently swept).
    Expired,
    Missing,
}

#[cfg(test)]
mod tests {
    use super::Kind;

    /// The Redis scripts compare a record's stored kind with [`Kind::name`]: both must agree.
    #[test]
    fn a_kinds_name_is_its_serialised_form() {
        use Kind::*;
        for k in [
            KooSession,
            KooAccess,
            KooRefresh,
            KooAuthCode,
            KooVerificationCode,
            OaAppToken,
            OaSession,
            OaTicket,
            EnosLogin,
            EnosAccess,
            EnosRefresh,
        ] {
            assert_eq!(serde_json::to_value(k).ok(), Some(k.name().into()));
        }
    }
}
