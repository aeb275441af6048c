//! Files on submissions: upload, list, download and remove. Who may see a
//! submission may see its files; only its author changes them, while editable.

pub mod delete;
pub mod download;
pub mod errors;
pub mod list;
pub mod upload;

use crate::state::AppState;
use domain::SubmissionId;

/// Deletes every stored file of a submission whose rows are gone (a deleted draft).
pub async fn discard_all(state: &AppState, submission: SubmissionId) {
    state.attachment_service().discard_all(submission).await;
}
