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

pub fn validate_user(u: &EnosUser, at: &str, orgs: &dyn Fn(&str) -> bool, out: &mut Vec<Problem>) {
    check_nonempty(out, at, "id", &u.id);
    check_nonempty(out, at, "account", &u.account);
    check_nonempty(out, at, "password", &u.password);
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
        if !orgs(o) {
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
}

impl EnosFixtures {
    pub fn validate(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut orgs = HashSet::new();
        for (i, o) in self.orgs.iter().enumerate() {
            let at = format!("$.orgs[{i}]");
            check_nonempty(&mut out, &at, "id", &o.id);
            if !orgs.insert(o.id.as_str()) {
                out.push(Problem::new(
                    format!("{at}.id"),
                    format!("duplicate org id {:?}", o.id),
                ));
            }
        }
        let mut ids = HashSet::new();
        let mut accounts = HashSet::new();
        for (i, u) in self.users.iter().enumerate() {
            let at = format!("$.users[{i}]");
            validate_user(u, &at, &|o| orgs.contains(o), &mut out);
            if !ids.insert(&*u.id) {
                out.push(Problem::new(
                    format!("{at}.id"),
                    format!("duplicate user id {:?}", u.id),
                ));
            }
            if !accounts.insert(u.account.as_str()) {
                out.push(Problem::new(
                    format!("{at}.account"),
                    format!("duplicate account {:?}", u.account),
                ));
            }
        }
        let mut tokens = HashSet::new();
        for (i, t) in self.static_tokens.iter().enumerate() {
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
            if !ids.contains(t.user_id.as_str()) {
                out.push(Problem::new(
                    format!("{at}.userId"),
                    format!("unknown user {:?}", t.user_id),
                ));
            }
        }
        out
    }
}

/// Live EnOS identities of a namespace.
#[derive(Debug, Default)]
pub struct EnosData {
    pub orgs: Map<String, Arc<EnosOrg>>,
    pub users: Map<String, Arc<EnosUser>>,
    /// Account → user id (shared text: a login's lookup copies nothing).
    pub accounts: Map<String, Text>,
}

impl EnosData {
    pub fn load(f: &EnosFixtures) -> EnosData {
        let d = EnosData::default();
        for o in &f.orgs {
            d.orgs.insert(o.id.clone(), Arc::new(o.clone()));
        }
        for u in &f.users {
            d.add_user(u.clone());
        }
        d
    }

    pub fn add_user(&self, u: EnosUser) {
        self.accounts.insert(u.account.clone(), u.id.clone());
        self.users.insert(u.id.to_string(), Arc::new(u));
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
}
