use crate::auth::{JwtKeys, LoginThrottle};
use crate::middleware::Metrics;
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
}
