use super::illegal;
use super::{load_own, respond};
use crate::auth::Caller;
use crate::dto::submission::{SubmissionView, TransitionRequest};
use crate::error::{ApiError, Problem};
use crate::extract::OptionalJsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, post, web};
use domain::SubmissionId;
use domain::audit::AuditEntry;
use domain::repository::TransitionRecord;
use domain::submission::{Action, completeness, missing_for_submit};
use domain::validation::check_length;
use uuid::Uuid;

/// The optional `{comment}` body of a transition; no body is fine.
fn comment_of(body: OptionalJsonBody<TransitionRequest>) -> Result<Option<String>, ApiError> {
    let Some(request) = body.0 else {
        return Ok(None);
    };
    if let Some(comment) = &request.comment {
        let mut errors = domain::ValidationErrors::new();
        check_length(&mut errors, "comment", comment, 0, 2_000);
        errors.into_result()?;
    }
    Ok(request.comment)
}

/// Performs an author's transition after checking the lifecycle allows it.
async fn author_transition(
    state: &AppState,
    caller: &Caller,
    id: SubmissionId,
    action: Action,
    body: OptionalJsonBody<TransitionRequest>,
    request_id: RequestId,
) -> Result<HttpResponse, ApiError> {
    let comment = comment_of(body)?;
    let submission = load_own(state, caller, id).await?;
    let to = submission
        .status
        .apply(action)
        .map_err(|_| illegal(action, submission.status))?;
    let at = chrono::Utc::now();
    let mut record = TransitionRecord {
        id,
        actor: caller.id,
        from: submission.status,
        to,
        at,
        comment,
        submitted_at: None,
        completeness: None,
        reviewer: None,
        audit: AuditEntry::new(&format!("submission_{}", to.as_str()), Some(caller.id))
            .target("submission", id.0)
            .details(serde_json::json!({"from": submission.status.as_str(), "to": to.as_str()}))
            .request(Some(request_id.0)),
    };
    if action == Action::Submit {
        missing_for_submit(submission.kind, &submission.content).into_result()?;
        record.submitted_at = submission.submitted_at.is_none().then_some(at);
        record.completeness = Some(completeness(submission.kind, &submission.content));
    }
    let updated = state
        .submissions
        .transition(record)
        .await
        .map_err(|e| match e {
            domain::repository::WriteError::StatusChanged(now) => illegal(action, now),
            other => other.into(),
        })?;
    tracing::info!(submission = %id, from = submission.status.as_str(), to = to.as_str(), "transition");
    Ok(respond(HttpResponse::Ok(), updated))
}

/// Send a draft (or work returned for changes) for review. Checks that the
/// required sections and at least one priority are filled, and stores a revision.
#[utoipa::path(
    tag = "submissions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id"), ("Idempotency-Key" = Option<String>, Header, description = "Any unique string (a UUID); a repeat with the same key and body within 24 hours gets the first answer again, with `Idempotent-Replayed: true`")),
    request_body(content = Option<TransitionRequest>, description = "An optional comment"),
    responses(
        (status = 200, description = "The submitted submission, with its completeness", body = SubmissionView),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is not the author", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not submittable in its current status (`current_status` says which), or a request with this `Idempotency-Key` still being served", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Required fields missing, each named, or an `Idempotency-Key` reused with another body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/submissions/{id}/submit")]
#[tracing::instrument(skip_all, fields(submission = %id))]
pub async fn submit_submission(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<Uuid>,
    body: OptionalJsonBody<TransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    author_transition(
        &state,
        &caller,
        SubmissionId(id.into_inner()),
        Action::Submit,
        body,
        request_id,
    )
    .await
}

/// Withdraw work before publication. Withdrawn work is not counted in reports.
#[utoipa::path(
    tag = "submissions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id"), ("Idempotency-Key" = Option<String>, Header, description = "Any unique string (a UUID); a repeat with the same key and body within 24 hours gets the first answer again, with `Idempotent-Replayed: true`")),
    request_body(content = Option<TransitionRequest>, description = "An optional comment"),
    responses(
        (status = 200, description = "The withdrawn submission", body = SubmissionView),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is not the author", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not withdrawable in its current status (`current_status` says which), or a request with this `Idempotency-Key` still being served", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid comment, or an `Idempotency-Key` reused with another body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/submissions/{id}/withdraw")]
#[tracing::instrument(skip_all, fields(submission = %id))]
pub async fn withdraw_submission(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<Uuid>,
    body: OptionalJsonBody<TransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    author_transition(
        &state,
        &caller,
        SubmissionId(id.into_inner()),
        Action::Withdraw,
        body,
        request_id,
    )
    .await
}
