//! The append-only audit log of security- and workflow-relevant actions.

#[cfg(test)]
pub(crate) mod fakes;
mod use_cases;

pub use use_cases::{
    AuditListing, AuditLog, AuditQuery, ListAuditError, MAX_ACTION_CHARS, MAX_EXPORTED_ACTIVITY,
};

use crate::ids::MemberId;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// One thing that happened, who did it and to what.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_id: Option<MemberId>,
    /// A stable snake_case name, e.g. `login_failed`, `role_changed`, `submission_published`.
    pub action: String,
    /// What kind of thing it happened to: `member`, `submission`, `recommendation`.
    pub target_type: Option<String>,
    pub target_id: Option<Uuid>,
    pub request_id: Option<String>,
    /// Non-personal details, as JSON.
    pub details: serde_json::Value,
}

impl AuditEntry {
    pub fn new(action: &str, actor_id: Option<MemberId>) -> Self {
        Self {
            id: Uuid::now_v7(),
            at: Utc::now(),
            actor_id,
            action: action.to_owned(),
            target_type: None,
            target_id: None,
            request_id: None,
            details: serde_json::Value::Null,
        }
    }

    pub fn target(mut self, kind: &str, id: Uuid) -> Self {
        self.target_type = Some(kind.to_owned());
        self.target_id = Some(id);
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }

    pub fn request(mut self, request_id: Option<String>) -> Self {
        self.request_id = request_id;
        self
    }
}

/// Which audit entries to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub actor_id: Option<MemberId>,
    pub target_id: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}
