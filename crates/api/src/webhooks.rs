//! Delivers webhooks from the outbox in the background, so no request waits
//! for them and deliveries survive a restart: pending ones are in the database.

use crate::dto::event::EventView;
use crate::dto::webhook::WebhookPayload;
use domain::repository::WebhookRepository;
use domain::webhook::{
    Delivery, HostResolver, LEASE, LeasedDelivery, LoopbackUrls, SIGNATURE_HEADER, WebhookUrl,
    address_allowed, sign,
};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// Polls the outbox every `every`, fans new events out to webhooks, and
/// attempts due deliveries.
pub fn start_dispatcher(
    webhooks: Arc<dyn WebhookRepository>,
    every: Duration,
    loopback: LoopbackUrls,
) {
    tokio::spawn(async move {
        let client = match delivery_client(loopback) {
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

/// A webhook client: it refuses, at connection time, any target the address
/// check refuses, and sends nothing anywhere else.
#[derive(Clone)]
pub struct DeliveryClient {
    http: reqwest::Client,
    loopback: LoopbackUrls,
}

/// The client deliveries are sent with: an attempt ends well within a lease.
/// Names are looked up by [`CheckedResolver`], so the address connected to is
/// the address checked (a name cannot rebind between the check and the
/// connection); no proxy and no redirect can send it elsewhere.
pub fn delivery_client(loopback: LoopbackUrls) -> reqwest::Result<DeliveryClient> {
    crate::startup::install_tls_provider();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(CheckedResolver { loopback })
        .build()?;
    Ok(DeliveryClient { http, loopback })
}

/// Looks a host name up for registration (the use case checks each address).
pub struct SystemResolver;

/// How long a name may take to resolve before it counts as unresolvable.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

async fn lookup(host: &str, port: u16) -> Vec<IpAddr> {
    match tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, port))).await {
        Ok(Ok(addresses)) => addresses.map(|a| a.ip()).collect(),
        _ => Vec::new(),
    }
}

#[async_trait::async_trait]
impl HostResolver for SystemResolver {
    async fn resolve(&self, host: &str, port: u16) -> Vec<IpAddr> {
        lookup(host, port).await
    }
}

/// Why a delivery was not sent to where its name points now.
#[derive(Debug, thiserror::Error)]
#[error("the target resolves to a non-public address")]
struct TargetRefused;

/// Resolves a delivery's host and hands reqwest only addresses that passed
/// the check: if any address the name has is refused, none is used.
struct CheckedResolver {
    loopback: LoopbackUrls,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let loopback = self.loopback;
        Box::pin(async move {
            let addresses = lookup(&host, 0).await;
            if addresses.is_empty() {
                return Err("the target's name does not resolve".into());
            }
            if !addresses.iter().all(|ip| address_allowed(*ip, loopback)) {
                return Err(Box::new(TargetRefused) as Box<dyn std::error::Error + Send + Sync>);
            }
            let checked: Addrs = Box::new(
                addresses
                    .into_iter()
                    .map(|ip| std::net::SocketAddr::new(ip, 0)),
            );
            Ok(checked)
        })
    }
}

/// Deliveries leased per round; each round takes at most one per webhook.
const BATCH: u64 = 50;
/// Rounds per tick, so one busy tick cannot starve the fan-out for long.
const ROUNDS: usize = 200;

/// Fans out new events, then sends due deliveries round after round until
/// none is left: each webhook's next delivery becomes due as soon as the one
/// before it is delivered (or given up).
pub async fn dispatch_once(webhooks: &dyn WebhookRepository, client: &DeliveryClient) {
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
    client: &DeliveryClient,
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
    let (code, error, delivered) =
        match send(client, &webhook.url, &delivery, signature, body).await {
            Ok(status) => (
                Some(i32::from(status.as_u16())),
                (!status.is_success()).then(|| format!("answered {status}")),
                status.is_success(),
            ),
            Err(reason) => (None, Some(reason.to_owned()), false),
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

/// Sends one delivery if its URL still passes the check, and says what came
/// back: the status only. The answer's body is never read, logged or stored,
/// and a failure is told in fixed words, never in the target's.
async fn send(
    client: &DeliveryClient,
    url: &str,
    delivery: &Delivery,
    signature: String,
    body: Vec<u8>,
) -> Result<reqwest::StatusCode, &'static str> {
    // Addresses written in the URL are never looked up, so they are checked
    // here; names are checked by the resolver as they are connected to.
    if WebhookUrl::parse("url", url, client.loopback).is_err() {
        return Err("refused: the URL is no longer allowed (https and a public address)");
    }
    let sent = client
        .http
        .post(url)
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, signature)
        .header("hub-event", delivery.event_type.as_str())
        .header("hub-delivery", delivery.id.to_string())
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) => Ok(response.status()),
        Err(error) if refused_by_check(&error) => {
            Err("refused: the target resolves to a non-public address")
        }
        Err(error) if error.is_timeout() => Err("timed out"),
        Err(error) if error.is_connect() => Err("could not connect"),
        Err(_) => Err("the request failed"),
    }
}

fn refused_by_check(error: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if cause.is::<TargetRefused>() {
            return true;
        }
        source = cause.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_delivery_resolver_hands_out_only_checked_addresses() {
        let Ok(name) = "localhost".parse::<Name>() else {
            panic!("a valid name");
        };
        let refused = CheckedResolver {
            loopback: LoopbackUrls::Refused,
        }
        .resolve(name)
        .await;
        let Err(error) = refused else {
            panic!("localhost was resolved for a delivery where loopback is refused");
        };
        assert!(error.is::<TargetRefused>(), "{error}");

        let Ok(name) = "localhost".parse::<Name>() else {
            panic!("a valid name");
        };
        let allowed = CheckedResolver {
            loopback: LoopbackUrls::Allowed,
        }
        .resolve(name)
        .await;
        let Ok(addresses) = allowed else {
            panic!("localhost did not resolve");
        };
        let addresses: Vec<_> = addresses.collect();
        assert!(!addresses.is_empty());
        assert!(
            addresses.iter().all(|a| a.ip().is_loopback()),
            "{addresses:?}"
        );
    }
}
