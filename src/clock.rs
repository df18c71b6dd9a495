//! The mock's clock: real time, frozen, or real time shifted by an offset.
//!
//! Every issuance and expiry check reads time through a [`Clock`], never from the system directly, so a
//! test can freeze, set or advance time for one namespace without touching the others.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Earliest instant the clock may show: 0000-01-01T00:00:00Z.
pub const CLOCK_MIN_MS: i64 = -62_167_219_200_000;
/// Latest instant the clock may show: 9999-12-31T23:59:59.999Z.
pub const CLOCK_MAX_MS: i64 = 253_402_300_799_999;

/// Sentinel stored in `frozen` while the clock runs.
const RUNNING: i64 = i64::MIN;

/// A namespace's clock. Reads are two atomic loads; writes are serialised by a mutex so that
/// `advance` on a frozen clock never loses an update.
#[derive(Debug)]
pub struct Clock {
    frozen: AtomicI64,
    offset: AtomicI64,
    write: Mutex<()>,
}

/// How the clock currently behaves, as `GET /__admin/clock` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    Real,
    Frozen,
    Offset,
}

impl ClockMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ClockMode::Real => "real",
            ClockMode::Frozen => "frozen",
            ClockMode::Offset => "offset",
        }
    }
}

fn system_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Default for Clock {
    fn default() -> Self {
        Clock::real()
    }
}

impl Clock {
    /// A clock that follows real time.
    pub fn real() -> Clock {
        Clock {
            frozen: AtomicI64::new(RUNNING),
            offset: AtomicI64::new(0),
            write: Mutex::new(()),
        }
    }

    /// A clock frozen at `epoch_ms`.
    pub fn frozen_at(epoch_ms: i64) -> Clock {
        let c = Clock::real();
        c.frozen.store(epoch_ms, Ordering::SeqCst);
        c
    }

    /// Now, in milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        let f = self.frozen.load(Ordering::Acquire);
        if f != RUNNING {
            return f;
        }
        system_ms().saturating_add(self.offset.load(Ordering::Acquire))
    }

    pub fn mode(&self) -> ClockMode {
        if self.frozen.load(Ordering::Acquire) != RUNNING {
            ClockMode::Frozen
        } else if self.offset.load(Ordering::Acquire) != 0 {
            ClockMode::Offset
        } else {
            ClockMode::Real
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.write.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stops time at the current instant (no-op when already frozen).
    pub fn freeze(&self) {
        let _g = self.lock();
        if self.frozen.load(Ordering::Acquire) == RUNNING {
            let now = system_ms().saturating_add(self.offset.load(Ordering::Acquire));
            self.frozen.store(now, Ordering::Release);
        }
    }

    /// Lets a frozen clock run again from the instant it shows.
    pub fn unfreeze(&self) {
        let _g = self.lock();
        let f = self.frozen.load(Ordering::Acquire);
        if f != RUNNING {
            self.offset.store(f - system_ms(), Ordering::Release);
            self.frozen.store(RUNNING, Ordering::Release);
        }
    }

    /// Jumps to `epoch_ms`; a frozen clock stays frozen there, a running one runs on from there.
    pub fn set(&self, epoch_ms: i64) {
        let _g = self.lock();
        if self.frozen.load(Ordering::Acquire) != RUNNING {
            self.frozen.store(epoch_ms, Ordering::Release);
        } else {
            self.offset.store(epoch_ms - system_ms(), Ordering::Release);
        }
    }

    /// Moves time forward (or back, for a negative value) by `ms`.
    pub fn advance(&self, ms: i64) {
        let _g = self.lock();
        let f = self.frozen.load(Ordering::Acquire);
        if f != RUNNING {
            self.frozen.store(f.saturating_add(ms), Ordering::Release);
        } else {
            let o = self.offset.load(Ordering::Acquire);
            self.offset.store(o.saturating_add(ms), Ordering::Release);
        }
    }

    /// The clock's state as text (`f:<ms>` frozen there, `o:<ms>` running at that offset), so that
    /// the shared store can keep one clock for every replica.
    pub fn state(&self) -> String {
        let f = self.frozen.load(Ordering::Acquire);
        if f != RUNNING {
            return format!("f:{f}");
        }
        format!("o:{}", self.offset.load(Ordering::Acquire))
    }

    /// A clock in the state [`Clock::state`] wrote.
    pub fn from_state(s: &str) -> Option<Clock> {
        let (mode, ms) = s.split_once(':')?;
        let ms: i64 = ms.parse().ok()?;
        let c = Clock::real();
        match mode {
            "f" if ms != RUNNING => c.frozen.store(ms, Ordering::Release),
            "o" => c.offset.store(ms, Ordering::Release),
            _ => return None,
        }
        Some(c)
    }

    /// Back to real time.
    pub fn reset(&self) {
        let _g = self.lock();
        self.frozen.store(RUNNING, Ordering::Release);
        self.offset.store(0, Ordering::Release);
    }
}

/// Formats epoch milliseconds as RFC 3339 UTC with milliseconds, e.g. `2026-01-01T00:00:00.000Z`.
pub fn rfc3339(epoch_ms: i64) -> String {
    let secs = epoch_ms.div_euclid(1000);
    let ms = epoch_ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    )
}

/// Parses an RFC 3339 instant (`2026-01-01T00:00:00Z`, optional fraction, `Z` or `±hh:mm`) to epoch ms.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        if !t.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac_ms = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        let digits = &s[start..i.min(start + 3)];
        frac_ms = digits.parse::<i64>().ok()? * 10i64.pow(3 - digits.len() as u32);
    }
    let offset_s = match b.get(i) {
        Some(b'Z') | Some(b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
            let oh = num(i + 1..i + 3)?;
            let om = num(i + 4..i + 6)?;
            let v = oh * 3600 + om * 60;
            if *sign == b'+' {
                v
            } else {
                -v
            }
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo, d);
    let secs = days * 86_400 + h * 3600 + mi * 60 + se - offset_s;
    Some(secs * 1000 + frac_ms)
}

/// Parses a duration: a number of seconds (`90`, `1.5`) or a unit string (`31m`, `250ms`, `2h`, `1d`, `45s`,
/// `1h30m`). Negative values move the clock back. Returns milliseconds.
pub fn parse_duration_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    let (neg, body) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    if let Ok(secs) = body.parse::<f64>() {
        let ms = (secs * 1000.0).round();
        if !ms.is_finite() || ms.abs() > 1e15 {
            return None;
        }
        return Some(if neg { -(ms as i64) } else { ms as i64 });
    }
    let mut total: i64 = 0;
    let mut rest = body;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        let n: i64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(|c| c.is_ascii_alphabetic()).count();
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let factor = match unit {
            "ms" => 1,
            "s" => 1000,
            "m" | "min" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(factor)?)?;
    }
    Some(if neg { -total } else { total })
}

// Howard Hinnant's civil-date algorithms.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Year, month, day of a count of days since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn rfc3339_round_trips() {
        let ms = parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
        assert_eq!(ms, 1_767_225_600_000);
        assert_eq!(rfc3339(ms), "2026-01-01T00:00:00.000Z");
        assert_eq!(parse_rfc3339("2026-01-01T08:00:00.5+08:00"), Some(ms + 500));
        assert_eq!(parse_rfc3339("2026-13-01T00:00:00Z"), None);
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_414), (2025, 11, 22));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration_ms("31m"), Some(1_860_000));
        assert_eq!(parse_duration_ms("250ms"), Some(250));
        assert_eq!(parse_duration_ms("1h30m"), Some(5_400_000));
        assert_eq!(parse_duration_ms("90"), Some(90_000));
        assert_eq!(parse_duration_ms("-1d"), Some(-86_400_000));
        assert_eq!(parse_duration_ms("3x"), None);
    }

    #[test]
    fn frozen_clock_advances_only_when_told() {
        let c = Clock::frozen_at(1000);
        assert_eq!(c.now_ms(), 1000);
        c.advance(500);
        assert_eq!(c.now_ms(), 1500);
        assert_eq!(c.mode(), ClockMode::Frozen);
        c.reset();
        assert_eq!(c.mode(), ClockMode::Real);
    }
}
