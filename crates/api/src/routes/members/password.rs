use crate::auth::Caller;
use crate::dto::member::ChangePasswordRequest;
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, put, web};
use domain::member::PasswordChange;

/// Change the caller's password.
///
/// The current password must be typed again; a wrong or missing one gets 422
/// naming `current_password`. The new one obeys the rule registration does
/// (at least 10 characters), else 422 naming `new_password`. On success every
/// other session of the member ends at once (their tokens get 401); the
/// token used for the change goes on working. Personal access tokens are left
/// as they are: list and revoke them under `/api/v1/members/me/tokens`.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed; every other session has ended"),
        (status = 422, description = "The current password is missing or wrong (`current_password`), or the new one is not a valid password (`new_password`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/members/me/password")]
#[tracing::instrument(skip_all, fields(member = %caller.id))]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    body: JsonBody<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let JsonBody(body) = body;
    let session = caller.session.ok_or_else(|| {
        ApiError::Forbidden(
            "personal access tokens cannot be used for this; sign in instead".into(),
        )
    })?;
    state
        .session_service
        .change_password(
            &caller.context(request_id),
            session,
            PasswordChange {
                current_password: body.current_password,
                new_password: body.new_password,
            },
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
