//! KooDrive identities: orgs, users (with password and verification code) and reusable authorization codes.

use super::orgid::{self, OrgIdClient};
use super::{check_nonempty, Map, Problem, Text};
use serde::{Deserialize, Serialize};
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
    /// The sign-in page's OAuth2 clients; without it, [`OrgIdClient::default_client`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id_clients: Option<Vec<OrgIdClient>>,
}

impl KooFixtures {
    /// Every reference, duplicate and value problem, each with its JSON path: the checks the admin API
    /// makes of one identity, made of each in turn.
    pub fn validate(&self) -> Vec<Problem> {
        KooData::build(self).1
    }
}

/// Live KooDrive identities of a namespace.
#[derive(Debug, Default)]
pub struct KooData {
    orgs: Map<String, Arc<KooOrg>>,
    users: Map<String, Arc<KooUser>>,
    /// Account name or phone → user id (shared text: a login's lookup copies nothing).
    accounts: Map<String, Text>,
    /// Reusable authorization code → user id.
    codes: Map<String, String>,
    /// The sign-in page's clients, as the fixtures name them (empty: the default one).
    clients: Vec<Arc<OrgIdClient>>,
}

impl KooData {
    /// The identities of a fixture file, and every problem found on the way (each item is checked
    /// against those before it, and kept even when refused, so that one pass reports every problem).
    pub fn build(f: &KooFixtures) -> (KooData, Vec<Problem>) {
        let mut d = KooData::default();
        let mut out = Vec::new();
        if let Some(c) = &f.org_id_clients {
            out.extend(orgid::validate(c));
            d.clients = c.iter().cloned().map(Arc::new).collect();
        }
        for (i, o) in f.orgs.iter().enumerate() {
            out.extend(d.check_org(o, &format!("$.orgs[{i}]")));
            d.orgs.insert(o.org_id.clone(), Arc::new(o.clone()));
        }
        for (i, u) in f.users.iter().enumerate() {
            out.extend(d.check_user(u, &format!("$.users[{i}]")));
            d.insert_user(u.clone());
        }
        for (i, c) in f.auth_codes.iter().enumerate() {
            let at = format!("$.authCodes[{i}]");
            check_nonempty(&mut out, &at, "code", &c.code);
            if d.codes.contains_key(&c.code) {
                out.push(Problem::new(
                    format!("{at}.code"),
                    format!("duplicate code {:?}", c.code),
                ));
            }
            if !d.users.contains_key(&c.user_id) {
                out.push(Problem::new(
                    format!("{at}.userId"),
                    format!("unknown user {:?}", c.user_id),
                ));
            }
            d.codes.insert(c.code.clone(), c.user_id.clone());
        }
        (d, out)
    }

    fn check_org(&self, o: &KooOrg, at: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        check_nonempty(&mut out, at, "orgId", &o.org_id);
        check_nonempty(&mut out, at, "orgName", &o.org_name);
        check_nonempty(&mut out, at, "tenantId", &o.tenant_id);
        if self.orgs.contains_key(&o.org_id) {
            out.push(Problem::new(
                format!("{at}.orgId"),
                format!("duplicate org id {:?}", o.org_id),
            ));
        }
        out
    }

    fn check_user(&self, u: &KooUser, at: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        check_nonempty(&mut out, at, "userId", &u.user_id);
        check_nonempty(&mut out, at, "account", &u.account);
        check_nonempty(&mut out, at, "password", &u.password);
        if !matches!(u.role.as_str(), "0" | "1" | "2") {
            out.push(Problem::new(
                format!("{at}.role"),
                format!(
                    "must be \"0\" (admin), \"1\" (user) or \"2\" (super admin), got {:?}",
                    u.role
                ),
            ));
        }
        if !self.orgs.contains_key(&u.org_id) {
            out.push(Problem::new(
                format!("{at}.orgId"),
                format!("unknown org {:?}", u.org_id),
            ));
        }
        if self.users.contains_key(&*u.user_id) {
            out.push(Problem::new(
                format!("{at}.userId"),
                format!("duplicate user id {:?}", u.user_id),
            ));
        }
        for (field, v) in [("account", &u.account), ("phone", &u.phone)] {
            // A phone equal to the user's own account name is not a clash.
            let own = field == "phone" && u.phone == u.account;
            if !v.is_empty() && !own && self.accounts.contains_key(v.as_str()) {
                out.push(Problem::new(
                    format!("{at}.{field}"),
                    format!("account or phone {v:?} is used by another user"),
                ));
            }
        }
        out
    }

    /// Adds an org, or names every problem (JSON paths from `$`).
    pub fn add_org(&self, o: KooOrg) -> Result<Arc<KooOrg>, Vec<Problem>> {
        let p = self.check_org(&o, "$");
        if !p.is_empty() {
            return Err(p);
        }
        let o = Arc::new(o);
        self.orgs.insert(o.org_id.clone(), o.clone());
        Ok(o)
    }

    /// Adds a user, or names every problem (JSON paths from `$`).
    pub fn add_user(&self, u: KooUser) -> Result<Arc<KooUser>, Vec<Problem>> {
        let p = self.check_user(&u, "$");
        if !p.is_empty() {
            return Err(p);
        }
        Ok(self.insert_user(u))
    }

    fn insert_user(&self, u: KooUser) -> Arc<KooUser> {
        self.accounts.insert(u.account.clone(), u.user_id.clone());
        if !u.phone.is_empty() {
            self.accounts.insert(u.phone.clone(), u.user_id.clone());
        }
        let u = Arc::new(u);
        self.users.insert(u.user_id.to_string(), u.clone());
        u
    }

    /// Removes a user with its accounts and fixture codes; false if unknown.
    pub fn remove_user(&self, id: &str) -> bool {
        if self.users.remove(id).is_none() {
            return false;
        }
        self.accounts.retain(|_, v| &**v != id);
        self.codes.retain(|_, v| v != id);
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

    /// The OrgID client `id`, if the fixtures (or the default) have it.
    pub fn client(&self, id: &str) -> Option<Arc<OrgIdClient>> {
        self.clients().into_iter().find(|c| c.client_id == id)
    }

    /// The OrgID clients, the one authCodeURL hands out first.
    pub fn clients(&self) -> Vec<Arc<OrgIdClient>> {
        if self.clients.is_empty() {
            return vec![Arc::new(OrgIdClient::default_client())];
        }
        self.clients.clone()
    }

    /// The user a reusable (fixture) authorization code stands for.
    pub fn code_owner(&self, code: &str) -> Option<String> {
        self.codes.get(code).map(|u| u.clone())
    }

    /// Revokes a reusable authorization code; returns the user it stood for.
    pub fn revoke_code(&self, code: &str) -> Option<String> {
        self.codes.remove(code).map(|(_, u)| u)
    }

    pub fn orgs(&self) -> Vec<Arc<KooOrg>> {
        self.orgs.iter().map(|o| o.value().clone()).collect()
    }

    pub fn users(&self) -> Vec<Arc<KooUser>> {
        self.users.iter().map(|u| u.value().clone()).collect()
    }

    /// The reusable authorization codes as (code, user id).
    pub fn auth_codes(&self) -> Vec<(String, String)> {
        let it = self.codes.iter();
        it.map(|c| (c.key().clone(), c.value().clone())).collect()
    }
}
