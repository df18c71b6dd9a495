//! OneAccess identities: tenants, OAuth clients (apps) and users.

use super::{check_nonempty, Map, Problem};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OaTenant {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// An application registered in a tenant (client_credentials grant).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OaClient {
    pub client_id: String,
    #[serde(skip_serializing)]
    pub client_secret: String,
    pub tenant_id: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OaUser {
    pub id: String,
    pub user_name: String,
    #[serde(skip_serializing)]
    pub password: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub mobile: String,
    #[serde(default)]
    pub email: String,
    pub tenant_id: String,
}

/// The fixture file `oneaccess.json`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OaFixtures {
    #[serde(default)]
    pub tenants: Vec<OaTenant>,
    #[serde(default)]
    pub clients: Vec<OaClient>,
    #[serde(default)]
    pub users: Vec<OaUser>,
}

impl OaFixtures {
    /// Every reference, duplicate and value problem, each with its JSON path (see [`OaData::build`]).
    pub fn validate(&self) -> Vec<Problem> {
        OaData::build(self).1
    }
}

/// Live OneAccess identities of a namespace.
#[derive(Debug, Default)]
pub struct OaData {
    tenants: Map<String, Arc<OaTenant>>,
    clients: Map<String, Arc<OaClient>>,
    users: Map<String, Arc<OaUser>>,
    /// "tenant/user_name" → user id.
    names: Map<String, String>,
}

fn name_key(tenant: &str, user_name: &str) -> String {
    let mut k = String::with_capacity(tenant.len() + user_name.len() + 1);
    k.push_str(tenant);
    k.push('/');
    k.push_str(user_name);
    k
}

/// Refused identities: every problem, or the identity as stored.
type Added<T> = Result<Arc<T>, Vec<Problem>>;

fn refuse_or<T>(p: Vec<Problem>, add: impl FnOnce() -> Arc<T>) -> Added<T> {
    if p.is_empty() {
        Ok(add())
    } else {
        Err(p)
    }
}

impl OaData {
    /// The identities of a fixture file, and every problem found on the way (each item is checked
    /// against those before it, as the admin API checks one).
    pub fn build(f: &OaFixtures) -> (OaData, Vec<Problem>) {
        let d = OaData::default();
        let mut out = Vec::new();
        for (i, t) in f.tenants.iter().enumerate() {
            out.extend(d.check_tenant(t, &format!("$.tenants[{i}]")));
            d.insert_tenant(t.clone());
        }
        for (i, c) in f.clients.iter().enumerate() {
            out.extend(d.check_client(c, &format!("$.clients[{i}]")));
            d.insert_client(c.clone());
        }
        for (i, u) in f.users.iter().enumerate() {
            out.extend(d.check_user(u, &format!("$.users[{i}]")));
            d.insert_user(u.clone());
        }
        (d, out)
    }

    fn check_tenant(&self, t: &OaTenant, at: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        check_nonempty(&mut out, at, "id", &t.id);
        if self.tenants.contains_key(&t.id) {
            out.push(Problem::new(
                format!("{at}.id"),
                format!("duplicate tenant id {:?}", t.id),
            ));
        }
        out
    }

    fn check_client(&self, c: &OaClient, at: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        check_nonempty(&mut out, at, "clientId", &c.client_id);
        check_nonempty(&mut out, at, "clientSecret", &c.client_secret);
        if self.clients.contains_key(&c.client_id) {
            out.push(Problem::new(
                format!("{at}.clientId"),
                format!("duplicate client id {:?}", c.client_id),
            ));
        }
        if !self.tenants.contains_key(&c.tenant_id) {
            out.push(Problem::new(
                format!("{at}.tenantId"),
                format!("unknown tenant {:?}", c.tenant_id),
            ));
        }
        out
    }

    fn check_user(&self, u: &OaUser, at: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        check_nonempty(&mut out, at, "id", &u.id);
        check_nonempty(&mut out, at, "userName", &u.user_name);
        check_nonempty(&mut out, at, "password", &u.password);
        if !self.tenants.contains_key(&u.tenant_id) {
            out.push(Problem::new(
                format!("{at}.tenantId"),
                format!("unknown tenant {:?}", u.tenant_id),
            ));
        }
        if self.users.contains_key(&u.id) {
            out.push(Problem::new(
                format!("{at}.id"),
                format!("duplicate user id {:?}", u.id),
            ));
        }
        if self
            .names
            .contains_key(&name_key(&u.tenant_id, &u.user_name))
        {
            out.push(Problem::new(
                format!("{at}.userName"),
                format!("duplicate user name {:?} in tenant", u.user_name),
            ));
        }
        out
    }

    /// Adds a tenant, or names every problem (JSON paths from `$`).
    pub fn add_tenant(&self, t: OaTenant) -> Added<OaTenant> {
        refuse_or(self.check_tenant(&t, "$"), || self.insert_tenant(t))
    }

    /// Registers an app, or names every problem (JSON paths from `$`).
    pub fn add_client(&self, c: OaClient) -> Added<OaClient> {
        refuse_or(self.check_client(&c, "$"), || self.insert_client(c))
    }

    /// Adds a user, or names every problem (JSON paths from `$`).
    pub fn add_user(&self, u: OaUser) -> Added<OaUser> {
        refuse_or(self.check_user(&u, "$"), || self.insert_user(u))
    }

    fn insert_tenant(&self, t: OaTenant) -> Arc<OaTenant> {
        let t = Arc::new(t);
        self.tenants.insert(t.id.clone(), t.clone());
        t
    }

    fn insert_client(&self, c: OaClient) -> Arc<OaClient> {
        let c = Arc::new(c);
        self.clients.insert(c.client_id.clone(), c.clone());
        c
    }

    fn insert_user(&self, u: OaUser) -> Arc<OaUser> {
        self.names
            .insert(name_key(&u.tenant_id, &u.user_name), u.id.clone());
        let u = Arc::new(u);
        self.users.insert(u.id.clone(), u.clone());
        u
    }

    pub fn remove_user(&self, id: &str) -> bool {
        match self.users.remove(id) {
            Some((_, u)) => {
                self.names.remove(&name_key(&u.tenant_id, &u.user_name));
                true
            }
            None => false,
        }
    }

    pub fn client(&self, id: &str) -> Option<Arc<OaClient>> {
        self.clients.get(id).map(|c| c.clone())
    }

    pub fn user(&self, id: &str) -> Option<Arc<OaUser>> {
        self.users.get(id).map(|u| u.clone())
    }

    pub fn user_by_name(&self, tenant: &str, user_name: &str) -> Option<Arc<OaUser>> {
        let id = self.names.get(&name_key(tenant, user_name))?.clone();
        self.user(&id)
    }

    pub fn tenants(&self) -> Vec<Arc<OaTenant>> {
        self.tenants.iter().map(|t| t.value().clone()).collect()
    }

    pub fn clients(&self) -> Vec<Arc<OaClient>> {
        self.clients.iter().map(|c| c.value().clone()).collect()
    }

    pub fn users(&self) -> Vec<Arc<OaUser>> {
        self.users.iter().map(|u| u.value().clone()).collect()
    }
}
