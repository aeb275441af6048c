use crate::auth::{JwtKeys, LoginThrottle};
use crate::cache::ReadCache;
use crate::middleware::Metrics;
use crate::rate_limit::RequestLimiter;
use crate::shutdown::Drain;
use domain::attachment::{AttachmentLimits, AttachmentRepository, FileStore};
use domain::audit::AuditEntry;
use domain::event::FeedService;
use domain::recommendation::RecommendationService;
use domain::repository::{
    AccessTokenRepository, AuditRepository, EventRepository, IdempotencyRepository,
    MemberRepository, ReportRepository, ReviewRepository, SubmissionRepository, WebhookRepository,
};
use domain::review::ReviewService;
use domain::submission::use_cases::SubmissionService;
use domain::taxonomy::Taxonomy;
use persistence::Database;
use std::sync::Arc;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: Database,
    pub members: Arc<dyn MemberRepository>,
    pub access_tokens: Arc<dyn AccessTokenRepository>,
    pub submissions: Arc<dyn SubmissionRepository>,
    pub reviews: Arc<dyn ReviewRepository>,
    /// Writing, reading and moving submissions along their lifecycle.
    pub submission_service: SubmissionService,
    /// Claiming, reassigning and deciding work in review.
    pub review_service: ReviewService,
    /// Follow-up on published recommendations.
    pub recommendation_service: RecommendationService,
    /// The change feed as each member may see it.
    pub feed: FeedService,
    pub audit: Arc<dyn AuditRepository>,
    /// The change feed, from the transactional outbox.
    pub events: Arc<dyn EventRepository>,
    /// Kept answers to POSTs sent with an `Idempotency-Key`.
    pub idempotency: Arc<dyn IdempotencyRepository>,
    pub webhooks: Arc<dyn WebhookRepository>,
    pub reports: Arc<dyn ReportRepository>,
    pub taxonomy: Arc<Taxonomy>,
    pub jwt: JwtKeys,
    pub metrics: Metrics,
    pub login_throttle: Arc<LoginThrottle>,
    pub rate_limiter: Arc<RequestLimiter>,
    pub attachments: Arc<dyn AttachmentRepository>,
    /// Where attached files' bytes are kept.
    pub files: Arc<dyn FileStore>,
    pub attachment_limits: AttachmentLimits,
    /// Submissions' answers and callers' roles, on SQLite only (see `cache`).
    pub read_cache: Arc<ReadCache>,
    /// Refuses new requests and counts those in flight, for a graceful shutdown.
    pub drain: Arc<Drain>,
}

impl AppState {
    /// Appends to the audit log. The action has already happened, so a failure
    /// here is logged rather than undoing it.
    pub async fn audit(&self, entry: AuditEntry) {
        let action = entry.action.clone();
        if let Err(error) = self.audit.record(entry).await {
            tracing::error!(%action, error = %error, "audit entry not written");
        }
    }
}
