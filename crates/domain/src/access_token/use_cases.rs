//! What a member does with their personal access tokens: create one (its
//! secret shown once), list them, revoke one.

use super::{AccessToken, NewAccessToken, Scopes, TokenLifetime, TokenName, TokenSecret};
use crate::actor::Context;
use crate::audit::AuditEntry;
use crate::repository::{AccessTokenRepository, StorageError, WriteError};
use crate::validation::ValidationErrors;
use std::sync::Arc;
use uuid::Uuid;

/// The token use cases, over the ports they need.
#[derive(Clone)]
pub struct TokenService {
    tokens: Arc<dyn AccessTokenRepository>,
}

/// Live (not revoked, not expired) tokens a member may hold: tokens share
/// their member's request budget, and this bounds what a leak can reach.
pub const MAX_LIVE_TOKENS: u64 = 20;

/// A token as asked for, before any part is checked.
#[derive(Debug, Clone)]
pub struct NewTokenRequest {
    pub name: String,
    pub scopes: Vec<String>,
    pub expires_in_days: Option<i64>,
}

/// Why a token was not created.
#[derive(Debug, thiserror::Error)]
pub enum CreateTokenError {
    #[error(transparent)]
    Invalid(ValidationErrors),
    /// The member already has `MAX_LIVE_TOKENS` live tokens.
    #[error("at most {MAX_LIVE_TOKENS} live tokens per member; revoke one first")]
    TooMany,
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Why a token was not revoked.
#[derive(Debug, thiserror::Error)]
pub enum RevokeTokenError {
    #[error("you have no token with this id")]
    NotFound,
    #[error(transparent)]
    Write(WriteError),
}

impl TokenService {
    /// Each write records its own audit entry, in its transaction.
    pub fn new(tokens: Arc<dyn AccessTokenRepository>) -> Self {
        Self { tokens }
    }

    /// Creates a token for the actor, holding only scopes their role allows;
    /// `random` makes its secret, returned beside it and never stored.
    pub async fn create(
        &self,
        ctx: &Context,
        request: &NewTokenRequest,
        random: [u8; 32],
    ) -> Result<(AccessToken, TokenSecret), CreateTokenError> {
        let mut errors = ValidationErrors::new();
        let name = errors.collect(TokenName::parse("name", &request.name));
        let scopes = errors.collect(Scopes::parse("scopes", &request.scopes, ctx.actor.role));
        let lifetime = errors.collect(TokenLifetime::parse(
            "expires_in_days",
            request.expires_in_days,
        ));
        let (Some(name), Some(scopes), Some(lifetime)) = (name, scopes, lifetime) else {
            return Err(CreateTokenError::Invalid(errors));
        };
        let secret = TokenSecret::new(random);
        let id = Uuid::now_v7();
        let audit = AuditEntry::new("access_token_created", Some(ctx.actor.id))
            .target("access_token", id)
            .request(ctx.request_id.clone());
        let token = self
            .tokens
            .create(
                NewAccessToken {
                    id,
                    member_id: ctx.actor.id,
                    name,
                    scopes,
                    secret_hash: secret.hash(),
                    expires_at: lifetime.expires_at(ctx.now),
                },
                MAX_LIVE_TOKENS,
                &audit,
            )
            .await?
            .ok_or(CreateTokenError::TooMany)?;
        tracing::info!(token = %token.id, "personal access token created");
        Ok((token, secret))
    }

    /// The actor's tokens, newest first, revoked ones included.
    pub async fn list(&self, ctx: &Context) -> Result<Vec<AccessToken>, StorageError> {
        self.tokens.list(ctx.actor.id).await
    }

    /// Revokes one of the actor's own tokens (again is fine).
    pub async fn revoke(&self, ctx: &Context, id: Uuid) -> Result<(), RevokeTokenError> {
        let audit = AuditEntry::new("access_token_revoked", Some(ctx.actor.id))
            .target("access_token", id)
            .request(ctx.request_id.clone());
        self.tokens
            .revoke(ctx.actor.id, id, &audit)
            .await
            .map_err(|e| match e {
                WriteError::NotFound => RevokeTokenError::NotFound,
                other => RevokeTokenError::Write(other),
            })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Actor;
    use crate::audit::fakes::MemoryAudit;
    use crate::ids::MemberId;
    use crate::member::Role;
    use async_trait::async_trait;
    use chrono::{DateTime, Duration, Utc};
    use std::sync::Mutex;

    /// Tokens in memory; each write's audit entry goes to the shared log.
    struct MemoryTokens(Mutex<Vec<AccessToken>>, Arc<MemoryAudit>);

    #[async_trait]
    impl AccessTokenRepository for MemoryTokens {
        async fn create(
            &self,
            token: NewAccessToken,
            max_live: u64,
            audit: &AuditEntry,
        ) -> Result<Option<AccessToken>, WriteError> {
            let now = Utc::now();
            let live = self
                .0
                .lock()
                .unwrap()
                .iter()
                .filter(|t| {
                    t.member_id == token.member_id && t.revoked_at.is_none() && t.is_live(now)
                })
                .count();
            if live as u64 >= max_live {
                return Ok(None);
            }
            self.1.0.lock().unwrap().push(audit.clone());
            let stored = AccessToken {
                id: token.id,
                member_id: token.member_id,
                name: token.name.as_str().to_owned(),
                scopes: token.scopes,
                created_at: Utc::now(),
                expires_at: token.expires_at,
                last_used_at: None,
                revoked_at: None,
            };
            self.0.lock().unwrap().push(stored.clone());
            Ok(Some(stored))
        }

        async fn list(&self, member: MemberId) -> Result<Vec<AccessToken>, StorageError> {
            let tokens = self.0.lock().unwrap();
            Ok(tokens
                .iter()
                .filter(|t| t.member_id == member)
                .cloned()
                .collect())
        }

        async fn revoke(
            &self,
            member: MemberId,
            id: Uuid,
            audit: &AuditEntry,
        ) -> Result<(), WriteError> {
            let mut tokens = self.0.lock().unwrap();
            let token = tokens
                .iter_mut()
                .find(|t| t.id == id && t.member_id == member)
                .ok_or(WriteError::NotFound)?;
            token.revoked_at.get_or_insert(Utc::now());
            self.1.0.lock().unwrap().push(audit.clone());
            Ok(())
        }

        async fn find_by_hash(&self, _: &str) -> Result<Option<AccessToken>, StorageError> {
            Ok(None)
        }

        async fn record_use(
            &self,
            _: Uuid,
            _: crate::access_token::Scope,
            _: DateTime<Utc>,
            _: &crate::audit::AuditEntry,
        ) -> Result<bool, StorageError> {
            Ok(true)
        }
    }

    fn service() -> (TokenService, Arc<MemoryAudit>) {
        let audit = Arc::new(MemoryAudit::default());
        let service = TokenService::new(Arc::new(MemoryTokens(Mutex::default(), audit.clone())));
        (service, audit)
    }

    fn ctx(role: Role) -> Context {
        Context::new(Actor::new(MemberId::generate(), role), Some("req-1".into()))
    }

    fn request(scopes: &[&str], days: Option<i64>) -> NewTokenRequest {
        NewTokenRequest {
            name: "CI bot".into(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            expires_in_days: days,
        }
    }

    #[tokio::test]
    async fn a_token_expires_after_its_lifetime_and_its_creation_is_audited() {
        let (service, audit) = service();
        let ctx = ctx(Role::Member);

        let (token, secret) = service
            .create(&ctx, &request(&["submissions:read"], Some(30)), [1; 32])
            .await
            .unwrap();

        assert_eq!(token.expires_at, ctx.now + Duration::days(30));
        assert!(secret.expose().starts_with("hub_pat_"));
        let entries = audit.0.lock().unwrap();
        assert_eq!(entries[0].action, "access_token_created");
        assert_eq!(entries[0].request_id.as_deref(), Some("req-1"));
    }

    #[tokio::test]
    async fn every_invalid_part_is_named_at_once() {
        let (service, _) = service();
        let mut asked = request(&["reports:read"], Some(400));
        asked.name = " ".into();

        let refused = service.create(&ctx(Role::Member), &asked, [1; 32]).await;

        let Err(CreateTokenError::Invalid(errors)) = refused else {
            panic!("accepted");
        };
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "scopes[0]", "expires_in_days"]);
    }

    #[tokio::test]
    async fn only_the_owner_revokes_a_token() {
        let (service, _) = service();
        let owner = ctx(Role::Member);
        let (token, _) = service
            .create(&owner, &request(&["submissions:read"], None), [2; 32])
            .await
            .unwrap();

        let by_other = service.revoke(&ctx(Role::Admin), token.id).await;
        let by_owner = service.revoke(&owner, token.id).await;

        assert!(matches!(by_other, Err(RevokeTokenError::NotFound)));
        assert!(by_owner.is_ok());
        assert!(service.list(&owner).await.unwrap()[0].revoked_at.is_some());
    }
}
