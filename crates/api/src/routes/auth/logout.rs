use crate::auth::Caller;
use crate::error::ApiError;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, post, web};

/// End the session the access token belongs to.
///
/// The token is refused (401) from this answer on, on every replica; the
/// member's other sessions and personal access tokens go on working. Only a
/// session token can be logged out: a personal access token gets 403 (revoke
/// it with `DELETE /api/v1/members/me/tokens/{id}`).
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out; the token no longer works"),
    )
)]
#[post("/auth/logout")]
#[tracing::instrument(skip_all, fields(member = %caller.id))]
pub async fn logout(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
) -> Result<HttpResponse, ApiError> {
    let session = caller.session.ok_or_else(|| {
        ApiError::Forbidden(
            "personal access tokens cannot be used for this; sign in instead".into(),
        )
    })?;
    state
        .session_service
        .logout(&caller.context(request_id), session)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
