use super::{if_match, load_own};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, delete, web};
use domain::SubmissionId;
use domain::audit::AuditEntry;
use uuid::Uuid;

/// Delete a draft and its attached files. `If-Match` is honoured when sent.
#[utoipa::path(
    tag = "submissions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is not the author", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Only drafts can be deleted; withdraw submitted work instead", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since the `If-Match` version", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/submissions/{id}")]
#[tracing::instrument(skip_all, fields(submission = %id))]
pub async fn delete_submission(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let submission = load_own(&state, &caller, SubmissionId(id.into_inner())).await?;
    let expected = if_match(&req, submission.version)?;
    let audit = AuditEntry::new("draft_deleted", Some(caller.id))
        .target("submission", submission.id.0)
        .request(Some(request_id.0));
    state
        .submissions
        .delete_draft(submission.id, expected, &audit)
        .await
        .map_err(|e| match e {
            domain::repository::WriteError::StatusChanged(status) => ApiError::Conflict {
                code: "not_a_draft",
                detail: format!(
                    "only drafts can be deleted; this one is {}; withdraw it instead",
                    status.as_str()
                ),
                current_status: Some(status.as_str().to_owned()),
            },
            other => other.into(),
        })?;
    tracing::info!("draft deleted");
    crate::routes::attachments::discard_all(&state, submission.id).await;
    Ok(HttpResponse::NoContent().finish())
}
