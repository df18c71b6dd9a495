//! [`Ns`], the namespace a request runs in as that request sees it: on the shared store, the state as
//! of the request's start (clock, identities, faults); either way the store's verbs
//! ([`Ns::store`]), and the few steps that combine them (minting and revoking codes, removing a user).

use super::faults::{Fault, Faults};
use super::{AppState, Home, Namespace, DEFAULT_NAMESPACE};
use crate::clock::Clock;
use crate::contract::Family;
use crate::ids::secret_eq;
use crate::store::enos::EnosData;
use crate::store::koodrive::KooData;
use crate::store::oneaccess::OaData;
use crate::store::redis::{Down, Session};
use crate::store::{
    verification_code_key, Applied, Backend, Change, Idents, Kind, LoginAttempt, Revoked, Settled,
    Text, TokenRec, Verbs,
};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::convert::Infallible;
use std::ops::Deref;
use std::sync::Arc;

/// A namespace opened for one request. Cloning is cheap.
#[derive(Debug, Clone)]
pub struct Ns {
    ns: Arc<Namespace>,
    /// On the shared store, the header this request read (`None`: in memory, or not reached).
    session: Option<Arc<Session>>,
    /// Why the header could not be used, when Redis answered with an error (see [`Ns::broken`]).
    broken: Option<Arc<str>>,
}

impl Deref for Ns {
    type Target = Namespace;
    fn deref(&self) -> &Namespace {
        &self.ns
    }
}

impl Ns {
    /// Opens a namespace for one request: on the shared store, one round trip reads its header (and
    /// sets it up, the first time any replica uses it), or with `cached` the replica's last read of
    /// it may be used, to be confirmed by the request's first command ([`Ns::confirm`]). When the
    /// store cannot be reached, the error is the namespace whose verbs all answer [`Down`] (what
    /// such a request may still use: its journal).
    pub async fn open(ns: Arc<Namespace>, cached: bool) -> Result<Ns, Ns> {
        let Home::Redis { hub, ids } = &ns.home else {
            return Ok(Ns {
                ns,
                session: None,
                broken: None,
            });
        };
        // Boxed, as a Redis verb is (`store::Backend`).
        match Box::pin(hub.open(&ns.name, ids, cached)).await {
            Ok(s) => Ok(Ns {
                session: Some(Arc::new(s)),
                ns,
                broken: None,
            }),
            Err(e) => Err(Ns {
                ns,
                session: None,
                broken: e.broken().cloned(),
            }),
        }
    }

    /// Whether the request runs on a header not yet confirmed (see [`Ns::open`]).
    pub fn unconfirmed(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.unconfirmed())
    }

    /// Whether the header the request ran on was found stale: its answer is void, and it runs again.
    pub fn stale(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.stale())
    }

    /// Confirms the header the request ran on, unless its first command did (one read).
    pub async fn confirm(&self) -> Result<(), Down> {
        match &self.session {
            Some(s) => Box::pin(s.confirm()).await,
            None => Ok(()),
        }
    }

    /// What in the shared store this request found unusable (a key of the wrong type, named), if
    /// Redis answered one of its commands with an error: the answer is then a 500 naming it, not
    /// the 503 of a store that cannot be reached.
    pub fn broken(&self) -> Option<Arc<str>> {
        let seen = self.session.as_ref().and_then(|s| s.broken());
        self.broken.clone().or(seen)
    }

    /// The store's verbs, on the backend this namespace lives on.
    pub fn store(&self) -> Backend<'_> {
        match (&self.ns.home, &self.session) {
            (Home::Memory { store, .. }, _) => Backend::Memory(store),
            (Home::Redis { .. }, Some(s)) => Backend::Redis(s),
            (Home::Redis { hub, .. }, None) => Backend::Unreachable(hub),
        }
    }

    /// [`Verbs::settle`], counting a lockout it starts.
    pub async fn settle<const N: usize>(
        &self,
        attempt: LoginAttempt<'_>,
        issue: [(Text, TokenRec); N],
    ) -> Result<Settled, Down> {
        let settled = self.store().settle(attempt, issue).await?;
        if settled == Settled::Failed(0) {
            let i = Family::ALL.iter().position(|f| *f == attempt.family);
            if let Some(c) = i.and_then(|i| self.metrics.lockouts.get(i)) {
                c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
        Ok(settled)
    }

    /// Now on this namespace's clock, in epoch milliseconds.
    pub fn now(&self) -> i64 {
        self.clock().now_ms()
    }

    /// The namespace's clock (the shared one as of this request's start).
    pub fn clock(&self) -> &Clock {
        self.store().time()
    }

    /// Every family's identities.
    pub fn ids(&self) -> &Idents {
        self.store().idents()
    }

    pub fn koo(&self) -> &KooData {
        &self.ids().koo
    }

    pub fn oa(&self) -> &OaData {
        &self.ids().oa
    }

    pub fn enos(&self) -> &EnosData {
        &self.ids().enos
    }

    /// Changes the clock (for every replica, on the shared store).
    pub async fn clock_op<R>(&self, op: impl Fn(&Clock) -> R) -> Result<R, Down> {
        self.store().clock_op(op).await
    }

    /// Whether any fault is queued (known without a round trip).
    pub fn faults_queued(&self) -> bool {
        match (&self.ns.home, &self.session) {
            (Home::Memory { faults, .. }, _) => faults.armed(),
            (Home::Redis { .. }, Some(s)) => s.faults_queued,
            (Home::Redis { .. }, None) => false,
        }
    }

    /// Reads or changes the fault queue (for every replica, on the shared store, where it is kept
    /// as JSON in the namespace's header and written back only if `op` changed it).
    pub async fn faults<R>(&self, op: impl Fn(&Faults) -> R) -> Result<R, Down> {
        let session = match (&self.ns.home, &self.session) {
            (Home::Memory { faults, .. }, _) => return Ok(op(faults)),
            (Home::Redis { .. }, Some(s)) => s,
            (Home::Redis { .. }, None) => return Err(Down::LOST),
        };
        let r = Box::pin(session.faults(|s| {
            let list: Vec<Fault> = s
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or_default();
            let faults = Faults::from_list(list);
            let out = op(&faults);
            let new = serde_json::to_string(&faults.list()).unwrap_or_default();
            (
                Some(new).filter(|n| Some(n.as_str()) != s.or(Some("[]"))),
                out,
            )
        }))
        .await;
        session.noted(r)
    }

    /// Mints `user`'s one-time verification code `code`, live until `expires`: it replaces an earlier one.
    pub async fn mint_verification_code(
        &self,
        user: &str,
        code: &str,
        now: i64,
        expires: i64,
    ) -> Result<(), Down> {
        let mut rec = TokenRec::new(Kind::KooVerificationCode, user, now, expires - now);
        rec.bind().code = Some(Text::from(code));
        let key = verification_code_key(user);
        self.store().replace(key, rec).await
    }

    /// The minted verification codes, as (user id, code, expires at ms).
    pub async fn verification_codes(&self) -> Result<Vec<(String, String, i64)>, Down> {
        let all = self.store().of_kind(Kind::KooVerificationCode).await?;
        Ok(all
            .into_iter()
            .filter_map(|(_, r)| Some((r.owner.to_string(), r.code()?.to_string(), r.expires_ms)))
            .collect())
    }

    /// Removes `family`'s user `id` and every credential it owns there; `None` if there is no such
    /// user, else how many credentials went (a verification code is not counted among them).
    pub async fn remove_user(&self, family: Family, id: &str) -> Result<Option<usize>, Down> {
        let s = self.store();
        let c = Change::RemoveUser {
            family: family.name().to_string(),
            id: id.to_string(),
        };
        if !s.change(&c).await?.changed() {
            return Ok(None);
        }
        if family == Family::KooDrive {
            s.revoke(&verification_code_key(id)).await?;
        }
        let owned = |t: &TokenRec| t.kind.family() == family && *t.owner == *id && t.kind.listed();
        Ok(Some(s.remove_where(owned).await?))
    }

    /// Revokes any credential, a fixture authorization code or a minted verification code.
    pub async fn revoke(&self, text: &str) -> Result<Option<Revoked>, Down> {
        let s = self.store();
        if let Some(r) = s.revoke(text).await? {
            return Ok(Some(Revoked::of(&r)));
        }
        let change = Change::RevokeCode {
            code: text.to_string(),
        };
        let owner = match s.change(&change).await? {
            Applied::Owner(Some(o)) => ("kooAuthCode", o),
            _ => match self.revoke_verification_code(text).await? {
                Some(o) => ("kooVerificationCode", o),
                None => return Ok(None),
            },
        };
        Ok(Some(Revoked {
            kind: owner.0.to_string(),
            family: Family::KooDrive,
            owner: owner.1,
        }))
    }

    /// Revokes the minted verification codes equal to `code`; returns the user of one of them.
    async fn revoke_verification_code(&self, code: &str) -> Result<Option<String>, Down> {
        let s = self.store();
        let mut owner = None;
        for (key, r) in s.of_kind(Kind::KooVerificationCode).await? {
            if r.code().is_some_and(|c| secret_eq(c, code)) && s.revoke(&key).await?.is_some() {
                owner.get_or_insert_with(|| r.owner.to_string());
            }
        }
        Ok(owner)
    }
}

/// The control plane's handlers take the namespace the pipeline resolved from the request's extensions.
impl FromRequestParts<AppState> for Ns {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(match parts.extensions.get::<Ns>() {
            Some(ns) => ns.clone(),
            None => Ns {
                broken: None,
                ns: state.namespace(DEFAULT_NAMESPACE),
                session: None,
            },
        })
    }
}
