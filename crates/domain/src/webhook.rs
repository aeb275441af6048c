//! Webhooks: admins register endpoints for event types; each event is
//! delivered as a signed POST, retried with backoff, and every attempt recorded.

mod use_cases;

pub use use_cases::{NewWebhookRequest, WebhookError, WebhookService, WebhookUpdate};

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::event::{EventType, LifecycleEvent};
use crate::ids::MemberId;
use crate::member::Role;
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

/// What an address a webhook would reach is, for deciding whether the hub may call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressKind {
    /// Reachable on the public internet: webhooks may go there.
    Public,
    /// This machine itself (127.0.0.0/8, ::1): only when loopback is allowed.
    Loopback,
    /// Private, link-local, shared (CGNAT), unspecified, multicast, broadcast,
    /// documentation or otherwise reserved: never.
    NonPublic,
}

/// Classifies an address; IPv4 written inside IPv6 (mapped, compatible,
/// NAT64, 6to4) is classified as the IPv4 address it carries.
pub fn address_kind(ip: IpAddr) -> AddressKind {
    match ip {
        IpAddr::V4(v4) => ipv4_kind(v4),
        IpAddr::V6(v6) => ipv6_kind(v6),
    }
}

fn ipv4_kind(ip: Ipv4Addr) -> AddressKind {
    if ip.is_loopback() {
        return AddressKind::Loopback;
    }
    let [a, b, c, _] = ip.octets();
    let non_public = a == 0                                  // "this network", unspecified
        || a == 10                                           // private
        || (a == 100 && (64..128).contains(&b))              // shared address space (CGNAT)
        || (a == 169 && b == 254)                            // link-local, cloud metadata
        || (a == 172 && (16..32).contains(&b))               // private
        || (a == 192 && b == 0 && (c == 0 || c == 2))        // IETF assignments, TEST-NET-1
        || (a == 192 && b == 88 && c == 99)                  // 6to4 relay anycast
        || (a == 192 && b == 168)                            // private
        || (a == 198 && (b == 18 || b == 19))                // benchmarking
        || (a == 198 && b == 51 && c == 100)                 // TEST-NET-2
        || (a == 203 && b == 0 && c == 113)                  // TEST-NET-3
        || a >= 224; // multicast, reserved, broadcast
    if non_public {
        AddressKind::NonPublic
    } else {
        AddressKind::Public
    }
}

fn ipv6_kind(ip: Ipv6Addr) -> AddressKind {
    if ip.is_loopback() {
        return AddressKind::Loopback;
    }
    if ip.is_unspecified() {
        return AddressKind::NonPublic;
    }
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated).
    if s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0) {
        return ipv4_kind(embedded(s[6], s[7]));
    }
    // 64:ff9b::a.b.c.d, the well-known NAT64 prefix.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return ipv4_kind(embedded(s[6], s[7]));
    }
    // 2002:a.b.c.d::/48, 6to4.
    if s[0] == 0x2002 {
        return ipv4_kind(embedded(s[1], s[2]));
    }
    let global_unicast = (s[0] & 0xe000) == 0x2000; // 2000::/3
    // 2001::/23 (IETF assignments: Teredo, ORCHID, benchmarking) and
    // 2001:db8::/32 (documentation) under 2001::/16, and 3fff::/20 (documentation).
    let ietf_or_documentation = s[0] == 0x2001 && (s[1] < 0x0200 || s[1] == 0x0db8);
    let reserved = ietf_or_documentation || (s[0] & 0xfff0) == 0x3ff0;
    if global_unicast && !reserved {
        AddressKind::Public
    } else {
        // Unique-local fc00::/7, link-local fe80::/10, multicast ff00::/8,
        // NAT64 local-use 64:ff9b:1::/48, discard 100::/64 and the rest.
        AddressKind::NonPublic
    }
}

/// Whether a webhook may reach `ip`: public addresses always, loopback when allowed.
pub fn address_allowed(ip: IpAddr, loopback: LoopbackUrls) -> bool {
    match address_kind(ip) {
        AddressKind::Public => true,
        AddressKind::Loopback => loopback == LoopbackUrls::Allowed,
        AddressKind::NonPublic => false,
    }
}

/// Where a webhook's host points before any name is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An address written in the URL.
    Address(IpAddr),
    /// `localhost` or a name under `.localhost`: always this machine.
    LoopbackName,
    /// A name the resolver must look up; every address it gives is checked.
    Name { host: String, port: u16 },
}

/// Where deliveries go: an `https://` URL of at most 2,000 characters whose
/// host is public, or — when loopback is allowed — an `http://` or `https://`
/// URL on this machine's loopback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    raw: String,
    target: Target,
}

impl WebhookUrl {
    pub const MAX_LEN: usize = 2000;

    /// Checks the URL as written; a [`Target::Name`] must then be resolved and
    /// each address checked with [`address_allowed`].
    pub fn parse(field: &str, raw: &str, loopback: LoopbackUrls) -> Result<Self, ValidationErrors> {
        let ok = (raw.starts_with("https://") || raw.starts_with("http://"))
            && raw.len() <= Self::MAX_LEN
            && !raw.chars().any(char::is_whitespace);
        let parsed = url::Url::parse(raw).ok().filter(|_| ok);
        let Some((parsed, target)) = parsed.and_then(|u| target_of(&u).map(|t| (u, t))) else {
            return Err(ValidationErrors::single(
                field,
                "invalid_value",
                "must be an https:// URL",
            ));
        };
        let kind = match &target {
            Target::Address(ip) => address_kind(*ip),
            Target::LoopbackName => AddressKind::Loopback,
            Target::Name { .. } => AddressKind::Public,
        };
        let refusal = match kind {
            AddressKind::NonPublic => Some((
                "address_not_allowed",
                "must not point at a private, link-local, shared, reserved or otherwise non-public address",
            )),
            AddressKind::Loopback if loopback == LoopbackUrls::Refused => Some((
                "loopback_not_allowed",
                "must not point at a loopback address (127.0.0.0/8, ::1 or localhost)",
            )),
            AddressKind::Public if parsed.scheme() != "https" => Some((
                "https_required",
                "must be an https:// URL (http:// is only for loopback in development)",
            )),
            _ => None,
        };
        if let Some((code, message)) = refusal {
            return Err(ValidationErrors::single(field, code, message));
        }
        Ok(Self {
            raw: raw.to_owned(),
            target,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    pub fn target(&self) -> &Target {
        &self.target
    }
}

/// The URL's host as a target. The URL parser has already turned `127.1` or
/// `0x7f.0.0.1` into an address.
fn target_of(url: &url::Url) -> Option<Target> {
    match url.host()? {
        url::Host::Ipv4(ip) => Some(Target::Address(IpAddr::V4(ip))),
        url::Host::Ipv6(ip) => Some(Target::Address(IpAddr::V6(ip))),
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name.is_empty() {
                None
            } else if name == "localhost" || name.ends_with(".localhost") {
                Some(Target::LoopbackName)
            } else {
                Some(Target::Name {
                    host: name,
                    port: url.port_or_known_default()?,
                })
            }
        }
    }
}

/// 127.0.0.0/8 and ::1, also when written as an IPv4-mapped IPv6 address.
pub fn is_loopback(ip: IpAddr) -> bool {
    address_kind(ip) == AddressKind::Loopback
}

/// The events a webhook wants: names from the change feed, or `*` for all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTypes(Vec<String>);

impl EventTypes {
    /// Every name [`Self::parse`] accepts: `*` and each event type of the feed.
    pub fn names() -> Vec<String> {
        std::iter::once("*".to_owned())
            .chain(EventType::all().into_iter().map(EventType::name))
            .collect()
    }

    fn known(name: &str) -> bool {
        name == "*" || EventType::all().into_iter().any(|t| t.name() == name)
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
                    "use an event name from the change feed, such as submission.published or resource.published",
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
    /// Whether events are delivered; a disabled webhook gets none and its
    /// pending deliveries wait.
    pub active: bool,
    /// The admin who registered it; its events are those this admin may see.
    pub owner: Option<MemberId>,
    pub created_at: DateTime<Utc>,
}

impl Webhook {
    /// Whether `event` goes to this webhook: active, subscribed to its type,
    /// and about something its owner, as an admin, may see — never another
    /// member's draft. A webhook whose owner was erased sees what every admin sees.
    pub fn wants(&self, event: &LifecycleEvent) -> bool {
        let viewer = self.owner.unwrap_or(MemberId(Uuid::nil()));
        self.active
            && self
                .event_types
                .iter()
                .any(|t| t == "*" || *t == event.event_type)
            && event.visible_to(viewer, Role::Admin)
    }
}

/// A change to a webhook: each part present is applied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhookChange {
    pub active: Option<bool>,
    pub event_types: Option<EventTypes>,
    /// A new signing secret.
    pub secret: Option<String>,
}

/// Looks names up for the address check: the addresses `host` resolves to,
/// empty when it resolves to none (or not in time).
#[async_trait::async_trait]
pub trait HostResolver: Send + Sync {
    async fn resolve(&self, host: &str, port: u16) -> Vec<IpAddr>;
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
    pub event: LifecycleEvent,
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
    fn urls_must_be_https_without_spaces() {
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
    fn http_is_only_for_loopback_and_only_when_it_is_allowed() {
        for loopback in [LoopbackUrls::Allowed, LoopbackUrls::Refused] {
            let Err(errors) = WebhookUrl::parse("url", "http://example.org/h", loopback) else {
                panic!("accepted plain http to a public name");
            };
            assert_eq!(errors.errors()[0].code, "https_required");
        }
        let Err(errors) = WebhookUrl::parse("url", "http://10.1.2.3/h", LoopbackUrls::Allowed)
        else {
            panic!("accepted a private address");
        };
        assert_eq!(errors.errors()[0].code, "address_not_allowed");
    }

    fn kind(ip: &str) -> AddressKind {
        address_kind(ip.parse().unwrap_or_else(|e| panic!("{ip}: {e}")))
    }

    #[test]
    fn private_link_local_and_reserved_addresses_are_not_public() {
        for ip in [
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "0.0.0.0",
            "0.1.2.3",
            "192.0.0.8",
            "192.0.2.1",
            "198.18.0.1",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "ff02::1",
            "2001:db8::1",
            "3fff::1",
            "2001::1",
            "100::1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:192.168.1.1",
            "::10.0.0.1",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "2002:a00:1::1",
        ] {
            assert_eq!(kind(ip), AddressKind::NonPublic, "{ip}");
            assert!(
                !address_allowed(ip.parse().unwrap(), LoopbackUrls::Allowed),
                "{ip}"
            );
        }
    }

    #[test]
    fn loopback_is_its_own_kind_and_allowed_only_when_asked() {
        for ip in ["127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"] {
            assert_eq!(kind(ip), AddressKind::Loopback, "{ip}");
            assert!(is_loopback(ip.parse().unwrap()), "{ip}");
            assert!(address_allowed(ip.parse().unwrap(), LoopbackUrls::Allowed));
            assert!(!address_allowed(ip.parse().unwrap(), LoopbackUrls::Refused));
        }
    }

    #[test]
    fn public_addresses_are_public() {
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.255.255",
            "172.32.0.1",
            "192.169.0.1",
            "2606:4700::1111",
            "2001:4860:4860::8888",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert_eq!(kind(ip), AddressKind::Public, "{ip}");
            assert!(
                address_allowed(ip.parse().unwrap(), LoopbackUrls::Refused),
                "{ip}"
            );
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
        for url in ["https://example.org/h", "https://localhost.example.org/h"] {
            assert!(
                WebhookUrl::parse("url", url, LoopbackUrls::Refused).is_ok(),
                "{url}"
            );
        }
        for url in [
            "https://10.1.2.3/h",
            "https://169.254.169.254/latest/meta-data",
            "https://[fc00::1]/h",
            "https://[::ffff:10.0.0.1]/h",
            "https://0xa9fea9fe/h",
        ] {
            let Err(errors) = WebhookUrl::parse("url", url, LoopbackUrls::Allowed) else {
                panic!("accepted {url}");
            };
            assert_eq!(errors.errors()[0].code, "address_not_allowed", "{url}");
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
    fn an_admins_webhook_never_carries_other_peoples_drafts() {
        use crate::ids::SubmissionId;
        use crate::submission::Status;
        let admin = MemberId(Uuid::from_u128(9));
        let author = MemberId(Uuid::from_u128(1));
        let event = |by: MemberId, kind: EventType, from: Option<Status>, to: Option<Status>| {
            LifecycleEvent {
                seq: 1,
                id: Uuid::nil(),
                event_type: kind.name(),
                submission_id: Some(SubmissionId(Uuid::nil())),
                resource_id: None,
                author_id: Some(by),
                actor_id: Some(by),
                from_status: from,
                status: to,
                at: Utc::now(),
            }
        };
        let hook = |active: bool| Webhook {
            id: Uuid::nil(),
            url: "https://example.org/h".into(),
            event_types: vec!["*".into()],
            secret: "s".into(),
            active,
            owner: Some(admin),
            created_at: Utc::now(),
        };
        let draft = Some(Status::Draft);
        let others_created = event(author, EventType::Created, None, draft);
        let others_edit = event(author, EventType::Updated, draft, draft);
        let others_deleted = event(author, EventType::Deleted, draft, None);
        let others_withdrawn = event(
            author,
            EventType::Moved(Status::Withdrawn),
            draft,
            Some(Status::Withdrawn),
        );
        let others_submitted = event(
            author,
            EventType::Moved(Status::Submitted),
            draft,
            Some(Status::Submitted),
        );
        let own_draft = event(admin, EventType::Created, None, draft);

        for hidden in [
            &others_created,
            &others_edit,
            &others_deleted,
            &others_withdrawn,
        ] {
            assert!(!hook(true).wants(hidden), "{}", hidden.event_type);
        }
        assert!(hook(true).wants(&others_submitted));
        assert!(hook(true).wants(&own_draft));
        assert!(!hook(false).wants(&others_submitted), "disabled");
    }

    #[test]
    fn event_names_are_exactly_the_feeds() {
        for (name, known) in [
            ("*", true),
            ("submission.published", true),
            ("submission.changes_requested", true),
            ("submission.adopted", true),
            ("resource.published", true),
            ("submission.", false),
            ("submission.anything", false),
            ("", false),
            ("submission.Published", false),
            ("review.created", false),
        ] {
            assert_eq!(EventTypes::known(name), known, "{name}");
            assert_eq!(
                EventTypes::names().iter().any(|n| n == name),
                known,
                "{name}"
            );
        }
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let now = Utc::now();
        assert_eq!(next_attempt(1, now) - now, Duration::seconds(2));
        assert_eq!(next_attempt(3, now) - now, Duration::seconds(8));
        assert_eq!(next_attempt(40, now) - now, Duration::seconds(3600));
    }
}
