use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::middleware::RequestId;
use crate::routes::submissions::load_own;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, web};
use domain::SubmissionId;
use domain::attachment::AttachmentId;
use uuid::Uuid;

/// Remove a file from a submission.
///
/// Remove a file from a submission (its author, while it is a draft or has
/// changes requested). A file that a submitted revision contained leaves the
/// current list but is kept for that revision.
#[utoipa::path(
    tag = "attachments",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The submission's id"),
        ("attachment_id" = Uuid, Path, description = "The file's id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "The caller is not the author", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission or current file, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The submission is no longer editable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/submissions/{id}/attachments/{attachment_id}")]
#[tracing::instrument(skip_all, fields(submission = %path.0, attachment = %path.1))]
pub async fn delete_attachment(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (submission_id, attachment_id) = path.into_inner();
    let submission = load_own(&state, &caller, SubmissionId(submission_id)).await?;
    state
        .attachment_service()
        .remove(
            &caller.context(request_id),
            &submission,
            AttachmentId(attachment_id),
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
