//! Idempotent writes: a client that repeats a POST with the same
//! `Idempotency-Key` gets the first answer again instead of a second change.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

/// How long a key's answer is kept.
pub const KEY_LIFETIME: Duration = Duration::hours(24);

/// A client's key: 1–255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = !raw.is_empty() && raw.len() <= 255 && raw.bytes().all(|b| b.is_ascii_graphic());
        ok.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A fingerprint of what was asked: method, path with query, and body.
pub fn fingerprint(method: &str, path_and_query: &str, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(method.as_bytes());
    hash.update(b" ");
    hash.update(path_and_query.as_bytes());
    hash.update(b"\n");
    hash.update(body);
    hex::encode(hash.finalize())
}

/// The first answer, kept to be replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    /// Headers worth replaying (`Location`, `ETag`, `Content-Type`).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new (or its last use expired): do the work, then complete it.
    Started,
    /// The same request finished before: answer this again.
    Replay(StoredResponse),
    /// The same request is being served right now.
    InProgress,
    /// The key was used with a different request.
    Mismatch,
}

/// Whether a stored claim made at `created_at` still holds at `now`.
pub fn still_holds(created_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - created_at < KEY_LIFETIME
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_bounded_visible_ascii() {
        assert!(IdempotencyKey::parse("0193a5b0-7c1e-7d3a").is_some());
        assert!(IdempotencyKey::parse("").is_none());
        assert!(IdempotencyKey::parse("has space").is_none());
        assert!(IdempotencyKey::parse(&"k".repeat(256)).is_none());
    }

    #[test]
    fn fingerprints_differ_by_body_and_path() {
        let a = fingerprint("POST", "/api/v1/submissions", b"{}");
        assert_eq!(a, fingerprint("POST", "/api/v1/submissions", b"{}"));
        assert_ne!(a, fingerprint("POST", "/api/v1/submissions", b"{ }"));
        assert_ne!(
            a,
            fingerprint("POST", "/api/v1/submissions/x/submit", b"{}")
        );
    }

    #[test]
    fn answers_are_kept_for_a_day() {
        let now = Utc::now();
        assert!(still_holds(now - Duration::hours(23), now));
        assert!(!still_holds(now - Duration::hours(25), now));
    }
}
