use crate::auth::hash_password;
use crate::dto::member::{MemberView, RegisterRequest};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, post, web};
use domain::ValidationErrors;
use domain::audit::AuditEntry;
use domain::member::{DisplayName, Email, NewMember, Password, Role};
use domain::repository::WriteError;

/// Register a new member account.
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "The new member (no password echoed)", body = MemberView),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email is already registered", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
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
    let mut errors = ValidationErrors::new();
    let email = errors.collect(Email::parse("email", &body.email));
    let password = errors.collect(Password::parse("password", &body.password));
    let display_name = errors.collect(DisplayName::parse("display_name", &body.display_name));
    let (Some(email), Some(password), Some(display_name)) = (email, password, display_name) else {
        return Err(errors.into());
    };
    let password_hash = hash_password(password).await?;
    let member = state
        .members
        .create(NewMember {
            email,
            display_name,
            password_hash,
            role: Role::Member,
        })
        .await
        .map_err(|e| match e {
            WriteError::Duplicate => ApiError::Conflict {
                code: "email_taken",
                detail: "an account with this email already exists; log in instead".into(),
                current_status: None,
            },
            other => other.into(),
        })?;
    tracing::info!(member = %member.id, "member registered");
    state
        .audit(
            AuditEntry::new("member_registered", Some(member.id))
                .target("member", member.id.0)
                .request(Some(request_id.0)),
        )
        .await;
    Ok(HttpResponse::Created().json(MemberView::from(member)))
}
