//! How each refusal of the spread use cases is answered.

use crate::error::ApiError;
use domain::spread::{AdoptionError, InclusionError};
use domain::submission::Status;

fn not_published(detail: String, status: Status) -> ApiError {
    ApiError::Conflict {
        code: "not_published",
        detail,
        current_status: Some(status.as_str().to_owned()),
    }
}

impl From<AdoptionError> for ApiError {
    fn from(error: AdoptionError) -> Self {
        match error {
            AdoptionError::Access(e) => e.into(),
            AdoptionError::OwnWork => ApiError::Refused {
                code: "own_work",
                detail: error.to_string(),
            },
            AdoptionError::NotPublished(status) => not_published(error.to_string(), status),
            AdoptionError::Invalid(errors) => errors.into(),
            AdoptionError::Write(e) => e.into(),
            AdoptionError::Storage(e) => e.into(),
        }
    }
}

impl From<InclusionError> for ApiError {
    fn from(error: InclusionError) -> Self {
        match error {
            InclusionError::Access(e) => e.into(),
            InclusionError::NotAdmin => ApiError::Forbidden(error.to_string()),
            InclusionError::NotPublished(status) => not_published(error.to_string(), status),
            InclusionError::Invalid(errors) => errors.into(),
            InclusionError::Write(e) => e.into(),
            InclusionError::Storage(e) => e.into(),
        }
    }
}
