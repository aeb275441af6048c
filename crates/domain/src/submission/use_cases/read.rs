use super::errors::{AccessError, RevisionError};
use super::{ListRequest, SubmissionService, in_workflow};
use crate::actor::Context;
use crate::ids::SubmissionId;
use crate::pagination::Page;
use crate::repository::{Revision, StorageError, Transition};
use crate::review::Review;
use crate::submission::{Audience, Status, Submission};

/// What happened to a submission, for its author, reviewers and admins.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub transitions: Vec<Transition>,
    pub revisions: Vec<Revision>,
    pub reviews: Vec<Review>,
    pub published_revision: Option<i32>,
}

impl SubmissionService {
    /// A page of what the actor may see, however the filter was asked.
    pub async fn list(
        &self,
        ctx: &Context,
        request: ListRequest,
    ) -> Result<Page<Submission>, StorageError> {
        let ListRequest {
            mut filter,
            after,
            size,
        } = request;
        filter.viewer = ctx.actor.id;
        filter.viewer_role = ctx.actor.role;
        self.submissions.list(&filter, after, size).await
    }

    /// Transitions, revisions and reviews of a submission.
    pub async fn history(&self, ctx: &Context, id: SubmissionId) -> Result<History, AccessError> {
        let submission = self.in_workflow(ctx.actor, id).await?;
        Ok(History {
            transitions: self.history.transitions(submission.id).await?,
            revisions: self.history.revisions(submission.id).await?,
            reviews: self.reviews.reviews(submission.id).await?,
            published_revision: submission.published_revision,
        })
    }

    /// One revision as it was submitted, with the number of the published one.
    /// The published revision is every reader's; others only the workflow's.
    pub async fn revision(
        &self,
        ctx: &Context,
        id: SubmissionId,
        number: i32,
    ) -> Result<(Revision, Option<i32>), RevisionError> {
        let submission = self.visible(ctx.actor, id).await?;
        if submission.published_revision != Some(number) {
            in_workflow(&submission, ctx.actor)?;
        }
        let revision = self
            .history
            .revisions(submission.id)
            .await?
            .into_iter()
            .find(|r| r.number == number)
            .ok_or(RevisionError::NoSuchRevision)?;
        Ok((revision, submission.published_revision))
    }
}

impl SubmissionService {
    /// Published work most like a submission the actor may see: scored by
    /// [`crate::submission::search::Likeness::score`], best first, then newest (ids are time-ordered);
    /// never the submission itself, never what the actor may not see.
    pub async fn related(
        &self,
        ctx: &Context,
        id: SubmissionId,
        limit: usize,
    ) -> Result<Vec<Submission>, AccessError> {
        let source = self.visible(ctx.actor, id).await?;
        let audience = Audience::of(ctx.actor.id, ctx.actor.role);
        let mut candidates = self
            .submissions
            .related_candidates(&source, &audience)
            .await?;
        candidates
            .retain(|(candidate, likeness)| *candidate != source.id && likeness.score() > 0.0);
        candidates.sort_by(|(a_id, a), (b_id, b)| {
            b.score()
                .total_cmp(&a.score())
                .then_with(|| b_id.0.cmp(&a_id.0))
        });
        let mut related = Vec::with_capacity(limit);
        for (candidate, _) in candidates {
            if related.len() == limit {
                break;
            }
            if let Some(submission) = self.submissions.get(candidate).await?
                && submission.status == Status::Published
                && audience.sees(submission.author_id, submission.status)
            {
                related.push(submission);
            }
        }
        Ok(related)
    }
}
