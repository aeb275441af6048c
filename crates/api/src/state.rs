use crate::auth::{JwtKeys, LoginThrottle};
use crate::middleware::Metrics;
use domain::attachment::{AttachmentLimits, AttachmentRepository, FileStore};
use domain::repository::{MemberRepository, SubmissionRepository};
use domain::taxonomy::Taxonomy;
use persistence::Database;
use std::sync::Arc;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: Database,
    pub members: Arc<dyn MemberRepository>,
    pub submissions: Arc<dyn SubmissionRepository>,
    pub taxonomy: Arc<Taxonomy>,
    pub jwt: JwtKeys,
    pub metrics: Metrics,
    pub login_throttle: Arc<LoginThrottle>,
    pub attachments: Arc<dyn AttachmentRepository>,
    /// Where attached files' bytes are kept.
    pub files: Arc<dyn FileStore>,
    pub attachment_limits: AttachmentLimits,
}
