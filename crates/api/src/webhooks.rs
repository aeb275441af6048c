//! Delivers webhooks from the outbox in the background, so no request waits
//! for them and deliveries survive a restart: pending ones are in the database.

use crate::dto::event::EventView;
use crate::dto::webhook::WebhookPayload;
use domain::repository::WebhookRepository;
use domain::webhook::{SIGNATURE_HEADER, sign};
use std::sync::Arc;
use std::time::Duration;

/// Polls the outbox every `every`, fans new events out to webhooks, and
/// attempts due deliveries.
pub fn start_dispatcher(webhooks: Arc<dyn WebhookRepository>, every: Duration) {
    tokio::spawn(async move {
        let client = match reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
        {
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

async fn dispatch_once(webhooks: &dyn WebhookRepository, client: &reqwest::Client) {
    let now = chrono::Utc::now();
    if let Err(error) = webhooks.fan_out(now, 500).await {
        tracing::warn!(error = %error, "webhook fan-out failed; will retry");
        return;
    }
    let due = match webhooks.due(now, 50).await {
        Ok(due) => due,
        Err(error) => {
            tracing::warn!(error = %error, "reading due webhook deliveries failed");
            return;
        }
    };
    for (delivery, webhook, event) in due {
        let payload = WebhookPayload {
            delivery_id: delivery.id,
            event: EventView::from(event),
        };
        let Ok(body) = serde_json::to_vec(&payload) else {
            continue;
        };
        let timestamp = chrono::Utc::now().timestamp();
        let Some(signature) = sign(&webhook.secret, timestamp, &body) else {
            continue;
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
        if let Err(error) = webhooks
            .record_attempt(delivery.id, code, error, delivered, chrono::Utc::now())
            .await
        {
            tracing::warn!(error = %error, "webhook attempt not recorded");
        }
    }
}
