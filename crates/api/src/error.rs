//! One error type for every route, answered as RFC 9457 `application/problem+json`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use domain::ValidationErrors;
use domain::repository::{DatabaseUnavailable, StorageError, WriteError};
use serde::Serialize;
use utoipa::ToSchema;

/// An RFC 9457 problem detail.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/validation_failed",
    "title": "The request has invalid fields",
    "status": 422,
    "detail": "invalid fields: title, priorities[0]",
    "code": "validation_failed",
    "errors": [{"field": "title", "code": "too_long", "message": "must be at most 200 characters (got 240)"}]
}))]
pub struct Problem {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time.
    pub detail: String,
    /// A stable machine-readable code.
    pub code: String,
    /// For validation failures: every invalid field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldProblem>>,
    /// For refused transitions: the submission's status now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_status: Option<String>,
    /// For stale updates: the version stored now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i32>,
    /// For validation failures with more than 100 errors: how many more were
    /// found than `errors` lists (it lists the first 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors_not_listed: Option<u64>,
    /// For `quota_exceeded`: bytes the member's files take now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used_bytes: Option<u64>,
    /// For `quota_exceeded`: bytes the member's files may take in all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_bytes: Option<u64>,
}

/// One invalid field.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    /// Where the field is, e.g. `sections.why_we_started.aims` or `priorities[1]`.
    pub field: String,
    /// A stable code, e.g. `required`, `too_long`, `unknown_code`.
    pub code: String,
    /// What is wrong, for people.
    pub message: String,
}

/// Every way a request can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    /// Not allowed, for a reason with a code of its own (e.g. `own_work`).
    #[error("{detail}")]
    Refused { code: &'static str, detail: String },
    #[error("{0}")]
    NotFound(String),
    /// A link that has expired and will not work again.
    #[error("{0}")]
    Gone(String),
    /// The path exists, but not with this method; `allow` lists those it has.
    #[error("this path answers {allow} only")]
    MethodNotAllowed { allow: String },
    #[error("{detail}")]
    Conflict {
        code: &'static str,
        detail: String,
        current_status: Option<String>,
    },
    #[error("{detail}")]
    PreconditionFailed {
        detail: String,
        current_version: Option<i32>,
    },
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// The client paused too long while sending the body.
    #[error("the request body stopped arriving; send it without long pauses")]
    RequestTimeout,
    /// An upload over a file or submission limit; `code` says which.
    #[error("{detail}")]
    TooLarge { code: &'static str, detail: String },
    /// An upload past the member's storage quota.
    #[error("{detail}")]
    QuotaExceeded {
        detail: String,
        used: u64,
        allowed: u64,
    },
    /// An uploaded file whose content is not an allowed kind.
    #[error("{0}")]
    UnsupportedFile(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    Validation(ValidationErrors),
    #[error("{0}")]
    PreconditionRequired(String),
    #[error("{detail}")]
    TooManyRequests {
        detail: String,
        retry_after_seconds: u64,
    },
    /// The service is shutting down and takes no new requests.
    #[error("this instance is shutting down; retry the request")]
    ShuttingDown,
    /// A request with this idempotency key is still being served; its lease
    /// runs out after `retry_after_seconds`.
    #[error(
        "a request with this key is still being served; retry after {retry_after_seconds} s to get its answer"
    )]
    KeyInUse { retry_after_seconds: u64 },
    /// The database cannot be reached or refused the work for now.
    #[error("the database is unavailable; retry shortly")]
    DatabaseUnavailable,
    /// The store shared limits are counted in (PostgreSQL or Redis) did not
    /// answer: the request is neither refused as over a limit nor let through uncounted.
    #[error("request limits cannot be checked just now; retry the request")]
    LimitsUnavailable { retry_after_seconds: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn validation(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::Validation(ValidationErrors::single(field, code, message))
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "malformed_request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::Refused { code, .. } => code,
            ApiError::NotFound(_) => "not_found",
            ApiError::Gone(_) => "link_expired",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::Conflict { code, .. } => code,
            ApiError::PreconditionFailed { .. } => "version_mismatch",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::RequestTimeout => "request_timeout",
            ApiError::TooLarge { code, .. } => code,
            ApiError::QuotaExceeded { .. } => "quota_exceeded",
            ApiError::UnsupportedFile(_) => "unsupported_file_type",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Validation(_) => "validation_failed",
            ApiError::PreconditionRequired(_) => "precondition_required",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::ShuttingDown => "shutting_down",
            ApiError::KeyInUse { .. } => "idempotency_key_in_use",
            ApiError::DatabaseUnavailable => "database_unavailable",
            ApiError::LimitsUnavailable { .. } => "limits_unavailable",
            ApiError::Internal(_) => "internal_error",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "The request could not be read",
            ApiError::Unauthorized(_) => "Authentication is required",
            ApiError::Forbidden(_) | ApiError::Refused { .. } => "Not allowed",
            ApiError::NotFound(_) => "Not found",
            ApiError::Gone(_) => "The link has expired",
            ApiError::MethodNotAllowed { .. } => "Method not allowed",
            ApiError::Conflict { .. } => "Conflict with the current state",
            ApiError::PreconditionFailed { .. } => "The resource has changed",
            ApiError::PayloadTooLarge { .. } => "The request body is too large",
            ApiError::RequestTimeout => "The request took too long to arrive",
            ApiError::TooLarge { .. } => "The upload is too large",
            ApiError::QuotaExceeded { .. } => "Your storage quota is used up",
            ApiError::UnsupportedFile(_) => "This kind of file is not accepted",
            ApiError::UnsupportedMediaType(_) => "Unsupported media type",
            ApiError::Validation(_) => "The request has invalid fields",
            ApiError::PreconditionRequired(_) => "A precondition is required",
            ApiError::TooManyRequests { .. } => "Too many requests",
            ApiError::ShuttingDown => "The service is restarting",
            ApiError::KeyInUse { .. } => "Conflict with the current state",
            ApiError::DatabaseUnavailable => "The database is unavailable",
            ApiError::LimitsUnavailable { .. } => "Limits cannot be checked",
            ApiError::Internal(_) => "Internal error",
        }
    }

    pub fn problem(&self) -> Problem {
        let detail = match self {
            ApiError::Internal(_) => "Something went wrong on our side. Quote the x-request-id header if you contact support.".to_owned(),
            other => other.to_string(),
        };
        Problem {
            problem_type: format!("/problems/{}", self.code()),
            title: self.title().to_owned(),
            status: self.status_code().as_u16(),
            detail,
            code: self.code().to_owned(),
            errors: match self {
                ApiError::Validation(errors) => Some(
                    errors
                        .listed()
                        .iter()
                        .map(|e| FieldProblem {
                            field: e.field.clone(),
                            code: e.code.clone(),
                            message: e.message.clone(),
                        })
                        .collect(),
                ),
                _ => None,
            },
            current_status: match self {
                ApiError::Conflict { current_status, .. } => current_status.clone(),
                _ => None,
            },
            current_version: match self {
                ApiError::PreconditionFailed {
                    current_version, ..
                } => *current_version,
                _ => None,
            },
            errors_not_listed: match self {
                ApiError::Validation(errors) if errors.not_listed() > 0 => {
                    u64::try_from(errors.not_listed()).ok()
                }
                _ => None,
            },
            used_bytes: match self {
                ApiError::QuotaExceeded { used, .. } => Some(*used),
                _ => None,
            },
            allowed_bytes: match self {
                ApiError::QuotaExceeded { allowed, .. } => Some(*allowed),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::Refused { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::TooLarge { .. } | ApiError::QuotaExceeded { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            ApiError::UnsupportedFile(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::ShuttingDown => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::KeyInUse { .. } => StatusCode::CONFLICT,
            ApiError::DatabaseUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::LimitsUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(error) = self {
            if database_unavailable(error) {
                tracing::warn!(error = format!("{error:#}"), "database unavailable");
                return ApiError::DatabaseUnavailable.error_response();
            }
            tracing::error!(error = format!("{error:#}"), "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        match self {
            ApiError::Unauthorized(_) => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"innovation-hub\""),
                ));
            }
            ApiError::TooManyRequests {
                retry_after_seconds,
                ..
            }
            | ApiError::LimitsUnavailable {
                retry_after_seconds,
            } => {
                response.insert_header((header::RETRY_AFTER, retry_after_seconds.to_string()));
            }
            ApiError::MethodNotAllowed { allow } => {
                response.insert_header((header::ALLOW, allow.as_str()));
            }
            ApiError::ShuttingDown => {
                response.insert_header((header::RETRY_AFTER, HeaderValue::from_static("1")));
                response.insert_header((header::CONNECTION, HeaderValue::from_static("close")));
            }
            ApiError::KeyInUse {
                retry_after_seconds,
            } => {
                response.insert_header((header::RETRY_AFTER, retry_after_seconds.to_string()));
            }
            ApiError::DatabaseUnavailable => {
                response.insert_header((
                    header::RETRY_AFTER,
                    HeaderValue::from_static(DATABASE_RETRY_AFTER),
                ));
            }
            _ => {}
        }
        response.body(serde_json::to_vec(&self.problem()).unwrap_or_default())
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        ApiError::Validation(errors)
    }
}

/// Seconds a client is asked to wait when the database is unavailable.
const DATABASE_RETRY_AFTER: &str = "2";

/// Whether a failure was the database being out of reach, wherever in the
/// chain of causes storage said so.
fn database_unavailable(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<StorageError>()
            .is_some_and(StorageError::is_unavailable)
            || cause.is::<DatabaseUnavailable>()
    })
}

impl ApiError {
    /// The answer when limits cannot be counted: limits counted in the
    /// database share its outage answer, `database_unavailable`; a separate
    /// limit store (Redis) out of reach is `limits_unavailable`. Either way
    /// 503 with `Retry-After`, never a pass.
    pub fn limits_unreachable(error: &StorageError) -> Self {
        tracing::warn!(error = %error, "limits cannot be counted");
        if error.is_unavailable() {
            ApiError::DatabaseUnavailable
        } else {
            ApiError::LimitsUnavailable {
                retry_after_seconds: crate::rate_limit::UNAVAILABLE_RETRY_SECONDS,
            }
        }
    }
}

/// The one place storage failures become answers: the database out of reach
/// is 503 `database_unavailable` with `Retry-After`, anything else a 500.
impl From<StorageError> for ApiError {
    fn from(error: StorageError) -> Self {
        if error.is_unavailable() {
            tracing::warn!(error = %error, "database unavailable");
            return ApiError::DatabaseUnavailable;
        }
        ApiError::Internal(anyhow::Error::new(error).context("storage failed"))
    }
}

impl From<WriteError> for ApiError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::NotFound => ApiError::NotFound("no such resource".into()),
            WriteError::VersionMismatch { current } => ApiError::PreconditionFailed {
                detail: format!(
                    "the resource is now at version {current}; fetch it again and retry with its ETag"
                ),
                current_version: Some(current),
            },
            WriteError::StatusChanged(status) => ApiError::Conflict {
                code: "illegal_transition",
                detail: format!("the submission is now {}", status.as_str()),
                current_status: Some(status.as_str().to_owned()),
            },
            WriteError::Duplicate => ApiError::Conflict {
                code: "duplicate",
                detail: "it already exists".into(),
                current_status: None,
            },
            WriteError::Storage(error) => error.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unavailable_database_is_a_503_with_retry_after_wherever_it_surfaces() {
        let unavailable = || StorageError::unavailable("connection refused".into());
        let direct = ApiError::from(unavailable());
        let through_anyhow =
            ApiError::Internal(anyhow::Error::new(unavailable()).context("loading a page"));
        let fault = ApiError::from(StorageError("a bad row".into()));

        for error in [direct, through_anyhow] {
            let response = error.error_response();
            assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(
                response.headers().get(header::RETRY_AFTER),
                Some(&HeaderValue::from_static(DATABASE_RETRY_AFTER))
            );
        }
        assert_eq!(
            fault.error_response().status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
