//! Delivers webhooks from the outbox in the background, so no request waits
//! for them and deliveries survive a restart: pending ones are in the database.

use crate::dto::event::EventView;
use crate::dto::webhook::WebhookPayload;
use domain::repository::WebhookRepository;
use domain::webhook::{LEASE, LeasedDelivery, SIGNATURE_HEADER, sign};
use std::sync::Arc;
use std::time::Duration;

/// Polls the outbox every `every`, fans new events out to webhooks, and
/// attempts due deliveries.
pub fn start_dispatcher(webhooks: Arc<dyn WebhookRepository>, every: Duration) {
    tokio::spawn(async move {
        let client = match delivery_client() {
            Ok(client) => client,
            Err(error) => {
                tracing::error!(error = %error, "webhook client not built; no webhooks will be sent");
                return;
            }
        };
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            dispatch_once(webhooks.as_ref(), &client).await;
        }
    });
}

/// The client deliveries are sent with: an attempt ends well within a lease.
pub fn delivery_client() -> reqwest::Result<reqwest::Client> {
    crate::startup::install_tls_provider();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// Deliveries leased per round; each round takes at most one per webhook.
const BATCH: u64 = 50;
/// Rounds per tick, so one busy tick cannot starve the fan-out for long.
const ROUNDS: usize = 200;

/// Fans out new events, then sends due deliveries round after round until
/// none is left: each webhook's next delivery becomes due as soon as the one
/// before it is delivered (or given up).
pub async fn dispatch_once(webhooks: &dyn WebhookRepository, client: &reqwest::Client) {
    if let Err(error) = webhooks.fan_out(chrono::Utc::now(), 500).await {
        tracing::warn!(error = %error, "webhook fan-out failed; will retry");
        return;
    }
    for _ in 0..ROUNDS {
        let due = match webhooks.lease_due(chrono::Utc::now(), LEASE, BATCH).await {
            Ok(due) => due,
            Err(error) => {
                tracing::warn!(error = %error, "leasing due webhook deliveries failed");
                return;
            }
        };
        if due.is_empty() {
            return;
        }
        for leased in due {
            attempt(webhooks, client, leased).await;
        }
    }
}

/// Sends one leased delivery and records the attempt under its lease.
async fn attempt(
    webhooks: &dyn WebhookRepository,
    client: &reqwest::Client,
    leased: LeasedDelivery,
) {
    let LeasedDelivery {
        lease,
        delivery,
        webhook,
        event,
    } = leased;
    let payload = WebhookPayload {
        delivery_id: delivery.id,
        event: EventView::from(event),
    };
    let Ok(body) = serde_json::to_vec(&payload) else {
        return;
    };
    let timestamp = chrono::Utc::now().timestamp();
    let Some(signature) = sign(&webhook.secret, timestamp, &body) else {
        return;
    };
    let sent = client
        .post(&webhook.url)
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, signature)
        .header("hub-event", delivery.event_type.as_str())
        .header("hub-delivery", delivery.id.to_string())
        .body(body)
        .send()
        .await;
    let (code, error, delivered) = match sent {
        Ok(response) => {
            let status = response.status();
            (
                Some(i32::from(status.as_u16())),
                (!status.is_success()).then(|| format!("answered {status}")),
                status.is_success(),
            )
        }
        Err(error) => (None, Some(error.to_string()), false),
    };
    tracing::info!(delivery = %delivery.id, delivered, code, "webhook attempt");
    match webhooks
        .record_attempt(
            lease,
            delivery.id,
            code,
            error,
            delivered,
            chrono::Utc::now(),
        )
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(delivery = %delivery.id, "webhook lease lapsed before the attempt was recorded");
        }
        Err(error) => tracing::warn!(error = %error, "webhook attempt not recorded"),
    }
}
