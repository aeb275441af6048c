use chrono::{DateTime, Utc};
use domain::audit::AuditEntry;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// One audit log entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub id: Uuid,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    /// e.g. `login_failed`, `role_changed`, `submission_submitted`, `review_recorded`, `member_erased`.
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<Uuid>,
    pub request_id: Option<String>,
    /// Non-personal details of the action; `{}` when it has none.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

impl From<AuditEntry> for AuditEntryView {
    fn from(e: AuditEntry) -> Self {
        Self {
            id: e.id,
            at: e.at,
            actor_id: e.actor_id.map(|a| a.0),
            action: e.action,
            target_type: e.target_type,
            target_id: e.target_id,
            request_id: e.request_id,
            details: match e.details {
                serde_json::Value::Null => serde_json::Value::Object(serde_json::Map::new()),
                details => details,
            },
        }
    }
}

/// One page of the audit log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntryView>,
    pub next_cursor: Option<String>,
}
