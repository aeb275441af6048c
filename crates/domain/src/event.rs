//! Lifecycle events: what happened to a submission (or, for every member to
//! hear of, a newly published impact-evaluation resource), in the order it
//! happened, as the change feed and webhooks tell it.

use crate::actor::Context;
use crate::ids::{MemberId, SubmissionId};
use crate::member::Role;
use crate::repository::{EventRepository, StorageError};
use crate::submission::{Status, statuses_seen_by};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use uuid::Uuid;

/// What kind of change an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Created,
    Updated,
    Deleted,
    ReviewerReassigned,
    /// Another organisation reported adopting the work.
    Adopted,
    /// The work was included in a national or regional report.
    Included,
    /// A business case was presented at an idea clinic.
    Presented,
    /// A status change, named after the new status.
    Moved(Status),
    /// An admin published an impact-evaluation resource; about the resource,
    /// not a submission, and seen by every member.
    ResourcePublished,
}

impl EventType {
    /// Stable names such as `submission.created`, `submission.published`.
    pub fn name(self) -> String {
        match self {
            EventType::Created => "submission.created".into(),
            EventType::Updated => "submission.updated".into(),
            EventType::Deleted => "submission.deleted".into(),
            EventType::ReviewerReassigned => "submission.reviewer_reassigned".into(),
            EventType::Adopted => "submission.adopted".into(),
            EventType::Included => "submission.included".into(),
            EventType::Presented => "submission.presented".into(),
            EventType::Moved(status) => format!("submission.{}", status.as_str()),
            EventType::ResourcePublished => "resource.published".into(),
        }
    }

    /// Every event type the feed can hold, in a stable order.
    pub fn all() -> Vec<EventType> {
        let mut all = vec![
            EventType::Created,
            EventType::Updated,
            EventType::Deleted,
            EventType::ReviewerReassigned,
            EventType::Adopted,
            EventType::Included,
            EventType::Presented,
        ];
        all.extend(Status::ALL.into_iter().map(EventType::Moved));
        all.push(EventType::ResourcePublished);
        all
    }
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq)]
pub struct LifecycleEvent {
    /// The feed position: strictly increasing in commit order.
    pub seq: i64,
    pub id: Uuid,
    pub event_type: String,
    /// The submission the event is about; absent for an event about a resource.
    pub submission_id: Option<SubmissionId>,
    /// The impact-evaluation resource the event is about, if it is about one.
    pub resource_id: Option<Uuid>,
    pub author_id: Option<MemberId>,
    pub actor_id: Option<MemberId>,
    pub from_status: Option<Status>,
    /// The status after the change; absent once deleted.
    pub status: Option<Status>,
    pub at: DateTime<Utc>,
}

impl LifecycleEvent {
    /// See [`EventAudience`].
    pub fn visible_to(&self, viewer: MemberId, role: Role) -> bool {
        EventAudience::of(viewer, role).sees(
            self.author_id,
            &self.event_type,
            self.from_status,
            self.status,
        )
    }
}

/// Who may see an event: the author everything about their own work;
/// everyone publications; reviewers and admins every change that left the
/// work out of draft, except a draft being withdrawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventAudience {
    pub viewer: MemberId,
    /// Event types every member sees.
    pub public_types: Vec<String>,
    /// For reviewers and admins: the statuses after a change they see.
    pub statuses_after: Vec<Status>,
    /// Moves (from, to) hidden from them even so.
    pub hidden_moves: Vec<(Status, Status)>,
    /// Event types about the work itself rather than its lifecycle (adopted,
    /// included, presented): seen by whoever sees the work in the status it
    /// was in when the event happened.
    pub with_the_work: Vec<String>,
    /// The statuses in which others' work is seen (see [`statuses_seen_by`]).
    pub work_seen_in: Vec<Status>,
}

impl EventType {
    /// Events about the work itself, seen with the work (see [`EventAudience`]).
    pub const WITH_THE_WORK: [EventType; 3] = [
        EventType::Adopted,
        EventType::Included,
        EventType::Presented,
    ];
}

impl EventAudience {
    pub fn of(viewer: MemberId, role: Role) -> Self {
        let reviews = role.can_review();
        Self {
            viewer,
            public_types: vec![
                EventType::Moved(Status::Published).name(),
                EventType::ResourcePublished.name(),
            ],
            statuses_after: if reviews {
                Status::ALL
                    .into_iter()
                    .filter(|s| *s != Status::Draft)
                    .collect()
            } else {
                Vec::new()
            },
            hidden_moves: if reviews {
                vec![(Status::Draft, Status::Withdrawn)]
            } else {
                Vec::new()
            },
            with_the_work: EventType::WITH_THE_WORK.map(EventType::name).to_vec(),
            work_seen_in: statuses_seen_by(role),
        }
    }

    pub fn sees(
        &self,
        author: Option<MemberId>,
        event_type: &str,
        from: Option<Status>,
        to: Option<Status>,
    ) -> bool {
        let moved_out_of_draft = to.is_some_and(|to| {
            self.statuses_after.contains(&to)
                && !from.is_some_and(|from| self.hidden_moves.contains(&(from, to)))
        });
        if self.with_the_work.iter().any(|t| t == event_type) {
            return author == Some(self.viewer)
                || to.is_some_and(|to| self.work_seen_in.contains(&to));
        }
        author == Some(self.viewer)
            || self.public_types.iter().any(|t| t == event_type)
            || moved_out_of_draft
    }
}

/// The change feed: what happened, as each member may see it.
#[derive(Clone)]
pub struct FeedService {
    events: Arc<dyn EventRepository>,
}

impl FeedService {
    pub fn new(events: Arc<dyn EventRepository>) -> Self {
        Self { events }
    }

    /// Up to `limit` events after the feed position `after` that the actor may see, oldest first.
    pub async fn after(
        &self,
        ctx: &Context,
        after: i64,
        limit: u64,
    ) -> Result<Vec<LifecycleEvent>, StorageError> {
        let actor = ctx.actor;
        let mut events = self
            .events
            .visible_after(actor.id, actor.role, after, limit)
            .await?;
        events.retain(|e| e.visible_to(actor.id, actor.role));
        Ok(events)
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
            submission_id: Some(SubmissionId(Uuid::nil())),
            resource_id: None,
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

    #[test]
    fn events_about_the_work_are_seen_by_whoever_sees_the_work() {
        let author = MemberId(Uuid::from_u128(1));
        let other = MemberId(Uuid::from_u128(2));
        let adopted = event(EventType::Adopted, None, Some(Status::Published));
        let presented = event(EventType::Presented, None, Some(Status::Submitted));

        assert!(adopted.visible_to(other, Role::Member));
        assert_eq!(adopted.event_type, "submission.adopted");
        assert!(presented.visible_to(author, Role::Member));
        assert!(!presented.visible_to(other, Role::Member));
        assert!(presented.visible_to(other, Role::Reviewer));
    }

    #[test]
    fn every_member_hears_of_a_published_resource() {
        let member = MemberId(Uuid::from_u128(2));
        let published = LifecycleEvent {
            submission_id: None,
            resource_id: Some(Uuid::from_u128(9)),
            author_id: None,
            actor_id: Some(MemberId(Uuid::from_u128(3))),
            ..event(EventType::ResourcePublished, None, None)
        };
        for role in [Role::Member, Role::Reviewer, Role::Admin] {
            assert!(published.visible_to(member, role), "{role:?}");
        }
        assert_eq!(published.event_type, "resource.published");
    }

    #[test]
    fn every_event_type_has_its_own_name() {
        let names: Vec<String> = EventType::all().into_iter().map(EventType::name).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        assert!(names.contains(&"submission.published".to_owned()));
        assert!(names.contains(&"resource.published".to_owned()));
    }
}
