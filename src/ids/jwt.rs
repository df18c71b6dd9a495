//! Compact HS256 JWTs: the EnOS refresh token and the OneAccess ID tokens, signed and verified.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::cell::RefCell;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// Signs `claims` as a compact HS256 JWT whose header is exactly `header_json` (`{"alg":"HS256"}` as
/// the EnOS example).
pub fn sign_hs256<C: serde::Serialize>(header_json: &str, claims: &C, secret: &[u8]) -> String {
    let mut out = String::with_capacity(512);
    URL_SAFE_NO_PAD.encode_string(header_json.as_bytes(), &mut out);
    out.push('.');
    let mut payload = Vec::with_capacity(384);
    if serde_json::to_writer(&mut payload, claims).is_err() {
        payload.clear();
    }
    URL_SAFE_NO_PAD.encode_string(&payload, &mut out);
    let mut m = keyed(secret);
    m.update(out.as_bytes());
    let sig: [u8; 32] = m.finalize().into_bytes().into();
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(sig, &mut out);
    out
}

/// Verifies an HS256 JWT's signature in constant time and returns its claims.
pub fn verify_hs256(token: &str, secret: &[u8]) -> Option<serde_json::Value> {
    let (signed, sig_b64) = token.rsplit_once('.')?;
    let (_, payload_b64) = signed.split_once('.')?;
    let sig = URL_SAFE_NO_PAD.decode(sig_b64).ok()?;
    let mut m = keyed(secret);
    m.update(signed.as_bytes());
    m.verify_slice(&sig).ok()?;
    let payload = URL_SAFE_NO_PAD.decode(payload_b64).ok()?;
    serde_json::from_slice(&payload).ok()
}

/// An HMAC-SHA256 state keyed with `secret`. Keying hashes two padded key blocks, a fifth of the work
/// of signing a refresh token, so each thread keeps the state of the last secret it keyed and clones
/// it (one secret signs every EnOS token; bench/RESULTS.md, issue 30).
fn keyed(secret: &[u8]) -> HmacSha256 {
    thread_local! {
        static LAST: RefCell<Option<(Box<[u8]>, HmacSha256)>> = const { RefCell::new(None) };
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((key, state)) = last.as_ref() {
            if key.len() == secret.len() && bool::from(key.ct_eq(secret)) {
                return state.clone();
            }
        }
        // HMAC accepts keys of any length, so this cannot fail.
        let state = <HmacSha256 as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
        *last = Some((secret.into(), state.clone()));
        state
    })
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn jwt_round_trip_and_tamper() {
        let claims = serde_json::json!({"sub":"u1","exp":1});
        let t = sign_hs256(r#"{"alg":"HS256"}"#, &claims, b"k");
        assert!(t.starts_with("eyJhbGciOiJIUzI1NiJ9."));
        assert_eq!(verify_hs256(&t, b"k"), Some(claims));
        assert_eq!(verify_hs256(&t, b"other"), None);
        let mut bad = t.clone();
        bad.push('A');
        assert_eq!(verify_hs256(&bad, b"k"), None);
    }

    #[test]
    fn a_kept_key_signs_as_a_fresh_one() {
        // Alternating secrets replace the kept state; each signature is the one a fresh key makes.
        let fresh = |data: &[u8], secret: &[u8]| {
            let mut m = <HmacSha256 as Mac>::new_from_slice(secret).unwrap();
            m.update(data);
            m.finalize().into_bytes()
        };
        for secret in [&b"a"[..], b"b", b"b", b"a", &[7u8; 100]] {
            let mut m = keyed(secret);
            m.update(b"payload");
            assert_eq!(m.finalize().into_bytes(), fresh(b"payload", secret));
        }
        // A known answer (RFC 4231, test case 2).
        let mut m = keyed(b"Jefe");
        m.update(b"what do ya want for nothing?");
        let hex: String = m
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
