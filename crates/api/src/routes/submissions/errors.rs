//! How each refusal of the submission, review and follow-up use cases is
//! answered: one `From` per error, keeping the problem codes clients rely on.

use super::etag;
use crate::error::ApiError;
use domain::recommendation::{FollowUpError, QuarterEventsError};
use domain::repository::WriteError;
use domain::review::{ClaimError, DecideError, QueueError, ReassignError};
use domain::submission::use_cases::{
    AccessError, CreateError, DeleteError, RevisionError, TransitionError, UpdateError,
};
use domain::submission::{Action, Status};

/// 409 for an action the lifecycle does not allow, naming the status now.
fn illegal(action: Action, current: Status) -> ApiError {
    ApiError::Conflict {
        code: "illegal_transition",
        detail: format!(
            "cannot {} a submission that is {}",
            action.as_str(),
            current.as_str()
        ),
        current_status: Some(current.as_str().to_owned()),
    }
}

/// 409 with a code of its own, naming the status now.
fn conflict(code: &'static str, detail: impl ToString, current: Status) -> ApiError {
    ApiError::Conflict {
        code,
        detail: detail.to_string(),
        current_status: Some(current.as_str().to_owned()),
    }
}

fn forbidden(refusal: impl ToString) -> ApiError {
    ApiError::Forbidden(refusal.to_string())
}

/// 412 for an `If-Match` that names no version at all.
fn names_no_version(stored: i32) -> ApiError {
    ApiError::PreconditionFailed {
        detail: format!(
            "If-Match does not name a version of this submission; it is at {}",
            etag(stored)
        ),
        current_version: Some(stored),
    }
}

impl From<AccessError> for ApiError {
    fn from(error: AccessError) -> Self {
        match error {
            AccessError::NotFound => ApiError::NotFound(error.to_string()),
            AccessError::NotAuthor | AccessError::NotInWorkflow => forbidden(error),
            AccessError::Storage(e) => e.into(),
        }
    }
}

impl From<CreateError> for ApiError {
    fn from(error: CreateError) -> Self {
        match error {
            CreateError::Invalid(errors) => errors.into(),
            CreateError::Write(e) => e.into(),
            CreateError::Storage(e) => e.into(),
        }
    }
}

impl From<UpdateError> for ApiError {
    fn from(error: UpdateError) -> Self {
        match error {
            UpdateError::Access(e) => e.into(),
            UpdateError::VersionRequired => ApiError::PreconditionRequired(
                "send If-Match with the ETag you last read, so no one's changes are overwritten"
                    .into(),
            ),
            UpdateError::NotAVersion { stored } => names_no_version(stored),
            UpdateError::NotEditable(status) => conflict("not_editable", &error, status),
            UpdateError::VersionMismatch { current } => {
                WriteError::VersionMismatch { current }.into()
            }
            UpdateError::Invalid(errors) => errors.into(),
            UpdateError::Write(e) => e.into(),
            UpdateError::Storage(e) => e.into(),
        }
    }
}

impl From<DeleteError> for ApiError {
    fn from(error: DeleteError) -> Self {
        match error {
            DeleteError::Access(e) => e.into(),
            DeleteError::NotAVersion { stored } => names_no_version(stored),
            DeleteError::NotADraft(status) => conflict("not_a_draft", &error, status),
            DeleteError::Write(e) => e.into(),
            DeleteError::Storage(e) => e.into(),
        }
    }
}

impl From<TransitionError> for ApiError {
    fn from(error: TransitionError) -> Self {
        match error {
            TransitionError::Invalid(errors) => errors.into(),
            TransitionError::Access(e) => e.into(),
            TransitionError::Illegal { action, current } => illegal(action, current),
            TransitionError::Write(e) => e.into(),
            TransitionError::Storage(e) => e.into(),
        }
    }
}

impl From<RevisionError> for ApiError {
    fn from(error: RevisionError) -> Self {
        match error {
            RevisionError::Access(e) => e.into(),
            RevisionError::NoSuchRevision => ApiError::NotFound(error.to_string()),
            RevisionError::Storage(e) => e.into(),
        }
    }
}

impl From<ClaimError> for ApiError {
    fn from(error: ClaimError) -> Self {
        match error {
            ClaimError::Access(e) => e.into(),
            ClaimError::NotReviewer | ClaimError::OwnWork => forbidden(error),
            ClaimError::Illegal(current) => illegal(Action::Claim, current),
            ClaimError::Write(e) => e.into(),
            ClaimError::Storage(e) => e.into(),
        }
    }
}

impl From<ReassignError> for ApiError {
    fn from(error: ReassignError) -> Self {
        match error {
            ReassignError::NotAdmin => forbidden(error),
            ReassignError::Access(e) => e.into(),
            ReassignError::NotAReviewer => {
                ApiError::validation("reviewer_id", "not_a_reviewer", error.to_string())
            }
            ReassignError::SelfReview => {
                ApiError::validation("reviewer_id", "self_review", error.to_string())
            }
            ReassignError::NotInReview(status) => conflict("not_in_review", &error, status),
            ReassignError::Write(e) => e.into(),
            ReassignError::Storage(e) => e.into(),
        }
    }
}

impl From<DecideError> for ApiError {
    fn from(error: DecideError) -> Self {
        match error {
            DecideError::Access(e) => e.into(),
            DecideError::NotReviewer | DecideError::OwnWork | DecideError::ClaimedByAnother => {
                forbidden(error)
            }
            DecideError::Invalid(errors) => errors.into(),
            DecideError::Illegal { action, current } => illegal(action, current),
            DecideError::Write(e) => e.into(),
            DecideError::Storage(e) => e.into(),
        }
    }
}

impl From<QueueError> for ApiError {
    fn from(error: QueueError) -> Self {
        match error {
            QueueError::NotReviewer => forbidden(error),
            QueueError::Invalid(errors) => errors.into(),
            QueueError::Storage(e) => e.into(),
        }
    }
}

impl From<FollowUpError> for ApiError {
    fn from(error: FollowUpError) -> Self {
        match error {
            FollowUpError::Access(e) => e.into(),
            FollowUpError::NotAuthorOrAdmin => forbidden(error),
            FollowUpError::NotPublished(status) => conflict("not_published", &error, status),
            FollowUpError::NoSuchRecommendation => ApiError::NotFound(error.to_string()),
            FollowUpError::Invalid(errors) => errors.into(),
            FollowUpError::Write(e) => e.into(),
            FollowUpError::Storage(e) => e.into(),
        }
    }
}

impl From<QuarterEventsError> for ApiError {
    fn from(error: QuarterEventsError) -> Self {
        match error {
            QuarterEventsError::NotAdmin => forbidden(error),
            QuarterEventsError::InvalidQuarter(e) => {
                ApiError::validation("quarter", "invalid_value", e.to_string())
            }
            QuarterEventsError::Storage(e) => e.into(),
        }
    }
}
