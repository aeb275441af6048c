use crate::auth::Caller;
use crate::dto::notification::NotificationPreferences;
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, get, put, web};

/// The caller's mail choices.
///
/// Without a choice made: `decisions` and `adoptions` on, `review_queue` off.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's mail choices", body = NotificationPreferences),
    )
)]
#[get("/members/me/notifications")]
#[tracing::instrument(skip_all, fields(member = %caller.id))]
pub async fn get_notifications(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
) -> Result<HttpResponse, ApiError> {
    let preferences = state
        .notification_service
        .preferences(&caller.context(request_id))
        .await?;
    Ok(HttpResponse::Ok().json(NotificationPreferences::from(preferences)))
}

/// Replace the caller's mail choices (all three, each true or false).
///
/// The erasure confirmation is transactional and sent whatever these say.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    request_body = NotificationPreferences,
    responses(
        (status = 200, description = "The choices now stored", body = NotificationPreferences),
        (status = 422, description = "A choice missing or not a boolean, named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/members/me/notifications")]
#[tracing::instrument(skip_all, fields(member = %caller.id))]
pub async fn set_notifications(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    body: JsonBody<NotificationPreferences>,
) -> Result<HttpResponse, ApiError> {
    let preferences = state
        .notification_service
        .set_preferences(&caller.context(request_id), body.0.into())
        .await
        .map_err(|error| match error {
            domain::repository::WriteError::NotFound => {
                ApiError::Unauthorized("this account no longer exists".into())
            }
            other => other.into(),
        })?;
    Ok(HttpResponse::Ok().json(NotificationPreferences::from(preferences)))
}
