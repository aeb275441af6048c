use crate::auth::{JwtKeys, LoginThrottle};
use crate::cache::ReadCache;
use domain::access_token::TokenService;
use domain::attachment::{AttachmentLimits, AttachmentRepository, AttachmentService, FileStore};
use domain::audit::{AuditEntry, AuditLog};
use domain::clinic::ClinicService;
use domain::event::FeedService;
use domain::limit::LimitStore;
use domain::member::{MemberService, SessionService};
use domain::notification::NotificationService;
use domain::recommendation::RecommendationService;
use domain::report::ReportService;
use domain::repository::MailRepository;
use domain::repository::{
    AccessTokenRepository, AuditRepository, EventRepository, MemberRepository, ReportRepository,
    ReviewRepository, SessionRepository, SubmissionRepository, WebhookRepository,
};
use domain::resource::ResourceService;
use domain::review::ReviewService;
use domain::spread::SpreadService;
use domain::submission::use_cases::SubmissionService;
use domain::taxonomy::Taxonomy;
use domain::webhook::WebhookService;
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
    /// Adoptions by other organisations and inclusions in reports.
    pub spread_service: SpreadService,
    /// Idea clinics and the business cases presented at them.
    pub clinic_service: ClinicService,
    /// Impact-evaluation resources and their downloads.
    pub resource_service: ResourceService,
    /// The change feed as each member may see it.
    pub feed: FeedService,
    pub audit: Arc<dyn AuditRepository>,
    /// The change feed, from the transactional outbox.
    pub events: Arc<dyn EventRepository>,
    pub webhooks: Arc<dyn WebhookRepository>,
    pub reports: Arc<dyn ReportRepository>,
    /// Quarterly summaries and their snapshots.
    pub report_service: ReportService,
    pub taxonomy: Arc<Taxonomy>,
    pub jwt: JwtKeys,
    /// Where request budgets and login attempts are counted.
    pub limits: Arc<dyn LimitStore>,
    pub login_throttle: Arc<LoginThrottle>,
    pub attachments: Arc<dyn AttachmentRepository>,
    /// Where attached files' bytes are kept.
    pub files: Arc<dyn FileStore>,
    pub attachment_limits: AttachmentLimits,
    /// Submissions' answers and callers' roles, on SQLite only (see `cache`).
    pub read_cache: Arc<ReadCache>,
    /// Registering, profiles, roles, export and erasure.
    pub member_service: MemberService,
    /// Personal access tokens.
    pub token_service: TokenService,
    /// Sign-in sessions: opened by a login, ended by a logout or a password change.
    pub sessions: Arc<dyn SessionRepository>,
    /// Logging out, changing the password, typing it again before an erasure.
    pub session_service: SessionService,
    pub webhook_service: WebhookService,
    pub audit_log: AuditLog,
    /// Mail choices and one-click unsubscribe links.
    pub notification_service: NotificationService,
    /// Mails planned from the outbox, for the background sender.
    pub mail: Arc<dyn MailRepository>,
}

impl AppState {
    /// The use cases of files, over the state's current repository and store.
    pub fn attachment_service(&self) -> AttachmentService {
        AttachmentService::new(
            self.attachments.clone(),
            self.files.clone(),
            self.attachment_limits,
        )
    }

    /// Appends to the audit log. The action has already happened, so a failure
    /// here is logged rather than undoing it.
    pub async fn audit(&self, entry: AuditEntry) {
        self.audit_log.record(entry).await;
    }
}
