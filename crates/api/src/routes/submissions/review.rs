use super::respond;
use crate::auth::Caller;
use crate::dto::review::{ReassignRequest, ReviewOutcome, ReviewRequest, ReviewView};
use crate::dto::submission::SubmissionView;
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, put, web};
use domain::review::ReviewInput;
use domain::{MemberId, SubmissionId};

/// Take a submitted piece of work into review (reviewers and admins, never the author).
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id")),
    responses(
        (status = 200, description = "The submission, now in review and assigned to the caller", body = SubmissionView),
        (status = 403, description = "Not a reviewer, or the caller's own work", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not waiting for review (`current_status` says where it is)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/submissions/{id}/claim")]
#[tracing::instrument(skip_all, fields(submission = %id, reviewer = %caller.id))]
pub async fn claim_submission(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<SubmissionId>,
) -> Result<HttpResponse, ApiError> {
    let ctx = caller.context(request_id);
    let claimed = state.review_service.claim(&ctx, id.into_inner()).await?;
    Ok(respond(HttpResponse::Ok(), claimed))
}

/// Hand a submission in review to another reviewer (admins only).
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id")),
    request_body = ReassignRequest,
    responses(
        (status = 200, description = "The submission with its new reviewer", body = SubmissionView),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not in review", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The new reviewer is not a reviewer, or is the author", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/submissions/{id}/reviewer")]
#[tracing::instrument(skip_all, fields(submission = %id, admin = %caller.id))]
pub async fn reassign_reviewer(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<SubmissionId>,
    body: JsonBody<ReassignRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = caller.context(request_id);
    let reviewer = MemberId(body.0.reviewer_id);
    let updated = state
        .review_service
        .reassign(&ctx, id.into_inner(), reviewer)
        .await?;
    Ok(respond(HttpResponse::Ok(), updated))
}

/// Review a submission in review: score the rubric and decide.
///
/// `publish`, `request_changes` or `reject` moves it on; when two reviewers decide at
/// once, one wins and the other gets 409.
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id")),
    request_body = ReviewRequest,
    responses(
        (status = 201, description = "The review and the submission after the decision", body = ReviewOutcome),
        (status = 403, description = "Not a reviewer, the caller's own work, or claimed by another reviewer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not in review, or another reviewer decided first", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid scores, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/submissions/{id}/reviews")]
#[tracing::instrument(skip_all, fields(submission = %id, reviewer = %caller.id))]
pub async fn create_review(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<SubmissionId>,
    body: JsonBody<ReviewRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = caller.context(request_id);
    let body = body.0;
    let input = ReviewInput {
        scores: body.scores(),
        overall_comment: body.overall_comment,
        decision: body.decision,
    };
    let (updated, review) = state
        .review_service
        .review(&ctx, id.into_inner(), input)
        .await?;
    Ok(HttpResponse::Created().json(ReviewOutcome {
        review: review.into(),
        submission: updated.into(),
    }))
}

/// The reviews of a submission (its author, reviewers and admins).
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id")),
    responses(
        (status = 200, description = "Every review, oldest first", body = [ReviewView]),
        (status = 403, description = "Neither the author nor a reviewer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/submissions/{id}/reviews")]
#[tracing::instrument(skip_all, fields(submission = %id))]
pub async fn list_reviews(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<SubmissionId>,
) -> Result<HttpResponse, ApiError> {
    let reviews = state
        .review_service
        .reviews(&caller.reading(), id.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(
        reviews
            .into_iter()
            .map(ReviewView::from)
            .collect::<Vec<_>>(),
    ))
}
