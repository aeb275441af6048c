//! Request rate limits per credential, or per address for anonymous calls:
//! a token bucket (GCRA) refilled at `per_minute`, holding up to `burst`.
//! Answers 429 problem+json with `Retry-After`; every limited response
//! carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`.

use crate::auth::{JwtKeys, bearer_token};
use crate::error::ApiError;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use sha2::{Digest, Sha256};
use std::num::NonZeroU32;
use std::sync::Arc;

/// How many requests a caller may make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// Sustained requests per minute per key.
    pub per_minute: NonZeroU32,
    /// Requests allowed at once after a quiet spell.
    pub burst: NonZeroU32,
}

type KeyedLimiter =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// The limiter every worker shares.
pub struct RequestLimiter {
    limiter: KeyedLimiter,
    settings: RateLimitSettings,
    clock: DefaultClock,
}

/// What one check decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed { remaining: u32, reset_seconds: u64 },
    Refused { retry_after_seconds: u64 },
}

impl RequestLimiter {
    pub fn new(settings: RateLimitSettings) -> Self {
        let clock = DefaultClock::default();
        let quota = Quota::per_minute(settings.per_minute).allow_burst(settings.burst);
        Self {
            limiter: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            settings,
            clock,
        }
    }

    pub fn check(&self, key: &str) -> Decision {
        if self.limiter.len() > 100_000 {
            self.limiter.retain_recent();
        }
        match self.limiter.check_key(&key.to_owned()) {
            Ok(state) => {
                let remaining = state.remaining_burst_capacity();
                let used = self.settings.burst.get().saturating_sub(remaining);
                let per_request = 60.0 / f64::from(self.settings.per_minute.get());
                Decision::Allowed {
                    remaining,
                    reset_seconds: (f64::from(used) * per_request).ceil() as u64,
                }
            }
            Err(not_until) => Decision::Refused {
                retry_after_seconds: not_until
                    .wait_time_from(self.clock.now())
                    .as_secs_f64()
                    .ceil()
                    .max(1.0) as u64,
            },
        }
    }

    fn limit(&self) -> u32 {
        self.settings.burst.get()
    }
}

/// The limiter and what telling callers apart needs: the session keys.
pub struct RateLimits {
    limiter: RequestLimiter,
    sessions: JwtKeys,
}

impl RateLimits {
    pub fn new(settings: RateLimitSettings, sessions: JwtKeys) -> Self {
        Self {
            limiter: RequestLimiter::new(settings),
            sessions,
        }
    }
}

/// Whose bucket a request draws from: the member of a session token that
/// verifies, a personal access token (hashed, so secrets never sit in memory
/// as keys), else the peer address, so made-up tokens share the address's bucket.
fn key_of(req: &ServiceRequest, sessions: &JwtKeys) -> String {
    let token = bearer_token(req.request());
    let member = token.as_deref().and_then(|t| sessions.member_of(t).ok());
    match (token, member) {
        (_, Some(member)) => format!("member:{member}"),
        (Some(token), None) if token.starts_with("hub_pat_") => format!(
            "credential:{}",
            hex::encode(&Sha256::digest(token.as_bytes())[..16])
        ),
        _ => format!(
            "address:{}",
            req.peer_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_default()
        ),
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
    let limiter = &limits.limiter;
    match limiter.check(&key_of(&req, &limits.sessions)) {
        Decision::Allowed {
            remaining,
            reset_seconds,
        } => {
            let mut response = next.call(req).await?;
            set_headers(
                response.headers_mut(),
                limiter.limit(),
                remaining,
                reset_seconds,
            );
            Ok(response.map_into_left_body())
        }
        Decision::Refused {
            retry_after_seconds,
        } => {
            tracing::info!(retry_after_seconds, "rate limit reached");
            let mut response = ApiError::TooManyRequests {
                detail: format!(
                    "more than {} requests a minute; retry after {retry_after_seconds} s",
                    limiter.settings.per_minute
                ),
                retry_after_seconds,
            }
            .error_response();
            set_headers(
                response.headers_mut(),
                limiter.limit(),
                0,
                retry_after_seconds,
            );
            Ok(req.into_response(response).map_into_right_body())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_minute: u32, burst: u32) -> RequestLimiter {
        let n = |v| NonZeroU32::new(v).unwrap();
        RequestLimiter::new(RateLimitSettings {
            per_minute: n(per_minute),
            burst: n(burst),
        })
    }

    #[test]
    fn the_burst_is_allowed_then_refused_with_a_wait() {
        let limiter = limiter(60, 2);
        assert!(matches!(
            limiter.check("a"),
            Decision::Allowed { remaining: 1, .. }
        ));
        assert!(matches!(
            limiter.check("a"),
            Decision::Allowed { remaining: 0, .. }
        ));
        assert_eq!(
            limiter.check("a"),
            Decision::Refused {
                retry_after_seconds: 1
            }
        );
        assert!(
            matches!(limiter.check("b"), Decision::Allowed { .. }),
            "keys have their own buckets"
        );
    }
}
