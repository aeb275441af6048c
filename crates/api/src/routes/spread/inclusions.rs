use crate::auth::Caller;
use crate::dto::spread::{InclusionRequest, InclusionView};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use domain::SubmissionId;

/// Record that published work was included in a national or regional report.
///
/// Admins only. A regional report names its nation and region; a national
/// one may name its nation. Recorded with an audit entry and a
/// `submission.included` event in the change feed.
#[utoipa::path(
    tag = "spread",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id")),
    request_body = InclusionRequest,
    responses(
        (status = 201, description = "The recorded inclusion", body = InclusionView),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The submission is not published (`not_published`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/submissions/{id}/inclusions")]
#[tracing::instrument(skip_all)]
pub async fn record_inclusion(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<SubmissionId>,
    body: JsonBody<InclusionRequest>,
) -> Result<HttpResponse, ApiError> {
    let inclusion = state
        .spread_service
        .record_inclusion(&caller.context(request_id), id.into_inner(), body.0.into())
        .await?;
    Ok(HttpResponse::Created().json(InclusionView::from(inclusion)))
}

/// Reports a submission was included in.
#[utoipa::path(
    tag = "spread",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id")),
    responses(
        (status = 200, description = "Its inclusions, oldest first", body = [InclusionView]),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/submissions/{id}/inclusions")]
#[tracing::instrument(skip_all)]
pub async fn list_inclusions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<SubmissionId>,
) -> Result<HttpResponse, ApiError> {
    let inclusions = state
        .spread_service
        .inclusions(&caller.reading(), id.into_inner())
        .await?;
    let views: Vec<InclusionView> = inclusions.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(views))
}
