//! How each refusal of the resource use cases is answered.

use crate::error::ApiError;
use domain::resource::ResourceError;

impl From<ResourceError> for ApiError {
    fn from(error: ResourceError) -> Self {
        let detail = error.to_string();
        match error {
            ResourceError::NotAdmin => ApiError::Forbidden(detail),
            ResourceError::Invalid(errors) => errors.into(),
            ResourceError::EmptyFile => ApiError::validation("file", "empty", detail),
            ResourceError::FileTooLarge { .. } => ApiError::TooLarge {
                code: "file_too_large",
                detail,
            },
            ResourceError::UnsupportedFile(_) => ApiError::UnsupportedFile(detail),
            ResourceError::NotFound => ApiError::NotFound(detail),
            ResourceError::StoredSizeMismatch { .. } => ApiError::Internal(anyhow::anyhow!(detail)),
            ResourceError::FileStore(error) => {
                ApiError::Internal(anyhow::Error::new(error).context("file storage failed"))
            }
            ResourceError::Write(e) => e.into(),
            ResourceError::Storage(e) => e.into(),
        }
    }
}
