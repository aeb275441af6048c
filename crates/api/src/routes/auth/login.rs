use crate::auth::verify_password;
use crate::dto::member::{LoginRequest, TokenResponse};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, post, web};
use domain::audit::AuditEntry;

/// Exchange email and password for a bearer access token.
///
/// A wrong password and an unknown email get the same answer.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "An access token", body = TokenResponse),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins for this account or address; see Retry-After", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[post("/auth/login")]
#[tracing::instrument(skip_all)]
pub async fn login(
    req: HttpRequest,
    request_id: RequestId,
    state: web::Data<AppState>,
    body: JsonBody<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let JsonBody(body) = body;
    let email = body.email.trim().to_lowercase();
    let address = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let keys = [format!("email:{email}"), format!("ip:{address}")];
    let keys = [keys[0].as_str(), keys[1].as_str()];
    if let Some(retry_after_seconds) = state.login_throttle.retry_after(&keys) {
        return Err(ApiError::TooManyRequests {
            detail: "too many failed logins; wait before trying again".into(),
            retry_after_seconds,
        });
    }
    let found = state.members.credentials(&email).await?;
    let (member, hash) = match found {
        Some((member, hash)) => (Some(member), Some(hash)),
        None => (None, None),
    };
    let verified = verify_password(body.password, hash).await;
    let found_member = member.as_ref().map(|m| m.id);
    let Some(member) = member.filter(|_| verified) else {
        tracing::warn!("login failed");
        state.login_throttle.record_failure(&keys);
        let target = found_member.map(|m| m.0);
        let mut entry = AuditEntry::new("login_failed", None).request(Some(request_id.0));
        if let Some(target) = target {
            entry = entry.target("member", target);
        }
        state.audit(entry).await;
        return Err(ApiError::Unauthorized(
            "the email or password is wrong".into(),
        ));
    };
    let token = state
        .jwt
        .issue(member.id, member.role)
        .map_err(|e| ApiError::Internal(e.into()))?;
    state.login_throttle.record_success(keys[0]);
    state
        .audit(
            AuditEntry::new("login_succeeded", Some(member.id))
                .target("member", member.id.0)
                .request(Some(request_id.0)),
        )
        .await;
    tracing::info!(member = %member.id, "member logged in");
    Ok(HttpResponse::Ok().json(TokenResponse {
        access_token: token.token,
        token_type: "Bearer".into(),
        expires_in: token.expires_in,
    }))
}
