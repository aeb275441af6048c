//! What the domain needs from storage. `persistence` implements these traits.

use crate::audit::{AuditEntry, AuditFilter};
use crate::ids::{MemberId, SubmissionId};
use crate::member::{Demographics, DisplayName, Member, NewMember, RecordedDemographics, Role};
use crate::notification::{ErasureNotice, LeasedMail, MailOutcome, Preferences};
use crate::pagination::{Cursor, Page, PageSize};
use crate::quarter::Quarter;
use crate::report::{QuarterFigures, QuarterHeadline};
use crate::review::{Decision, Review, Rubric};
use crate::submission::search::{Likeness, SearchQuery};
use crate::submission::{
    AdoptionStatus, Audience, Completeness, Content, EvidenceType, Status, Submission,
    SubmissionKind,
};
use crate::taxonomy::Taxonomy;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// A storage failure the caller cannot fix; logged, never shown.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct StorageError(#[from] pub Box<dyn std::error::Error + Send + Sync>);

impl StorageError {
    /// The database could not be reached, or dropped or refused the work
    /// (connection lost, pool exhausted, statement timed out, shutting down):
    /// worth retrying once it is back.
    pub fn unavailable(cause: Box<dyn std::error::Error + Send + Sync>) -> Self {
        Self(Box::new(DatabaseUnavailable(cause)))
    }

    /// Whether the failure is the database being unavailable, not a fault.
    pub fn is_unavailable(&self) -> bool {
        self.0.is::<DatabaseUnavailable>()
    }
}

/// Marks a storage failure as the database being out of reach.
#[derive(Debug, thiserror::Error)]
#[error("the database is unavailable: {0}")]
pub struct DatabaseUnavailable(#[source] pub Box<dyn std::error::Error + Send + Sync>);

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("not found")]
    NotFound,
    /// Someone else changed it first; carries the version now stored.
    #[error("the stored version is {current}")]
    VersionMismatch { current: i32 },
    /// The status changed under the caller; carries the status now stored.
    #[error("the submission is now {0:?}")]
    StatusChanged(Status),
    #[error("already exists")]
    Duplicate,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[async_trait]
pub trait TaxonomyRepository: Send + Sync {
    async fn load(&self) -> Result<Taxonomy, StorageError>;
}

#[async_trait]
pub trait MemberRepository: Send + Sync {
    /// Fails with `Duplicate` when the email is taken.
    async fn create(&self, member: NewMember) -> Result<Member, WriteError>;
    async fn get(&self, id: MemberId) -> Result<Option<Member>, StorageError>;
    /// The member and their password hash, for login.
    async fn credentials(&self, email: &str) -> Result<Option<(Member, String)>, StorageError>;
    /// The role of a member who still exists, for authorising a request.
    async fn role_of(&self, id: MemberId) -> Result<Option<Role>, StorageError>;
    /// Writes the profile with its audit entry, in one transaction.
    async fn update_profile(
        &self,
        id: MemberId,
        display_name: Option<DisplayName>,
        demographics: Demographics,
        audit: &AuditEntry,
    ) -> Result<Member, WriteError>;
    /// Changes the member's role with its audit entry, in one transaction.
    async fn set_role(
        &self,
        id: MemberId,
        role: Role,
        audit: &AuditEntry,
    ) -> Result<Member, WriteError>;
    /// Erases a member: drafts deleted, personal data and demographics removed
    /// (those recorded with their work too, in the same transaction), the
    /// account closed; work that left draft stays under "Former member".
    /// With `ErasureNotice::Send`, a confirmation mail to the address being
    /// erased is planned in the same transaction (it is gone afterwards).
    async fn erase(&self, id: MemberId, notice: ErasureNotice) -> Result<(), WriteError>;
}

/// Sign-in sessions and the password hashes they are opened with. Each access
/// token names its session (`jti`); a request is served only while that
/// session is live, which is one lookup by primary key joined to the member.
#[async_trait]
pub trait SessionRepository: Send + Sync {
    /// Records a session opened by a successful login, good until `expires_at`.
    async fn start(
        &self,
        id: Uuid,
        member: MemberId,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StorageError>;
    /// The member and stored role behind a session that is neither revoked,
    /// expired nor of an erased member; `None` otherwise.
    async fn live(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<(MemberId, Role)>, StorageError>;
    /// Revokes one of the member's sessions (already revoked: nothing changes).
    async fn revoke(
        &self,
        member: MemberId,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), WriteError>;
    /// The stored password hash of a member who still exists.
    async fn password_hash(&self, member: MemberId) -> Result<Option<String>, StorageError>;
    /// Stores a new password hash, revokes every session of the member but
    /// `keep` and writes `audit`, in one transaction.
    async fn change_password(
        &self,
        member: MemberId,
        password_hash: String,
        keep: Uuid,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<(), WriteError>;
}

#[async_trait]
pub trait AuditRepository: Send + Sync {
    async fn record(&self, entry: AuditEntry) -> Result<(), StorageError>;
    /// Newest first; `after` is the id of the last entry already seen.
    async fn list(
        &self,
        filter: &AuditFilter,
        after: Option<Uuid>,
        size: PageSize,
    ) -> Result<Page<AuditEntry>, StorageError>;
}

/// Which submissions a list holds. Visibility is always applied for the viewer.
#[derive(Debug, Clone)]
pub struct SubmissionFilter {
    pub viewer: MemberId,
    pub viewer_role: Role,
    pub kind: Option<SubmissionKind>,
    pub status: Option<Status>,
    pub priority: Option<String>,
    pub practice_area: Option<String>,
    pub evidence_type: Option<EvidenceType>,
    pub topic: Option<String>,
    pub nation: Option<String>,
    pub region: Option<String>,
    pub quarter: Option<Quarter>,
    pub mine: bool,
    /// A full-text search: the list holds matches only, most relevant first.
    pub search: Option<SearchQuery>,
    pub order: ListOrder,
}

/// How a list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListOrder {
    /// Newest created first (the default).
    #[default]
    NewestCreated,
    /// Oldest submitted first (the review queue).
    OldestSubmitted,
}

impl ListOrder {
    /// Where `submission` stands in this order: the instant a page's cursor
    /// carries, so the next page starts right after it.
    pub fn position(self, submission: &Submission) -> Option<DateTime<Utc>> {
        match self {
            ListOrder::NewestCreated => Some(submission.created_at),
            ListOrder::OldestSubmitted => submission.submitted_at,
        }
    }
}

/// A review to record with the transition its decision makes.
#[derive(Debug, Clone)]
pub struct NewReview {
    pub id: Uuid,
    pub submission_id: SubmissionId,
    pub reviewer: MemberId,
    pub rubric: Rubric,
    pub overall_comment: Option<String>,
    pub decision: Decision,
    pub at: DateTime<Utc>,
    /// Written to the audit log in the same transaction as the review.
    pub audit: AuditEntry,
}

/// A recorded status change.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub from: Status,
    pub to: Status,
    pub at: DateTime<Utc>,
    pub actor_id: Option<MemberId>,
    pub actor_name: Option<String>,
    pub comment: Option<String>,
}

/// An immutable copy of what was submitted.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    pub number: i32,
    pub kind: SubmissionKind,
    pub content: Content,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<MemberId>,
}

/// A dated report about a published recommendation: adoption moved on, or
/// investment was made.
#[derive(Debug, Clone, PartialEq)]
pub struct RecommendationEvent {
    pub id: Uuid,
    pub recommendation_id: Uuid,
    pub submission_id: SubmissionId,
    pub adoption_status: Option<AdoptionStatus>,
    pub investment_pence: Option<i64>,
    pub investor: Option<String>,
    /// When it happened; quarterly figures count by this date.
    pub occurred_on: NaiveDate,
    pub reported_at: DateTime<Utc>,
    pub reported_by: Option<MemberId>,
    /// Why, as the reporter said; always given for a move backwards.
    pub reason: Option<String>,
    /// Set when the report moved the status backwards: the status in effect
    /// on its day that it moved back from.
    pub moved_back_from: Option<AdoptionStatus>,
}

/// A status change to record, with what it brings along.
#[derive(Debug, Clone)]
pub struct TransitionRecord {
    pub id: SubmissionId,
    pub actor: MemberId,
    pub from: Status,
    pub to: Status,
    pub at: DateTime<Utc>,
    pub comment: Option<String>,
    /// Set on the first submit only; reports count by it.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Set on the first submit only: record the author's demographics as
    /// their profile holds them now, with the submission, in the same
    /// transaction. Later submits keep that first record; the summary counts
    /// people by it, so an ended quarter never changes with a profile edit.
    pub record_demographics: bool,
    /// Computed on submit.
    pub completeness: Option<Completeness>,
    /// Set when a reviewer claims.
    pub reviewer: Option<MemberId>,
    /// Written to the audit log in the same transaction as the move.
    pub audit: AuditEntry,
}

/// Submissions themselves: their content and status.
#[async_trait]
pub trait SubmissionRepository: Send + Sync {
    async fn create(
        &self,
        id: SubmissionId,
        author: MemberId,
        kind: SubmissionKind,
        content: &Content,
        audit: &AuditEntry,
        keep: Option<&crate::idempotency::KeepAnswer<Submission>>,
    ) -> Result<Submission, WriteError>;
    async fn get(&self, id: SubmissionId) -> Result<Option<Submission>, StorageError>;
    /// Replaces the content if the stored version is still `expected_version`
    /// and the status is still editable.
    /// Writes new content at the expected version, with its audit entry, in one transaction.
    async fn update_content(
        &self,
        id: SubmissionId,
        expected_version: i32,
        content: &Content,
        audit: &AuditEntry,
    ) -> Result<Submission, WriteError>;
    /// Deletes a draft if it is still a draft at `expected_version` (when given).
    async fn delete_draft(
        &self,
        id: SubmissionId,
        expected_version: Option<i32>,
        audit: &AuditEntry,
    ) -> Result<(), WriteError>;
    /// Moves the status if it is still `record.from`, recording the transition.
    async fn transition(&self, record: TransitionRecord) -> Result<Submission, WriteError>;
    async fn list(
        &self,
        filter: &SubmissionFilter,
        after: Option<Cursor>,
        size: PageSize,
    ) -> Result<Page<Submission>, StorageError>;
    /// Published work that `audience` sees, other than `source`, sharing a
    /// tag with it or matching its title's words: up to
    /// [`crate::submission::search::RELATED_POOL`] of the newest each way,
    /// with what each shares.
    async fn related_candidates(
        &self,
        source: &Submission,
        audience: &Audience,
    ) -> Result<Vec<(SubmissionId, Likeness)>, StorageError>;
    /// Which of these ids are published submissions that may be cited.
    async fn published_among(&self, ids: &[Uuid]) -> Result<Vec<Uuid>, StorageError>;
    /// Everything a member wrote, drafts included, newest first.
    async fn authored_by(&self, author: MemberId) -> Result<Vec<Submission>, StorageError>;
    /// The demographics recorded with each submission a member wrote, as
    /// they were at its first submit; oldest first.
    async fn recorded_demographics(
        &self,
        author: MemberId,
    ) -> Result<Vec<RecordedDemographics>, StorageError>;
}

/// Reviews and who reviews what.
#[async_trait]
pub trait ReviewRepository: Send + Sync {
    /// Records a review and performs its decision if the submission is still in review.
    async fn record_review(&self, review: NewReview) -> Result<(Submission, Review), WriteError>;
    /// Hands a submission in review to another reviewer.
    async fn reassign(
        &self,
        id: SubmissionId,
        reviewer: MemberId,
        by: MemberId,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<Submission, WriteError>;
    /// Reviews oldest first.
    async fn reviews(&self, id: SubmissionId) -> Result<Vec<Review>, StorageError>;
    /// Reviews a member wrote, oldest first.
    async fn reviews_by(&self, reviewer: MemberId) -> Result<Vec<Review>, StorageError>;
}

/// What happened to a submission: its status changes and submitted copies.
#[async_trait]
pub trait HistoryRepository: Send + Sync {
    /// Transitions oldest first.
    async fn transitions(&self, id: SubmissionId) -> Result<Vec<Transition>, StorageError>;
    /// Revisions oldest first.
    async fn revisions(&self, id: SubmissionId) -> Result<Vec<Revision>, StorageError>;
}

/// Follow-ups reported on published recommendations.
#[async_trait]
pub trait RecommendationRepository: Send + Sync {
    async fn add_recommendation_event(
        &self,
        event: RecommendationEvent,
    ) -> Result<RecommendationEvent, WriteError>;
    /// Events about one submission's recommendations, oldest first.
    async fn recommendation_events(
        &self,
        id: SubmissionId,
    ) -> Result<Vec<RecommendationEvent>, StorageError>;
    /// Events that happened in `[from, to)`, oldest first.
    async fn recommendation_events_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<RecommendationEvent>, StorageError>;
}

/// A frozen quarterly summary, stored as the exact JSON that was produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub id: Uuid,
    pub quarter: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<MemberId>,
    /// SHA-256 of `body`, hex.
    pub content_hash: String,
    pub body: String,
}

#[async_trait]
pub trait ReportRepository: Send + Sync {
    /// Everything counted in one quarter, aggregated in SQL.
    async fn figures(&self, quarter: Quarter) -> Result<QuarterFigures, StorageError>;
    /// The figures a quarter is compared on (no counts of people).
    async fn comparison_figures(&self, quarter: Quarter) -> Result<QuarterFigures, StorageError>;
    /// The few headline counts of a quarter, for series and trend charts.
    async fn headline(&self, quarter: Quarter) -> Result<QuarterHeadline, StorageError>;
    /// The strategy's measures beyond submissions over the days of a quarter
    /// (clinics, presentations, adoptions, inclusions).
    async fn strategy_figures(
        &self,
        quarter: Quarter,
    ) -> Result<crate::report::StrategyFigures, StorageError>;
    /// Stores a snapshot with its audit entry, in one transaction.
    async fn save_snapshot(
        &self,
        snapshot: &Snapshot,
        audit: &AuditEntry,
    ) -> Result<(), WriteError>;
    /// A quarter's snapshots, newest first.
    async fn snapshots(&self, quarter: &str) -> Result<Vec<Snapshot>, StorageError>;
    async fn snapshot(&self, id: Uuid) -> Result<Option<Snapshot>, StorageError>;
}

/// Personal access tokens, stored by the hash of their secret.
#[async_trait]
pub trait AccessTokenRepository: Send + Sync {
    /// Stores the token with `audit` unless its member already has `max_live`
    /// live ones (`None`); the count, the insert and the audit entry are one
    /// step for every replica.
    async fn create(
        &self,
        token: crate::access_token::NewAccessToken,
        max_live: u64,
        audit: &AuditEntry,
    ) -> Result<Option<crate::access_token::AccessToken>, WriteError>;
    /// The member's tokens, newest first, revoked ones included.
    async fn list(
        &self,
        member: MemberId,
    ) -> Result<Vec<crate::access_token::AccessToken>, StorageError>;
    /// Revokes one of the member's tokens and writes `audit`, in one
    /// transaction; `NotFound` (and nothing written) when it is not theirs.
    async fn revoke(
        &self,
        member: MemberId,
        id: Uuid,
        audit: &AuditEntry,
    ) -> Result<(), WriteError>;
    /// The token whose secret hashes to `secret_hash`, revoked or not.
    async fn find_by_hash(
        &self,
        secret_hash: &str,
    ) -> Result<Option<crate::access_token::AccessToken>, StorageError>;
    /// Records a use of the token with `scope` at `at` unless one was
    /// recorded less than [`crate::access_token::USE_RECORDED_EVERY`] before
    /// (by any replica): the token's `last_used_at` and `audit`, in one
    /// transaction. Whether it was recorded.
    async fn record_use(
        &self,
        id: Uuid,
        scope: crate::access_token::Scope,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<bool, StorageError>;
}

/// The change feed, read from the transactional outbox.
#[async_trait]
pub trait EventRepository: Send + Sync {
    /// Events after `after` (a `seq`) that `viewer` may see, oldest first.
    async fn visible_after(
        &self,
        viewer: MemberId,
        role: Role,
        after: i64,
        limit: u64,
    ) -> Result<Vec<crate::event::LifecycleEvent>, StorageError>;
}

/// Idempotency keys per caller, with the first answer to each.
#[async_trait]
pub trait IdempotencyRepository: Send + Sync {
    /// Claims `key` for `caller` and a request with `fingerprint`, atomically:
    /// of two concurrent claims exactly one is `Started`.
    async fn claim(
        &self,
        caller: MemberId,
        key: &crate::idempotency::IdempotencyKey,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<crate::idempotency::Claim, StorageError>;
    /// Keeps the answer to replay.
    async fn complete(
        &self,
        caller: MemberId,
        key: &crate::idempotency::IdempotencyKey,
        response: &crate::idempotency::StoredResponse,
    ) -> Result<(), StorageError>;
    /// Forgets a claim whose request failed on our side, so it can be retried.
    async fn release(
        &self,
        caller: MemberId,
        key: &crate::idempotency::IdempotencyKey,
    ) -> Result<(), StorageError>;
}

/// Webhook endpoints and their deliveries, driven from the outbox.
#[async_trait]
pub trait WebhookRepository: Send + Sync {
    /// Stores a new webhook and, in the same transaction, `audit` targeted at it.
    async fn create(
        &self,
        url: &str,
        event_types: &[String],
        secret: &str,
        by: MemberId,
        audit: &AuditEntry,
    ) -> Result<crate::webhook::Webhook, WriteError>;
    async fn list(&self) -> Result<Vec<crate::webhook::Webhook>, StorageError>;
    /// Applies `change` and writes `audit` in one transaction; `None` when
    /// there is no such webhook (nothing is written then).
    async fn change(
        &self,
        id: Uuid,
        change: &crate::webhook::WebhookChange,
        audit: &AuditEntry,
    ) -> Result<Option<crate::webhook::Webhook>, WriteError>;
    /// Deletes the webhook and its deliveries, with `audit`; false when there was none.
    async fn delete(&self, id: Uuid, audit: &AuditEntry) -> Result<bool, WriteError>;
    /// A webhook's deliveries, or `None` when there is no such webhook.
    async fn deliveries(
        &self,
        webhook: Uuid,
    ) -> Result<Option<Vec<crate::webhook::Delivery>>, StorageError>;
    /// Turns outbox events not yet seen into pending deliveries for every
    /// webhook that wants them, and moves the dispatch cursor, in one transaction.
    async fn fan_out(&self, now: DateTime<Utc>, limit: u64) -> Result<u64, StorageError>;
    /// Leases up to `limit` deliveries due by `now` until `now + lease_for`,
    /// each to this caller alone. A delivery is due when it is pending, its
    /// time has come, no live lease holds it, and no earlier event of the same
    /// webhook is still pending: each webhook's deliveries go out in event order.
    async fn lease_due(
        &self,
        now: DateTime<Utc>,
        lease_for: chrono::Duration,
        limit: u64,
    ) -> Result<Vec<crate::webhook::LeasedDelivery>, StorageError>;
    /// Records one attempt made under `lease`: delivered, or failed with a
    /// next time (or given up), and ends the lease. Returns false, recording
    /// nothing, when the lease is no longer held (it lapsed and was taken).
    async fn record_attempt(
        &self,
        lease: Uuid,
        delivery: Uuid,
        status_code: Option<i32>,
        error: Option<String>,
        delivered: bool,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError>;
}

/// Adoptions reported by other organisations and inclusions in reports.
/// Each write records its audit entry and outbox event in the same transaction.
#[async_trait]
pub trait SpreadRepository: Send + Sync {
    async fn add_adoption(
        &self,
        adoption: &crate::spread::Adoption,
        audit: &AuditEntry,
    ) -> Result<(), WriteError>;
    /// A submission's adoptions, oldest first.
    async fn adoptions(
        &self,
        id: SubmissionId,
    ) -> Result<Vec<crate::spread::Adoption>, StorageError>;
    async fn add_inclusion(
        &self,
        inclusion: &crate::spread::Inclusion,
        audit: &AuditEntry,
    ) -> Result<(), WriteError>;
    /// A submission's inclusions, oldest first.
    async fn inclusions(
        &self,
        id: SubmissionId,
    ) -> Result<Vec<crate::spread::Inclusion>, StorageError>;
}

/// Idea clinics and the business cases presented at them.
#[async_trait]
pub trait ClinicRepository: Send + Sync {
    async fn create_clinic(
        &self,
        clinic: &crate::clinic::IdeaClinic,
        audit: &AuditEntry,
    ) -> Result<(), WriteError>;
    /// Clinics held on or before `held_by` (all when `None`), newest first.
    async fn clinics(
        &self,
        held_by: Option<NaiveDate>,
    ) -> Result<Vec<crate::clinic::IdeaClinic>, StorageError>;
    async fn clinic(&self, id: Uuid) -> Result<Option<crate::clinic::IdeaClinic>, StorageError>;
    /// Records a presentation of a case now in `status`, with its audit entry
    /// and outbox event; `Duplicate` when the case was already presented there.
    async fn add_presentation(
        &self,
        presentation: &crate::clinic::Presentation,
        status: Status,
        audit: &AuditEntry,
    ) -> Result<(), WriteError>;
    /// The presentations of a case, oldest clinic first.
    async fn presentations_of(
        &self,
        id: SubmissionId,
    ) -> Result<Vec<crate::clinic::Presentation>, StorageError>;
}

/// Impact-evaluation resources and their downloads.
#[async_trait]
pub trait ResourceRepository: Send + Sync {
    /// Records a published resource with its audit entry, in one transaction.
    async fn create_resource(
        &self,
        resource: &crate::resource::Resource,
        audit: &AuditEntry,
    ) -> Result<(), WriteError>;
    /// Resources of one approach (all when `None`), newest first.
    async fn resources(
        &self,
        approach: Option<crate::resource::Approach>,
    ) -> Result<Vec<crate::resource::Resource>, StorageError>;
    async fn resource(&self, id: Uuid) -> Result<Option<crate::resource::Resource>, StorageError>;
    /// Records one member's download.
    async fn record_download(
        &self,
        download: &crate::resource::Download,
    ) -> Result<(), StorageError>;
    /// The member's downloads, oldest first (for their data export).
    async fn downloads_by(
        &self,
        member: MemberId,
    ) -> Result<Vec<crate::resource::Download>, StorageError>;
}

/// Members' mail choices.
#[async_trait]
pub trait NotificationRepository: Send + Sync {
    /// The member's choices, or the defaults when they made none.
    async fn preferences(&self, member: MemberId) -> Result<Preferences, StorageError>;
    async fn set_preferences(
        &self,
        member: MemberId,
        preferences: Preferences,
        at: DateTime<Utc>,
    ) -> Result<(), WriteError>;
}

/// Mails planned from the outbox, leased to one sender at a time.
#[async_trait]
pub trait MailRepository: Send + Sync {
    /// Plans the mails that outbox events after the planner's cursor call
    /// for (events older than `not_before` are passed over); returns how many.
    async fn plan(
        &self,
        at: DateTime<Utc>,
        not_before: DateTime<Utc>,
        limit: u64,
    ) -> Result<u64, StorageError>;
    /// Leases up to `limit` due mails for `lease_for`.
    async fn lease_due(
        &self,
        at: DateTime<Utc>,
        lease_for: chrono::Duration,
        limit: u64,
    ) -> Result<Vec<LeasedMail>, StorageError>;
    /// Records how an attempt went, if the lease is still held.
    async fn record_attempt(
        &self,
        lease: Uuid,
        mail: Uuid,
        outcome: MailOutcome,
        at: DateTime<Utc>,
    ) -> Result<bool, StorageError>;
}
