use crate::auth::Caller;
use crate::dto::audit::{AuditEntryView, AuditPage};
use crate::error::{ApiError, Problem};
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use domain::audit::ListAuditError;
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters for the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// An action name, e.g. `login_failed`.
    action: Option<String>,
    /// Who acted.
    actor_id: Option<String>,
    /// What it happened to.
    target_id: Option<String>,
    /// From this instant (RFC 3339, inclusive).
    from: Option<String>,
    /// Until this instant (RFC 3339, exclusive).
    to: Option<String>,
    /// Page size, 1–100 (default 20).
    limit: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

impl From<AuditQuery> for domain::audit::AuditQuery {
    fn from(q: AuditQuery) -> Self {
        Self {
            action: q.action,
            actor_id: q.actor_id,
            target_id: q.target_id,
            from: q.from,
            to: q.to,
            limit: q.limit,
            cursor: q.cursor,
        }
    }
}

/// The append-only audit log, newest first (admins only). Nothing updates or deletes it.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "One page of the audit log", body = AuditPage),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filters, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/audit")]
#[tracing::instrument(skip_all)]
pub async fn list_audit(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = domain::audit::AuditQuery::from(query.into_inner());
    let page = state
        .audit_log
        .list(&caller.context(request_id), &query)
        .await?;
    Ok(HttpResponse::Ok().json(AuditPage {
        items: page.items.into_iter().map(AuditEntryView::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

impl From<ListAuditError> for ApiError {
    fn from(error: ListAuditError) -> Self {
        match error {
            ListAuditError::NotAdmin => ApiError::Forbidden(error.to_string()),
            ListAuditError::Invalid(errors) => ApiError::Validation(errors),
            ListAuditError::Storage(error) => error.into(),
        }
    }
}
