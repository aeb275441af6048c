use crate::auth::hash_password;
use crate::dto::member::{MemberView, RegisterRequest};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, post, web};
use domain::member::Registration;

/// Register a new member account.
///
/// An address that already has an account gets the same answer as a new one
/// (201 with a member-shaped body, after the same work), so registration
/// does not reveal who is a member; that account is left as it was, and its
/// owner logs in with the password they already have.
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "The new member (no password echoed); the same shape when the address already has an account, which is left unchanged", body = MemberView),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/register")]
#[tracing::instrument(skip_all)]
pub async fn register(
    state: web::Data<AppState>,
    request_id: RequestId,
    body: JsonBody<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let JsonBody(body) = body;
    let registration = Registration::parse(&body.email, &body.password, &body.display_name)?;
    // Hashed on both paths, so a taken address answers no faster than a new one.
    let password_hash = hash_password(registration.password.clone()).await?;
    let member = state
        .member_service
        .register(
            registration,
            password_hash,
            Some(request_id.0),
            chrono::Utc::now(),
        )
        .await?;
    Ok(HttpResponse::Created().json(MemberView::from(member)))
}
