//! Request rate limits per member, or per address for anonymous calls:
//! a token bucket (GCRA) refilled at `per_minute`, holding up to `burst`,
//! counted in a store every replica shares (see `limits`).
//! Answers 429 problem+json with `Retry-After`; every limited response
//! carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`.
//! When the store does not answer, 503 problem+json with `Retry-After`.

use crate::auth::{JwtKeys, bearer_token};
use crate::error::ApiError;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, ResponseError};
use domain::MemberId;
use domain::access_token::TokenSecret;
use domain::limit::{Budget, LimitStore, Taken};
use domain::repository::{AccessTokenRepository, StorageError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// How many requests a caller may make: `per_minute` sustained, `burst` at once.
pub type RateLimitSettings = Budget;

/// Seconds a caller is asked to wait when the limit store does not answer.
pub const UNAVAILABLE_RETRY_SECONDS: u64 = 2;

/// Token owners remembered before the memory is cleared.
const OWNERS_KEPT: usize = 100_000;

/// The budget, the store it is counted in, and what telling callers apart
/// needs: the session keys and the personal access tokens' owners.
pub struct RateLimits {
    store: Arc<dyn LimitStore>,
    budget: Budget,
    sessions: JwtKeys,
    tokens: Arc<dyn AccessTokenRepository>,
    /// A token's owner never changes, so it is looked up once.
    owners: Mutex<HashMap<String, MemberId>>,
}

impl RateLimits {
    pub fn new(
        budget: Budget,
        store: Arc<dyn LimitStore>,
        sessions: JwtKeys,
        tokens: Arc<dyn AccessTokenRepository>,
    ) -> Self {
        Self {
            store,
            budget,
            sessions,
            tokens,
            owners: Mutex::new(HashMap::new()),
        }
    }

    /// The member a personal access token belongs to, if it is a live one.
    async fn owner_of(&self, secret: &TokenSecret) -> Result<Option<MemberId>, StorageError> {
        let hash = secret.hash();
        if let Some(member) = self.owners.lock().ok().and_then(|o| o.get(&hash).copied()) {
            return Ok(Some(member));
        }
        let now = chrono::Utc::now();
        let Some(token) = self.tokens.find_by_hash(&hash).await? else {
            return Ok(None);
        };
        if !token.is_live(now) || token.revoked_at.is_some() {
            return Ok(None);
        }
        if let Ok(mut owners) = self.owners.lock() {
            if owners.len() > OWNERS_KEPT {
                owners.clear();
            }
            owners.insert(hash, token.member_id);
        }
        Ok(Some(token.member_id))
    }

    /// Whose budget a request draws from: the member behind a session token
    /// or a live personal access token (all of a member's credentials share
    /// one budget), else the peer address, so made-up tokens share the
    /// address's. With the key, the sign-in session a session token names.
    async fn key_of(&self, req: &ServiceRequest) -> Result<(String, Option<Uuid>), StorageError> {
        let token = bearer_token(req.request());
        let (member, session) = match token.as_deref() {
            Some(token) => match TokenSecret::recognise(token) {
                Some(secret) => (self.owner_of(&secret).await?, None),
                None => match self.sessions.member_of(token) {
                    Ok(claims) => (Some(claims.member), Some(claims.session)),
                    Err(_) => (None, None),
                },
            },
            None => (None, None),
        };
        Ok(match member {
            Some(member) => (format!("rate:member:{member}"), session),
            None => (
                format!(
                    "rate:address:{}",
                    req.peer_addr()
                        .map(|a| a.ip().to_string())
                        .unwrap_or_default()
                ),
                None,
            ),
        })
    }

    /// Takes the request from its budget. A session token's session is
    /// looked up in the same round trip where the store can, and left in the
    /// request for the `Caller` extractor.
    async fn check(&self, req: &ServiceRequest) -> Result<Taken, StorageError> {
        let (key, session) = self.key_of(req).await?;
        let now_ms = chrono::Utc::now().timestamp_millis();
        let Some(session) = session else {
            return self.store.take(&key, self.budget, now_ms).await;
        };
        let (taken, seen) = self
            .store
            .take_looking_up(&key, self.budget, now_ms, session)
            .await?;
        if let Some(seen) = seen {
            req.extensions_mut().insert(seen);
        }
        Ok(taken)
    }
}

fn set_headers(headers: &mut HeaderMap, limit: u32, remaining: u32, reset: u64) {
    for (name, value) in [
        ("ratelimit-limit", u64::from(limit)),
        ("ratelimit-remaining", u64::from(remaining)),
        ("ratelimit-reset", reset),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
}

/// Limits every `/api/` request; health, metrics and docs are not limited.
pub async fn limit_requests(
    limits: Arc<RateLimits>,
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    if !req.path().starts_with("/api/") {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let limit = limits.budget.burst.get();
    match limits.check(&req).await {
        Ok(Taken::Allowed {
            remaining,
            reset_seconds,
        }) => {
            let mut response = next.call(req).await?;
            set_headers(response.headers_mut(), limit, remaining, reset_seconds);
            Ok(response.map_into_left_body())
        }
        Ok(Taken::Refused {
            retry_after_seconds,
        }) => {
            tracing::info!(retry_after_seconds, "rate limit reached");
            let mut response = ApiError::TooManyRequests {
                detail: format!(
                    "more than {} requests a minute; retry after {retry_after_seconds} s",
                    limits.budget.per_minute
                ),
                retry_after_seconds,
            }
            .error_response();
            set_headers(response.headers_mut(), limit, 0, retry_after_seconds);
            Ok(req.into_response(response).map_into_right_body())
        }
        Err(error) => {
            let response = ApiError::limits_unreachable(&error).error_response();
            Ok(req.into_response(response).map_into_right_body())
        }
    }
}
