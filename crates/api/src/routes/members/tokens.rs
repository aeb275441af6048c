use crate::auth::Caller;
use crate::dto::access_token::{CreateTokenRequest, CreatedTokenView, TokenList, TokenView};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};
use domain::access_token::NewTokenRequest;
use uuid::Uuid;

/// Create a personal access token.
///
/// Create a personal access token for a third-party client. The secret is in
/// this response only. Needs a signed-in session, not another token.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    request_body = CreateTokenRequest,
    responses(
        (status = 201, description = "The token, with its secret shown once", body = CreatedTokenView,
            headers(("Location" = String, description = "The token list"))),
        (status = 403, description = "A personal access token cannot make tokens, or a scope the caller's role may not hold (`reports:read` asked by a non-admin)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already 20 live tokens (`too_many_tokens`): revoke one first", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
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
    let request = NewTokenRequest {
        name: body.name,
        scopes: body.scopes,
        expires_in_days: body.expires_in_days,
    };
    let (token, secret) = state
        .token_service
        .create(&caller.context(request_id), &request, rand::random())
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/api/v1/members/me/tokens"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CreatedTokenView {
            token: TokenView::from(token),
            secret: secret.expose().to_owned(),
        }))
}

/// The caller's personal access tokens.
///
/// Name, scopes, created, last used, expiry. Never the secrets.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's tokens, newest first", body = TokenList),
        (status = 403, description = "A personal access token cannot list tokens", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/members/me/tokens")]
#[tracing::instrument(skip_all, fields(member = %caller.id))]
pub async fn list_tokens(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
) -> Result<HttpResponse, ApiError> {
    let items = state
        .token_service
        .list(&caller.context(request_id))
        .await?;
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
    state
        .token_service
        .revoke(&caller.context(request_id), id.into_inner())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
