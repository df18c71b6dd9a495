//! Fault injection: queued per route through the admin API, or per request through `X-Mock-Error` and
//! `X-Mock-Delay` headers.

use crate::contract::{self, Family};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use utoipa::ToSchema;

/// Longest delay a fault may ask for.
pub const MAX_DELAY_MS: u64 = 60_000;

/// What a fault does to a matching request. Several actions combine (a delay, then an error).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = FaultAction)]
pub struct Action {
    /// A vendor error code of the route's family, answered exactly as the route would (a KooDrive or
    /// EnOS code may be given as a JSON number).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::contract::extract::lenient_string_parsed"
    )]
    #[schema(value_type = String)]
    pub error: Option<String>,
    /// A raw HTTP status…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// …with this body (a JSON value; a string is sent as raw text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::contract::schema::any_value)]
    pub body: Option<Value>,
    /// Delay the answer (at most 60000 ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(maximum = 60000)]
    pub delay_ms: Option<u64>,
    /// Close the connection without answering.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[schema(required = false)]
    pub drop: bool,
    /// Answer truncated JSON.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[schema(required = false)]
    pub malformed: bool,
}

/// Normalises `"post  /path"` to `"POST /path"` and checks it names a vendor route.
pub fn known_route(route: &str) -> Result<(String, Family), String> {
    let mut it = route.split_whitespace();
    let (Some(m), Some(p), None) = (it.next(), it.next(), it.next()) else {
        return Err(format!("route must be \"METHOD /path\", got {route:?}"));
    };
    let m = m.to_ascii_uppercase();
    match contract::route_family(&m, p) {
        Some(family) => Ok((format!("{m} {p}"), family)),
        None => Err(format!(
            "unknown route {route:?}; known: {}",
            contract::routes()
                .map(|(m, p)| format!("{m} {p}"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

impl Action {
    /// Whether a route of `family` can take this action: why not, if not.
    pub fn check(&self, family: Family) -> Result<(), String> {
        if self.is_empty() {
            return Err("a fault needs at least one of \"error\", \"status\", \"delayMs\", \"drop\", \"malformed\"".into());
        }
        if let Some(code) = &self.error {
            if !family.codes().contains(code) {
                return Err(format!(
                    "{code:?} is not a vendor code of this route; codes: {}",
                    family.codes().join(", ")
                ));
            }
            if self.status.is_some() || self.body.is_some() {
                return Err("\"error\" cannot be combined with \"status\"/\"body\"".into());
            }
        }
        if self.body.is_some() && self.status.is_none() {
            return Err("\"body\" needs a \"status\"".into());
        }
        if self.status.is_some_and(|s| !(200..=599).contains(&s)) {
            return Err("\"status\" must be an HTTP status 200-599".into());
        }
        if self.delay_ms.is_some_and(|d| d > MAX_DELAY_MS) {
            return Err("\"delayMs\" must be at most 60000".into());
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.error.is_none()
            && self.status.is_none()
            && self.body.is_none()
            && self.delay_ms.is_none()
            && !self.drop
            && !self.malformed
    }
}

/// A queued fault.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    pub id: String,
    /// `"METHOD /path"` of a known route.
    pub route: String,
    /// How many requests it applies to in all (0: until removed).
    pub times: u32,
    /// How many requests it has shaped so far.
    pub hits: u32,
    #[serde(flatten)]
    pub action: Action,
}

/// The faults of one namespace. `armed` lets the hot path skip the lock when there are none.
#[derive(Debug, Default)]
pub struct Faults {
    list: Mutex<Vec<Fault>>,
    armed: AtomicBool,
}

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        self.list.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Faults queued in this order (as the shared store keeps them).
    pub fn from_list(list: Vec<Fault>) -> Faults {
        let armed = AtomicBool::new(!list.is_empty());
        Faults {
            list: Mutex::new(list),
            armed,
        }
    }

    pub fn add(&self, f: Fault) {
        let mut l = self.lock();
        l.push(f);
        self.armed.store(true, Ordering::Release);
    }

    pub fn list(&self) -> Vec<Fault> {
        self.lock().clone()
    }

    pub fn remove(&self, id: &str) -> bool {
        let mut l = self.lock();
        let before = l.len();
        l.retain(|f| f.id != id);
        self.armed.store(!l.is_empty(), Ordering::Release);
        l.len() != before
    }

    pub fn clear(&self) {
        let mut l = self.lock();
        l.clear();
        self.armed.store(false, Ordering::Release);
    }

    /// Whether any fault is queued (a lock-free check for the hot path).
    pub fn armed(&self) -> bool {
        self.armed.load(Ordering::Acquire)
    }

    /// Takes one use of the first fault queued for `route` (`"METHOD /pattern"`), if any.
    pub fn take(&self, route: &str) -> Option<(String, Action)> {
        if !self.armed.load(Ordering::Acquire) {
            return None;
        }
        let mut l = self.lock();
        let i = l.iter().position(|f| f.route == route)?;
        let f = &mut l[i];
        f.hits = f.hits.saturating_add(1);
        let out = (f.id.clone(), f.action.clone());
        if f.times != 0 && f.hits >= f.times {
            l.remove(i);
        }
        self.armed.store(!l.is_empty(), Ordering::Release);
        Some(out)
    }
}
