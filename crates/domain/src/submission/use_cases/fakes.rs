//! A hub kept in memory, standing in for every port the use cases need.

use crate::audit::{AuditEntry, AuditFilter};
use crate::idempotency::KeepAnswer;
use crate::ids::{MemberId, SubmissionId};
use crate::member::{Demographics, DisplayName, Member, NewMember, RecordedDemographics, Role};
use crate::pagination::{Cursor, Page, PageSize};
use crate::report::counting;
use crate::repository::{
    AuditRepository, HistoryRepository, MemberRepository, NewReview, RecommendationEvent,
    RecommendationRepository, ReviewRepository, Revision, StorageError, SubmissionFilter,
    SubmissionRepository, Transition, TransitionRecord, WriteError,
};
use crate::review::Review;
use crate::submission::search::Likeness;
use crate::submission::{Audience, Content, Status, Submission, SubmissionKind};
use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use uuid::Uuid;

#[derive(Default)]
pub(crate) struct Hub {
    submissions: Mutex<Vec<Submission>>,
    roles: Mutex<HashMap<MemberId, Role>>,
    /// Every write that reached storage, by name.
    writes: Mutex<Vec<&'static str>>,
    events: Mutex<Vec<RecommendationEvent>>,
    /// Submissions whose author's demographics were recorded, in order.
    recorded_demographics: Mutex<Vec<SubmissionId>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub(crate) fn member(n: u128) -> MemberId {
    MemberId(Uuid::from_u128(n))
}

impl Hub {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Submissions whose author's demographics were recorded, in order.
    pub(crate) fn recorded_demographics(&self) -> Vec<SubmissionId> {
        lock(&self.recorded_demographics).clone()
    }

    /// Stores a submission by `author` in `status`, at version 1.
    pub(crate) fn holds(&self, author: MemberId, status: Status) -> SubmissionId {
        let id = SubmissionId::generate();
        lock(&self.submissions).push(Submission::blank(id, author, status, Utc::now()));
        id
    }

    pub(crate) fn change(&self, id: SubmissionId, change: impl FnOnce(&mut Submission)) {
        if let Some(s) = lock(&self.submissions).iter_mut().find(|s| s.id == id) {
            change(s);
        }
    }

    pub(crate) fn has_role(&self, member: MemberId, role: Role) {
        lock(&self.roles).insert(member, role);
    }

    pub(crate) fn writes(&self) -> Vec<&'static str> {
        lock(&self.writes).clone()
    }

    fn wrote(&self, what: &'static str, id: SubmissionId) -> Result<Submission, WriteError> {
        lock(&self.writes).push(what);
        self.find(id).ok_or(WriteError::NotFound)
    }

    fn find(&self, id: SubmissionId) -> Option<Submission> {
        lock(&self.submissions).iter().find(|s| s.id == id).cloned()
    }
}

#[async_trait]
impl SubmissionRepository for Hub {
    async fn create(
        &self,
        id: SubmissionId,
        author: MemberId,
        kind: SubmissionKind,
        content: &Content,
        _: &AuditEntry,
        _: Option<&KeepAnswer<Submission>>,
    ) -> Result<Submission, WriteError> {
        let created = self.holds(author, Status::Draft);
        self.change(created, |s| {
            s.id = id;
            s.kind = kind;
            s.content = content.clone();
        });
        self.wrote("create", id)
    }

    async fn get(&self, id: SubmissionId) -> Result<Option<Submission>, StorageError> {
        Ok(self.find(id))
    }

    async fn update_content(
        &self,
        id: SubmissionId,
        _: i32,
        content: &Content,
        _: &AuditEntry,
    ) -> Result<Submission, WriteError> {
        self.change(id, |s| {
            s.content = content.clone();
            s.version += 1;
        });
        self.wrote("update_content", id)
    }

    async fn delete_draft(
        &self,
        id: SubmissionId,
        _: Option<i32>,
        _: &AuditEntry,
    ) -> Result<(), WriteError> {
        lock(&self.writes).push("delete_draft");
        match self.find(id).map(|s| s.status) {
            Some(Status::Draft) => {
                lock(&self.submissions).retain(|s| s.id != id);
                Ok(())
            }
            Some(status) => Err(WriteError::StatusChanged(status)),
            None => Err(WriteError::NotFound),
        }
    }

    async fn transition(&self, record: TransitionRecord) -> Result<Submission, WriteError> {
        self.change(record.id, |s| {
            s.status = record.to;
            s.version += 1;
            s.reviewer_id = record.reviewer.or(s.reviewer_id);
            s.submitted_at = record.submitted_at.or(s.submitted_at);
        });
        if record.record_demographics {
            lock(&self.recorded_demographics).push(record.id);
        }
        self.wrote("transition", record.id)
    }

    async fn list(
        &self,
        filter: &SubmissionFilter,
        _: Option<Cursor>,
        _: PageSize,
    ) -> Result<Page<Submission>, StorageError> {
        let items = lock(&self.submissions)
            .iter()
            .filter(|s| s.visible_to(filter.viewer, filter.viewer_role))
            .filter(|s| filter.status.is_none_or(|status| s.status == status))
            .filter(|s| {
                filter.quarter.is_none_or(|quarter| match filter.status {
                    None => counting::is_counted_in(quarter, s.status, s.submitted_at),
                    Some(_) => s.submitted_at.is_some_and(|at| quarter.contains(at)),
                })
            })
            .cloned()
            .collect();
        Ok(Page {
            items,
            next_cursor: None,
        })
    }

    async fn related_candidates(
        &self,
        source: &Submission,
        audience: &Audience,
    ) -> Result<Vec<(SubmissionId, Likeness)>, StorageError> {
        let shared = |a: &[String], b: &[String]| {
            u32::try_from(a.iter().filter(|c| b.contains(c)).count()).unwrap_or(u32::MAX)
        };
        Ok(lock(&self.submissions)
            .iter()
            .filter(|s| s.id != source.id && s.status == Status::Published)
            .filter(|s| audience.sees(s.author_id, s.status))
            .map(|s| {
                let likeness = Likeness {
                    shared_priorities: shared(&s.content.priorities, &source.content.priorities),
                    shared_practice_areas: shared(
                        &s.content.practice_areas,
                        &source.content.practice_areas,
                    ),
                    shared_topics: shared(&s.content.topics, &source.content.topics),
                    text_rank: 0.0,
                };
                (s.id, likeness)
            })
            .filter(|(_, likeness)| likeness.score() > 0.0)
            .collect())
    }

    async fn published_among(&self, ids: &[Uuid]) -> Result<Vec<Uuid>, StorageError> {
        Ok(ids
            .iter()
            .copied()
            .filter(|id| {
                self.find(SubmissionId(*id))
                    .is_some_and(|s| s.status == Status::Published)
            })
            .collect())
    }

    async fn recorded_demographics(
        &self,
        _: MemberId,
    ) -> Result<Vec<RecordedDemographics>, StorageError> {
        Ok(Vec::new())
    }

    async fn authored_by(&self, author: MemberId) -> Result<Vec<Submission>, StorageError> {
        Ok(lock(&self.submissions)
            .iter()
            .filter(|s| s.is_author(author))
            .cloned()
            .collect())
    }
}

#[async_trait]
impl ReviewRepository for Hub {
    async fn record_review(&self, review: NewReview) -> Result<(Submission, Review), WriteError> {
        let to = Status::InReview
            .apply(review.decision.action())
            .map_err(|_| WriteError::StatusChanged(Status::InReview))?;
        self.change(review.submission_id, |s| s.status = to);
        let submission = self.wrote("record_review", review.submission_id)?;
        let recorded = Review {
            id: review.id,
            submission_id: review.submission_id,
            reviewer_id: Some(review.reviewer),
            reviewer_name: None,
            revision: 1,
            quality_score: review.rubric.mean(),
            rubric: review.rubric,
            overall_comment: review.overall_comment,
            decision: review.decision,
            created_at: review.at,
        };
        Ok((submission, recorded))
    }

    async fn reassign(
        &self,
        id: SubmissionId,
        reviewer: MemberId,
        _: MemberId,
        _: chrono::DateTime<Utc>,
        _: &AuditEntry,
    ) -> Result<Submission, WriteError> {
        self.change(id, |s| s.reviewer_id = Some(reviewer));
        self.wrote("reassign", id)
    }

    async fn reviews(&self, _: SubmissionId) -> Result<Vec<Review>, StorageError> {
        Ok(Vec::new())
    }

    async fn reviews_by(&self, _: MemberId) -> Result<Vec<Review>, StorageError> {
        Ok(Vec::new())
    }
}

#[async_trait]
impl HistoryRepository for Hub {
    async fn transitions(&self, _: SubmissionId) -> Result<Vec<Transition>, StorageError> {
        Ok(Vec::new())
    }

    async fn revisions(&self, _: SubmissionId) -> Result<Vec<Revision>, StorageError> {
        Ok(Vec::new())
    }
}

#[async_trait]
impl RecommendationRepository for Hub {
    async fn add_recommendation_event(
        &self,
        event: RecommendationEvent,
    ) -> Result<RecommendationEvent, WriteError> {
        lock(&self.writes).push("add_recommendation_event");
        lock(&self.events).push(event.clone());
        Ok(event)
    }

    async fn recommendation_events(
        &self,
        id: SubmissionId,
    ) -> Result<Vec<RecommendationEvent>, StorageError> {
        Ok(lock(&self.events)
            .iter()
            .filter(|e| e.submission_id == id)
            .cloned()
            .collect())
    }

    async fn recommendation_events_between(
        &self,
        _: NaiveDate,
        _: NaiveDate,
    ) -> Result<Vec<RecommendationEvent>, StorageError> {
        Ok(Vec::new())
    }
}

#[async_trait]
impl MemberRepository for Hub {
    async fn create(&self, _: NewMember) -> Result<Member, WriteError> {
        Err(WriteError::NotFound)
    }
    async fn get(&self, _: MemberId) -> Result<Option<Member>, StorageError> {
        Ok(None)
    }
    async fn credentials(&self, _: &str) -> Result<Option<(Member, String)>, StorageError> {
        Ok(None)
    }
    async fn role_of(&self, id: MemberId) -> Result<Option<Role>, StorageError> {
        Ok(lock(&self.roles).get(&id).copied())
    }
    async fn update_profile(
        &self,
        _: MemberId,
        _: Option<DisplayName>,
        _: Demographics,
        _: &AuditEntry,
    ) -> Result<Member, WriteError> {
        Err(WriteError::NotFound)
    }
    async fn set_role(&self, _: MemberId, _: Role, _: &AuditEntry) -> Result<Member, WriteError> {
        Err(WriteError::NotFound)
    }
    async fn erase(
        &self,
        _: MemberId,
        _: crate::notification::ErasureNotice,
    ) -> Result<(), WriteError> {
        Err(WriteError::NotFound)
    }
}

#[async_trait]
impl AuditRepository for Hub {
    async fn record(&self, _: AuditEntry) -> Result<(), StorageError> {
        lock(&self.writes).push("audit");
        Ok(())
    }
    async fn list(
        &self,
        _: &AuditFilter,
        _: Option<Uuid>,
        _: PageSize,
    ) -> Result<Page<AuditEntry>, StorageError> {
        Ok(Page {
            items: Vec::new(),
            next_cursor: None,
        })
    }
}
