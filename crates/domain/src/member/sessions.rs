//! Sign-in sessions and what ends them: a logout ends the session it is sent
//! with; a password change ends every other session of the member; an account
//! erasure, and a password change, first ask for the password again.
//! Personal access tokens are not sessions: neither a logout nor a password
//! change touches them (they are listed and revoked on their own).

use super::Password;
use crate::actor::Context;
use crate::audit::{AuditEntry, AuditLog};
use crate::repository::{SessionRepository, StorageError, WriteError};
use crate::validation::ValidationErrors;
use async_trait::async_trait;
use std::sync::Arc;
use uuid::Uuid;

/// How passwords are checked and hashed (argon2id, off the request threads).
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Whether `candidate` matches `stored`; with no stored hash it still takes
    /// as long, and is false.
    async fn verify(&self, candidate: String, stored: Option<String>) -> bool;
    async fn hash(&self, password: Password) -> Result<String, StorageError>;
}

/// Proof that the actor typed their password again just now; only
/// [`SessionService::confirm_password`] makes one, and erasing an account
/// needs one.
#[derive(Debug)]
pub struct PasswordConfirmed(());

#[cfg(test)]
impl PasswordConfirmed {
    /// As if the password had been typed, for unit tests of what needs it.
    pub(crate) fn assumed() -> Self {
        Self(())
    }
}

/// A password change as sent.
#[derive(Debug, Clone, Default)]
pub struct PasswordChange {
    pub current_password: Option<String>,
    pub new_password: Option<String>,
}

/// Why a password was not confirmed, or not changed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// Each field missing, wrong or not a valid password, named.
    #[error(transparent)]
    Invalid(ValidationErrors),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why a logout did not happen.
#[derive(Debug, thiserror::Error)]
pub enum LogoutError {
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// The session use cases, over the ports they need.
#[derive(Clone)]
pub struct SessionService {
    sessions: Arc<dyn SessionRepository>,
    hasher: Arc<dyn PasswordHasher>,
    audit: AuditLog,
}

const WRONG_PASSWORD: &str = "wrong_password";
const REQUIRED: &str = "required";

impl SessionService {
    pub fn new(
        sessions: Arc<dyn SessionRepository>,
        hasher: Arc<dyn PasswordHasher>,
        audit: AuditLog,
    ) -> Self {
        Self {
            sessions,
            hasher,
            audit,
        }
    }

    /// Whether `candidate` is the actor's password; an error naming `field`
    /// when it is missing or wrong.
    async fn check(
        &self,
        ctx: &Context,
        field: &str,
        candidate: Option<&str>,
    ) -> Result<Result<(), ValidationErrors>, StorageError> {
        let Some(candidate) = candidate.filter(|c| !c.is_empty()) else {
            return Ok(Err(ValidationErrors::single(
                field,
                REQUIRED,
                "type your password again to do this",
            )));
        };
        let stored = self.sessions.password_hash(ctx.actor.id).await?;
        if self.hasher.verify(candidate.to_owned(), stored).await {
            Ok(Ok(()))
        } else {
            Ok(Err(ValidationErrors::single(
                field,
                WRONG_PASSWORD,
                "is not your password",
            )))
        }
    }

    /// Checks the actor's password again before something that cannot be
    /// undone, such as erasing the account.
    pub async fn confirm_password(
        &self,
        ctx: &Context,
        password: Option<&str>,
    ) -> Result<PasswordConfirmed, PasswordError> {
        match self.check(ctx, "password", password).await? {
            Ok(()) => Ok(PasswordConfirmed(())),
            Err(errors) => {
                self.refused(ctx).await;
                Err(PasswordError::Invalid(errors))
            }
        }
    }

    /// Ends the session `session` of the actor; its token is refused from now on.
    pub async fn logout(&self, ctx: &Context, session: Uuid) -> Result<(), LogoutError> {
        self.sessions.revoke(ctx.actor.id, session, ctx.now).await?;
        self.audit
            .record(
                AuditEntry::new("logged_out", Some(ctx.actor.id))
                    .target("member", ctx.actor.id.0)
                    .request(ctx.request_id.clone()),
            )
            .await;
        Ok(())
    }

    /// Changes the actor's password. The new one obeys the rule registration
    /// does; the current one must be typed. Every other session of the actor
    /// ends; the session `keep` the change was made in goes on. Personal
    /// access tokens are left alone.
    pub async fn change_password(
        &self,
        ctx: &Context,
        keep: Uuid,
        change: PasswordChange,
    ) -> Result<(), PasswordError> {
        let mut errors = ValidationErrors::new();
        let new = match change.new_password.as_deref() {
            Some(raw) => errors.collect(Password::parse("new_password", raw)),
            None => {
                errors.add("new_password", REQUIRED, "send the new password");
                None
            }
        };
        let current = self
            .check(ctx, "current_password", change.current_password.as_deref())
            .await?;
        let current_wrong = current.is_err();
        errors.collect(current);
        if current_wrong {
            self.refused(ctx).await;
        }
        errors.into_result().map_err(PasswordError::Invalid)?;
        let Some(new) = new else {
            return Err(PasswordError::Invalid(ValidationErrors::single(
                "new_password",
                REQUIRED,
                "send the new password",
            )));
        };
        let hash = self.hasher.hash(new).await?;
        let audit = AuditEntry::new("password_changed", Some(ctx.actor.id))
            .target("member", ctx.actor.id.0)
            .details(serde_json::json!({"other_sessions": "revoked"}))
            .request(ctx.request_id.clone());
        self.sessions
            .change_password(ctx.actor.id, hash, keep, ctx.now, &audit)
            .await?;
        Ok(())
    }

    /// Audits a password typed wrong, or not typed, where it was asked again.
    async fn refused(&self, ctx: &Context) {
        self.audit
            .record(
                AuditEntry::new("password_confirmation_failed", Some(ctx.actor.id))
                    .target("member", ctx.actor.id.0)
                    .request(ctx.request_id.clone()),
            )
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Actor;
    use crate::audit::fakes::MemoryAudit;
    use crate::ids::MemberId;
    use crate::member::Role;
    use chrono::{DateTime, Utc};
    use std::sync::Mutex;

    /// Sessions in memory: (id, member, revoked); the password hash is the
    /// password itself, prefixed.
    #[derive(Default)]
    struct Memory {
        sessions: Mutex<Vec<(Uuid, MemberId, bool)>>,
        hash: Mutex<Option<String>>,
        /// Where a write's own audit entry goes.
        audit: Arc<MemoryAudit>,
    }

    #[async_trait]
    impl SessionRepository for Memory {
        async fn start(
            &self,
            id: Uuid,
            member: MemberId,
            _: DateTime<Utc>,
        ) -> Result<(), StorageError> {
            self.sessions.lock().unwrap().push((id, member, false));
            Ok(())
        }

        async fn live(
            &self,
            id: Uuid,
            _: DateTime<Utc>,
        ) -> Result<Option<(MemberId, Role)>, StorageError> {
            Ok(self
                .sessions
                .lock()
                .unwrap()
                .iter()
                .find(|s| s.0 == id && !s.2)
                .map(|s| (s.1, Role::Member)))
        }

        async fn revoke(
            &self,
            member: MemberId,
            id: Uuid,
            _: DateTime<Utc>,
        ) -> Result<(), WriteError> {
            for s in self.sessions.lock().unwrap().iter_mut() {
                if s.0 == id && s.1 == member {
                    s.2 = true;
                }
            }
            Ok(())
        }

        async fn password_hash(&self, _: MemberId) -> Result<Option<String>, StorageError> {
            Ok(self.hash.lock().unwrap().clone())
        }

        async fn change_password(
            &self,
            member: MemberId,
            password_hash: String,
            keep: Uuid,
            _: DateTime<Utc>,
            audit: &AuditEntry,
        ) -> Result<(), WriteError> {
            self.audit.0.lock().unwrap().push(audit.clone());
            *self.hash.lock().unwrap() = Some(password_hash);
            for s in self.sessions.lock().unwrap().iter_mut() {
                if s.1 == member && s.0 != keep {
                    s.2 = true;
                }
            }
            Ok(())
        }
    }

    struct Plain;

    #[async_trait]
    impl PasswordHasher for Plain {
        async fn verify(&self, candidate: String, stored: Option<String>) -> bool {
            stored.is_some_and(|s| s == format!("hash:{candidate}"))
        }

        async fn hash(&self, password: Password) -> Result<String, StorageError> {
            Ok(format!("hash:{}", password.expose()))
        }
    }

    const OLD: &str = "old password of ten";
    const NEW: &str = "new password of ten";

    fn service() -> (SessionService, Arc<Memory>, Arc<MemoryAudit>, Context) {
        let audit = Arc::new(MemoryAudit::default());
        let memory = Arc::new(Memory {
            audit: audit.clone(),
            ..Memory::default()
        });
        *memory.hash.lock().unwrap() = Some(format!("hash:{OLD}"));
        let service = SessionService::new(
            memory.clone(),
            Arc::new(Plain),
            AuditLog::new(audit.clone()),
        );
        let ctx = Context::new(Actor::new(MemberId::generate(), Role::Member), None);
        (service, memory, audit, ctx)
    }

    fn fields(error: PasswordError) -> Vec<(String, String)> {
        match error {
            PasswordError::Invalid(errors) => errors
                .errors()
                .iter()
                .map(|e| (e.field.clone(), e.code.clone()))
                .collect(),
            other => panic!("not a validation error: {other}"),
        }
    }

    fn actions(audit: &MemoryAudit) -> Vec<String> {
        audit
            .0
            .lock()
            .unwrap()
            .iter()
            .map(|e| e.action.clone())
            .collect()
    }

    fn change(current: Option<&str>, new: Option<&str>) -> PasswordChange {
        PasswordChange {
            current_password: current.map(str::to_owned),
            new_password: new.map(str::to_owned),
        }
    }

    #[tokio::test]
    async fn a_password_change_needs_the_current_password_and_a_valid_new_one() {
        let (service, memory, _, ctx) = service();
        let keep = Uuid::new_v4();
        let wrong = service
            .change_password(&ctx, keep, change(Some("not the password"), Some(NEW)))
            .await
            .unwrap_err();
        assert_eq!(
            fields(wrong),
            [("current_password".into(), WRONG_PASSWORD.into())]
        );
        let short = service
            .change_password(&ctx, keep, change(Some(OLD), Some("short")))
            .await
            .unwrap_err();
        assert_eq!(fields(short), [("new_password".into(), "too_short".into())]);
        let neither = service
            .change_password(&ctx, keep, change(None, None))
            .await
            .unwrap_err();
        assert_eq!(
            fields(neither),
            [
                ("new_password".into(), REQUIRED.into()),
                ("current_password".into(), REQUIRED.into())
            ]
        );
        assert_eq!(*memory.hash.lock().unwrap(), Some(format!("hash:{OLD}")));
    }

    #[tokio::test]
    async fn a_password_change_ends_every_other_session_and_keeps_this_one() {
        let (service, memory, audit, ctx) = service();
        let this = Uuid::new_v4();
        let other = Uuid::new_v4();
        let someone_else = Uuid::new_v4();
        let later = Utc::now();
        memory.start(this, ctx.actor.id, later).await.unwrap();
        memory.start(other, ctx.actor.id, later).await.unwrap();
        memory
            .start(someone_else, MemberId::generate(), later)
            .await
            .unwrap();
        service
            .change_password(&ctx, this, change(Some(OLD), Some(NEW)))
            .await
            .unwrap();
        assert!(memory.live(this, later).await.unwrap().is_some());
        assert!(memory.live(other, later).await.unwrap().is_none());
        assert!(memory.live(someone_else, later).await.unwrap().is_some());
        assert_eq!(*memory.hash.lock().unwrap(), Some(format!("hash:{NEW}")));
        assert!(actions(&audit).contains(&"password_changed".to_owned()));
    }

    #[tokio::test]
    async fn a_logout_ends_only_its_own_session_and_is_audited() {
        let (service, memory, audit, ctx) = service();
        let this = Uuid::new_v4();
        let other = Uuid::new_v4();
        memory.start(this, ctx.actor.id, Utc::now()).await.unwrap();
        memory.start(other, ctx.actor.id, Utc::now()).await.unwrap();
        service.logout(&ctx, this).await.unwrap();
        assert!(memory.live(this, Utc::now()).await.unwrap().is_none());
        assert!(memory.live(other, Utc::now()).await.unwrap().is_some());
        assert!(actions(&audit).contains(&"logged_out".to_owned()));
    }

    #[tokio::test]
    async fn confirming_needs_the_right_password() {
        let (service, _, _, ctx) = service();
        let missing = service.confirm_password(&ctx, None).await.unwrap_err();
        assert_eq!(fields(missing), [("password".into(), REQUIRED.into())]);
        let wrong = service
            .confirm_password(&ctx, Some("not the password"))
            .await
            .unwrap_err();
        assert_eq!(fields(wrong), [("password".into(), WRONG_PASSWORD.into())]);
        assert!(service.confirm_password(&ctx, Some(OLD)).await.is_ok());
    }
}
