//! Webhooks: admins register endpoints for event types; each event is
//! delivered as a signed POST, retried with backoff, and every attempt recorded.

mod use_cases;

pub use use_cases::{NewWebhookRequest, WebhookError, WebhookService};

use std::net::IpAddr;

use crate::validation::ValidationErrors;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// The header carrying the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`
/// of `"<t>.<body>"` under the webhook's secret.
pub const SIGNATURE_HEADER: &str = "hub-signature";
/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i32 = 8;
/// How long a dispatcher holds a delivery it took: longer than one attempt
/// may last, so a lease lapses only when its holder has stopped.
pub const LEASE: Duration = Duration::seconds(60);

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

/// Whether webhooks may point at this machine's own loopback addresses:
/// for tests and development only (`HUB_WEBHOOK_ALLOW_LOOPBACK`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopbackUrls {
    Allowed,
    Refused,
}

/// Where deliveries go: an http:// or https:// URL of at most 2,000 characters,
/// not on loopback unless that is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    const MAX_LEN: usize = 2000;

    pub fn parse(field: &str, raw: &str, loopback: LoopbackUrls) -> Result<Self, ValidationErrors> {
        let ok = (raw.starts_with("https://") || raw.starts_with("http://"))
            && raw.len() <= Self::MAX_LEN
            && !raw.chars().any(char::is_whitespace);
        let parsed = url::Url::parse(raw).ok().filter(|_| ok);
        let Some(parsed) = parsed.filter(|u| u.host().is_some()) else {
            return Err(ValidationErrors::single(
                field,
                "invalid_value",
                "must be an http:// or https:// URL",
            ));
        };
        if loopback == LoopbackUrls::Refused && names_loopback(&parsed) {
            return Err(ValidationErrors::single(
                field,
                "loopback_not_allowed",
                "must not point at a loopback address (127.0.0.0/8, ::1 or localhost)",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether the URL's host is a loopback address or a name that always means
/// one. The URL parser has already turned `127.1` or `0x7f.0.0.1` into an address.
fn names_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => is_loopback(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => is_loopback(IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        None => false,
    }
}

/// 127.0.0.0/8 and ::1, also when written as an IPv4-mapped IPv6 address.
pub fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// The events a webhook wants: names from the change feed, or `*` for all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTypes(Vec<String>);

impl EventTypes {
    const PREFIX: &str = "submission.";
    const MAX_LEN: usize = 64;

    fn known(name: &str) -> bool {
        name == "*"
            || (name.len() <= Self::MAX_LEN
                && name
                    .strip_prefix(Self::PREFIX)
                    .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')))
    }

    pub fn parse(field: &str, raw: &[String]) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if raw.is_empty() {
            errors.add(field, "required", "name at least one event type, or \"*\"");
        }
        for (i, name) in raw.iter().enumerate() {
            if !Self::known(name) {
                errors.add(
                    format!("{field}[{i}]"),
                    "unknown_code",
                    "use an event name from the change feed, such as submission.published",
                );
            }
        }
        errors.into_result().map(|()| Self(raw.to_vec()))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
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

/// A delivery leased to one dispatcher, with what sending it needs. Only the
/// holder of `lease` may record the attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct LeasedDelivery {
    pub lease: Uuid,
    pub delivery: Delivery,
    pub webhook: Webhook,
    pub event: crate::event::LifecycleEvent,
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
    fn urls_must_be_http_without_spaces() {
        let allowed = LoopbackUrls::Allowed;
        assert!(WebhookUrl::parse("url", "https://example.org/hooks", allowed).is_ok());
        assert!(WebhookUrl::parse("url", "http://127.0.0.1:9/h", allowed).is_ok());
        for bad in [
            "ftp://x",
            "https://a b",
            "example.org",
            "",
            "http://",
            "https://:80/",
        ] {
            assert!(WebhookUrl::parse("url", bad, allowed).is_err(), "{bad}");
        }
        let long = format!("https://{}", "a".repeat(2000));
        assert!(WebhookUrl::parse("url", &long, allowed).is_err());
    }

    #[test]
    fn loopback_addresses_are_told_apart_from_others() {
        for ip in ["127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"] {
            assert!(is_loopback(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "10.0.0.1",
            "128.0.0.1",
            "126.255.255.255",
            "::2",
            "::ffff:10.0.0.1",
            "2001:db8::1",
        ] {
            assert!(!is_loopback(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn loopback_urls_are_refused_unless_allowed_whatever_their_spelling() {
        for url in [
            "http://127.0.0.1:9/h",
            "http://127.1/h",
            "http://0x7f.0.0.1/h",
            "http://2130706433/h",
            "http://[::1]:8080/h",
            "http://[::ffff:127.0.0.1]/h",
            "http://localhost:3000/h",
            "http://LOCALHOST./h",
            "https://hooks.localhost/h",
            "http://user@127.0.0.1/h",
        ] {
            let refused = WebhookUrl::parse("url", url, LoopbackUrls::Refused);
            let Err(errors) = refused else {
                panic!("accepted {url}");
            };
            assert_eq!(errors.errors()[0].field, "url");
            assert_eq!(errors.errors()[0].code, "loopback_not_allowed");
            assert!(
                WebhookUrl::parse("url", url, LoopbackUrls::Allowed).is_ok(),
                "{url}"
            );
        }
        for url in [
            "https://example.org/h",
            "http://10.1.2.3/h",
            "http://localhost.example.org/h",
        ] {
            assert!(
                WebhookUrl::parse("url", url, LoopbackUrls::Refused).is_ok(),
                "{url}"
            );
        }
    }

    #[test]
    fn event_types_are_feed_names_or_a_star_and_each_bad_one_is_named() {
        let names = |raw: &[&str]| raw.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(EventTypes::parse("event_types", &names(&["*"])).is_ok());
        assert!(EventTypes::parse("event_types", &names(&["submission.published"])).is_ok());
        let Err(errors) = EventTypes::parse(
            "event_types",
            &names(&["submission.published", "everything", "submission.Published"]),
        ) else {
            panic!("accepted");
        };
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["event_types[1]", "event_types[2]"]);
        let Err(none) = EventTypes::parse("event_types", &[]) else {
            panic!("accepted no event types");
        };
        assert_eq!(none.errors()[0].code, "required");
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let now = Utc::now();
        assert_eq!(next_attempt(1, now) - now, Duration::seconds(2));
        assert_eq!(next_attempt(3, now) - now, Duration::seconds(8));
        assert_eq!(next_attempt(40, now) - now, Duration::seconds(3600));
    }
}
