use crate::auth::{Caller, require_admin};
use crate::dto::webhook::{
    CreateWebhookRequest, CreatedWebhookView, DeliveryList, DeliveryView, WebhookList, WebhookView,
};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use domain::ValidationErrors;
use uuid::Uuid;

/// Register a webhook (admins only). Each matching event is POSTed to the URL
/// as JSON, signed in `Hub-Signature`, retried with backoff until it gets a 2xx.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    request_body = CreateWebhookRequest,
    responses(
        (status = 201, description = "The webhook, with its signing secret shown once", body = CreatedWebhookView),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid URL or event types, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks")]
#[tracing::instrument(skip_all, fields(admin = %caller.id))]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<CreateWebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&caller)?;
    let JsonBody(body) = body;
    let mut errors = ValidationErrors::new();
    let url_ok = (body.url.starts_with("https://") || body.url.starts_with("http://"))
        && body.url.len() <= 2000
        && !body.url.chars().any(char::is_whitespace);
    if !url_ok {
        errors.add("url", "invalid_value", "must be an http:// or https:// URL");
    }
    if body.event_types.is_empty() {
        errors.add(
            "event_types",
            "required",
            "name at least one event type, or \"*\"",
        );
    }
    for (i, name) in body.event_types.iter().enumerate() {
        let ok = name == "*"
            || (name.starts_with("submission.")
                && name.len() <= 64
                && name[11..]
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_'));
        if !ok {
            errors.add(
                format!("event_types[{i}]"),
                "unknown_code",
                "use an event name from the change feed, such as submission.published",
            );
        }
    }
    errors.into_result()?;
    let secret = hex::encode(rand::random::<[u8; 32]>());
    let webhook = state
        .webhooks
        .create(&body.url, &body.event_types, &secret, caller.id)
        .await?;
    Ok(HttpResponse::Created().json(CreatedWebhookView {
        webhook: WebhookView::from(webhook),
        secret,
    }))
}

/// The registered webhooks (admins only).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every webhook, newest first", body = WebhookList),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks")]
#[tracing::instrument(skip_all, fields(admin = %caller.id))]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    require_admin(&caller)?;
    let items = state.webhooks.list().await?;
    Ok(HttpResponse::Ok().json(WebhookList {
        items: items.into_iter().map(WebhookView::from).collect(),
    }))
}

/// A webhook's deliveries: state, attempts, last answer (admins only).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The webhook's id")),
    responses(
        (status = 200, description = "Its deliveries, oldest event first", body = DeliveryList),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks/{id}/deliveries")]
#[tracing::instrument(skip_all, fields(admin = %caller.id))]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&caller)?;
    let items = state
        .webhooks
        .deliveries(id.into_inner())
        .await?
        .ok_or_else(|| ApiError::NotFound("no webhook with this id".into()))?;
    Ok(HttpResponse::Ok().json(DeliveryList {
        items: items.into_iter().map(DeliveryView::from).collect(),
    }))
}
