use super::if_match;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, delete, web};
use domain::SubmissionId;

/// Delete a draft and its attached files.
///
/// `If-Match` is honoured when sent.
#[utoipa::path(
    tag = "submissions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id")),
    responses(
        (status = 204, description = "Deleted"),
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
    id: web::Path<SubmissionId>,
) -> Result<HttpResponse, ApiError> {
    let ctx = caller.context(request_id);
    let deleted = state
        .submission_service
        .delete_draft(&ctx, id.into_inner(), if_match(&req))
        .await?;
    tracing::info!("draft deleted");
    crate::routes::attachments::discard_all(&state, deleted).await;
    Ok(HttpResponse::NoContent().finish())
}
