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
use crate::notification::ErasureNotice;
use crate::repository::{
    MemberRepository, ResourceRepository, ReviewRepository, StorageError, SubmissionRepository,
    TransitionRecord, WriteError,
};
use crate::resource::Download;
use crate::review::Review;
use crate::submission::{Action, Status, Submission};
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
    /// Moves a submission as recorded (the guarded write of every transition).
    async fn transition(&self, record: TransitionRecord) -> Result<Submission, WriteError>;
}

#[async_trait]
impl<T: SubmissionRepository + ReviewRepository + ?Sized> MemberWork for T {
    async fn transition(&self, record: TransitionRecord) -> Result<Submission, WriteError> {
        SubmissionRepository::transition(self, record).await
    }

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
    /// Where the member's resource downloads are, for their export.
    resources: Arc<dyn ResourceRepository>,
    audit: AuditLog,
    taxonomy: Arc<Taxonomy>,
    erasure_notice: ErasureNotice,
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
    /// The impact-evaluation resources the member downloaded, and when.
    pub resource_downloads: Vec<Download>,
    /// What erasing the account now would keep, and why.
    pub kept_on_erasure: Vec<KeptOnErasure>,
}

/// The reason recorded when erasure withdraws a member's work from review.
pub const ERASURE_WITHDRAWAL_REASON: &str = "author erased";

/// Something erasure keeps, detached from the member, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptOnErasure {
    /// `submission` or `review`.
    pub kind: &'static str,
    pub id: uuid::Uuid,
    /// The status it has now and the status it will have (for submissions).
    pub status_now: Option<Status>,
    pub status_after: Option<Status>,
    pub why: &'static str,
}

impl KeptOnErasure {
    /// What erasure does with `submission`: `None` for a draft, which is deleted.
    pub fn of_submission(submission: &Submission) -> Option<Self> {
        let (after, why) = match submission.status {
            Status::Draft => return None,
            Status::Published => (
                Status::Published,
                "published work stays for the members who rely on it and the quarterly figures that counted it; it is shown as by \"Former member\" and no longer linked to you",
            ),
            status if status.apply(Action::Withdraw).is_ok() => (
                Status::Withdrawn,
                "work in review is withdrawn with the reason \"author erased\"; the record stays, unlinked from you, because quarterly figures already sent to Council counted it",
            ),
            status => (
                status,
                "the record of a decided submission stays, unlinked from you, because quarterly figures already sent to Council counted it",
            ),
        };
        Some(Self {
            kind: "submission",
            id: submission.id.0,
            status_now: Some(submission.status),
            status_after: Some(after),
            why,
        })
    }

    pub fn of_review(review: &Review) -> Self {
        Self {
            kind: "review",
            id: review.id,
            status_now: None,
            status_after: None,
            why: "a review stays with the submission it decided and the quality scores that counted it; it is no longer linked to you",
        }
    }
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
        resources: Arc<dyn ResourceRepository>,
        audit: AuditLog,
        taxonomy: Arc<Taxonomy>,
    ) -> Self {
        Self {
            members,
            work,
            resources,
            audit,
            taxonomy,
            erasure_notice: ErasureNotice::Skip,
        }
    }

    /// Whether an erasure plans a confirmation mail (when mail is configured).
    pub fn with_erasure_notice(self, erasure_notice: ErasureNotice) -> Self {
        Self {
            erasure_notice,
            ..self
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
        let before = member.demographics.clone();
        change.demographics.apply(&mut member.demographics);
        let mut fields = changed_demographics(&before, &member.demographics);
        if display_name
            .as_ref()
            .is_some_and(|name| name.as_str() != member.display_name)
        {
            fields.insert(0, "display_name".to_owned());
        }
        // Names of what changed, never the values: demographics stay out of the log.
        let audit = AuditEntry::new("profile_updated", Some(ctx.actor.id))
            .target("member", ctx.actor.id.0)
            .details(serde_json::json!({ "fields": fields }))
            .request(ctx.request_id.clone());
        Ok(self
            .members
            .update_profile(ctx.actor.id, display_name, member.demographics, &audit)
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
        let audit = AuditEntry::new("role_changed", Some(ctx.actor.id))
            .target("member", member.0)
            .details(serde_json::json!({"role": role.as_str()}))
            .request(ctx.request_id.clone());
        let member = self
            .members
            .set_role(member, role, &audit)
            .await
            .map_err(|e| match e {
                WriteError::NotFound => SetRoleError::NotFound,
                other => SetRoleError::Write(other),
            })?;
        tracing::info!(role = role.as_str(), "role changed");
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
        let resource_downloads = self.resources.downloads_by(ctx.actor.id).await?;
        let kept_on_erasure = submissions
            .iter()
            .filter_map(KeptOnErasure::of_submission)
            .chain(reviews.iter().map(KeptOnErasure::of_review))
            .collect();
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
            resource_downloads,
            kept_on_erasure,
        })
    }

    /// Erases the actor (UK GDPR right to erasure): personal data and
    /// demographics removed (those recorded with their work too, which then
    /// counts them as not stated), drafts deleted, work in review withdrawn
    /// with the reason [`ERASURE_WITHDRAWAL_REASON`], cached idempotent
    /// answers purged, and the work that stays moved to a tombstone "Former
    /// member" with a new id, so nothing links it to the person or their old id.
    /// Returns the deleted drafts, whose files are to go too.
    /// It cannot be undone, so the actor must have typed their password again.
    pub async fn erase(
        &self,
        ctx: &Context,
        _confirmed: PasswordConfirmed,
    ) -> Result<Vec<SubmissionId>, EraseError> {
        let authored = self.work.authored_by(ctx.actor.id).await?;
        for submission in &authored {
            let Ok(to) = submission.status.apply(Action::Withdraw) else {
                continue;
            };
            let record = TransitionRecord {
                id: submission.id,
                actor: ctx.actor.id,
                from: submission.status,
                to,
                at: ctx.now,
                comment: Some(ERASURE_WITHDRAWAL_REASON.to_owned()),
                submitted_at: None,
                record_demographics: false,
                completeness: None,
                reviewer: None,
                audit: AuditEntry::new("submission_withdrawn", Some(ctx.actor.id))
                    .target("submission", submission.id.0)
                    .details(serde_json::json!({
                        "from": submission.status.as_str(),
                        "to": to.as_str(),
                        "reason": ERASURE_WITHDRAWAL_REASON,
                    }))
                    .request(ctx.request_id.clone()),
            };
            match self.work.transition(record).await {
                // Moved meanwhile (a reviewer decided it): it is kept as it is now.
                Ok(_) | Err(WriteError::StatusChanged(_)) => {}
                Err(other) => return Err(other.into()),
            }
        }
        let drafts = authored
            .into_iter()
            .filter(|s| s.status == Status::Draft)
            .map(|s| s.id)
            .collect();
        self.members
            .erase(ctx.actor.id, self.erasure_notice)
            .await?;
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

/// The demographic fields that differ, by name.
fn changed_demographics(before: &Demographics, after: &Demographics) -> Vec<String> {
    [
        ("career_stage", &before.career_stage, &after.career_stage),
        (
            "level_of_practice",
            &before.level_of_practice,
            &after.level_of_practice,
        ),
        ("sector", &before.sector, &after.sector),
        ("job_title", &before.job_title, &after.job_title),
        ("nation", &before.nation, &after.nation),
        ("region", &before.region, &after.region),
    ]
    .into_iter()
    .filter(|(_, a, b)| a != b)
    .map(|(name, _, _)| name.to_owned())
    .collect()
}
