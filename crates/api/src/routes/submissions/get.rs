use super::{etag, load_visible, respond};
use crate::auth::Caller;
use crate::dto::submission::SubmissionView;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use domain::SubmissionId;
use uuid::Uuid;

/// One submission, if the caller may see it: the author always, reviewers and
/// admins once it left draft, every member once published.
#[utoipa::path(
    tag = "submissions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id")),
    responses(
        (status = 200, description = "The submission, with its `ETag`", body = SubmissionView,
            headers(("ETag" = String, description = "Its version, for If-Match"))),
        (status = 304, description = "Unchanged since the `If-None-Match` version"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/submissions/{id}")]
#[tracing::instrument(skip_all, fields(submission = %id))]
pub async fn get_submission(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let submission = load_visible(&state, &caller, SubmissionId(id.into_inner())).await?;
    let tag = etag(submission.version);
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == tag)
        });
    if unchanged {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish());
    }
    Ok(respond(HttpResponse::Ok(), submission))
}
