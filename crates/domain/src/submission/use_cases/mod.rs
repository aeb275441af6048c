//! What members do with submissions: write, change, send for review,
//! withdraw, delete, read and list them, and read their history.

mod errors;
mod read;
mod write;

#[cfg(test)]
pub(crate) mod fakes;
#[cfg(test)]
mod tests;

pub use errors::{
    AccessError, CreateError, DeleteError, RevisionError, TransitionError, UpdateError,
};
pub use read::History;

use super::{Content, Status, Submission, SubmissionKind, validate_content};
use crate::actor::Actor;
use crate::ids::SubmissionId;
use crate::pagination::{Cursor, PageSize};
use crate::repository::{
    HistoryRepository, ReviewRepository, StorageError, SubmissionFilter, SubmissionRepository,
    WriteError,
};
use crate::taxonomy::Taxonomy;
use crate::validation::ValidationErrors;
use std::sync::Arc;

/// The use cases of submissions, over the ports they need.
#[derive(Clone)]
pub struct SubmissionService {
    submissions: Arc<dyn SubmissionRepository>,
    history: Arc<dyn HistoryRepository>,
    reviews: Arc<dyn ReviewRepository>,
    taxonomy: Arc<Taxonomy>,
}

/// One page of a list, as asked: which submissions, after which cursor, how many.
#[derive(Debug, Clone)]
pub struct ListRequest {
    pub filter: SubmissionFilter,
    pub after: Option<Cursor>,
    pub size: PageSize,
}

/// The versions a writer says it last read; a write goes ahead only against
/// one of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// Whatever is stored.
    Any,
    /// These versions; empty when the writer named none this service gave out.
    OneOf(Vec<i32>),
}

impl ExpectedVersion {
    /// The version to write against: the stored one when it is named, else
    /// the first named (which will be found stale); `None` when none is named.
    pub fn against(&self, stored: i32) -> Option<i32> {
        match self {
            ExpectedVersion::Any => Some(stored),
            ExpectedVersion::OneOf(versions) if versions.contains(&stored) => Some(stored),
            ExpectedVersion::OneOf(versions) => versions.first().copied(),
        }
    }
}

impl SubmissionService {
    pub fn new(
        submissions: Arc<dyn SubmissionRepository>,
        history: Arc<dyn HistoryRepository>,
        reviews: Arc<dyn ReviewRepository>,
        taxonomy: Arc<Taxonomy>,
    ) -> Self {
        Self {
            submissions,
            history,
            reviews,
            taxonomy,
        }
    }

    /// The submission if the actor may see it; otherwise as if it did not exist.
    pub async fn visible(&self, actor: Actor, id: SubmissionId) -> Result<Submission, AccessError> {
        load_visible(self.submissions.as_ref(), actor, id).await
    }

    /// The submission if the actor wrote it.
    pub async fn own(&self, actor: Actor, id: SubmissionId) -> Result<Submission, AccessError> {
        let submission = self.visible(actor, id).await?;
        if submission.is_author(actor.id) {
            Ok(submission)
        } else {
            Err(AccessError::NotAuthor)
        }
    }

    /// The submission if the actor wrote it or reviews.
    pub async fn in_workflow(
        &self,
        actor: Actor,
        id: SubmissionId,
    ) -> Result<Submission, AccessError> {
        let submission = self.visible(actor, id).await?;
        in_workflow(&submission, actor)?;
        Ok(submission)
    }

    /// Content against the rules, the taxonomy and the hub: cited work must be published.
    async fn check_content(
        &self,
        kind: SubmissionKind,
        content: &Content,
    ) -> Result<Result<(), ValidationErrors>, StorageError> {
        let mut errors = ValidationErrors::new();
        errors.collect(validate_content(kind, content, &self.taxonomy));
        let cited = content.cited_submissions();
        if !cited.is_empty() {
            let published = self.submissions.published_among(&cited).await?;
            for (i, source) in content.evidence_sources.iter().enumerate() {
                if let Some(id) = source.submission_id
                    && !published.contains(&id)
                {
                    errors.add(
                        format!("evidence_sources[{i}].submission_id"),
                        "unknown_submission",
                        "must be the id of a published hub submission",
                    );
                }
            }
        }
        Ok(errors.into_result())
    }
}

/// The submission if `actor` may see it.
pub(crate) async fn load_visible(
    submissions: &dyn SubmissionRepository,
    actor: Actor,
    id: SubmissionId,
) -> Result<Submission, AccessError> {
    submissions
        .get(id)
        .await?
        .filter(|s| s.visible_to(actor.id, actor.role))
        .ok_or(AccessError::NotFound)
}

/// Tells a write refused because the status moved on as `moved`, and any
/// other failure as `failed`.
pub(crate) fn status_moved<E>(
    moved: impl FnOnce(Status) -> E,
    failed: impl FnOnce(WriteError) -> E,
) -> impl FnOnce(WriteError) -> E {
    move |error| match error {
        WriteError::StatusChanged(now) => moved(now),
        other => failed(other),
    }
}

/// Only the author, reviewers and admins follow a submission's workflow.
pub(crate) fn in_workflow(submission: &Submission, actor: Actor) -> Result<(), AccessError> {
    if submission.is_author(actor.id) || actor.role.can_review() {
        Ok(())
    } else {
        Err(AccessError::NotInWorkflow)
    }
}
