use chrono::{DateTime, Utc};
use domain::event::LifecycleEvent;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// One change in the feed: to a submission, or a newly published resource.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "cursor": "42", "id": "0193a5b0-7c1e-7d3a-9f2e-3b4c5d6e7f80", "type": "submission.submitted",
    "submission_id": "0193a5b0-7c1e-7d3a-9f2e-3b4c5d6e7f81", "from_status": "draft", "status": "submitted",
    "at": "2025-07-01T09:30:00Z"
}))]
pub struct EventView {
    /// This event's position; pass it as `after` to read on from here.
    pub cursor: String,
    /// Unique per event, for de-duplicating.
    pub id: Uuid,
    /// `submission.created`, `submission.updated`, `submission.deleted`,
    /// `submission.reviewer_reassigned`, or `submission.<new status>` such as
    /// `submission.submitted`, `submission.in_review`, `submission.published`;
    /// and, about the work itself, `submission.adopted` (another organisation
    /// reported adopting it), `submission.included` (included in a national or
    /// regional report) and `submission.presented` (a business case presented at
    /// an idea clinic): these are seen by whoever sees the work in `status`.
    /// `resource.published`: an admin published an impact-evaluation resource
    /// (`resource_id`), seen by every member.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The submission the event is about; absent for `resource.*` events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submission_id: Option<Uuid>,
    /// The resource a `resource.*` event is about (`GET /api/v1/resources/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<Uuid>,
    /// The status before the change, if it had one.
    pub from_status: Option<String>,
    /// The status after the change; absent once deleted.
    pub status: Option<String>,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub at: DateTime<Utc>,
}

impl From<LifecycleEvent> for EventView {
    fn from(event: LifecycleEvent) -> Self {
        Self {
            cursor: event.seq.to_string(),
            id: event.id,
            event_type: event.event_type,
            submission_id: event.submission_id.map(|s| s.0),
            resource_id: event.resource_id,
            from_status: event.from_status.map(|s| s.as_str().to_owned()),
            status: event.status.map(|s| s.as_str().to_owned()),
            at: event.at,
        }
    }
}

/// Events oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<EventView>,
    /// Pass as `after` for the next events; the same cursor again when there were none yet.
    pub next_cursor: String,
}
