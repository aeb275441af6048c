//! Webhooks: admins register endpoints for event types; each event is
//! delivered as a signed POST, retried with backoff, and every attempt recorded.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// The header carrying the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`
/// of `"<t>.<body>"` under the webhook's secret.
pub const SIGNATURE_HEADER: &str = "hub-signature";
/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i32 = 8;

/// The signature header's value for `body` sent at `timestamp`.
/// (HMAC takes keys of any length, so `None` does not happen in practice.)
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    ))
}

/// When to try again after `attempts` failures: 2, 4, 8 … seconds, at most an hour.
pub fn next_attempt(attempts: i32, now: DateTime<Utc>) -> DateTime<Utc> {
    let exponent = u32::try_from(attempts.clamp(1, 12)).unwrap_or(12);
    now + Duration::seconds(2_i64.pow(exponent).min(3600))
}

/// A registered endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    pub id: Uuid,
    pub url: String,
    /// Event names such as `submission.published`; `*` for every event.
    pub event_types: Vec<String>,
    pub secret: String,
    pub created_at: DateTime<Utc>,
}

impl Webhook {
    pub fn wants(&self, event_type: &str) -> bool {
        self.event_types.iter().any(|t| t == "*" || t == event_type)
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: Uuid,
    pub webhook_id: Uuid,
    pub event_seq: i64,
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    pub attempts: i32,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_cover_time_and_body() {
        let a = sign("secret", 1_700_000_000, b"{}");
        assert!(
            a.as_deref()
                .is_some_and(|a| a.starts_with("t=1700000000,v1="))
        );
        assert_eq!(a, sign("secret", 1_700_000_000, b"{}"));
        assert_ne!(a, sign("secret", 1_700_000_001, b"{}"));
        assert_ne!(a, sign("other", 1_700_000_000, b"{}"));
        assert_ne!(a, sign("secret", 1_700_000_000, b"{ }"));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let now = Utc::now();
        assert_eq!(next_attempt(1, now) - now, Duration::seconds(2));
        assert_eq!(next_attempt(3, now) - now, Duration::seconds(8));
        assert_eq!(next_attempt(40, now) - now, Duration::seconds(3600));
    }
}
