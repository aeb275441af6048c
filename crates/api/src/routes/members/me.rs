use crate::auth::Caller;
use crate::dto::member::{MemberView, UpdateMeRequest};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, get, patch, web};
use domain::member::ProfileChange;

/// The caller's profile and demographics.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's profile", body = MemberView),
    )
)]
#[get("/members/me")]
#[tracing::instrument(skip_all, fields(member = %caller.id))]
pub async fn get_me(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
) -> Result<HttpResponse, ApiError> {
    let member = state
        .member_service
        .profile(&caller.context(request_id))
        .await?;
    Ok(HttpResponse::Ok().json(MemberView::from(member)))
}

/// Change the caller's display name or demographics.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    request_body = UpdateMeRequest,
    responses(
        (status = 200, description = "The updated profile", body = MemberView),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/members/me")]
#[tracing::instrument(skip_all, fields(member = %caller.id))]
pub async fn update_me(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    body: JsonBody<UpdateMeRequest>,
) -> Result<HttpResponse, ApiError> {
    let JsonBody(mut body) = body;
    let (demographics, overridden) = body.demographics_patch();
    let change = ProfileChange {
        demographics,
        overridden,
        display_name: body.display_name,
    };
    let member = state
        .member_service
        .update_profile(&caller.context(request_id), change)
        .await?;
    Ok(HttpResponse::Ok().json(MemberView::from(member)))
}
