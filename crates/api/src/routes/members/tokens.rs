use crate::auth::Caller;
use crate::dto::access_token::{CreateTokenRequest, CreatedTokenView, TokenList, TokenView};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};
use domain::ValidationErrors;
use domain::access_token::{NewAccessToken, Scopes, TokenName, TokenSecret};
use domain::audit::AuditEntry;
use uuid::Uuid;

const DEFAULT_DAYS: i64 = 90;
const MAX_DAYS: i64 = 366;

/// Create a personal access token for a third-party client. The secret is in
/// this response only. Needs a signed-in session, not another token.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    request_body = CreateTokenRequest,
    responses(
        (status = 201, description = "The token, with its secret shown once", body = CreatedTokenView,
            headers(("Location" = String, description = "The token list"))),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A personal access token cannot make tokens", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named (e.g. `reports:read` asked by a non-admin)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/members/me/tokens")]
#[tracing::instrument(skip_all, fields(member = %caller.id))]
pub async fn create_token(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    body: JsonBody<CreateTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let JsonBody(body) = body;
    let mut errors = ValidationErrors::new();
    let name = errors.collect(TokenName::parse("name", &body.name));
    let scopes = errors.collect(Scopes::parse("scopes", &body.scopes, caller.role));
    let days = body.expires_in_days.unwrap_or(DEFAULT_DAYS);
    if !(1..=MAX_DAYS).contains(&days) {
        errors.add(
            "expires_in_days",
            "out_of_range",
            format!("must be 1 to {MAX_DAYS} (got {days})"),
        );
    }
    errors.into_result()?;
    let (Some(name), Some(scopes)) = (name, scopes) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "validated token fields missing"
        )));
    };
    let secret = TokenSecret::new(rand::random());
    let token = state
        .access_tokens
        .create(NewAccessToken {
            member_id: caller.id,
            name,
            scopes,
            secret_hash: secret.hash(),
            expires_at: chrono::Utc::now() + chrono::Duration::days(days),
        })
        .await?;
    tracing::info!(token = %token.id, "personal access token created");
    state
        .audit(
            AuditEntry::new("access_token_created", Some(caller.id))
                .target("access_token", token.id)
                .request(Some(request_id.0)),
        )
        .await;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/api/v1/members/me/tokens"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CreatedTokenView {
            token: TokenView::from(token),
            secret: secret.expose().to_owned(),
        }))
}

/// The caller's personal access tokens: name, scopes, created, last used, expiry. Never the secrets.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's tokens, newest first", body = TokenList),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A personal access token cannot list tokens", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/members/me/tokens")]
#[tracing::instrument(skip_all, fields(member = %caller.id))]
pub async fn list_tokens(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let items = state.access_tokens.list(caller.id).await?;
    Ok(HttpResponse::Ok().json(TokenList {
        items: items.into_iter().map(TokenView::from).collect(),
    }))
}

/// Revoke one of the caller's tokens; it is refused from the next request on.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked (or already revoked)"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A personal access token cannot revoke tokens", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The caller has no such token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/members/me/tokens/{id}")]
#[tracing::instrument(skip_all, fields(member = %caller.id, token = %id))]
pub async fn revoke_token(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .access_tokens
        .revoke(caller.id, id)
        .await
        .map_err(|e| match e {
            domain::repository::WriteError::NotFound => {
                ApiError::NotFound("you have no token with this id".into())
            }
            other => other.into(),
        })?;
    state
        .audit(
            AuditEntry::new("access_token_revoked", Some(caller.id))
                .target("access_token", id)
                .request(Some(request_id.0)),
        )
        .await;
    Ok(HttpResponse::NoContent().finish())
}
