use crate::config::MetricsAccess;
use crate::error::{ApiError, Problem};
use crate::middleware::Metrics;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use std::time::Duration;
use utoipa::ToSchema;

/// A health answer.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` when healthy.
    pub status: String,
}

/// Liveness: the process answers.
#[utoipa::path(tag = "health", responses((status = 200, description = "The process is alive", body = Health)))]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
    })
}

/// The longest readiness waits for the database, so a load balancer hears
/// "not ready" within a second even when the database hangs.
const READY_WAIT: Duration = Duration::from_millis(800);

/// Readiness: the database answers (within 0.8 s).
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "The database does not answer within 0.8 s", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let ping = tokio::time::timeout(READY_WAIT, state.db.connection.ping()).await;
    match ping {
        Ok(Ok(())) => HttpResponse::Ok().json(Health {
            status: "ok".into(),
        }),
        failed => {
            match failed {
                Ok(Err(error)) => tracing::warn!(%error, "readiness check failed"),
                _ => tracing::warn!(wait = ?READY_WAIT, "readiness check timed out"),
            }
            let problem = ApiError::NotFound(String::new()).problem();
            HttpResponse::ServiceUnavailable()
                .content_type("application/problem+json")
                .insert_header((header::RETRY_AFTER, "2"))
                .json(Problem {
                    problem_type: "/problems/not_ready".into(),
                    title: "Not ready".into(),
                    status: 503,
                    detail: "the database does not answer".into(),
                    code: "not_ready".into(),
                    ..problem
                })
        }
    }
}

/// Prometheus metrics: request counts and latencies by route, pool gauges.
///
/// Open in development; with `HUB_METRICS_TOKEN` set, only to
/// `Authorization: Bearer <that token>`; in production without one, off.
#[utoipa::path(tag = "health", responses(
    (status = 200, description = "Prometheus text exposition format", body = String, content_type = "text/plain"),
    (status = 401, description = "`HUB_METRICS_TOKEN` is set and was not sent", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Metrics are off (production without `HUB_METRICS_TOKEN`)", body = Problem, content_type = "application/problem+json"),
))]
#[get("/metrics")]
pub async fn metrics(
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
    access: web::Data<MetricsAccess>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    match access.get_ref() {
        MetricsAccess::Open => {}
        MetricsAccess::Off => {
            return Err(ApiError::NotFound("metrics are not served here".into()));
        }
        MetricsAccess::Token(token) => {
            let sent = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or_default();
            let same: bool =
                subtle::ConstantTimeEq::ct_eq(sent.as_bytes(), token.as_bytes()).into();
            if !same {
                return Err(ApiError::Unauthorized(
                    "send Authorization: Bearer <HUB_METRICS_TOKEN>".into(),
                ));
            }
        }
    }
    let (size, idle) = pool_stats(&state);
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render(size, idle)))
}

fn pool_stats(state: &AppState) -> (u32, usize) {
    let connection = &state.db.connection;
    match state.db.kind {
        persistence::DatabaseKind::Sqlite => {
            let pool = connection.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        persistence::DatabaseKind::Postgres => {
            let pool = connection.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
    }
}

/// This OpenAPI document.
#[utoipa::path(tag = "health", responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
#[get("/api/v1/openapi.json")]
pub async fn openapi_document() -> HttpResponse {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HttpResponse::Ok()
        .content_type("application/json")
        .body(DOCUMENT.get_or_init(crate::openapi::document_json).clone())
}
