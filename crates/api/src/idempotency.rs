//! `Idempotency-Key` on POST: the first answer to a (caller, key) is kept
//! for 24 hours and replayed — status, headers and body — to a repeat with
//! the same request; the same key with another request gets 422, and a
//! repeat while the first is still being served gets 409. Keys are per
//! member. Multipart uploads are not covered.

use crate::auth::{Authenticator, bearer_token};
use crate::error::ApiError;
use crate::extract::BodyLimit;
use actix_web::body::{BoxBody, EitherBody, MessageBody, to_bytes};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, ResponseError};
use bytes::{Bytes, BytesMut};
use domain::idempotency::{
    AnswerKept, Claim, HeldKey, IdempotencyKey, StoredResponse, fingerprint,
};
use domain::repository::IdempotencyRepository;
use futures_util::StreamExt;
use std::sync::Arc;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Set on an answer that repeats a kept one.
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The headers kept with an answer.
const KEPT_HEADERS: [HeaderName; 3] = [header::LOCATION, header::ETAG, header::CONTENT_TYPE];

/// The kept answers, and who the caller is (keys are per member).
pub struct Idempotency {
    keys: Arc<dyn IdempotencyRepository>,
    authenticator: Authenticator,
}

impl Idempotency {
    pub fn new(keys: Arc<dyn IdempotencyRepository>, authenticator: Authenticator) -> Self {
        Self {
            keys,
            authenticator,
        }
    }
}

fn covered(req: &ServiceRequest) -> bool {
    req.method() == Method::POST
        && req.path().starts_with("/api/v1/")
        && req.headers().contains_key(&IDEMPOTENCY_KEY)
        && !req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/"))
}

fn refuse<B>(req: ServiceRequest, error: ApiError) -> ServiceResponse<EitherBody<B, BoxBody>> {
    req.into_response(error.error_response())
        .map_into_right_body()
}

/// Reads the whole body (up to the JSON body limit) so it can be fingerprinted.
async fn read_body(payload: &mut Payload, limit: usize) -> Result<Bytes, ApiError> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("reading the body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

pub async fn idempotent_posts<B: MessageBody + 'static>(
    state: Arc<Idempotency>,
    mut req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B, BoxBody>>, Error> {
    if !covered(&req) {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let raw_key = req
        .headers()
        .get(&IDEMPOTENCY_KEY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(key) = IdempotencyKey::parse(raw_key) else {
        let error = ApiError::validation(
            "Idempotency-Key",
            "invalid_value",
            "must be 1 to 255 visible ASCII characters, such as a UUID",
        );
        return Ok(refuse(req, error));
    };
    // Without a valid credential the route answers 401 itself.
    let caller = match bearer_token(req.request()) {
        Some(token) => state.authenticator.identify(&token).await.ok(),
        None => None,
    };
    let Some(caller) = caller else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let limit = req.app_data::<BodyLimit>().map_or(1024 * 1024, |l| l.0);
    let body = match read_body(&mut req.take_payload(), limit).await {
        Ok(body) => body,
        Err(error) => return Ok(refuse(req, error)),
    };
    let path = req
        .uri()
        .path_and_query()
        .map_or(req.path().to_owned(), |p| p.as_str().to_owned());
    let fingerprint = fingerprint(req.method().as_str(), &path, &body);
    let claim = state
        .keys
        .claim(caller.id, &key, &fingerprint, chrono::Utc::now())
        .await
        .map_err(ApiError::from)?;
    match claim {
        Claim::Replay(stored) => {
            tracing::info!("idempotent replay");
            Ok(req.into_response(replay(stored)).map_into_right_body())
        }
        // The key is already bound to another request: a conflict with
        // what the service holds, not a malformed request.
        Claim::Mismatch => Ok(refuse(
            req,
            ApiError::Conflict {
                code: "idempotency_key_reused",
                detail: "this Idempotency-Key was used with a different request; use a new key for a new request".into(),
                current_status: None,
            },
        )),
        Claim::InProgress {
            retry_after_seconds,
        } => Ok(refuse(
            req,
            ApiError::KeyInUse {
                retry_after_seconds,
            },
        )),
        Claim::Started => {
            req.set_payload(Payload::from(body));
            req.extensions_mut().insert(HeldKey {
                caller: caller.id,
                key: key.clone(),
            });
            let response = next.call(req).await;
            let response = match response {
                Ok(response) => response,
                Err(error) => {
                    release(&state, caller.id, &key).await;
                    return Err(error);
                }
            };
            let (request, response) = response.into_parts();
            let (head, body) = response.into_parts();
            let bytes = match to_bytes(body).await {
                Ok(bytes) => bytes,
                Err(_) => {
                    release(&state, caller.id, &key).await;
                    return Err(
                        ApiError::Internal(anyhow::anyhow!("reading the answer failed")).into(),
                    );
                }
            };
            if head.status().is_server_error() {
                release(&state, caller.id, &key).await;
            } else if head.extensions().contains::<AnswerKept>() {
                // The write kept its answer in its own transaction.
            } else {
                let stored = StoredResponse {
                    status: head.status().as_u16(),
                    headers: KEPT_HEADERS
                        .iter()
                        .filter_map(|name| {
                            let value = head.headers().get(name)?.to_str().ok()?;
                            Some((name.as_str().to_owned(), value.to_owned()))
                        })
                        .collect(),
                    body: bytes.to_vec(),
                };
                if let Err(error) = state.keys.complete(caller.id, &key, &stored).await {
                    tracing::error!(error = %error, "idempotent answer not kept");
                    release(&state, caller.id, &key).await;
                }
            }
            let response = head.set_body(BoxBody::new(bytes));
            Ok(ServiceResponse::new(request, response).map_into_right_body())
        }
    }
}

async fn release(state: &Idempotency, caller: domain::MemberId, key: &IdempotencyKey) {
    if let Err(error) = state.keys.release(caller, key).await {
        tracing::error!(error = %error, "idempotency key not released");
    }
}

fn replay(stored: StoredResponse) -> HttpResponse {
    let mut response = response_of(&stored);
    response
        .headers_mut()
        .insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    response
}

/// The response a kept answer gives.
fn response_of(stored: &StoredResponse) -> HttpResponse {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    for (name, value) in &stored.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::from_str(value),
        ) {
            response.insert_header((name, value));
        }
    }
    response.body(stored.body.clone())
}

/// Answers a write with `stored`; `kept` says the write kept it with its
/// key in its own transaction, so the middleware does not keep it again.
pub fn answer(stored: StoredResponse, kept: bool) -> HttpResponse {
    let mut response = response_of(&stored);
    if kept {
        response.extensions_mut().insert(AnswerKept);
    }
    response
}
