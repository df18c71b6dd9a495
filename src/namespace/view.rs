//! The store verbs a request uses, on whichever store holds its namespace: this process's memory
//! (the default; every verb is then a plain call) or the shared store (`--store redis://…`).
//! A verb fails only with [`Down`], when the shared store did not answer; a credential is handed out
//! only once its record is stored.

use super::shared::Synced;
use crate::family::Family;
use crate::store::redis::Down;
use crate::store::{
    Applied, Change, Idents, Kind, LockState, Lookup, Revoked, Settled, Store, Text, TokenRec,
};

/// A namespace's credentials, lockouts and identity changes, as one request reaches them.
pub struct Db<'a> {
    pub(super) mem: &'a Store,
    pub(super) name: &'a str,
    pub(super) shared: Option<&'a Synced>,
}

/// A state dump's view of the credentials: how many, how many of each kind, the newest.
pub type Newest = (usize, Vec<(Kind, usize)>, Vec<(String, TokenRec)>);

impl Db<'_> {
    /// Stores a credential; once this returns `Ok` it may be handed out.
    pub async fn insert(&self, token: impl Into<Text>, rec: TokenRec) -> Result<(), Down> {
        match self.shared {
            None => {
                self.mem.tokens().insert(token, rec);
                Ok(())
            }
            Some(s) => s.hub.remote.put(&s.prefix, &token.into(), &rec).await,
        }
    }

    /// Stores two linked credentials (access and refresh), both or neither.
    pub async fn insert_pair(
        &self,
        a: (impl Into<Text>, TokenRec),
        b: (impl Into<Text>, TokenRec),
    ) -> Result<(), Down> {
        match self.shared {
            None => {
                self.mem.tokens().insert(a.0, a.1);
                self.mem.tokens().insert(b.0, b.1);
                Ok(())
            }
            Some(s) => {
                let (ta, tb): (Text, Text) = (a.0.into(), b.0.into());
                s.hub
                    .remote
                    .put_pair(&s.prefix, (&ta, &a.1), (&tb, &b.1))
                    .await
            }
        }
    }

    /// Finds a credential of one of `kinds` and tells whether it is live at `now`.
    pub async fn lookup(&self, token: &str, kinds: &[Kind], now: i64) -> Result<Lookup, Down> {
        match self.shared {
            None => Ok(self.mem.tokens().lookup(token, kinds, now)),
            Some(s) => s.hub.remote.lookup(&s.prefix, token, kinds, now).await,
        }
    }

    /// The live credential of one of `kinds`, if any.
    pub async fn live(
        &self,
        token: &str,
        kinds: &[Kind],
        now: i64,
    ) -> Result<Option<TokenRec>, Down> {
        Ok(match self.lookup(token, kinds, now).await? {
            Lookup::Live(r) => Some(r),
            _ => None,
        })
    }

    /// The live credential of `kind`, its expiry slid to `now + window_ms`.
    pub async fn touch(
        &self,
        token: &str,
        kind: Kind,
        now: i64,
        window_ms: i64,
    ) -> Result<Option<TokenRec>, Down> {
        match self.shared {
            None => Ok(self.mem.tokens().touch(token, kind, now, window_ms)),
            Some(s) => {
                s.hub
                    .remote
                    .touch(&s.prefix, token, kind, now, window_ms)
                    .await
            }
        }
    }

    /// Removes and returns the credential if it is of `kind`, live and `pred` holds: exactly one of
    /// any number of concurrent callers (on any replica) gets it.
    pub async fn take_if(
        &self,
        token: &str,
        kind: Kind,
        now: i64,
        pred: impl Fn(&TokenRec) -> bool,
    ) -> Result<Option<TokenRec>, Down> {
        match self.shared {
            None => Ok(self.mem.tokens().take_if(token, kind, now, pred)),
            Some(s) => {
                let ok = |r: &TokenRec| r.kind == kind && r.live_at(now) && pred(r);
                s.hub.remote.take_if(&s.prefix, token, ok).await
            }
        }
    }

    /// Retires a credential of one of `kinds` unless it is a fixture; true if it was there.
    pub async fn retire(&self, token: &str, kinds: &[Kind]) -> Result<bool, Down> {
        match self.shared {
            None => Ok(self.mem.tokens().retire(token, kinds)),
            Some(s) => {
                let ok = |r: &TokenRec| kinds.contains(&r.kind) && !r.fixed;
                Ok(s.hub.remote.take_if(&s.prefix, token, ok).await?.is_some())
            }
        }
    }

    /// Removes every credential for which `pred` holds; returns how many.
    pub async fn remove_where(&self, pred: impl Fn(&TokenRec) -> bool) -> Result<usize, Down> {
        match self.shared {
            None => Ok(self.mem.tokens().remove_where(pred)),
            Some(s) => s.hub.remote.remove_where(&s.prefix, pred).await,
        }
    }

    /// The identities this request sees.
    fn ids(&self) -> &Idents {
        match self.shared {
            None => self.mem.ids(),
            Some(s) => &s.ids,
        }
    }

    /// Redeems a KooDrive authorization code: a reusable fixture one, or a minted one (used up).
    pub async fn redeem_auth_code(&self, code: &str, now: i64) -> Result<Option<Text>, Down> {
        if let Some(uid) = self.ids().koo.code_owner(code) {
            return Ok(Some(Text::from(uid.as_str())));
        }
        let rec = self.take_if(code, Kind::KooAuthCode, now, |_| true).await?;
        Ok(rec.map(|r| r.owner))
    }

    /// Whether `family`'s account `user` is locked at `now`.
    pub async fn is_locked(&self, family: &str, user: &str, now: i64) -> Result<bool, Down> {
        match self.shared {
            None => Ok(self.mem.is_locked(family, user, now)),
            Some(s) => s.hub.remote.is_locked(&s.prefix, family, user, now).await,
        }
    }

    /// Settles a login attempt whose credential was `ok`: [`Settled::Locked`] if the account is
    /// locked at `now`, else a failure counts (locking the account for `window_ms` at `max`) and a
    /// success clears the count and stores `issue`, the credentials the login hands out. One step in
    /// either store.
    pub async fn settle<const N: usize>(
        &self,
        account: (&str, &str),
        now: i64,
        (ok, max, window_ms): (bool, u32, i64),
        issue: [(Text, TokenRec); N],
    ) -> Result<Settled, Down> {
        let Some(s) = self.shared else {
            let settled = self.mem.settle(account, now, ok, max, window_ms);
            if settled == Settled::Passed {
                for (t, r) in issue {
                    self.mem.tokens().insert(t, r);
                }
            }
            return Ok(settled);
        };
        let until = now.saturating_add(window_ms);
        let r = &s.hub.remote;
        r.settle(&s.prefix, account, now, ok, max, until, &issue)
            .await
    }

    /// Applies an identity change (for every replica, in the shared store).
    pub async fn change(&self, c: Change) -> Result<Applied, Down> {
        match self.shared {
            None => Ok(self.mem.ids().apply(&c)),
            Some(s) => s.change(self.name, &c).await,
        }
    }

    /// Removes `family`'s user `id` and every credential it owns there; `None` if there is no such
    /// user, else how many credentials went.
    pub async fn remove_user(&self, family: Family, id: &str) -> Result<Option<usize>, Down> {
        let c = Change::RemoveUser {
            family: family.name().to_string(),
            id: id.to_string(),
        };
        if !self.change(c).await?.changed() {
            return Ok(None);
        }
        let owned = |t: &TokenRec| t.kind.family() == family && *t.owner == *id;
        Ok(Some(self.remove_where(owned).await?))
    }

    /// Revokes any credential, a fixture authorization code or a minted verification code.
    pub async fn revoke(&self, text: &str) -> Result<Option<Revoked>, Down> {
        let issued = match self.shared {
            None => self.mem.tokens().revoke(text),
            Some(s) => s.hub.remote.revoke(&s.prefix, text).await?,
        };
        if let Some(r) = issued {
            return Ok(Some(Revoked::of(&r)));
        }
        let code = text.to_string();
        let (kind, owner) = match self
            .change(Change::RevokeCode { code: code.clone() })
            .await?
        {
            Applied::Owner(Some(o)) => ("kooAuthCode", o),
            _ => match self.change(Change::RevokeCaptcha { code }).await? {
                Applied::Owner(Some(o)) => ("kooVerificationCode", o),
                _ => return Ok(None),
            },
        };
        Ok(Some(Revoked {
            kind: kind.to_string(),
            family: Family::KooDrive,
            owner,
        }))
    }

    /// The state dump's view of the credentials: the count, the count by kind, the `n` newest.
    pub async fn newest(&self, n: usize) -> Result<Newest, Down> {
        let Some(s) = self.shared else {
            return Ok(self.mem.tokens().newest(n));
        };
        // Ranked by the same code as the memory table's, on a throwaway table.
        let t = crate::store::Tokens::default();
        for (k, r) in s.hub.remote.all(&s.prefix).await? {
            t.insert(k, r);
        }
        Ok(t.newest(n))
    }

    /// The credential limit (0: none; the shared store is bounded by Redis's own `maxmemory`).
    pub fn limit(&self) -> usize {
        match self.shared {
            None => self.mem.tokens().limit(),
            Some(_) => 0,
        }
    }

    /// Credentials evicted by the limit.
    pub fn evicted(&self) -> u64 {
        match self.shared {
            None => self.mem.tokens().evicted(),
            Some(_) => 0,
        }
    }

    /// Every account with failures or a lock, as (family, user id, state).
    pub async fn lockouts(&self) -> Result<Vec<(String, String, LockState)>, Down> {
        match self.shared {
            None => Ok(self.mem.lockouts()),
            Some(s) => s.hub.remote.lockouts(&s.prefix).await,
        }
    }
}
