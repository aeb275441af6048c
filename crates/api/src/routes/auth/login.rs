use crate::auth::{LoginKeys, verify_password};
use crate::dto::member::{LoginRequest, TokenResponse};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, post, web};
use domain::MemberId;
use domain::audit::AuditEntry;
use domain::member::Member;

/// Exchange email and password for a bearer access token.
///
/// A wrong password and an unknown email get the same answer.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "An access token", body = TokenResponse),
        (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins for this account from this address, or from this address; see Retry-After", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The shared count of login attempts cannot be reached (`database_unavailable` when counted in PostgreSQL, `limits_unavailable` in Redis); see Retry-After", body = Problem, content_type = "application/problem+json",
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
    let keys = LoginKeys::new(&email, &address);
    counted(&state, &keys).await?;
    let member = match checked(&state, &email, body.password).await? {
        Ok(member) => member,
        Err(found) => return Err(refused(&state, found, request_id).await),
    };
    let token = state
        .jwt
        .issue(member.id, member.role)
        .map_err(|e| ApiError::Internal(e.into()))?;
    state
        .sessions
        .start(token.session, member.id, token.expires_at)
        .await?;
    if let Err(error) = state.login_throttle.succeeded(&keys).await {
        tracing::warn!(error = %error, "a successful login was not counted back");
    }
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

/// Counts the attempt; refuses it while the account at this address, or the
/// address, is locked out.
async fn counted(state: &AppState, keys: &LoginKeys) -> Result<(), ApiError> {
    let locked = state
        .login_throttle
        .attempt(keys)
        .await
        .map_err(|error| ApiError::limits_unreachable(&error))?;
    match locked {
        Some(retry_after_seconds) => Err(ApiError::TooManyRequests {
            detail: "too many failed logins; wait before trying again".into(),
            retry_after_seconds,
        }),
        None => Ok(()),
    }
}

/// The member whose password this is; otherwise the member the email names,
/// if any. An unknown email costs as much as a wrong password.
async fn checked(
    state: &AppState,
    email: &str,
    password: String,
) -> Result<Result<Member, Option<MemberId>>, ApiError> {
    let (member, hash) = match state.members.credentials(email).await? {
        Some((member, hash)) => (Some(member), Some(hash)),
        None => (None, None),
    };
    let verified = verify_password(password, hash).await;
    Ok(match member {
        Some(member) if verified => Ok(member),
        other => Err(other.map(|m| m.id)),
    })
}

/// Audits a failed login (the attempt was counted before the check).
async fn refused(state: &AppState, found: Option<MemberId>, request_id: RequestId) -> ApiError {
    tracing::warn!("login failed");
    let mut entry = AuditEntry::new("login_failed", None).request(Some(request_id.0));
    if let Some(member) = found {
        entry = entry.target("member", member.0);
    }
    state.audit(entry).await;
    ApiError::Unauthorized("the email or password is wrong".into())
}
