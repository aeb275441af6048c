use crate::repository::{StorageError, WriteError};
use crate::submission::{Action, Status};
use crate::validation::ValidationErrors;

/// Why a member may not reach a submission.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// Missing, or not visible to them: the same answer either way.
    #[error("no submission with this id")]
    NotFound,
    #[error("only the author may do this")]
    NotAuthor,
    #[error("only the author, reviewers and admins may see this")]
    NotInWorkflow,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why a draft was not created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error(transparent)]
    Invalid(ValidationErrors),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why a change of content did not happen.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error(transparent)]
    Access(#[from] AccessError),
    /// No expected version was given.
    #[error("send the version you last read, so no one's changes are overwritten")]
    VersionRequired,
    /// The expected version names no version; carries the one stored.
    #[error("no version of this submission is named; it is at {stored}")]
    NotAVersion { stored: i32 },
    #[error("a {} submission cannot be changed", .0.as_str())]
    NotEditable(Status),
    #[error("the submission is now at version {current}")]
    VersionMismatch { current: i32 },
    #[error(transparent)]
    Invalid(ValidationErrors),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why a draft was not deleted.
#[derive(Debug, thiserror::Error)]
pub enum DeleteError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("no version of this submission is named; it is at {stored}")]
    NotAVersion { stored: i32 },
    #[error("only drafts can be deleted; this one is {}; withdraw it instead", .0.as_str())]
    NotADraft(Status),
    #[error(transparent)]
    Write(WriteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why an author's submit or withdraw did not happen.
#[derive(Debug, thiserror::Error)]
pub enum TransitionError {
    #[error(transparent)]
    Invalid(ValidationErrors),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("cannot {} a submission that is {}", .action.as_str(), .current.as_str())]
    Illegal { action: Action, current: Status },
    #[error(transparent)]
    Write(WriteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why a revision cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum RevisionError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("no revision with this number")]
    NoSuchRevision,
    #[error(transparent)]
    Storage(#[from] StorageError),
}
