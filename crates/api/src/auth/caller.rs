use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use domain::MemberId;
use domain::member::Role;
use futures_util::future::LocalBoxFuture;

/// The authenticated member making the request, with their current role.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    pub id: MemberId,
    pub role: Role,
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let bearer = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(|t| t.trim().to_owned());
        Box::pin(async move {
            let state = state
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
            let token = bearer.ok_or_else(|| {
                ApiError::Unauthorized(
                    "send an access token as 'Authorization: Bearer <token>'".into(),
                )
            })?;
            let (id, _claims) = state
                .jwt
                .verify(&token)
                .map_err(|e| ApiError::Unauthorized(e.to_string()))?;
            // The stored role wins over the token's claim, so a role change or an
            // erasure takes effect at once.
            let role = state.members.role_of(id).await?.ok_or_else(|| {
                ApiError::Unauthorized("the access token's member no longer exists".into())
            })?;
            Ok(Caller { id, role })
        })
    }
}

pub fn require_admin(caller: &Caller) -> Result<(), ApiError> {
    if caller.role.is_admin() {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only admins may do this".into()))
    }
}

pub fn require_reviewer(caller: &Caller) -> Result<(), ApiError> {
    if caller.role.can_review() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only reviewers and admins may do this".into(),
        ))
    }
}
