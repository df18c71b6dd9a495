//! A namespace's identities (users, orgs, tenants, clients, fixture codes)
//! and the changes the control plane makes to them.
//!
//! A [`Change`] is plain data, so that the shared store can keep a namespace's changes as a list that
//! every replica replays on the same fixtures; the in-memory store applies each one as it comes.

use super::enos::EnosData;
use super::koodrive::KooData;
use super::oneaccess::OaData;
use super::{Fixtures, Problem};
use crate::contract::Family;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The identities of the three families.
#[derive(Debug, Default)]
pub struct Idents {
    pub koo: KooData,
    pub oa: OaData,
    pub enos: EnosData,
}

/// One change to a namespace's identities. Identities travel as the JSON the admin API was sent
/// (their passwords are never serialised back out).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Change {
    AddUser {
        family: String,
        body: Value,
    },
    /// An org (a OneAccess tenant).
    AddOrg {
        family: String,
        body: Value,
    },
    AddClient {
        body: Value,
    },
    RemoveUser {
        family: String,
        id: String,
    },
    /// A reusable fixture authorization code revoked.
    RevokeCode {
        code: String,
    },
}

/// What a change did.
#[derive(Debug)]
pub enum Applied {
    /// The identity as stored (201).
    Stored(Value),
    Refused(Vec<Problem>),
    /// Whether a user went, a code was redeemed, ….
    Done(bool),
    /// The user a revoked code stood for.
    Owner(Option<String>),
}

impl Applied {
    /// Whether the change altered anything (a refused or empty change is not kept).
    pub fn changed(&self) -> bool {
        match self {
            Applied::Stored(_) => true,
            Applied::Refused(_) => false,
            Applied::Done(b) => *b,
            Applied::Owner(o) => o.is_some(),
        }
    }
}

fn stored<T: Serialize>(r: Result<std::sync::Arc<T>, Vec<Problem>>) -> Applied {
    match r {
        Ok(v) => Applied::Stored(serde_json::to_value(&*v).unwrap_or(Value::Null)),
        Err(p) => Applied::Refused(p),
    }
}

/// Parses an identity the admin API already parsed once (so this cannot fail but on a foreign list).
fn parse<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T, Applied> {
    T::deserialize(v).map_err(|e| Applied::Refused(vec![Problem::new("$", e.to_string())]))
}

impl Idents {
    /// The identities of the fixtures (validated when they were parsed).
    pub fn from_fixtures(f: &Fixtures) -> Idents {
        Idents {
            koo: KooData::build(&f.koodrive).0,
            oa: OaData::build(&f.oneaccess).0,
            enos: EnosData::build(&f.enos).0,
        }
    }

    /// The fixtures with `changes` applied in order.
    pub fn replay(f: &Fixtures, changes: &[Change]) -> Idents {
        let ids = Idents::from_fixtures(f);
        for c in changes {
            ids.apply(c);
        }
        ids
    }

    /// Applies one change.
    pub fn apply(&self, c: &Change) -> Applied {
        self.try_apply(c).unwrap_or_else(|refused| refused)
    }

    fn try_apply(&self, c: &Change) -> Result<Applied, Applied> {
        let family = |name: &str| Family::named(name).ok_or(Applied::Done(false));
        Ok(match c {
            Change::AddUser { family: f, body } => match family(f)? {
                Family::KooDrive => stored(self.koo.add_user(parse(body)?)),
                Family::OneAccess => stored(self.oa.add_user(parse(body)?)),
                Family::Enos => stored(self.enos.add_user(parse(body)?)),
            },
            Change::AddOrg { family: f, body } => match family(f)? {
                Family::KooDrive => stored(self.koo.add_org(parse(body)?)),
                Family::OneAccess => stored(self.oa.add_tenant(parse(body)?)),
                Family::Enos => stored(self.enos.add_org(parse(body)?)),
            },
            Change::AddClient { body } => stored(self.oa.add_client(parse(body)?)),
            Change::RemoveUser { family: f, id } => Applied::Done(match family(f)? {
                Family::KooDrive => self.koo.remove_user(id),
                Family::OneAccess => self.oa.remove_user(id),
                Family::Enos => self.enos.remove_user(id),
            }),
            Change::RevokeCode { code } => Applied::Owner(self.koo.revoke_code(code)),
        })
    }
}
