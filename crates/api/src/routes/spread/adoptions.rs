use crate::auth::Caller;
use crate::dto::spread::{AdoptionRequest, AdoptionView};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use domain::SubmissionId;

/// Report that your organisation adopted published work.
///
/// Any member who sees the published work, except its author, reports that
/// their organisation adopted it (or one of its recommendations, by
/// `recommendation_id`). `adopted_on` runs from the day the work was
/// published to today. Recorded with an audit entry and a
/// `submission.adopted` event in the change feed.
#[utoipa::path(
    tag = "spread",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id")),
    request_body = AdoptionRequest,
    responses(
        (status = 201, description = "The recorded adoption", body = AdoptionView),
        (status = 403, description = "The author reporting their own work (`own_work`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The submission is not published (`not_published`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/submissions/{id}/adoptions")]
#[tracing::instrument(skip_all)]
pub async fn report_adoption(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<SubmissionId>,
    body: JsonBody<AdoptionRequest>,
) -> Result<HttpResponse, ApiError> {
    let adoption = state
        .spread_service
        .report_adoption(&caller.context(request_id), id.into_inner(), body.0.into())
        .await?;
    Ok(HttpResponse::Created().json(AdoptionView::from(adoption)))
}

/// Adoptions of a submission by other organisations.
#[utoipa::path(
    tag = "spread",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id")),
    responses(
        (status = 200, description = "Its adoptions, oldest first", body = [AdoptionView]),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/submissions/{id}/adoptions")]
#[tracing::instrument(skip_all)]
pub async fn list_adoptions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<SubmissionId>,
) -> Result<HttpResponse, ApiError> {
    let adoptions = state
        .spread_service
        .adoptions(&caller.reading(), id.into_inner())
        .await?;
    let views: Vec<AdoptionView> = adoptions.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(views))
}
