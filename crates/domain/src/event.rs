//! Lifecycle events: what happened to a submission, in the order it
//! happened, as the change feed and webhooks tell it.

use crate::ids::{MemberId, SubmissionId};
use crate::member::Role;
use crate::submission::Status;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What kind of change an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Created,
    Updated,
    Deleted,
    ReviewerReassigned,
    /// A status change, named after the new status.
    Moved(Status),
}

impl EventType {
    /// Stable names such as `submission.created`, `submission.published`.
    pub fn name(self) -> String {
        match self {
            EventType::Created => "submission.created".into(),
            EventType::Updated => "submission.updated".into(),
            EventType::Deleted => "submission.deleted".into(),
            EventType::ReviewerReassigned => "submission.reviewer_reassigned".into(),
            EventType::Moved(status) => format!("submission.{}", status.as_str()),
        }
    }
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq)]
pub struct LifecycleEvent {
    /// The feed position: strictly increasing in commit order.
    pub seq: i64,
    pub id: Uuid,
    pub event_type: String,
    pub submission_id: SubmissionId,
    pub author_id: Option<MemberId>,
    pub actor_id: Option<MemberId>,
    pub from_status: Option<Status>,
    /// The status after the change; absent once deleted.
    pub status: Option<Status>,
    pub at: DateTime<Utc>,
}

impl LifecycleEvent {
    /// The author sees everything about their own work; reviewers see what
    /// left draft; everyone sees publications.
    pub fn visible_to(&self, viewer: MemberId, role: Role) -> bool {
        let is_author = self.author_id == Some(viewer);
        let published = self.event_type == EventType::Moved(Status::Published).name();
        let left_draft = !matches!(
            (self.from_status, self.status),
            (_, None | Some(Status::Draft)) | (Some(Status::Draft), Some(Status::Withdrawn))
        );
        is_author || published || (role.can_review() && left_draft)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(event_type: EventType, from: Option<Status>, to: Option<Status>) -> LifecycleEvent {
        LifecycleEvent {
            seq: 1,
            id: Uuid::nil(),
            event_type: event_type.name(),
            submission_id: SubmissionId(Uuid::nil()),
            author_id: Some(MemberId(Uuid::from_u128(1))),
            actor_id: None,
            from_status: from,
            status: to,
            at: Utc::now(),
        }
    }

    #[test]
    fn drafts_stay_private_and_publications_are_public() {
        let author = MemberId(Uuid::from_u128(1));
        let other = MemberId(Uuid::from_u128(2));
        let created = event(EventType::Created, None, Some(Status::Draft));
        let submitted = event(
            EventType::Moved(Status::Submitted),
            Some(Status::Draft),
            Some(Status::Submitted),
        );
        let withdrawn_draft = event(
            EventType::Moved(Status::Withdrawn),
            Some(Status::Draft),
            Some(Status::Withdrawn),
        );
        let published = event(
            EventType::Moved(Status::Published),
            Some(Status::InReview),
            Some(Status::Published),
        );

        assert!(created.visible_to(author, Role::Member));
        assert!(!created.visible_to(other, Role::Admin));
        assert!(!submitted.visible_to(other, Role::Member));
        assert!(submitted.visible_to(other, Role::Reviewer));
        assert!(!withdrawn_draft.visible_to(other, Role::Reviewer));
        assert!(published.visible_to(other, Role::Member));
        assert_eq!(published.event_type, "submission.published");
    }
}
