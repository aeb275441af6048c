//! Submissions: create, read, update, delete drafts, list, and the author's transitions.

pub mod create;
pub mod delete;
pub mod errors;
pub mod get;
pub mod history;
pub mod list;
pub mod queue;
pub mod recommendations;
pub mod related;
pub mod review;
pub mod transition;
pub mod update;

use crate::auth::Caller;
use crate::dto::submission::SubmissionView;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::http::header::{self, Header, HeaderValue, IfMatch};
use actix_web::{HttpRequest, HttpResponse};
use domain::SubmissionId;
use domain::submission::Submission;
use domain::submission::use_cases::ExpectedVersion;

/// The submission if the caller may see it; otherwise 404, as if it did not exist.
pub async fn load_visible(
    state: &AppState,
    caller: &Caller,
    id: SubmissionId,
) -> Result<Submission, ApiError> {
    Ok(state.submission_service.visible(caller.actor(), id).await?)
}

/// The submission if the caller wrote it; 404 when they cannot see it, 403 when they can but did not write it.
pub async fn load_own(
    state: &AppState,
    caller: &Caller,
    id: SubmissionId,
) -> Result<Submission, ApiError> {
    Ok(state.submission_service.own(caller.actor(), id).await?)
}

pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The versions named by `If-Match` (`"3"`, `W/"3"` or `*`), when it was sent.
pub fn if_match(req: &HttpRequest) -> Option<ExpectedVersion> {
    if !req.headers().contains_key(header::IF_MATCH) {
        return None;
    }
    Some(match IfMatch::parse(req) {
        Ok(IfMatch::Any) => ExpectedVersion::Any,
        Ok(IfMatch::Items(tags)) => {
            ExpectedVersion::OneOf(tags.iter().filter_map(|t| t.tag().parse().ok()).collect())
        }
        Err(_) => ExpectedVersion::OneOf(Vec::new()),
    })
}

/// A submission with its `ETag`.
pub fn respond(
    mut response: actix_web::HttpResponseBuilder,
    submission: Submission,
) -> HttpResponse {
    if let Ok(tag) = HeaderValue::from_str(&etag(submission.version)) {
        response.insert_header((header::ETAG, tag));
    }
    response.json(SubmissionView::from(submission))
}
