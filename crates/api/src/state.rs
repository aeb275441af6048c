use crate::auth::{JwtKeys, LoginThrottle};
use crate::cache::ReadCache;
use domain::access_token::TokenService;
use domain::attachment::{AttachmentLimits, AttachmentRepository, FileStore};
use domain::audit::{AuditEntry, AuditLog};
use domain::limit::LimitStore;
use domain::member::MemberService;
use domain::repository::{
    AccessTokenRepository, AuditRepository, EventRepository, MemberRepository, ReportRepository,
    SubmissionRepository, WebhookRepository,
};
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
    pub audit: Arc<dyn AuditRepository>,
    /// The change feed, from the transactional outbox.
    pub events: Arc<dyn EventRepository>,
    pub webhooks: Arc<dyn WebhookRepository>,
    pub reports: Arc<dyn ReportRepository>,
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
    pub webhook_service: WebhookService,
    pub audit_log: AuditLog,
}

impl AppState {
    /// Appends to the audit log. The action has already happened, so a failure
    /// here is logged rather than undoing it.
    pub async fn audit(&self, entry: AuditEntry) {
        self.audit_log.record(entry).await;
    }
}
