//! What reviewers and admins do: take work into review, hand it to another
//! reviewer, score and decide it, and read the queue and the reviews.

use super::{Decision, Review, Rubric};
use crate::actor::{Actor, Context};
use crate::audit::AuditEntry;
use crate::ids::{MemberId, SubmissionId};
use crate::pagination::Page;
use crate::repository::{
    ListOrder, MemberRepository, NewReview, ReviewRepository, StorageError, SubmissionRepository,
    TransitionRecord, WriteError,
};
use crate::submission::use_cases::{
    AccessError, ListRequest, in_workflow, load_visible, status_moved,
};
use crate::submission::{Action, Status, Submission};
use crate::validation::{ValidationErrors, check_length};
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

/// The longest overall comment on a review.
const OVERALL_COMMENT_MAX: usize = super::COMMENT_MAX;

/// The use cases of reviewing, over the ports they need.
#[derive(Clone)]
pub struct ReviewService {
    submissions: Arc<dyn SubmissionRepository>,
    reviews: Arc<dyn ReviewRepository>,
    members: Arc<dyn MemberRepository>,
}

/// Why work was not taken into review.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("only reviewers and admins may do this")]
    NotReviewer,
    #[error("reviewers never review their own work")]
    OwnWork,
    #[error("cannot claim a submission that is {}", .0.as_str())]
    Illegal(Status),
    #[error(transparent)]
    Write(WriteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why work in review was not handed to another reviewer.
#[derive(Debug, thiserror::Error)]
pub enum ReassignError {
    #[error("only admins may do this")]
    NotAdmin,
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("must be the id of a reviewer or admin")]
    NotAReviewer,
    #[error("the author cannot review their own work")]
    SelfReview,
    #[error("only work in review can be reassigned; this one is {}", .0.as_str())]
    NotInReview(Status),
    #[error(transparent)]
    Write(WriteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why a review was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("only reviewers and admins may do this")]
    NotReviewer,
    #[error("reviewers never review their own work")]
    OwnWork,
    #[error("another reviewer has claimed this submission; an admin can reassign it")]
    ClaimedByAnother,
    #[error(transparent)]
    Invalid(ValidationErrors),
    #[error("cannot {} a submission that is {}", .action.as_str(), .current.as_str())]
    Illegal { action: Action, current: Status },
    #[error(transparent)]
    Write(WriteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why the review queue cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("only reviewers and admins may do this")]
    NotReviewer,
    #[error(transparent)]
    Invalid(ValidationErrors),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A reviewer's scores, comment and decision, as sent.
#[derive(Debug, Clone)]
pub struct ReviewInput {
    /// (criterion, score, comment) for every criterion sent.
    pub scores: Vec<(String, i64, Option<String>)>,
    pub overall_comment: Option<String>,
    pub decision: Decision,
}

impl ReviewService {
    pub fn new(
        submissions: Arc<dyn SubmissionRepository>,
        reviews: Arc<dyn ReviewRepository>,
        members: Arc<dyn MemberRepository>,
    ) -> Self {
        Self {
            submissions,
            reviews,
            members,
        }
    }

    /// Work the actor may see that is waiting for review, oldest submitted
    /// first; without a status asked, what is submitted and not yet claimed.
    pub async fn queue(
        &self,
        ctx: &Context,
        request: Result<ListRequest, ValidationErrors>,
    ) -> Result<Page<Submission>, QueueError> {
        if !ctx.actor.role.can_review() {
            return Err(QueueError::NotReviewer);
        }
        let ListRequest {
            mut filter,
            after,
            size,
        } = request.map_err(QueueError::Invalid)?;
        filter.viewer = ctx.actor.id;
        filter.viewer_role = ctx.actor.role;
        filter.status = filter.status.or(Some(Status::Submitted));
        filter.order = ListOrder::OldestSubmitted;
        Ok(self.submissions.list(&filter, after, size).await?)
    }

    /// Takes submitted work into review, assigned to the actor.
    pub async fn claim(&self, ctx: &Context, id: SubmissionId) -> Result<Submission, ClaimError> {
        let submission = self.reviewable(ctx.actor, id).await?;
        let to = submission
            .status
            .apply(Action::Claim)
            .map_err(|_| ClaimError::Illegal(submission.status))?;
        let record = TransitionRecord {
            id: submission.id,
            actor: ctx.actor.id,
            from: submission.status,
            to,
            at: ctx.now,
            comment: None,
            submitted_at: None,
            record_demographics: false,
            completeness: None,
            reviewer: Some(ctx.actor.id),
            audit: AuditEntry::new("submission_claimed", Some(ctx.actor.id))
                .target("submission", submission.id.0)
                .request(ctx.request_id.clone()),
        };
        self.submissions
            .transition(record)
            .await
            .map_err(status_moved(ClaimError::Illegal, ClaimError::Write))
    }

    /// Hands work in review to another reviewer (admins only).
    pub async fn reassign(
        &self,
        ctx: &Context,
        id: SubmissionId,
        reviewer: MemberId,
    ) -> Result<Submission, ReassignError> {
        if !ctx.actor.role.is_admin() {
            return Err(ReassignError::NotAdmin);
        }
        let submission = load_visible(self.submissions.as_ref(), ctx.actor, id).await?;
        let role = self.members.role_of(reviewer).await?;
        if !role.is_some_and(|r| r.can_review()) {
            return Err(ReassignError::NotAReviewer);
        }
        if submission.is_author(reviewer) {
            return Err(ReassignError::SelfReview);
        }
        let audit = AuditEntry::new("reviewer_reassigned", Some(ctx.actor.id))
            .target("submission", submission.id.0)
            .details(json!({"reviewer_id": reviewer.0}))
            .request(ctx.request_id.clone());
        self.reviews
            .reassign(submission.id, reviewer, ctx.actor.id, ctx.now, &audit)
            .await
            .map_err(status_moved(
                ReassignError::NotInReview,
                ReassignError::Write,
            ))
    }

    /// Scores work in review and decides it: the reviewer who claimed it, or an admin.
    pub async fn review(
        &self,
        ctx: &Context,
        id: SubmissionId,
        input: ReviewInput,
    ) -> Result<(Submission, Review), DecideError> {
        let submission = self.reviewable(ctx.actor, id).await?;
        if submission
            .reviewer_id
            .is_some_and(|assigned| assigned != ctx.actor.id)
            && !ctx.actor.role.is_admin()
        {
            return Err(DecideError::ClaimedByAnother);
        }
        let rubric = parse_review(&input).map_err(DecideError::Invalid)?;
        let action = input.decision.action();
        let illegal = |current| DecideError::Illegal { action, current };
        if submission.status != Status::InReview {
            return Err(illegal(submission.status));
        }
        let to = Status::InReview
            .apply(action)
            .map_err(|_| illegal(submission.status))?;
        let audit = AuditEntry::new("review_recorded", Some(ctx.actor.id))
            .target("submission", submission.id.0)
            .details(json!({"decision": input.decision.as_str(), "quality_score": rubric.mean(), "to": to.as_str()}))
            .request(ctx.request_id.clone());
        let review = NewReview {
            id: Uuid::now_v7(),
            submission_id: submission.id,
            reviewer: ctx.actor.id,
            rubric,
            overall_comment: input.overall_comment,
            decision: input.decision,
            at: ctx.now,
            audit,
        };
        self.reviews
            .record_review(review)
            .await
            .map_err(status_moved(illegal, DecideError::Write))
    }

    /// The reviews of a submission, for its author, reviewers and admins.
    pub async fn reviews(
        &self,
        ctx: &Context,
        id: SubmissionId,
    ) -> Result<Vec<Review>, AccessError> {
        let submission = load_visible(self.submissions.as_ref(), ctx.actor, id).await?;
        in_workflow(&submission, ctx.actor)?;
        Ok(self.reviews.reviews(submission.id).await?)
    }

    /// Work the actor may review: they see it, they review, and it is not theirs.
    async fn reviewable(&self, actor: Actor, id: SubmissionId) -> Result<Submission, Refusal> {
        let submission = load_visible(self.submissions.as_ref(), actor, id)
            .await
            .map_err(Refusal::Access)?;
        if !actor.role.can_review() {
            return Err(Refusal::NotReviewer);
        }
        if submission.is_author(actor.id) {
            return Err(Refusal::OwnWork);
        }
        Ok(submission)
    }
}

/// Why a member may not review a piece of work.
enum Refusal {
    Access(AccessError),
    NotReviewer,
    OwnWork,
}

impl From<Refusal> for ClaimError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Access(e) => ClaimError::Access(e),
            Refusal::NotReviewer => ClaimError::NotReviewer,
            Refusal::OwnWork => ClaimError::OwnWork,
        }
    }
}

impl From<Refusal> for DecideError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Access(e) => DecideError::Access(e),
            Refusal::NotReviewer => DecideError::NotReviewer,
            Refusal::OwnWork => DecideError::OwnWork,
        }
    }
}

fn parse_review(input: &ReviewInput) -> Result<Rubric, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let rubric = errors.collect(Rubric::parse(input.scores.clone()));
    if let Some(comment) = &input.overall_comment {
        check_length(
            &mut errors,
            "overall_comment",
            comment,
            0,
            OVERALL_COMMENT_MAX,
        );
    }
    match rubric {
        Some(rubric) if errors.is_empty() => Ok(rubric),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::member::Role;
    use crate::review::CRITERIA;
    use crate::submission::use_cases::fakes::{Hub, member};

    fn service(hub: &Arc<Hub>) -> ReviewService {
        ReviewService::new(hub.clone(), hub.clone(), hub.clone())
    }

    fn as_member(n: u128, role: Role) -> Context {
        Context::new(Actor::new(member(n), role), None)
    }

    fn publish(score: i64) -> ReviewInput {
        ReviewInput {
            scores: CRITERIA
                .iter()
                .map(|c| ((*c).to_owned(), score, None))
                .collect(),
            overall_comment: None,
            decision: Decision::Publish,
        }
    }

    #[tokio::test]
    async fn reviewers_never_claim_or_review_their_own_work() {
        let hub = Hub::new();
        let own = hub.holds(member(1), Status::Submitted);
        let in_review = hub.holds(member(1), Status::InReview);

        let claimed = service(&hub)
            .claim(&as_member(1, Role::Reviewer), own)
            .await;
        let reviewed = service(&hub)
            .review(&as_member(1, Role::Admin), in_review, publish(4))
            .await;

        assert!(matches!(claimed, Err(ClaimError::OwnWork)));
        assert!(matches!(reviewed, Err(DecideError::OwnWork)));
        assert!(hub.writes().is_empty());
    }

    #[tokio::test]
    async fn members_cannot_claim() {
        let hub = Hub::new();
        let published = hub.holds(member(1), Status::Published);

        let claimed = service(&hub)
            .claim(&as_member(2, Role::Member), published)
            .await;

        assert!(matches!(claimed, Err(ClaimError::NotReviewer)));
    }

    #[tokio::test]
    async fn a_claim_takes_submitted_work_only_and_assigns_the_reviewer() {
        let hub = Hub::new();
        let submitted = hub.holds(member(1), Status::Submitted);
        let rejected = hub.holds(member(1), Status::Rejected);

        let claimed = service(&hub)
            .claim(&as_member(2, Role::Reviewer), submitted)
            .await
            .unwrap();
        let refused = service(&hub)
            .claim(&as_member(2, Role::Reviewer), rejected)
            .await;

        assert_eq!(claimed.status, Status::InReview);
        assert_eq!(claimed.reviewer_id, Some(member(2)));
        assert!(matches!(
            refused,
            Err(ClaimError::Illegal(Status::Rejected))
        ));
    }

    #[tokio::test]
    async fn only_the_claimant_or_an_admin_decides() {
        let hub = Hub::new();
        let claimed = hub.holds(member(1), Status::InReview);
        hub.change(claimed, |s| s.reviewer_id = Some(member(2)));

        let by_other = service(&hub)
            .review(&as_member(3, Role::Reviewer), claimed, publish(4))
            .await;
        let by_admin = service(&hub)
            .review(&as_member(4, Role::Admin), claimed, publish(4))
            .await;

        assert!(matches!(by_other, Err(DecideError::ClaimedByAnother)));
        let (submission, review) = by_admin.unwrap();
        assert_eq!(submission.status, Status::Published);
        assert_eq!(review.quality_score, 4.0);
    }

    #[tokio::test]
    async fn a_decision_needs_every_criterion_scored_and_work_in_review() {
        let hub = Hub::new();
        let in_review = hub.holds(member(1), Status::InReview);
        let submitted = hub.holds(member(1), Status::Submitted);
        let reviewer = as_member(2, Role::Reviewer);

        let unscored = service(&hub).review(&reviewer, in_review, publish(6)).await;
        let not_in_review = service(&hub).review(&reviewer, submitted, publish(3)).await;

        assert!(matches!(unscored, Err(DecideError::Invalid(_))));
        assert!(matches!(
            not_in_review,
            Err(DecideError::Illegal {
                action: Action::Publish,
                current: Status::Submitted
            })
        ));
        assert!(hub.writes().is_empty());
    }

    #[tokio::test]
    async fn admins_reassign_to_a_reviewer_who_is_not_the_author() {
        let hub = Hub::new();
        let in_review = hub.holds(member(1), Status::InReview);
        hub.has_role(member(1), Role::Reviewer);
        hub.has_role(member(2), Role::Member);
        hub.has_role(member(3), Role::Reviewer);
        let admin = as_member(9, Role::Admin);
        let service = service(&hub);
        let reassign = |to| service.reassign(&admin, in_review, to);

        let by_reviewer = service
            .reassign(&as_member(3, Role::Reviewer), in_review, member(3))
            .await;
        let to_member = reassign(member(2)).await;
        let to_author = reassign(member(1)).await;
        let to_reviewer = reassign(member(3)).await.unwrap();

        assert!(matches!(by_reviewer, Err(ReassignError::NotAdmin)));
        assert!(matches!(to_member, Err(ReassignError::NotAReviewer)));
        assert!(matches!(to_author, Err(ReassignError::SelfReview)));
        assert_eq!(to_reviewer.reviewer_id, Some(member(3)));
    }

    #[tokio::test]
    async fn the_queue_is_for_reviewers_and_defaults_to_unclaimed_work() {
        let hub = Hub::new();
        let submitted = hub.holds(member(1), Status::Submitted);
        hub.holds(member(1), Status::InReview);
        let request = || {
            Ok(ListRequest {
                filter: crate::repository::SubmissionFilter {
                    viewer: member(0),
                    viewer_role: Role::Member,
                    kind: None,
                    status: None,
                    priority: None,
                    practice_area: None,
                    evidence_type: None,
                    topic: None,
                    nation: None,
                    region: None,
                    quarter: None,
                    mine: false,
                    search: None,
                    order: ListOrder::NewestCreated,
                },
                after: None,
                size: crate::pagination::PageSize::default(),
            })
        };

        let by_member = service(&hub)
            .queue(&as_member(2, Role::Member), request())
            .await;
        let by_reviewer = service(&hub)
            .queue(&as_member(2, Role::Reviewer), request())
            .await
            .unwrap();

        assert!(matches!(by_member, Err(QueueError::NotReviewer)));
        let ids: Vec<SubmissionId> = by_reviewer.items.iter().map(|s| s.id).collect();
        assert_eq!(ids, vec![submitted]);
    }
}
