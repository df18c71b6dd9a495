//! KooDrive identities: orgs, users (with password and verification code) and reusable authorization codes.

use super::{check_nonempty, Map, Problem, Text};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::Arc;

/// An enterprise org (tenant department) as the session APIs describe it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KooOrg {
    pub org_id: String,
    pub org_name: String,
    pub tenant_id: String,
    /// Wire name `xhwSchema` (the vendor example's spelling).
    pub xhw_schema: String,
    /// Number of users reported in `userInfo.userCount`; defaults to the org's members in the fixtures.
    #[serde(default)]
    pub user_count: Option<u64>,
}

/// A KooDrive user: enterprise identity (session APIs) plus login credentials (carrier login API).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KooUser {
    pub user_id: Text,
    pub user_name: String,
    pub inner_user_id: String,
    pub org_id: String,
    pub dept_id: String,
    /// "0" admin, "1" user, "2" super admin.
    pub role: String,
    /// Login account name.
    pub account: String,
    #[serde(default)]
    pub phone: String,
    #[serde(skip_serializing)]
    pub password: String,
    /// The user's standing verification code for authType "2".
    #[serde(default, skip_serializing)]
    pub verification_code: String,
    #[serde(default)]
    pub firstname: String,
    #[serde(default)]
    pub surname: String,
    #[serde(default)]
    pub email: String,
}

/// A reusable authorization code (fixture): never expires, never used up.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KooAuthCode {
    pub code: String,
    pub user_id: String,
}

/// The fixture file `koodrive.json`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KooFixtures {
    #[serde(default)]
    pub orgs: Vec<KooOrg>,
    #[serde(default)]
    pub users: Vec<KooUser>,
    #[serde(default)]
    pub auth_codes: Vec<KooAuthCode>,
}

pub fn validate_org(o: &KooOrg, at: &str, out: &mut Vec<Problem>) {
    check_nonempty(out, at, "orgId", &o.org_id);
    check_nonempty(out, at, "orgName", &o.org_name);
    check_nonempty(out, at, "tenantId", &o.tenant_id);
}

pub fn validate_user(u: &KooUser, at: &str, orgs: &dyn Fn(&str) -> bool, out: &mut Vec<Problem>) {
    check_nonempty(out, at, "userId", &u.user_id);
    check_nonempty(out, at, "account", &u.account);
    check_nonempty(out, at, "password", &u.password);
    if !matches!(u.role.as_str(), "0" | "1" | "2") {
        out.push(Problem::new(
            format!("{at}.role"),
            format!(
                "must be \"0\" (admin), \"1\" (user) or \"2\" (super admin), got {:?}",
                u.role
            ),
        ));
    }
    if !orgs(&u.org_id) {
        out.push(Problem::new(
            format!("{at}.orgId"),
            format!("unknown org {:?}", u.org_id),
        ));
    }
}

impl KooFixtures {
    /// Every reference, duplicate and value problem, each with its JSON path.
    pub fn validate(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut org_ids = HashSet::new();
        for (i, o) in self.orgs.iter().enumerate() {
            let at = format!("$.orgs[{i}]");
            validate_org(o, &at, &mut out);
            if !org_ids.insert(o.org_id.as_str()) {
                out.push(Problem::new(
                    format!("{at}.orgId"),
                    format!("duplicate org id {:?}", o.org_id),
                ));
            }
        }
        let mut user_ids = HashSet::new();
        let mut accounts = HashSet::new();
        for (i, u) in self.users.iter().enumerate() {
            let at = format!("$.users[{i}]");
            validate_user(u, &at, &|id| org_ids.contains(id), &mut out);
            if !user_ids.insert(&*u.user_id) {
                out.push(Problem::new(
                    format!("{at}.userId"),
                    format!("duplicate user id {:?}", u.user_id),
                ));
            }
            // A phone equal to the user's own account name is not a clash.
            let phone_is_account = u.phone == u.account;
            for (field, v) in [("account", &u.account), ("phone", &u.phone)] {
                let own = field == "phone" && phone_is_account;
                if !v.is_empty() && !own && !accounts.insert(v.as_str()) {
                    out.push(Problem::new(
                        format!("{at}.{field}"),
                        format!("account or phone {v:?} is used by another user"),
                    ));
                }
            }
        }
        let mut codes = HashSet::new();
        for (i, c) in self.auth_codes.iter().enumerate() {
            let at = format!("$.authCodes[{i}]");
            check_nonempty(&mut out, &at, "code", &c.code);
            if !codes.insert(c.code.as_str()) {
                out.push(Problem::new(
                    format!("{at}.code"),
                    format!("duplicate code {:?}", c.code),
                ));
            }
            if !user_ids.contains(c.user_id.as_str()) {
                out.push(Problem::new(
                    format!("{at}.userId"),
                    format!("unknown user {:?}", c.user_id),
                ));
            }
        }
        out
    }
}

/// Live KooDrive identities of a namespace.
#[derive(Debug, Default)]
pub struct KooData {
    pub orgs: Map<String, Arc<KooOrg>>,
    pub users: Map<String, Arc<KooUser>>,
    /// Account name or phone → user id (shared text: a login's lookup copies nothing).
    pub accounts: Map<String, Text>,
    /// Reusable authorization code → user id.
    pub codes: Map<String, String>,
    /// Minted verification codes: user id → (code, expires at ms). One per user; a new one replaces it.
    pub captchas: Map<String, (String, i64)>,
}

impl KooData {
    pub fn load(f: &KooFixtures) -> KooData {
        let d = KooData::default();
        for o in &f.orgs {
            d.orgs.insert(o.org_id.clone(), Arc::new(o.clone()));
        }
        for u in &f.users {
            d.add_user(u.clone());
        }
        for c in &f.auth_codes {
            d.codes.insert(c.code.clone(), c.user_id.clone());
        }
        d
    }

    pub fn add_user(&self, u: KooUser) {
        self.accounts.insert(u.account.clone(), u.user_id.clone());
        if !u.phone.is_empty() {
            self.accounts.insert(u.phone.clone(), u.user_id.clone());
        }
        self.users.insert(u.user_id.to_string(), Arc::new(u));
    }

    pub fn remove_user(&self, id: &str) -> bool {
        let Some((_, u)) = self.users.remove(id) else {
            return false;
        };
        self.accounts.retain(|_, v| &**v != id);
        self.codes.retain(|_, v| v != id);
        self.captchas.remove(id);
        let _ = u;
        true
    }

    pub fn user(&self, id: &str) -> Option<Arc<KooUser>> {
        self.users.get(id).map(|u| u.clone())
    }

    pub fn user_by_account(&self, account: &str) -> Option<Arc<KooUser>> {
        let id = self.accounts.get(account)?.clone();
        self.user(&id)
    }

    pub fn org(&self, id: &str) -> Option<Arc<KooOrg>> {
        self.orgs.get(id).map(|o| o.clone())
    }

    /// The org's `userCount`: its configured value, else how many users it has.
    pub fn user_count(&self, org: &KooOrg) -> u64 {
        org.user_count
            .unwrap_or_else(|| self.users.iter().filter(|u| u.org_id == org.org_id).count() as u64)
    }
}
