//! Idempotent writes: a client that repeats a POST with the same
//! `Idempotency-Key` gets the first answer again instead of a second change.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// How long a key's answer is kept.
pub const KEY_LIFETIME: Duration = Duration::hours(24);

/// How long a claim whose answer is not kept yet stays with its request by
/// default; past it the request is taken for lost (its process died, or the
/// database dropped it) and a retry with the key is served again.
pub const DEFAULT_LEASE: Duration = Duration::seconds(30);

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

/// A key this request holds, put in the request's extensions so a write
/// may keep its answer in the write's own transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldKey {
    pub caller: crate::MemberId,
    pub key: IdempotencyKey,
}

/// How a keyed write keeps its answer in its own transaction: the key the
/// request holds, and the answer to give from what the write stored. The
/// answer then commits with the write or not at all, so a write that
/// committed always replays its answer, even when its process died before
/// it could answer.
pub struct KeepAnswer<T> {
    pub key: HeldKey,
    answer: Arc<dyn Fn(&T) -> StoredResponse + Send + Sync>,
}

impl<T> KeepAnswer<T> {
    pub fn new(
        key: HeldKey,
        answer: impl Fn(&T) -> StoredResponse + Send + Sync + 'static,
    ) -> Self {
        Self {
            key,
            answer: Arc::new(answer),
        }
    }

    /// The answer to the request, from what the write stored.
    pub fn answer(&self, stored: &T) -> StoredResponse {
        (self.answer)(stored)
    }
}

impl<T> Clone for KeepAnswer<T> {
    fn clone(&self) -> Self {
        Self {
            key: self.key.clone(),
            answer: self.answer.clone(),
        }
    }
}

impl<T> std::fmt::Debug for KeepAnswer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeepAnswer")
            .field("key", &self.key)
            .finish()
    }
}

/// Put in a response's extensions by a write that kept its answer itself,
/// so the answer is not kept a second time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerKept;

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new (or its last use expired): do the work, then complete it.
    Started,
    /// The same request finished before: answer this again.
    Replay(StoredResponse),
    /// The same request is being served right now; its lease runs out
    /// after `retry_after_seconds` (at least 1).
    InProgress { retry_after_seconds: u64 },
    /// The key was used with a different request.
    Mismatch,
}

/// Whether a stored claim made at `created_at` still holds at `now`.
pub fn still_holds(created_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - created_at < KEY_LIFETIME
}

/// Whole seconds (at least 1) left at `now` on the lease of an unanswered
/// claim made at `claimed_at`, or `None` once the lease has run out and the
/// claim may be taken over.
pub fn lease_left(claimed_at: DateTime<Utc>, now: DateTime<Utc>, lease: Duration) -> Option<u64> {
    let left = claimed_at + lease - now;
    if left <= Duration::zero() {
        return None;
    }
    let millis = u64::try_from(left.num_milliseconds()).unwrap_or(0);
    Some(millis.div_ceil(1000).max(1))
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
    fn an_unanswered_claim_is_leased_for_whole_seconds_then_lapses() {
        let lease = Duration::seconds(30);
        let claimed = Utc::now();

        assert_eq!(lease_left(claimed, claimed, lease), Some(30));
        assert_eq!(
            lease_left(claimed, claimed + Duration::milliseconds(29_001), lease),
            Some(1)
        );
        assert_eq!(
            lease_left(claimed, claimed + Duration::milliseconds(100), lease),
            Some(30)
        );
        assert_eq!(lease_left(claimed, claimed + lease, lease), None);
        assert_eq!(
            lease_left(claimed, claimed + Duration::hours(1), lease),
            None
        );
    }

    #[test]
    fn answers_are_kept_for_a_day() {
        let now = Utc::now();
        assert!(still_holds(now - Duration::hours(23), now));
        assert!(!still_holds(now - Duration::hours(25), now));
    }
}
