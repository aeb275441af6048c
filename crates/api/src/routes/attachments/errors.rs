//! How file use cases' failures are served.

use crate::error::ApiError;
use domain::attachment::AttachmentError;

impl From<AttachmentError> for ApiError {
    fn from(error: AttachmentError) -> Self {
        let detail = error.to_string();
        match error {
            AttachmentError::NotEditable(status) => ApiError::Conflict {
                code: "not_editable",
                detail,
                current_status: Some(status.as_str().to_owned()),
            },
            AttachmentError::FileTooLarge { .. } => ApiError::TooLarge {
                code: "file_too_large",
                detail,
            },
            AttachmentError::SubmissionFull { .. } | AttachmentError::WouldOverfill { .. } => {
                ApiError::TooLarge {
                    code: "submission_storage_full",
                    detail,
                }
            }
            AttachmentError::QuotaExceeded { used, allowed } => ApiError::QuotaExceeded {
                detail,
                used,
                allowed,
            },
            AttachmentError::EmptyFile => ApiError::validation("file", "empty", detail),
            AttachmentError::UnsupportedFile(_) => ApiError::UnsupportedFile(detail),
            AttachmentError::SubmissionNotFound
            | AttachmentError::NoSuchRevision(_)
            | AttachmentError::FileNotFound
            | AttachmentError::NoCurrentFile => ApiError::NotFound(detail),
            AttachmentError::StoredSizeMismatch { .. } => {
                ApiError::Internal(anyhow::anyhow!(detail))
            }
            AttachmentError::FileStore(error) => {
                ApiError::Internal(anyhow::Error::new(error).context("file storage failed"))
            }
            AttachmentError::Write(error) => error.into(),
            AttachmentError::Storage(error) => error.into(),
        }
    }
}
