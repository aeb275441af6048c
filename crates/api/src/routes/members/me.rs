use crate::auth::Caller;
use crate::dto::member::{MemberView, UpdateMeRequest};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::state::AppState;
use actix_web::{HttpResponse, get, patch, web};
use domain::ValidationErrors;
use domain::member::DisplayName;

/// The caller's profile and demographics.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's profile", body = MemberView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/members/me")]
#[tracing::instrument(skip_all, fields(member = %caller.id))]
pub async fn get_me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let member = state
        .members
        .get(caller.id)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("the member no longer exists".into()))?;
    Ok(HttpResponse::Ok().json(MemberView::from(member)))
}

/// Change the caller's display name or demographics.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    request_body = UpdateMeRequest,
    responses(
        (status = 200, description = "The updated profile", body = MemberView),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/members/me")]
#[tracing::instrument(skip_all, fields(member = %caller.id))]
pub async fn update_me(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<UpdateMeRequest>,
) -> Result<HttpResponse, ApiError> {
    let JsonBody(mut body) = body;
    let patch = body.demographics_patch();
    let mut errors = ValidationErrors::new();
    let display_name = body
        .display_name
        .as_deref()
        .and_then(|n| errors.collect(DisplayName::parse("display_name", n)));
    errors.collect(patch.validate(&state.taxonomy));
    errors.into_result()?;
    let mut member = state
        .members
        .get(caller.id)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("the member no longer exists".into()))?;
    patch.apply(&mut member.demographics);
    let member = state
        .members
        .update_profile(caller.id, display_name, member.demographics)
        .await?;
    Ok(HttpResponse::Ok().json(MemberView::from(member)))
}
