//! Personal access tokens: long-lived secrets a member gives a third-party
//! client, limited to named scopes and an expiry. Only a hash is stored.

mod use_cases;

pub use use_cases::{
    CreateTokenError, MAX_LIVE_TOKENS, NewTokenRequest, RevokeTokenError, TokenService,
};

use crate::ValidationErrors;
use crate::audit::AuditEntry;
use crate::ids::MemberId;
use crate::member::Role;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// What a token may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Read submissions, their history, files and the change feed.
    SubmissionsRead,
    /// Create, change and move submissions through their lifecycle.
    SubmissionsWrite,
    /// Read quarterly reports (admins only).
    ReportsRead,
}

impl Scope {
    pub const ALL: [Scope; 3] = [
        Scope::SubmissionsRead,
        Scope::SubmissionsWrite,
        Scope::ReportsRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::SubmissionsRead => "submissions:read",
            Scope::SubmissionsWrite => "submissions:write",
            Scope::ReportsRead => "reports:read",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    fn bit(self) -> u8 {
        match self {
            Scope::SubmissionsRead => 1,
            Scope::SubmissionsWrite => 2,
            Scope::ReportsRead => 4,
        }
    }

    /// Whether a member with `role` may hold this scope.
    pub fn allowed_for(self, role: Role) -> bool {
        match self {
            Scope::ReportsRead => role.is_admin(),
            Scope::SubmissionsRead | Scope::SubmissionsWrite => true,
        }
    }
}

/// A set of scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scopes(u8);

impl Scopes {
    /// Every scope `role` may hold: what a signed-in session may do.
    pub fn for_role(role: Role) -> Self {
        Self::of(Scope::ALL.into_iter().filter(|s| s.allowed_for(role)))
    }

    fn of(scopes: impl IntoIterator<Item = Scope>) -> Self {
        Self(scopes.into_iter().fold(0, |bits, s| bits | s.bit()))
    }

    /// Only the scopes `role` may still hold, so a lost role is not honoured.
    pub fn limited_to(self, role: Role) -> Self {
        Self(self.0 & Self::for_role(role).0)
    }

    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    /// Space-separated, as stored.
    pub fn to_stored(self) -> String {
        self.iter().map(Scope::as_str).collect::<Vec<_>>().join(" ")
    }

    /// Reads the stored form; unknown words are dropped, never widened.
    pub fn from_stored(raw: &str) -> Self {
        Self::of(raw.split_whitespace().filter_map(Scope::parse))
    }

    /// Checks requested scopes: each known, at least one, each allowed for `role`.
    pub fn parse(field: &str, raw: &[String], role: Role) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if raw.is_empty() {
            errors.add(field, "required", "name at least one scope");
        }
        let mut scopes = Vec::new();
        for (i, word) in raw.iter().enumerate() {
            match Scope::parse(word) {
                None => errors.add(
                    format!("{field}[{i}]"),
                    "unknown_code",
                    format!(
                        "'{word}' is not a scope; use one of {}",
                        Scope::ALL.map(Scope::as_str).join(", ")
                    ),
                ),
                Some(scope) if !scope.allowed_for(role) => errors.add(
                    format!("{field}[{i}]"),
                    "not_allowed",
                    format!("only admins may hold '{word}'"),
                ),
                Some(scope) if scopes.contains(&scope) => errors.add(
                    format!("{field}[{i}]"),
                    "duplicate",
                    format!("'{word}' is named twice"),
                ),
                Some(scope) => scopes.push(scope),
            }
        }
        errors.into_result()?;
        Ok(Self::of(scopes))
    }
}

/// The marker every personal access token starts with, so leaked ones are recognisable.
pub const TOKEN_PREFIX: &str = "hub_pat_";

/// A token's secret as the client sends it.
pub struct TokenSecret(String);

impl TokenSecret {
    /// A new secret from 32 random bytes.
    pub fn new(random: [u8; 32]) -> Self {
        Self(format!("{TOKEN_PREFIX}{}", hex::encode(random)))
    }

    /// Recognises a presented bearer token as a personal access token.
    pub fn recognise(presented: &str) -> Option<Self> {
        presented
            .starts_with(TOKEN_PREFIX)
            .then(|| Self(presented.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What is stored: the SHA-256 of the secret, in hex.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

/// A token's name, chosen by the member: 1–100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenName(String);

impl TokenName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationErrors> {
        let trimmed = raw.trim();
        let length = trimmed.chars().count();
        if length == 0 {
            Err(ValidationErrors::single(
                field,
                "required",
                "give the token a name",
            ))
        } else if length > Self::MAX_CHARS {
            Err(ValidationErrors::single(
                field,
                "too_long",
                format!(
                    "must be at most {} characters (got {length})",
                    Self::MAX_CHARS
                ),
            ))
        } else if trimmed.chars().any(char::is_control) {
            Err(ValidationErrors::single(
                field,
                "invalid",
                "must not contain control characters",
            ))
        } else {
            Ok(Self(trimmed.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How long a new token lives: 90 days unless asked, at most 366.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLifetime {
    days: i64,
}

impl TokenLifetime {
    pub const DEFAULT_DAYS: i64 = 90;
    pub const MAX_DAYS: i64 = 366;

    pub fn parse(field: &str, days: Option<i64>) -> Result<Self, ValidationErrors> {
        let days = days.unwrap_or(Self::DEFAULT_DAYS);
        if (1..=Self::MAX_DAYS).contains(&days) {
            Ok(Self { days })
        } else {
            Err(ValidationErrors::single(
                field,
                "out_of_range",
                format!("must be 1 to {} (got {days})", Self::MAX_DAYS),
            ))
        }
    }

    /// When a token made at `now` stops working.
    pub fn expires_at(self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + Duration::days(self.days)
    }
}

/// A personal access token as stored (never its secret).
#[derive(Debug, Clone, PartialEq)]
pub struct AccessToken {
    pub id: Uuid,
    pub member_id: MemberId,
    pub name: String,
    pub scopes: Scopes,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl AccessToken {
    /// Usable now: neither revoked nor expired.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

/// How often one use of a token with one scope is recorded: its
/// `last_used_at` and an `access_token_used` audit entry, at most once a
/// minute per token and scope, so reads stay reads.
pub const USE_RECORDED_EVERY: Duration = Duration::seconds(60);

/// Whether a use at `now` is to be recorded, when the last one recorded for
/// the token and scope was at `last`.
pub fn use_to_record(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last.is_none_or(|at| now - at >= USE_RECORDED_EVERY)
}

/// The audit entry of a token's use: who, which token, with which scope, on
/// which route.
pub fn use_audit(
    member: MemberId,
    token: Uuid,
    scope: Scope,
    method: &str,
    route: &str,
) -> AuditEntry {
    AuditEntry::new("access_token_used", Some(member))
        .target("access_token", token)
        .details(serde_json::json!({
            "scope": scope.as_str(),
            "method": method,
            "route": route,
        }))
}

/// A token about to be stored.
pub struct NewAccessToken {
    pub id: Uuid,
    pub member_id: MemberId,
    pub name: TokenName,
    pub scopes: Scopes,
    pub secret_hash: String,
    pub expires_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_through_storage() {
        let scopes = Scopes::parse(
            "scopes",
            &["submissions:write".into(), "submissions:read".into()],
            Role::Member,
        );
        let Ok(scopes) = scopes else {
            panic!("valid scopes refused")
        };
        assert_eq!(scopes.to_stored(), "submissions:read submissions:write");
        assert_eq!(Scopes::from_stored(&scopes.to_stored()), scopes);
        assert!(!scopes.contains(Scope::ReportsRead));
    }

    #[test]
    fn members_cannot_ask_for_reports_and_unknown_scopes_are_named() {
        let Err(errors) = Scopes::parse(
            "scopes",
            &["reports:read".into(), "everything".into()],
            Role::Member,
        ) else {
            panic!("accepted")
        };
        let fields: Vec<_> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["scopes[0]", "scopes[1]"]);
        assert!(Scopes::parse("scopes", &["reports:read".into()], Role::Admin).is_ok());
        assert!(Scopes::parse("scopes", &[], Role::Admin).is_err());
    }

    #[test]
    fn sessions_hold_what_their_role_allows() {
        assert!(!Scopes::for_role(Role::Member).contains(Scope::ReportsRead));
        assert!(Scopes::for_role(Role::Admin).contains(Scope::ReportsRead));
        assert!(Scopes::for_role(Role::Reviewer).contains(Scope::SubmissionsWrite));
    }

    #[test]
    fn secrets_are_recognised_by_prefix_and_stored_as_a_hash() {
        let secret = TokenSecret::new([7; 32]);
        assert!(secret.expose().starts_with("hub_pat_"));
        assert_eq!(secret.hash().len(), 64);
        assert_ne!(secret.hash(), secret.expose());
        assert!(TokenSecret::recognise("eyJhbGciOi.x.y").is_none());
        assert_eq!(
            TokenSecret::recognise(secret.expose()).map(|s| s.hash()),
            Some(secret.hash())
        );
    }

    #[test]
    fn lifetimes_default_to_ninety_days_and_stay_within_a_year_and_a_day() {
        let now = Utc::now();
        assert_eq!(
            TokenLifetime::parse("expires_in_days", None).map(|l| l.expires_at(now)),
            Ok(now + Duration::days(90))
        );
        assert!(TokenLifetime::parse("expires_in_days", Some(366)).is_ok());
        assert!(TokenLifetime::parse("expires_in_days", Some(1)).is_ok());
        for days in [0, -1, 367] {
            let Err(errors) = TokenLifetime::parse("expires_in_days", Some(days)) else {
                panic!("{days} days accepted");
            };
            assert_eq!(errors.errors()[0].code, "out_of_range");
            assert_eq!(
                errors.errors()[0].message,
                format!("must be 1 to 366 (got {days})")
            );
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            TokenName::parse("name", "  CI bot ").map(|n| n.as_str().to_owned()),
            Ok("CI bot".to_owned())
        );
        assert!(TokenName::parse("name", " ").is_err());
        assert!(TokenName::parse("name", &"x".repeat(101)).is_err());
    }
}
