use crate::auth::Caller;
use crate::dto::spread::{PresentationRequest, PresentationView};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use domain::SubmissionId;
use uuid::Uuid;

/// Record a business case presented at a clinic, with the panel's view.
///
/// Admins only. The case must be a `business_case` that has been submitted
/// (not a draft or withdrawn); each case is presented once per clinic.
/// Recorded with an audit entry and a `submission.presented` event, seen by
/// whoever sees the case.
#[utoipa::path(
    tag = "idea clinics",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The clinic's id")),
    request_body = PresentationRequest,
    responses(
        (status = 201, description = "The recorded presentation", body = PresentationView),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such clinic", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already presented at this clinic (`already_presented`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named (`submission_id` when it is not a submitted business case)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/idea-clinics/{id}/presentations")]
#[tracing::instrument(skip_all)]
pub async fn present_business_case(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<Uuid>,
    body: JsonBody<PresentationRequest>,
) -> Result<HttpResponse, ApiError> {
    let presentation = state
        .clinic_service
        .present(&caller.context(request_id), id.into_inner(), body.0.into())
        .await?;
    Ok(HttpResponse::Created().json(PresentationView::from(presentation)))
}

/// The clinics a business case was presented at, with the panel's view.
///
/// For the case's author, reviewers and admins.
#[utoipa::path(
    tag = "idea clinics",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id")),
    responses(
        (status = 200, description = "Its presentations, oldest clinic first", body = [PresentationView]),
        (status = 403, description = "Neither the author, a reviewer nor an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/submissions/{id}/presentations")]
#[tracing::instrument(skip_all)]
pub async fn list_presentations(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<SubmissionId>,
) -> Result<HttpResponse, ApiError> {
    let presentations = state
        .clinic_service
        .presentations(&caller.reading(), id.into_inner())
        .await?;
    let views: Vec<PresentationView> = presentations.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(views))
}
