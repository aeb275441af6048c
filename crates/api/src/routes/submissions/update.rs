use super::{if_match, respond};
use crate::auth::Caller;
use crate::dto::submission::{SubmissionView, UpdateSubmissionRequest};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, patch, web};
use domain::SubmissionId;

/// Change a draft, or work returned for changes.
///
/// Requires `If-Match` with the `ETag`
/// last read, so no one's edit is silently overwritten.
#[utoipa::path(
    tag = "submissions",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The submission's id"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. \"1\""),
    ),
    request_body = UpdateSubmissionRequest,
    responses(
        (status = 200, description = "The updated submission with its new `ETag`", body = SubmissionView),
        (status = 403, description = "The caller is not the author", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not editable in its current status", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since the `If-Match` version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/submissions/{id}")]
#[tracing::instrument(skip_all, fields(submission = %id))]
pub async fn update_submission(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<SubmissionId>,
    body: JsonBody<UpdateSubmissionRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = caller.reading();
    let change = body.0;
    let updated = state
        .submission_service
        .update(&ctx, id.into_inner(), if_match(&req), |content| {
            change.apply(content)
        })
        .await?;
    Ok(respond(HttpResponse::Ok(), updated))
}
