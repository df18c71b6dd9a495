//! OneAccess identities: tenants, OAuth clients (apps) and users.

use super::{check_nonempty, Map, Problem};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
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

pub fn validate_user(u: &OaUser, at: &str, tenants: &dyn Fn(&str) -> bool, out: &mut Vec<Problem>) {
    check_nonempty(out, at, "id", &u.id);
    check_nonempty(out, at, "userName", &u.user_name);
    check_nonempty(out, at, "password", &u.password);
    if !tenants(&u.tenant_id) {
        out.push(Problem::new(
            format!("{at}.tenantId"),
            format!("unknown tenant {:?}", u.tenant_id),
        ));
    }
}

impl OaFixtures {
    pub fn validate(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut tenants = HashSet::new();
        for (i, t) in self.tenants.iter().enumerate() {
            let at = format!("$.tenants[{i}]");
            check_nonempty(&mut out, &at, "id", &t.id);
            if !tenants.insert(t.id.as_str()) {
                out.push(Problem::new(
                    format!("{at}.id"),
                    format!("duplicate tenant id {:?}", t.id),
                ));
            }
        }
        let mut clients = HashSet::new();
        for (i, c) in self.clients.iter().enumerate() {
            let at = format!("$.clients[{i}]");
            check_nonempty(&mut out, &at, "clientId", &c.client_id);
            check_nonempty(&mut out, &at, "clientSecret", &c.client_secret);
            if !clients.insert(c.client_id.as_str()) {
                out.push(Problem::new(
                    format!("{at}.clientId"),
                    format!("duplicate client id {:?}", c.client_id),
                ));
            }
            if !tenants.contains(c.tenant_id.as_str()) {
                out.push(Problem::new(
                    format!("{at}.tenantId"),
                    format!("unknown tenant {:?}", c.tenant_id),
                ));
            }
        }
        let mut ids = HashSet::new();
        let mut names = HashSet::new();
        for (i, u) in self.users.iter().enumerate() {
            let at = format!("$.users[{i}]");
            validate_user(u, &at, &|t| tenants.contains(t), &mut out);
            if !ids.insert(u.id.as_str()) {
                out.push(Problem::new(
                    format!("{at}.id"),
                    format!("duplicate user id {:?}", u.id),
                ));
            }
            if !names.insert((u.tenant_id.as_str(), u.user_name.as_str())) {
                out.push(Problem::new(
                    format!("{at}.userName"),
                    format!("duplicate user name {:?} in tenant", u.user_name),
                ));
            }
        }
        out
    }
}

/// Live OneAccess identities of a namespace.
#[derive(Debug, Default)]
pub struct OaData {
    pub tenants: Map<String, Arc<OaTenant>>,
    pub clients: Map<String, Arc<OaClient>>,
    pub users: Map<String, Arc<OaUser>>,
    /// "tenant/user_name" → user id.
    pub names: Map<String, String>,
}

fn name_key(tenant: &str, user_name: &str) -> String {
    let mut k = String::with_capacity(tenant.len() + user_name.len() + 1);
    k.push_str(tenant);
    k.push('/');
    k.push_str(user_name);
    k
}

impl OaData {
    pub fn load(f: &OaFixtures) -> OaData {
        let d = OaData::default();
        for t in &f.tenants {
            d.tenants.insert(t.id.clone(), Arc::new(t.clone()));
        }
        for c in &f.clients {
            d.clients.insert(c.client_id.clone(), Arc::new(c.clone()));
        }
        for u in &f.users {
            d.add_user(u.clone());
        }
        d
    }

    pub fn add_user(&self, u: OaUser) {
        self.names
            .insert(name_key(&u.tenant_id, &u.user_name), u.id.clone());
        self.users.insert(u.id.clone(), Arc::new(u));
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
}
