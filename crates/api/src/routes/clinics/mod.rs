//! Idea clinics and the business cases presented at them.

pub mod errors;
pub mod presentations;

use crate::auth::Caller;
use crate::dto::spread::{ClinicRequest, ClinicView};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};

/// Hold an idea clinic.
///
/// Admins only. A clinic may be scheduled ahead: members see it from its
/// `held_on` day.
#[utoipa::path(
    tag = "idea clinics",
    security(("bearer" = [])),
    request_body = ClinicRequest,
    responses(
        (status = 201, description = "The clinic", body = ClinicView),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/idea-clinics")]
#[tracing::instrument(skip_all)]
pub async fn create_clinic(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    body: JsonBody<ClinicRequest>,
) -> Result<HttpResponse, ApiError> {
    let clinic = state
        .clinic_service
        .hold(&caller.context(request_id), body.0.into())
        .await?;
    let location = format!("/api/v1/idea-clinics/{}", clinic.id);
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, location))
        .json(ClinicView::from(clinic)))
}

/// Idea clinics, newest first.
///
/// Members see clinics held by today; admins see scheduled ones too.
#[utoipa::path(
    tag = "idea clinics",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The clinics the caller may see", body = [ClinicView]),
    )
)]
#[get("/idea-clinics")]
#[tracing::instrument(skip_all)]
pub async fn list_clinics(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let clinics = state.clinic_service.list(&caller.reading()).await?;
    let views: Vec<ClinicView> = clinics.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(views))
}
