//! OrgID clients: the OAuth2 clients the mock's OrgID-like sign-in page (`/oauth2/authorize`) serves,
//! each with the redirect URIs it may send a browser back to. KooDrive's "Obtaining the Authorization
//! Code URL (getAuthCodeURL)" hands out the first one's `client_id`.

use super::{check_nonempty, Problem};
use serde::{Deserialize, Serialize};

/// The client a `koodrive.json` without `orgIdClients` gets: the vendor example's `client_id`,
/// accepting every redirect URI authCodeURL hands out.
pub const DEFAULT_CLIENT_ID: &str =
    "be93d606a69a214642bf324e147af3366aef98f2cb1eb0b51bf8a27647d135b0";

/// Longest redirect URI accepted (longer ones are refused as not allowed).
pub const MAX_URI: usize = 2048;

/// An OrgID client of the fixtures (`orgIdClients` in `koodrive.json`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrgIdClient {
    pub client_id: String,
    /// Shown on the sign-in page.
    #[serde(default)]
    pub name: String,
    /// Redirect URIs allowed exactly as written.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Hosts whose redirect URIs are allowed: `host` (any port), `host:port`, `*.example.com`
    /// (subdomains), or `*` (any host).
    #[serde(default)]
    pub domains: Vec<String>,
}

impl OrgIdClient {
    /// The client used when the fixtures name none.
    pub fn default_client() -> OrgIdClient {
        OrgIdClient {
            client_id: DEFAULT_CLIENT_ID.to_string(),
            name: "KooDrive".to_string(),
            redirect_uris: Vec::new(),
            domains: vec!["*".to_string()],
        }
    }

    /// Whether this client may send a browser to `uri`: an `https` URI (or `http` to a loopback
    /// host) without a fragment or user info, listed in `redirectUris` or on one of `domains`.
    pub fn allows(&self, uri: &str) -> bool {
        let Some(target) = Target::parse(uri) else {
            return false;
        };
        if self.redirect_uris.iter().any(|u| u == uri) {
            return true;
        }
        self.domains.iter().any(|d| target.on(d))
    }
}

/// The parts of a redirect URI the checks read.
struct Target<'a> {
    host: String,
    port: Option<&'a str>,
}

impl<'a> Target<'a> {
    fn parse(uri: &'a str) -> Option<Target<'a>> {
        if uri.len() > MAX_URI || uri.contains('#') || uri.bytes().any(|b| b <= b' ' || b >= 0x7f) {
            return None;
        }
        let (scheme, rest) = uri.split_once("://")?;
        let https = scheme.eq_ignore_ascii_case("https");
        if !https && !scheme.eq_ignore_ascii_case("http") {
            return None;
        }
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (host, port) = split_authority(&rest[..end])?;
        if !https && !is_loopback(&host) {
            return None;
        }
        Some(Target { host, port })
    }

    /// Whether the host (and port) match a `domains` entry.
    fn on(&self, entry: &str) -> bool {
        let entry = entry.trim().to_ascii_lowercase();
        if entry == "*" {
            return true;
        }
        if let Some(suffix) = entry.strip_prefix("*.") {
            return self.host.len() > suffix.len() + 1
                && self.host.ends_with(suffix)
                && self.host.as_bytes()[self.host.len() - suffix.len() - 1] == b'.';
        }
        match split_authority(&entry) {
            Some((h, Some(p))) => h == self.host && Some(p) == self.port,
            Some((h, None)) => h == self.host,
            None => false,
        }
    }
}

/// `host[:port]` (host lower-cased; `[v6]` kept in brackets), if it is one: DNS characters or an IPv6
/// literal, a port of digits.
pub fn split_authority(a: &str) -> Option<(String, Option<&str>)> {
    let (host, port) = if a.starts_with('[') {
        let close = a.find(']')?;
        let port = match &a[close + 1..] {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        let inner = &a[1..close];
        let v6 = !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
        if !v6 {
            return None;
        }
        (&a[..=close], port)
    } else {
        match a.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (a, None),
        }
    };
    let dns = |h: &str| {
        !h.is_empty()
            && h.len() <= 253
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            && !h.starts_with(['.', '-'])
    };
    if !host.starts_with('[') && !dns(host) {
        return None;
    }
    if let Some(p) = port {
        if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    Some((host.to_ascii_lowercase(), port))
}

/// A host a browser reaches on its own machine: `localhost` (and `*.localhost`), `127.0.0.0/8`, `[::1]`.
pub fn is_loopback(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    h == "localhost"
        || h.ends_with(".localhost")
        || h == "[::1]"
        || h.parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Every problem of the clients of a fixture file (JSON paths from `$.orgIdClients`).
pub fn validate(clients: &[OrgIdClient]) -> Vec<Problem> {
    let mut out = Vec::new();
    if clients.is_empty() {
        out.push(Problem::new(
            "$.orgIdClients",
            "needs at least one client (authCodeURL hands out the first); leave it out for the default",
        ));
    }
    for (i, c) in clients.iter().enumerate() {
        let at = format!("$.orgIdClients[{i}]");
        check_nonempty(&mut out, &at, "clientId", &c.client_id);
        if clients[..i].iter().any(|o| o.client_id == c.client_id) {
            out.push(Problem::new(
                format!("{at}.clientId"),
                format!("duplicate client id {:?}", c.client_id),
            ));
        }
        if c.redirect_uris.is_empty() && c.domains.is_empty() {
            out.push(Problem::new(
                at.clone(),
                "needs redirectUris or domains (\"*\" for any host)",
            ));
        }
        for (j, u) in c.redirect_uris.iter().enumerate() {
            if Target::parse(u).is_none() {
                out.push(Problem::new(
                    format!("{at}.redirectUris[{j}]"),
                    "must be an https URI (http only to localhost or 127.0.0.1) without a fragment",
                ));
            }
        }
        for (j, d) in c.domains.iter().enumerate() {
            let d = d.trim();
            let ok = d == "*" || split_authority(d.strip_prefix("*.").unwrap_or(d)).is_some();
            if !ok {
                out.push(Problem::new(
                    format!("{at}.domains[{j}]"),
                    format!("{d:?} is not a host, host:port, *.domain or *"),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod unit {
    use super::*;

    fn client(domains: &[&str], uris: &[&str]) -> OrgIdClient {
        OrgIdClient {
            client_id: "c".into(),
            name: String::new(),
            redirect_uris: uris.iter().map(|s| s.to_string()).collect(),
            domains: domains.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn the_default_client_takes_https_anywhere_and_http_on_loopback_only() {
        let c = OrgIdClient::default_client();
        assert!(c.allows("https://kdconsole.example.cn:8080/cloudfile/index.html"));
        assert!(c.allows("http://localhost:3000/cloudfile/index.html?x=1"));
        assert!(c.allows("http://127.0.0.1:5173/"));
        assert!(c.allows("http://[::1]:5173/"));
        for bad in [
            "http://evil.example/",
            "javascript:alert(1)",
            "data:text/html,hi",
            "https://a.example/#frag",
            "https://user@a.example/",
            "https:///nohost",
            "https://a.example:99999x/",
            "https://a b/",
            "//a.example/",
        ] {
            assert!(!c.allows(bad), "{bad}");
        }
    }

    #[test]
    fn domains_match_hosts_ports_and_subdomains() {
        let c = client(&["app.example", "*.corp.example", "localhost:3000"], &[]);
        assert!(c.allows("https://app.example:8443/x"));
        assert!(c.allows("https://a.b.corp.example/x"));
        assert!(!c.allows("https://corp.example/x"));
        assert!(!c.allows("https://evilcorp.example/x"));
        assert!(c.allows("http://localhost:3000/cb"));
        assert!(!c.allows("http://localhost:3001/cb"));
        assert!(!c.allows("https://app.example.evil/x"));
        let exact = client(&[], &["https://app.example/cb"]);
        assert!(exact.allows("https://app.example/cb"));
        assert!(!exact.allows("https://app.example/cb2"));
    }
}
