//! EnOS Application Portal identities: organizations, users with memberships, static login tokens.

use super::{check_nonempty, Map, Problem, Text};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::Arc;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnosOrg {
    pub id: String,
    pub name: String,
}

/// A portal user; the profile fields are what `user/info` answers.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnosUser {
    pub id: Text,
    pub account: String,
    #[serde(skip_serializing)]
    pub password: String,
    pub name: String,
    #[serde(default)]
    pub email: String,
    /// The refresh token's `adminLevel` claim.
    #[serde(default)]
    pub admin_level: i64,
    /// Ids of the orgs the user is a member of.
    #[serde(default)]
    pub orgs: Vec<String>,
    #[serde(default)]
    pub domain: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub nick_name: String,
    #[serde(default)]
    pub phone_area: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub created_time: String,
    /// 0: App Portal account, 1: third-party domain account.
    #[serde(default, rename = "type")]
    pub user_type: i64,
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub position: String,
}

/// A login token that exists from start-up and never expires (for exploring by hand).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnosStaticToken {
    pub token: String,
    pub user_id: String,
}

/// The fixture file `enos.json`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnosFixtures {
    #[serde(default)]
    pub orgs: Vec<EnosOrg>,
    #[serde(default)]
    pub users: Vec<EnosUser>,
    #[serde(default)]
    pub static_tokens: Vec<EnosStaticToken>,
}

impl EnosFixtures {
    /// Every reference, duplicate and value problem, each with its JSON path (see [`EnosData::build`]).
    pub fn validate(&self) -> Vec<Problem> {
        EnosData::build(self).1
    }
}

/// Live EnOS identities of a namespace.
#[derive(Debug, Default)]
pub struct EnosData {
    orgs: Map<String, Arc<EnosOrg>>,
    users: Map<String, Arc<EnosUser>>,
    /// Account → user id (shared text: a login's lookup copies nothing).
    accounts: Map<String, Text>,
}

impl EnosData {
    /// The identities of a fixture file, and every problem found on the way (each item is checked
    /// against those before it, as the admin API checks one). Static tokens are checked here and issued
    /// by the store.
    pub fn build(f: &EnosFixtures) -> (EnosData, Vec<Problem>) {
        let d = EnosData::default();
        let mut out = Vec::new();
        for (i, o) in f.orgs.iter().enumerate() {
            out.extend(d.check_org(o, &format!("$.orgs[{i}]")));
            d.insert_org(o.clone());
        }
        for (i, u) in f.users.iter().enumerate() {
            out.extend(d.check_user(u, &format!("$.users[{i}]")));
            d.insert_user(u.clone());
        }
        let mut tokens = HashSet::new();
        for (i, t) in f.static_tokens.iter().enumerate() {
            let at = format!("$.staticTokens[{i}]");
            if !t.token.starts_with("APP_PORTAL_S_") || t.token.len() <= "APP_PORTAL_S_".len() {
                out.push(Problem::new(
                    format!("{at}.token"),
                    "must start with \"APP_PORTAL_S_\" and carry a value".to_string(),
                ));
            }
            if !tokens.insert(t.token.as_str()) {
                out.push(Problem::new(
                    format!("{at}.token"),
                    format!("duplicate token {:?}", t.token),
                ));
            }
            if !d.users.contains_key(t.user_id.as_str()) {
                out.push(Problem::new(
                    format!("{at}.userId"),
                    format!("unknown user {:?}", t.user_id),
                ));
            }
        }
        (d, out)
    }

    fn check_org(&self, o: &EnosOrg, at: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        check_nonempty(&mut out, at, "id", &o.id);
        if self.orgs.contains_key(&o.id) {
            out.push(Problem::new(
                format!("{at}.id"),
                format!("duplicate org id {:?}", o.id),
            ));
        }
        out
    }

    fn check_user(&self, u: &EnosUser, at: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        check_nonempty(&mut out, at, "id", &u.id);
        check_nonempty(&mut out, at, "account", &u.account);
        check_nonempty(&mut out, at, "password", &u.password);
        if !(0..=2).contains(&u.admin_level) {
            out.push(Problem::new(
                format!("{at}.adminLevel"),
                format!("must be 0, 1 or 2, got {}", u.admin_level),
            ));
        }
        if !(0..=1).contains(&u.user_type) {
            out.push(Problem::new(
                format!("{at}.type"),
                format!("must be 0 or 1, got {}", u.user_type),
            ));
        }
        let mut seen = HashSet::new();
        for (j, o) in u.orgs.iter().enumerate() {
            if !self.orgs.contains_key(o) {
                out.push(Problem::new(
                    format!("{at}.orgs[{j}]"),
                    format!("unknown org {o:?}"),
                ));
            }
            if !seen.insert(o) {
                out.push(Problem::new(
                    format!("{at}.orgs[{j}]"),
                    format!("duplicate org {o:?}"),
                ));
            }
        }
        if self.users.contains_key(&*u.id) {
            out.push(Problem::new(
                format!("{at}.id"),
                format!("duplicate user id {:?}", u.id),
            ));
        }
        if self.accounts.contains_key(&u.account) {
            out.push(Problem::new(
                format!("{at}.account"),
                format!("duplicate account {:?}", u.account),
            ));
        }
        out
    }

    /// Adds an organization, or names every problem (JSON paths from `$`).
    pub fn add_org(&self, o: EnosOrg) -> Result<Arc<EnosOrg>, Vec<Problem>> {
        let p = self.check_org(&o, "$");
        if !p.is_empty() {
            return Err(p);
        }
        Ok(self.insert_org(o))
    }

    /// Adds a user, or names every problem (JSON paths from `$`).
    pub fn add_user(&self, u: EnosUser) -> Result<Arc<EnosUser>, Vec<Problem>> {
        let p = self.check_user(&u, "$");
        if !p.is_empty() {
            return Err(p);
        }
        Ok(self.insert_user(u))
    }

    fn insert_org(&self, o: EnosOrg) -> Arc<EnosOrg> {
        let o = Arc::new(o);
        self.orgs.insert(o.id.clone(), o.clone());
        o
    }

    fn insert_user(&self, u: EnosUser) -> Arc<EnosUser> {
        self.accounts.insert(u.account.clone(), u.id.clone());
        let u = Arc::new(u);
        self.users.insert(u.id.to_string(), u.clone());
        u
    }

    pub fn remove_user(&self, id: &str) -> bool {
        match self.users.remove(id) {
            Some((_, u)) => {
                self.accounts.remove(&u.account);
                true
            }
            None => false,
        }
    }

    pub fn user(&self, id: &str) -> Option<Arc<EnosUser>> {
        self.users.get(id).map(|u| u.clone())
    }

    pub fn user_by_account(&self, account: &str) -> Option<Arc<EnosUser>> {
        let id = self.accounts.get(account)?.clone();
        self.user(&id)
    }

    pub fn org(&self, id: &str) -> Option<Arc<EnosOrg>> {
        self.orgs.get(id).map(|o| o.clone())
    }

    pub fn orgs(&self) -> Vec<Arc<EnosOrg>> {
        self.orgs.iter().map(|o| o.value().clone()).collect()
    }

    pub fn users(&self) -> Vec<Arc<EnosUser>> {
        self.users.iter().map(|u| u.value().clone()).collect()
    }
}
