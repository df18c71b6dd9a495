//! Log output for the binary: one line per event, collected in memory and written to stderr in batches
//! (every 50 ms, or at once past 64 KiB), so a request never waits for a write syscall and a busy
//! server makes a few large writes instead of one per request.

use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;
use tracing_subscriber::fmt::MakeWriter;

static PENDING: Mutex<Vec<u8>> = Mutex::new(Vec::new());
const FLUSH_AT: usize = 64 * 1024;
const FLUSH_EVERY: Duration = Duration::from_millis(50);

/// A `MakeWriter` for tracing-subscriber that appends to the batch.
#[derive(Debug, Clone, Copy, Default)]
pub struct BatchedStderr;

/// Writes one event into the batch.
#[derive(Debug)]
pub struct BatchWriter;

impl Write for BatchWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let full = {
            let mut p = PENDING.lock().unwrap_or_else(|e| e.into_inner());
            p.extend_from_slice(buf);
            (p.len() >= FLUSH_AT).then(|| std::mem::take(&mut *p))
        };
        if let Some(data) = full {
            let _ = std::io::stderr().lock().write_all(&data);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BatchedStderr {
    type Writer = BatchWriter;
    fn make_writer(&'a self) -> BatchWriter {
        BatchWriter
    }
}

/// Writes out whatever is pending.
pub fn flush() {
    let data = std::mem::take(&mut *PENDING.lock().unwrap_or_else(|e| e.into_inner()));
    if !data.is_empty() {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(&data);
        let _ = err.flush();
    }
}

/// Starts the thread that writes the batch out every 50 ms.
pub fn start_flusher() {
    let _ = std::thread::Builder::new()
        .name("authmock-log".into())
        .spawn(|| loop {
            std::thread::sleep(FLUSH_EVERY);
            flush();
        });
}
