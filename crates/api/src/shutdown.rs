//! Graceful shutdown that drains every request before any worker stops.
//!
//! Each actix worker runs its own Tokio runtime, and a pooled database
//! connection belongs to the runtime that opened it. Stopping workers one by
//! one (actix's own graceful stop) let an idle worker's runtime end while
//! another worker was still using a connection it had opened, and that request
//! failed with a 500. So on SIGTERM or Ctrl-C the service first refuses new
//! requests with 503 and `Retry-After`, waits until no request is in flight,
//! and only then stops the workers.

use crate::error::ApiError;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Whether the service is draining, and how many requests are in flight.
#[derive(Debug, Default)]
pub struct Drain {
    draining: AtomicBool,
    in_flight: AtomicUsize,
}

/// A request being served; dropping it (even when the request is cancelled)
/// counts it out.
pub struct InFlight(Arc<Drain>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Drain {
    /// Counts a request in, unless the service is draining.
    pub fn enter(self: &Arc<Self>) -> Option<InFlight> {
        // Counted first, checked second: a request that gets in before the
        // drain starts is always seen by `until_idle`.
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let guard = InFlight(self.clone());
        (!self.draining.load(Ordering::SeqCst)).then_some(guard)
    }

    /// From now on new requests are refused.
    pub fn start(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Waits until no request is in flight, or `limit` has passed; true when idle.
    pub async fn until_idle(&self, limit: Duration) -> bool {
        let started = Instant::now();
        while self.in_flight() > 0 {
            if started.elapsed() >= limit {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }
}

/// Refuses requests with 503 once the service is draining; counts the rest.
pub async fn drain_requests(
    drain: Arc<Drain>,
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    match drain.enter() {
        Some(_in_flight) => Ok(next.call(req).await?.map_into_left_body()),
        None => {
            let response = ApiError::ShuttingDown.error_response();
            Ok(req.into_response(response).map_into_right_body())
        }
    }
}

/// Waits for SIGTERM or Ctrl-C, drains, then stops the server.
pub async fn stop_on_signal(handle: ServerHandle, drain: Arc<Drain>, limit: Duration) {
    wait_for_signal().await;
    tracing::info!(
        in_flight = drain.in_flight(),
        "shutting down: refusing new requests"
    );
    drain.start();
    handle.pause().await;
    if !drain.until_idle(limit).await {
        tracing::warn!(
            in_flight = drain.in_flight(),
            "requests still in flight when the shutdown timeout passed"
        );
    }
    handle.stop(true).await;
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(error) => {
            tracing::warn!(error = %error, "SIGTERM cannot be caught; stopping on Ctrl-C only");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_drain_waits_for_requests_already_in_and_refuses_new_ones() {
        let drain = Arc::new(Drain::default());
        let first = drain.enter();
        assert!(first.is_some());
        drain.start();
        assert!(drain.enter().is_none(), "a request after the drain started");
        assert_eq!(drain.in_flight(), 1);
        assert!(!drain.until_idle(Duration::from_millis(30)).await);
        drop(first);
        assert!(drain.until_idle(Duration::from_millis(30)).await);
    }
}
