use super::illegal;
use super::{load_visible, respond};
use crate::auth::{Caller, require_admin, require_reviewer};
use crate::dto::review::{ReassignRequest, ReviewOutcome, ReviewRequest, ReviewView};
use crate::dto::submission::SubmissionView;
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, put, web};
use domain::audit::AuditEntry;
use domain::repository::{NewReview, TransitionRecord, WriteError};
use domain::review::Rubric;
use domain::submission::{Action, Status, Submission};
use domain::validation::check_length;
use domain::{MemberId, SubmissionId, ValidationErrors};
use serde_json::json;
use uuid::Uuid;

fn not_own(caller: &Caller, submission: &Submission) -> Result<(), ApiError> {
    if submission.is_author(caller.id) {
        Err(ApiError::Forbidden(
            "reviewers never review their own work".into(),
        ))
    } else {
        Ok(())
    }
}

/// Take a submitted piece of work into review (reviewers and admins, never the author).
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id")),
    responses(
        (status = 200, description = "The submission, now in review and assigned to the caller", body = SubmissionView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
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
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let submission = load_visible(&state, &caller, SubmissionId(id.into_inner())).await?;
    require_reviewer(&caller)?;
    not_own(&caller, &submission)?;
    let to = submission
        .status
        .apply(Action::Claim)
        .map_err(|_| illegal(Action::Claim, submission.status))?;
    let record = TransitionRecord {
        id: submission.id,
        actor: caller.id,
        from: submission.status,
        to,
        at: chrono::Utc::now(),
        comment: None,
        submitted_at: None,
        completeness: None,
        reviewer: Some(caller.id),
        audit: AuditEntry::new("submission_claimed", Some(caller.id))
            .target("submission", submission.id.0)
            .request(Some(request_id.0)),
    };
    let claimed = state
        .submissions
        .transition(record)
        .await
        .map_err(|e| match e {
            WriteError::StatusChanged(now) => illegal(Action::Claim, now),
            other => other.into(),
        })?;
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
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not in review", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The new reviewer is not a reviewer, or is the author", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/submissions/{id}/reviewer")]
#[tracing::instrument(skip_all, fields(submission = %id, admin = %caller.id))]
pub async fn reassign_reviewer(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<Uuid>,
    body: JsonBody<ReassignRequest>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&caller)?;
    let submission = load_visible(&state, &caller, SubmissionId(id.into_inner())).await?;
    let reviewer = MemberId(body.0.reviewer_id);
    let role = state.members.role_of(reviewer).await?;
    if !role.is_some_and(|r| r.can_review()) {
        return Err(ApiError::validation(
            "reviewer_id",
            "not_a_reviewer",
            "must be the id of a reviewer or admin",
        ));
    }
    if submission.is_author(reviewer) {
        return Err(ApiError::validation(
            "reviewer_id",
            "self_review",
            "the author cannot review their own work",
        ));
    }
    let audit = AuditEntry::new("reviewer_reassigned", Some(caller.id))
        .target("submission", submission.id.0)
        .details(json!({"reviewer_id": reviewer.0}))
        .request(Some(request_id.0));
    let updated = state
        .submissions
        .reassign(
            submission.id,
            reviewer,
            caller.id,
            chrono::Utc::now(),
            &audit,
        )
        .await
        .map_err(|e| match e {
            WriteError::StatusChanged(now) => ApiError::Conflict {
                code: "not_in_review",
                detail: format!(
                    "only work in review can be reassigned; this one is {}",
                    now.as_str()
                ),
                current_status: Some(now.as_str().to_owned()),
            },
            other => other.into(),
        })?;
    Ok(respond(HttpResponse::Ok(), updated))
}

/// Review a submission in review: score the rubric and decide. `publish`,
/// `request_changes` or `reject` moves it on; when two reviewers decide at
/// once, one wins and the other gets 409.
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id")),
    request_body = ReviewRequest,
    responses(
        (status = 201, description = "The review and the submission after the decision", body = ReviewOutcome),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a reviewer, the caller's own work, or claimed by another reviewer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not in review, or another reviewer decided first", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid scores, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/submissions/{id}/reviews")]
#[tracing::instrument(skip_all, fields(submission = %id, reviewer = %caller.id))]
pub async fn create_review(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<Uuid>,
    body: JsonBody<ReviewRequest>,
) -> Result<HttpResponse, ApiError> {
    let submission = load_visible(&state, &caller, SubmissionId(id.into_inner())).await?;
    require_reviewer(&caller)?;
    not_own(&caller, &submission)?;
    // Work in review is decided by the reviewer who claimed it (or an admin);
    // another reviewer must be assigned first.
    if let Some(assigned) = submission.reviewer_id
        && assigned != caller.id
        && !caller.role.is_admin()
    {
        return Err(ApiError::Forbidden(
            "another reviewer has claimed this submission; an admin can reassign it".into(),
        ));
    }
    let body = body.0;
    let mut errors = ValidationErrors::new();
    let rubric = errors.collect(Rubric::parse(body.scores()));
    if let Some(comment) = &body.overall_comment {
        check_length(&mut errors, "overall_comment", comment, 0, 5_000);
    }
    let Some(rubric) = rubric.filter(|_| errors.is_empty()) else {
        return Err(errors.into());
    };
    let action = body.decision.action();
    if submission.status != Status::InReview {
        return Err(illegal(action, submission.status));
    }
    let to = Status::InReview
        .apply(action)
        .map_err(|_| illegal(action, submission.status))?;
    let audit = AuditEntry::new("review_recorded", Some(caller.id))
        .target("submission", submission.id.0)
        .details(json!({"decision": body.decision.as_str(), "quality_score": rubric.mean(), "to": to.as_str()}))
        .request(Some(request_id.0));
    let review = NewReview {
        id: Uuid::now_v7(),
        submission_id: submission.id,
        reviewer: caller.id,
        rubric,
        overall_comment: body.overall_comment,
        decision: body.decision,
        at: chrono::Utc::now(),
        audit,
    };
    let (updated, review) = state
        .submissions
        .record_review(review)
        .await
        .map_err(|e| match e {
            WriteError::StatusChanged(now) => illegal(action, now),
            other => other.into(),
        })?;
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
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither the author nor a reviewer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/submissions/{id}/reviews")]
#[tracing::instrument(skip_all, fields(submission = %id))]
pub async fn list_reviews(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let submission =
        super::load_for_workflow(&state, &caller, SubmissionId(id.into_inner())).await?;
    let reviews = state.submissions.reviews(submission.id).await?;
    Ok(HttpResponse::Ok().json(
        reviews
            .into_iter()
            .map(ReviewView::from)
            .collect::<Vec<_>>(),
    ))
}
