use crate::dto::event::EventView;
use chrono::{DateTime, Utc};
use domain::webhook::{Delivery, Webhook};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A new webhook endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://council-dashboard.example.org/hooks/hub", "event_types": ["submission.published"]}))]
pub struct CreateWebhookRequest {
    /// An `https://` URL that accepts POSTs, whose host is and resolves only
    /// to public addresses (never private, loopback, link-local, shared or
    /// reserved ones; checked again at each delivery). `http://` and loopback
    /// targets only where `HUB_WEBHOOK_ALLOW_LOOPBACK=true` (development).
    pub url: String,
    /// Event names (as in the change feed), or `["*"]` for all.
    pub event_types: Vec<String>,
}

/// A change to a webhook: each field present is applied, absent ones are kept.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct UpdateWebhookRequest {
    /// `false` stops deliveries (pending ones wait), `true` resumes them.
    pub active: Option<bool>,
    /// Event names (as in the change feed), or `["*"]` for all; replaces the list.
    pub event_types: Option<Vec<String>>,
}

/// A webhook endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: Uuid,
    pub url: String,
    pub event_types: Vec<String>,
    /// Whether events are delivered to it.
    pub active: bool,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub created_at: DateTime<Utc>,
}

impl From<Webhook> for WebhookView {
    fn from(w: Webhook) -> Self {
        Self {
            id: w.id,
            url: w.url,
            event_types: w.event_types,
            active: w.active,
            created_at: w.created_at,
        }
    }
}

/// A new webhook, with the signing secret shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhookView {
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// Verify each delivery's `Hub-Signature: t=<unix seconds>,v1=<hex>` as
    /// HMAC-SHA256 under this secret of `"<t>.<raw body>"`.
    pub secret: String,
}

/// The registered webhooks.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<WebhookView>,
}

/// One event's delivery to one webhook.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: Uuid,
    /// The event's change-feed cursor.
    pub event_cursor: String,
    pub event_type: String,
    /// `pending`, `delivered` or `failed` (given up after 8 attempts).
    pub state: String,
    pub attempts: i32,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    #[serde(serialize_with = "domain::timestamp::serialize_option")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "domain::timestamp::serialize_option")]
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id,
            event_cursor: d.event_seq.to_string(),
            event_type: d.event_type,
            state: d.state,
            attempts: d.attempts,
            last_status_code: d.last_status_code,
            last_error: d.last_error,
            next_attempt_at: d.next_attempt_at,
            delivered_at: d.delivered_at,
        }
    }
}

/// A webhook's deliveries, oldest event first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    pub items: Vec<DeliveryView>,
}

/// The body POSTed to a webhook.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookPayload {
    /// The same on every retry of this delivery: use it to ignore repeats.
    pub delivery_id: Uuid,
    pub event: EventView,
}
