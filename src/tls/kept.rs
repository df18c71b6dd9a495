//! Making the CA kept in `--tls-dir` once, when several processes start together on one empty directory
//! (replicas on a shared volume, two `authmock ca` at once): each makes a candidate, exactly one
//! publishes its key (a hard link fails when the name exists), the others drop theirs and load the
//! winner's pair. Both files are whole when they appear (written aside, synced, then linked or renamed).

use super::certs::{CA_FILE, CA_KEY_FILE};
use super::TlsError;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a process that lost the race waits for the winner's ca.pem: the winner writes it right
/// after its key (milliseconds), so a key older than this is a lone key left behind, not a race.
const WINNER_WAIT: Duration = Duration::from_secs(2);

/// What publishing found.
pub enum Published {
    /// This process's pair is the directory's CA.
    Ours,
    /// Another process published first: load what is in the directory.
    Theirs,
}

/// Publishes `key_pem` and `cert_pem` as the directory's CA unless another process already has.
pub fn publish(dir: &Path, key_pem: &str, cert_pem: &str) -> Result<Published, TlsError> {
    std::fs::create_dir_all(dir).map_err(|e| TlsError::file(dir, format!("cannot create: {e}")))?;
    let key_path = dir.join(CA_KEY_FILE);
    let tmp_key = aside(&key_path);
    write_whole(&tmp_key, key_pem, true)?;
    let linked = std::fs::hard_link(&tmp_key, &key_path);
    let _ = std::fs::remove_file(&tmp_key);
    match linked {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(Published::Theirs),
        Err(e) => return Err(TlsError::file(&key_path, format!("cannot write: {e}"))),
    }
    let cert_path = dir.join(CA_FILE);
    let tmp_cert = aside(&cert_path);
    write_whole(&tmp_cert, cert_pem, false)?;
    std::fs::rename(&tmp_cert, &cert_path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp_cert);
        TlsError::file(&cert_path, format!("cannot write: {e}"))
    })?;
    Ok(Published::Ours)
}

/// Waits (bounded) for ca.pem beside a ca-key.pem another process has just published; `false` when
/// it never came, at once when the key is older than the wait (a lone key left behind, not a winner
/// still writing).
pub fn wait_for_cert(dir: &Path) -> bool {
    let cert = dir.join(CA_FILE);
    let key = dir.join(CA_KEY_FILE);
    let deadline = Instant::now() + WINNER_WAIT;
    loop {
        if cert.exists() {
            return true;
        }
        let fresh = std::fs::metadata(&key)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age < WINNER_WAIT);
        if !fresh || Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A name beside `path` no other process writes.
fn aside(path: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    path.with_extension(format!("tmp{}.{n}", std::process::id()))
}

fn write_whole(path: &Path, text: &str, secret: bool) -> Result<(), TlsError> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    opts.open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
        .map_err(|e| {
            let _ = std::fs::remove_file(path);
            TlsError::file(path, format!("cannot write: {e}"))
        })
}
