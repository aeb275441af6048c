use super::respond;
use crate::auth::Caller;
use crate::dto::submission::{SubmissionView, TransitionRequest};
use crate::error::{ApiError, Problem};
use crate::extract::OptionalJsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, post, web};
use domain::SubmissionId;

/// The optional comment of a transition; no body is fine.
fn comment_of(body: OptionalJsonBody<TransitionRequest>) -> Option<String> {
    body.0.and_then(|request| request.comment)
}

/// Send a draft for review.
///
/// Send a draft (or work returned for changes) for review. Checks that the
/// required sections and at least one priority are filled, and stores a revision.
#[utoipa::path(
    tag = "submissions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id"), ("Idempotency-Key" = Option<String>, Header, description = "Any unique string (a UUID); a repeat with the same key and body within 24 hours gets the first answer again, with `Idempotent-Replayed: true`")),
    request_body(content = Option<TransitionRequest>, description = "An optional comment"),
    responses(
        (status = 200, description = "The submitted submission, with its completeness", body = SubmissionView),
        (status = 403, description = "The caller is not the author", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not submittable in its current status (`current_status` says which), or this `Idempotency-Key` used with another body (`idempotency_key_reused`) or still being served (`idempotency_key_in_use`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Required fields missing, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/submissions/{id}/submit")]
#[tracing::instrument(skip_all, fields(submission = %id))]
pub async fn submit_submission(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<SubmissionId>,
    body: OptionalJsonBody<TransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = caller.context(request_id);
    let moved = state
        .submission_service
        .submit(&ctx, id.into_inner(), comment_of(body))
        .await?;
    tracing::info!(submission = %moved.id, to = moved.status.as_str(), "transition");
    Ok(respond(HttpResponse::Ok(), moved))
}

/// Withdraw work before publication. Withdrawn work is not counted in reports.
#[utoipa::path(
    tag = "submissions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id"), ("Idempotency-Key" = Option<String>, Header, description = "Any unique string (a UUID); a repeat with the same key and body within 24 hours gets the first answer again, with `Idempotent-Replayed: true`")),
    request_body(content = Option<TransitionRequest>, description = "An optional comment"),
    responses(
        (status = 200, description = "The withdrawn submission", body = SubmissionView),
        (status = 403, description = "The caller is not the author", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not withdrawable in its current status (`current_status` says which), or this `Idempotency-Key` used with another body (`idempotency_key_reused`) or still being served (`idempotency_key_in_use`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid comment", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/submissions/{id}/withdraw")]
#[tracing::instrument(skip_all, fields(submission = %id))]
pub async fn withdraw_submission(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<SubmissionId>,
    body: OptionalJsonBody<TransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = caller.context(request_id);
    let moved = state
        .submission_service
        .withdraw(&ctx, id.into_inner(), comment_of(body))
        .await?;
    tracing::info!(submission = %moved.id, to = moved.status.as_str(), "transition");
    Ok(respond(HttpResponse::Ok(), moved))
}
