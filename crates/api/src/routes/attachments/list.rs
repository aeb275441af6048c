use crate::auth::Caller;
use crate::dto::attachment::AttachmentList;
use crate::error::{ApiError, Problem};
use crate::routes::submissions::load_visible;
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use domain::SubmissionId;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// Which files to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListAttachmentsQuery {
    /// A revision's number (1 for the first submit): the files that revision
    /// contained, including any the author removed later. Without it, the current files.
    #[param(minimum = 1)]
    revision: Option<i32>,
}

/// A submission's files, to whoever may see the submission.
///
/// Its current files, or with `revision` the files a submitted revision contained.
#[utoipa::path(
    tag = "attachments",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id"), ListAttachmentsQuery),
    responses(
        (status = 200, description = "The files, oldest first, with the limits that apply", body = AttachmentList),
        (status = 404, description = "No such submission or revision, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The query is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/submissions/{id}/attachments")]
#[tracing::instrument(skip_all, fields(submission = %id))]
pub async fn list_attachments(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<ListAttachmentsQuery>,
) -> Result<HttpResponse, ApiError> {
    let submission = load_visible(&state, &caller, SubmissionId(id.into_inner())).await?;
    let service = state.attachment_service();
    let items = service.list(&submission, query.revision).await?;
    Ok(HttpResponse::Ok().json(AttachmentList::new(items, service.limits())))
}
