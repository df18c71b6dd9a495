//! The one warning for a handshake refused because the client asked for a server name the certificate
//! does not hold: it names the name and the `--tls-san` that would serve it. Once per name per
//! process, so a client retrying in a loop does not flood the log.

use std::collections::HashSet;
use std::sync::Mutex;

/// Names already warned about; past this many, further new names are logged at debug only.
const REMEMBERED: usize = 256;

static WARNED: Mutex<Option<HashSet<String>>> = Mutex::new(None);

/// Logs the refusal of `name`: a warning the first time, debug after.
pub fn refused(name: &str) {
    let first = WARNED.lock().is_ok_and(|mut g| {
        let set = g.get_or_insert_with(HashSet::new);
        set.len() < REMEMBERED && set.insert(name.to_string())
    });
    if first {
        tracing::warn!(
            sni = name,
            "TLS handshake refused: the client asked for server name {name:?}, which the certificate \
             does not hold; start with --tls-san {name} to serve it"
        );
    } else {
        tracing::debug!(sni = name, "TLS: server name not in the certificate");
    }
}
