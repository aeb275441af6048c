//! What members do with their own account — register, read and change their
//! profile, export or erase everything held about them — and what admins do
//! to members: give them another role.

use super::{
    Demographics, DemographicsPatch, DisplayName, Email, Member, NewMember, Password,
    PasswordConfirmed, RecordedDemographics, Role,
};
use crate::actor::Context;
use crate::audit::{AuditEntry, AuditLog};
use crate::ids::{MemberId, SubmissionId};
use crate::repository::{
    MemberRepository, ReviewRepository, StorageError, SubmissionRepository, WriteError,
};
use crate::review::Review;
use crate::submission::{Status, Submission};
use crate::taxonomy::Taxonomy;
use crate::validation::ValidationErrors;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// What the member use cases read of a member's work.
#[async_trait]
pub trait MemberWork: Send + Sync {
    /// Everything a member wrote, drafts included, newest first.
    async fn authored_by(&self, author: MemberId) -> Result<Vec<Submission>, StorageError>;
    /// Reviews a member wrote, oldest first.
    async fn reviews_by(&self, reviewer: MemberId) -> Result<Vec<Review>, StorageError>;
    /// The demographics recorded with the member's submissions, oldest first.
    async fn recorded_demographics(
        &self,
        author: MemberId,
    ) -> Result<Vec<RecordedDemographics>, StorageError>;
}

#[async_trait]
impl<T: SubmissionRepository + ReviewRepository + ?Sized> MemberWork for T {
    async fn authored_by(&self, author: MemberId) -> Result<Vec<Submission>, StorageError> {
        SubmissionRepository::authored_by(self, author).await
    }

    async fn reviews_by(&self, reviewer: MemberId) -> Result<Vec<Review>, StorageError> {
        ReviewRepository::reviews_by(self, reviewer).await
    }

    async fn recorded_demographics(
        &self,
        author: MemberId,
    ) -> Result<Vec<RecordedDemographics>, StorageError> {
        SubmissionRepository::recorded_demographics(self, author).await
    }
}

/// The member use cases, over the ports they need.
#[derive(Clone)]
pub struct MemberService {
    members: Arc<dyn MemberRepository>,
    work: Arc<dyn MemberWork>,
    audit: AuditLog,
    taxonomy: Arc<Taxonomy>,
}

/// A registration whose every field parsed.
#[derive(Debug, Clone)]
pub struct Registration {
    pub email: Email,
    pub password: Password,
    pub display_name: DisplayName,
}

impl Registration {
    /// The registration, or every field that is not valid.
    pub fn parse(
        email: &str,
        password: &str,
        display_name: &str,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let email = errors.collect(Email::parse("email", email));
        let password = errors.collect(Password::parse("password", password));
        let display_name = errors.collect(DisplayName::parse("display_name", display_name));
        match (email, password, display_name) {
            (Some(email), Some(password), Some(display_name)) => Ok(Self {
                email,
                password,
                display_name,
            }),
            _ => Err(errors),
        }
    }
}

/// A change to the caller's profile as sent; `None` leaves a part alone.
#[derive(Debug, Clone, Default)]
pub struct ProfileChange {
    pub display_name: Option<String>,
    pub demographics: DemographicsPatch,
    /// Values sent a second way (grouped under `demographics`) that the
    /// first way overrides: never stored, but checked like the rest, so that
    /// nothing invalid is accepted silently.
    pub overridden: DemographicsPatch,
}

/// Everything the hub holds about a member.
#[derive(Debug, Clone)]
pub struct MemberData {
    pub exported_at: DateTime<Utc>,
    pub profile: Member,
    /// Everything the member wrote, drafts included.
    pub submissions: Vec<Submission>,
    /// The demographics recorded with those submitted, as at their first submit.
    pub recorded_demographics: Vec<RecordedDemographics>,
    pub reviews: Vec<Review>,
    /// Audit entries of the member's own actions.
    pub activity: Vec<AuditEntry>,
}

/// Why a registration was not stored.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Why the caller's own data was not read.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// Erased between authentication and now.
    #[error("the member no longer exists")]
    Gone,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why a profile was not changed.
#[derive(Debug, thiserror::Error)]
pub enum UpdateProfileError {
    #[error(transparent)]
    Invalid(ValidationErrors),
    #[error("the member no longer exists")]
    Gone,
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why a role was not changed.
#[derive(Debug, thiserror::Error)]
pub enum SetRoleError {
    #[error("only admins may do this")]
    NotAdmin,
    #[error(transparent)]
    Invalid(ValidationErrors),
    #[error("no member with this id")]
    NotFound,
    #[error(transparent)]
    Write(WriteError),
}

/// Why an erasure did not happen.
#[derive(Debug, thiserror::Error)]
pub enum EraseError {
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<ProfileError> for UpdateProfileError {
    fn from(error: ProfileError) -> Self {
        match error {
            ProfileError::Gone => UpdateProfileError::Gone,
            ProfileError::Storage(error) => UpdateProfileError::Storage(error),
        }
    }
}

/// What a new account would look like, for an address that already has one;
/// nothing is stored and the id belongs to no one.
fn unsaved(registration: Registration, now: DateTime<Utc>) -> Member {
    Member {
        id: MemberId::generate(),
        email: registration.email.as_str().to_owned(),
        display_name: registration.display_name.as_str().to_owned(),
        role: Role::Member,
        demographics: Demographics::default(),
        created_at: now,
        updated_at: now,
    }
}

impl MemberService {
    pub fn new(
        members: Arc<dyn MemberRepository>,
        work: Arc<dyn MemberWork>,
        audit: AuditLog,
        taxonomy: Arc<Taxonomy>,
    ) -> Self {
        Self {
            members,
            work,
            audit,
            taxonomy,
        }
    }

    /// Opens an account with the member role. An address that already has
    /// an account gets the same answer, shaped like a new member but stored
    /// nowhere, so registration does not reveal who is a member; that account
    /// is left as it was.
    pub async fn register(
        &self,
        registration: Registration,
        password_hash: String,
        request_id: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Member, RegisterError> {
        let created = self
            .members
            .create(NewMember {
                email: registration.email.clone(),
                display_name: registration.display_name.clone(),
                password_hash,
                role: Role::Member,
            })
            .await;
        match created {
            Ok(member) => {
                tracing::info!(member = %member.id, "member registered");
                self.audit
                    .record(
                        AuditEntry::new("member_registered", Some(member.id))
                            .target("member", member.id.0)
                            .request(request_id),
                    )
                    .await;
                Ok(member)
            }
            Err(WriteError::Duplicate) => {
                tracing::info!("registration for an address that already has an account");
                self.audit
                    .record(AuditEntry::new("registration_repeated", None).request(request_id))
                    .await;
                Ok(unsaved(registration, now))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// The actor's own profile and demographics.
    pub async fn profile(&self, ctx: &Context) -> Result<Member, ProfileError> {
        self.members
            .get(ctx.actor.id)
            .await?
            .ok_or(ProfileError::Gone)
    }

    /// Changes the actor's display name or demographics; every invalid part
    /// is named at once.
    pub async fn update_profile(
        &self,
        ctx: &Context,
        change: ProfileChange,
    ) -> Result<Member, UpdateProfileError> {
        let mut errors = ValidationErrors::new();
        let display_name = change
            .display_name
            .as_deref()
            .and_then(|n| errors.collect(DisplayName::parse("display_name", n)));
        errors.collect(change.demographics.validate(&self.taxonomy));
        if let Err(overridden) = change.overridden.validate(&self.taxonomy) {
            for error in overridden.errors() {
                errors.add(
                    format!("demographics.{}", error.field),
                    &error.code,
                    error.message.clone(),
                );
            }
        }
        errors.into_result().map_err(UpdateProfileError::Invalid)?;
        let mut member = self.profile(ctx).await?;
        change.demographics.apply(&mut member.demographics);
        Ok(self
            .members
            .update_profile(ctx.actor.id, display_name, member.demographics)
            .await?)
    }

    /// Gives a member another role. Only admins decide who reviews and who
    /// administers.
    pub async fn set_role(
        &self,
        ctx: &Context,
        member: MemberId,
        role: &str,
    ) -> Result<Member, SetRoleError> {
        if !ctx.actor.role.is_admin() {
            return Err(SetRoleError::NotAdmin);
        }
        let role: Role = role.parse().map_err(|()| {
            SetRoleError::Invalid(ValidationErrors::single(
                "role",
                "unknown_role",
                "must be one of member, reviewer, admin",
            ))
        })?;
        let member = self
            .members
            .set_role(member, role)
            .await
            .map_err(|e| match e {
                WriteError::NotFound => SetRoleError::NotFound,
                other => SetRoleError::Write(other),
            })?;
        tracing::info!(role = role.as_str(), "role changed");
        self.audit
            .record(
                AuditEntry::new("role_changed", Some(ctx.actor.id))
                    .target("member", member.id.0)
                    .details(serde_json::json!({"role": role.as_str()}))
                    .request(ctx.request_id.clone()),
            )
            .await;
        Ok(member)
    }

    /// Everything held about the actor (UK GDPR right of access); the export
    /// itself is audited.
    pub async fn export(&self, ctx: &Context) -> Result<MemberData, ProfileError> {
        let profile = self.profile(ctx).await?;
        let submissions = self.work.authored_by(ctx.actor.id).await?;
        let recorded_demographics = self.work.recorded_demographics(ctx.actor.id).await?;
        let reviews = self.work.reviews_by(ctx.actor.id).await?;
        let activity = self.audit.activity_of(ctx.actor.id).await?;
        self.audit
            .record(
                AuditEntry::new("member_data_exported", Some(ctx.actor.id))
                    .target("member", ctx.actor.id.0)
                    .request(ctx.request_id.clone()),
            )
            .await;
        Ok(MemberData {
            exported_at: ctx.now,
            profile,
            submissions,
            recorded_demographics,
            reviews,
            activity,
        })
    }

    /// Erases the actor (UK GDPR right to erasure): personal data and
    /// demographics removed (those recorded with their work too, which then
    /// counts them as not stated), drafts deleted, work that left draft kept under
    /// "Former member". Returns the deleted drafts, whose files are to go too.
    /// It cannot be undone, so the actor must have typed their password again.
    pub async fn erase(
        &self,
        ctx: &Context,
        _confirmed: PasswordConfirmed,
    ) -> Result<Vec<SubmissionId>, EraseError> {
        let drafts = self
            .work
            .authored_by(ctx.actor.id)
            .await?
            .into_iter()
            .filter(|s| s.status == Status::Draft)
            .map(|s| s.id)
            .collect();
        self.members.erase(ctx.actor.id).await?;
        self.audit
            .record(
                AuditEntry::new("member_erased", Some(ctx.actor.id))
                    .target("member", ctx.actor.id.0)
                    .request(ctx.request_id.clone()),
            )
            .await;
        Ok(drafts)
    }
}

#[cfg(test)]
mod tests;
