//! How report use cases' failures are served.

use crate::error::ApiError;
use domain::report::{QuarterRangeError, ReportError};

impl From<ReportError> for ApiError {
    fn from(error: ReportError) -> Self {
        match error {
            ReportError::QuarterNotEnded { .. } => ApiError::Conflict {
                code: "quarter_not_ended",
                detail: error.to_string(),
                current_status: None,
            },
            ReportError::SnapshotNotFound => ApiError::NotFound(error.to_string()),
            ReportError::Json(error) => ApiError::Internal(error.into()),
            ReportError::Write(error) => error.into(),
            ReportError::Storage(error) => error.into(),
        }
    }
}

impl From<QuarterRangeError> for ApiError {
    fn from(error: QuarterRangeError) -> Self {
        let code = match error {
            QuarterRangeError::MismatchedYear => "mismatched_year",
            QuarterRangeError::OutOfRange => "out_of_range",
        };
        ApiError::validation("to", code, error.to_string())
    }
}
