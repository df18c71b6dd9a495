//! What [`super::Verbs::redeem`] is asked and what it answers: a credential spent (or read) under a
//! guard credential, and the successors it is exchanged for, in one step.
//!
//! A request that read a credential before it wrote what it issues cost one round trip per read on
//! the shared store. `redeem` carries the read's checks into the write's step instead: the guard
//! (an app token, the access token a refresh names) is tested beside the credential, the
//! successors take their owner (and bindings) from the record the step reads, and a linked
//! credential is retired by the link that record holds. When a check fails nothing is written,
//! and the answer carries what the step saw, so the handler tells its errors apart in its own order.

use super::credential::{Kind, Lookup, Must, Text, TokenRec};

/// A credential tested beside the one a [`Redeem`] spends, in the same step: of one of `kinds`,
/// live at the step's instant if `live` (else only known: live or expired, or swept as expired),
/// and, when live, bound as `must` says.
#[derive(Debug, Clone, Copy)]
pub struct Guard<'a> {
    pub token: &'a str,
    pub kinds: &'a [Kind],
    pub live: bool,
    pub must: Must<'a>,
}

/// Which bindings an issued record takes from the credential the step reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bind {
    /// None: the issued records keep their own.
    Own,
    /// The org only.
    Org,
    /// All of them; those the issued record sets itself win, and a `client` it leaves unset is
    /// the guard's owner.
    AllClientOfGuard,
}

/// What the records a step issues take from the credential it reads (the handler does not know
/// that record before the step runs): filled in the same step.
#[derive(Debug, Clone, Copy)]
pub struct Inherit {
    /// Every issued record's owner is the credential's.
    pub owner: bool,
    /// The first issued record's bindings.
    pub bind: Bind,
}

impl Inherit {
    /// The issued records are stored as given.
    pub const NOTHING: Inherit = Inherit {
        owner: false,
        bind: Bind::Own,
    };
    /// The issued records' owner is the credential's.
    pub const OWNER: Inherit = Inherit {
        owner: true,
        bind: Bind::Own,
    };
}

/// One step of [`super::Verbs::redeem`]: `token`, of one of `kinds`, live at `now` and bound as
/// `must` says (and, with `guard_tenant`, to the live guard's tenant, which it must have), is
/// taken (a fixture stays; with `keep`, only read) and the issued records are stored, filled as
/// `inherit` says; `retire_guard` retires the guard and `retire_link` the credential `token` links
/// to (either only if it is of these kinds and no fixture).
#[derive(Debug, Clone, Copy)]
pub struct Redeem<'a> {
    pub now: i64,
    pub guard: Option<Guard<'a>>,
    pub token: &'a str,
    pub kinds: &'a [Kind],
    pub must: Must<'a>,
    pub guard_tenant: bool,
    pub keep: bool,
    pub inherit: Inherit,
    pub retire_guard: bool,
    pub retire_link: &'a [Kind],
}

impl<'a> Redeem<'a> {
    /// Takes `token` (of `kinds`, live at `now`) and issues nothing more than it is given.
    pub fn take(token: &'a str, kinds: &'a [Kind], now: i64) -> Redeem<'a> {
        Redeem {
            now,
            guard: None,
            token,
            kinds,
            must: Must::ANY,
            guard_tenant: false,
            keep: false,
            inherit: Inherit::NOTHING,
            retire_guard: false,
            retire_link: &[],
        }
    }
}

/// What a [`Redeem`] step did.
#[derive(Debug)]
pub enum Redeemed {
    /// The guard is not there ([`Lookup::Missing`]), or not live when it had to be
    /// ([`Lookup::Expired`]): nothing else was tested.
    Guard(Lookup),
    /// Nothing was written. `guard`: the guard's record when it is live (when it was not bound as
    /// asked, the credential was not tested); `seen`: the credential's record if it is of its kinds
    /// and live, whatever its bindings.
    Refused {
        guard: Option<TokenRec>,
        seen: Option<TokenRec>,
    },
    /// The credential was taken (or read) and the issued records stored; `taken`: its record,
    /// unless the step only read it.
    Done { taken: Option<TokenRec> },
}

/// The owner of an issued record that takes its owner from the record the step reads
/// ([`Inherit::owner`]): one shared empty text, so that a template costs no allocation.
pub fn unowned() -> Text {
    static EMPTY: std::sync::LazyLock<Text> = std::sync::LazyLock::new(|| Text::from(""));
    EMPTY.clone()
}

impl TokenRec {
    /// This record as issued in a step that read `from` (and a guard owned by `guard_owner`),
    /// filled as `inherit` says.
    pub fn inherit(
        &mut self,
        first: bool,
        inherit: Inherit,
        from: &TokenRec,
        guard_owner: Option<&Text>,
    ) {
        if inherit.owner {
            self.owner = from.owner.clone();
        }
        if !first {
            return;
        }
        match inherit.bind {
            Bind::Own => {}
            Bind::Org => {
                if let Some(org) = from.org() {
                    self.bind().org = Some(org.into());
                }
            }
            Bind::AllClientOfGuard => {
                let own = self.bind.take().unwrap_or_default();
                let mut b = from.bind.clone().unwrap_or_default();
                let keep = |mine: Option<_>, theirs: &mut Option<_>| {
                    if mine.is_some() {
                        *theirs = mine;
                    }
                };
                keep(own.org, &mut b.org);
                keep(own.session, &mut b.session);
                keep(own.fingerprint, &mut b.fingerprint);
                keep(own.tenant, &mut b.tenant);
                keep(own.code, &mut b.code);
                b.client = own.client.or_else(|| guard_owner.cloned());
                self.bind = Some(b);
            }
        }
    }
}
