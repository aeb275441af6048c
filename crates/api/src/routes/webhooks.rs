use crate::auth::Caller;
use crate::dto::webhook::{
    CreateWebhookRequest, CreatedWebhookView, DeliveryList, DeliveryView, UpdateWebhookRequest,
    WebhookList, WebhookView,
};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use domain::webhook::{NewWebhookRequest, WebhookError, WebhookUpdate};
use uuid::Uuid;

/// Register a webhook (admins only).
///
/// Each matching event is POSTed to the URL as JSON, signed in `Hub-Signature`, retried
/// with backoff until it gets a 2xx.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    request_body = CreateWebhookRequest,
    responses(
        (status = 201, description = "The webhook, with its signing secret shown once", body = CreatedWebhookView),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid URL or event types, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks")]
#[tracing::instrument(skip_all, fields(admin = %caller.id))]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    body: JsonBody<CreateWebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    let JsonBody(body) = body;
    let request = NewWebhookRequest {
        url: body.url,
        event_types: body.event_types,
    };
    let (webhook, secret) = state
        .webhook_service
        .create(&caller.context(request_id), &request, rand::random())
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
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks")]
#[tracing::instrument(skip_all, fields(admin = %caller.id))]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
) -> Result<HttpResponse, ApiError> {
    let items = state
        .webhook_service
        .list(&caller.context(request_id))
        .await?;
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
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks/{id}/deliveries")]
#[tracing::instrument(skip_all, fields(admin = %caller.id))]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let items = state
        .webhook_service
        .deliveries(&caller.context(request_id), id.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(DeliveryList {
        items: items.into_iter().map(DeliveryView::from).collect(),
    }))
}

/// Enable or disable a webhook, or change the events it wants (admins only).
///
/// A disabled webhook gets no new deliveries; its pending ones wait until it is enabled.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The webhook's id")),
    request_body = UpdateWebhookRequest,
    responses(
        (status = 200, description = "The webhook as changed", body = WebhookView),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown event types, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/webhooks/{id}")]
#[tracing::instrument(skip_all, fields(admin = %caller.id))]
pub async fn update_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<Uuid>,
    body: JsonBody<UpdateWebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    let JsonBody(body) = body;
    let update = WebhookUpdate {
        active: body.active,
        event_types: body.event_types,
    };
    let webhook = state
        .webhook_service
        .change(&caller.context(request_id), id.into_inner(), &update)
        .await?;
    Ok(HttpResponse::Ok().json(WebhookView::from(webhook)))
}

/// Replace a webhook's signing secret (admins only); the new secret is shown this once.
///
/// Deliveries from now on are signed with the new secret.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The webhook's id")),
    responses(
        (status = 200, description = "The webhook, with its new signing secret shown once", body = CreatedWebhookView),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/{id}/rotate-secret")]
#[tracing::instrument(skip_all, fields(admin = %caller.id))]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (webhook, secret) = state
        .webhook_service
        .rotate_secret(&caller.context(request_id), id.into_inner(), rand::random())
        .await?;
    Ok(HttpResponse::Ok().json(CreatedWebhookView {
        webhook: WebhookView::from(webhook),
        secret,
    }))
}

/// Remove a webhook and its deliveries (admins only).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The webhook's id")),
    responses(
        (status = 204, description = "Removed; nothing more is delivered to it"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/webhooks/{id}")]
#[tracing::instrument(skip_all, fields(admin = %caller.id))]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state
        .webhook_service
        .delete(&caller.context(request_id), id.into_inner())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

impl From<WebhookError> for ApiError {
    fn from(error: WebhookError) -> Self {
        match error {
            WebhookError::NotAdmin => ApiError::Forbidden(error.to_string()),
            WebhookError::Invalid(errors) => ApiError::Validation(errors),
            WebhookError::NotFound => ApiError::NotFound(error.to_string()),
            WebhookError::Write(error) => error.into(),
            WebhookError::Storage(error) => error.into(),
        }
    }
}
