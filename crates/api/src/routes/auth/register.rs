use crate::auth::hash_password;
use crate::dto::member::{MemberView, RegisterRequest};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, post, web};
use domain::MemberId;
use domain::ValidationErrors;
use domain::audit::AuditEntry;
use domain::member::{Demographics, DisplayName, Email, Member, NewMember, Password, Role};
use domain::repository::WriteError;

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
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
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
    // Hashed on both paths, so a taken address answers no faster than a new one.
    let password_hash = hash_password(password).await?;
    let created = state
        .members
        .create(NewMember {
            email: email.clone(),
            display_name: display_name.clone(),
            password_hash,
            role: Role::Member,
        })
        .await;
    let member = match created {
        Ok(member) => member,
        Err(WriteError::Duplicate) => {
            tracing::info!("registration for an address that already has an account");
            state
                .audit(AuditEntry::new("registration_repeated", None).request(Some(request_id.0)))
                .await;
            return Ok(HttpResponse::Created().json(MemberView::from(unsaved(email, display_name))));
        }
        Err(other) => return Err(other.into()),
    };
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

/// What a new account would look like, for an address that already has one;
/// nothing is stored and the id belongs to no one.
fn unsaved(email: Email, display_name: DisplayName) -> Member {
    let now = chrono::Utc::now();
    Member {
        id: MemberId::generate(),
        email: email.as_str().to_owned(),
        display_name: display_name.as_str().to_owned(),
        role: Role::Member,
        demographics: Demographics::default(),
        created_at: now,
        updated_at: now,
    }
}
