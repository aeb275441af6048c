//! Submissions: create, read, update, delete drafts, list, and the author's transitions.

pub mod create;
pub mod delete;
pub mod get;
pub mod history;
pub mod list;
pub mod queue;
pub mod recommendations;
pub mod review;
pub mod transition;
pub mod update;

use crate::auth::Caller;
use crate::dto::submission::SubmissionView;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use domain::SubmissionId;
use domain::ValidationErrors;
use domain::submission::{Content, Submission, SubmissionKind, validate_content};

/// The submission if the caller may see it; otherwise 404, as if it did not exist.
pub async fn load_visible(
    state: &AppState,
    caller: &Caller,
    id: SubmissionId,
) -> Result<Submission, ApiError> {
    state
        .submissions
        .get(id)
        .await?
        .filter(|s| s.visible_to(caller.id, caller.role))
        .ok_or_else(|| ApiError::NotFound("no submission with this id".into()))
}

/// The submission if the caller wrote it or reviews; 403 for other members who can see it.
pub async fn load_for_workflow(
    state: &AppState,
    caller: &Caller,
    id: SubmissionId,
) -> Result<Submission, ApiError> {
    let submission = load_visible(state, caller, id).await?;
    if submission.is_author(caller.id) || caller.role.can_review() {
        Ok(submission)
    } else {
        Err(ApiError::Forbidden(
            "only the author, reviewers and admins may see this".into(),
        ))
    }
}

/// The submission if the caller wrote it; 404 when they cannot see it, 403 when they can but did not write it.
pub async fn load_own(
    state: &AppState,
    caller: &Caller,
    id: SubmissionId,
) -> Result<Submission, ApiError> {
    let submission = load_visible(state, caller, id).await?;
    if submission.is_author(caller.id) {
        Ok(submission)
    } else {
        Err(ApiError::Forbidden("only the author may do this".into()))
    }
}

/// 409 for an action the lifecycle does not allow, naming the status now.
pub fn illegal(
    action: domain::submission::Action,
    current: domain::submission::Status,
) -> ApiError {
    ApiError::Conflict {
        code: "illegal_transition",
        detail: format!(
            "cannot {} a submission that is {}",
            action.as_str(),
            current.as_str()
        ),
        current_status: Some(current.as_str().to_owned()),
    }
}

pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The version named by `If-Match`: `"3"`, `W/"3"` or `*` (whatever is stored).
pub fn if_match(req: &HttpRequest, stored: i32) -> Result<Option<i32>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let raw = value.to_str().unwrap_or_default().trim();
    if raw == "*" {
        return Ok(Some(stored));
    }
    let tags: Vec<&str> = raw
        .split(',')
        .map(|t| t.trim().trim_start_matches("W/").trim_matches('"'))
        .collect();
    let version = tags.iter().find_map(|t| t.parse::<i32>().ok());
    match version {
        Some(_) if tags.iter().any(|t| t.parse::<i32>().ok() == Some(stored)) => Ok(Some(stored)),
        Some(v) => Ok(Some(v)),
        None => Err(ApiError::PreconditionFailed {
            detail: format!(
                "If-Match does not name a version of this submission; it is at {}",
                etag(stored)
            ),
            current_version: Some(stored),
        }),
    }
}

/// Checks content against the rules, the taxonomy and the hub (cited work must be published).
pub async fn check_content(
    state: &AppState,
    kind: SubmissionKind,
    content: &Content,
) -> Result<(), ApiError> {
    let mut errors = ValidationErrors::new();
    errors.collect(validate_content(kind, content, &state.taxonomy));
    let cited = content.cited_submissions();
    if !cited.is_empty() {
        let published = state.submissions.published_among(&cited).await?;
        for (i, source) in content.evidence_sources.iter().enumerate() {
            if let Some(id) = source.submission_id
                && !published.contains(&id)
            {
                errors.add(
                    format!("evidence_sources[{i}].submission_id"),
                    "unknown_submission",
                    "must be the id of a published hub submission",
                );
            }
        }
    }
    errors.into_result().map_err(Into::into)
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
