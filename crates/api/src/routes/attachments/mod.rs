//! Files on submissions: upload, list, download and remove. Who may see a
//! submission may see its files; only its author changes them, while editable.

pub mod delete;
pub mod download;
pub mod list;
pub mod upload;

use crate::error::ApiError;
use crate::state::AppState;
use domain::SubmissionId;
use domain::attachment::{FileStoreError, StorageKey};
use domain::submission::Submission;

/// 409 unless the author may still change the submission's files.
pub fn ensure_editable(submission: &Submission) -> Result<(), ApiError> {
    if submission.status.is_editable() {
        Ok(())
    } else {
        Err(not_editable(submission.status))
    }
}

pub fn not_editable(status: domain::submission::Status) -> ApiError {
    ApiError::Conflict {
        code: "not_editable",
        detail: format!(
            "files can be changed only while the submission is a draft or has changes requested; it is {}",
            status.as_str()
        ),
        current_status: Some(status.as_str().to_owned()),
    }
}

pub fn file_store_failure(error: FileStoreError) -> ApiError {
    ApiError::Internal(anyhow::Error::new(error).context("file storage failed"))
}

/// Deletes a stored file no row refers to. A failure leaves an orphan, which is
/// logged with its key for a sweep; it never affects what clients see.
pub async fn discard(state: &AppState, key: &StorageKey) {
    if let Err(error) = state.files.delete(key).await {
        tracing::error!(key = %key, error = %error, "could not delete a stored file; it is an orphan");
    }
}

/// Deletes every stored file of a submission whose rows are gone (a deleted draft).
pub async fn discard_all(state: &AppState, submission: SubmissionId) {
    match state.files.keys(&StorageKey::prefix_of(submission)).await {
        Ok(keys) => {
            for key in &keys {
                discard(state, key).await;
            }
            tracing::info!(files = keys.len(), "deleted the draft's files");
        }
        Err(error) => {
            tracing::error!(submission = %submission, error = %error, "could not list a deleted draft's files; they are orphans");
        }
    }
}
