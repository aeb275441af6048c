//! How each refusal of the idea clinic use cases is answered.

use crate::error::ApiError;
use domain::clinic::{ClinicError, PresentError};

impl From<ClinicError> for ApiError {
    fn from(error: ClinicError) -> Self {
        match error {
            ClinicError::NotAdmin => ApiError::Forbidden(error.to_string()),
            ClinicError::Invalid(errors) => errors.into(),
            ClinicError::Write(e) => e.into(),
            ClinicError::Storage(e) => e.into(),
        }
    }
}

impl From<PresentError> for ApiError {
    fn from(error: PresentError) -> Self {
        match error {
            PresentError::NotAdmin => ApiError::Forbidden(error.to_string()),
            PresentError::NoSuchClinic => ApiError::NotFound(error.to_string()),
            PresentError::Invalid(errors) => errors.into(),
            PresentError::AlreadyPresented => ApiError::Conflict {
                code: "already_presented",
                detail: error.to_string(),
                current_status: None,
            },
            PresentError::Write(e) => e.into(),
            PresentError::Storage(e) => e.into(),
        }
    }
}
