use crate::auth::{Caller, require_admin};
use crate::dto::audit::{AuditEntryView, AuditPage};
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use domain::audit::AuditFilter;
use domain::pagination::PageSize;
use domain::{MemberId, ValidationErrors};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

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

fn parse<T>(
    errors: &mut ValidationErrors,
    field: &str,
    value: &Option<String>,
    message: &str,
    f: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    let value = value.as_deref()?;
    let parsed = f(value);
    if parsed.is_none() {
        errors.add(field, "invalid_value", message);
    }
    parsed
}

/// The append-only audit log, newest first (admins only). Nothing updates or deletes it.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "One page of the audit log", body = AuditPage),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filters, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/audit")]
#[tracing::instrument(skip_all)]
pub async fn list_audit(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&caller)?;
    let q = query.into_inner();
    let mut e = ValidationErrors::new();
    let uuid = |v: &str| Uuid::parse_str(v).ok();
    let instant = |v: &str| {
        chrono::DateTime::parse_from_rfc3339(v)
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc))
    };
    let filter = AuditFilter {
        action: q.action.clone().filter(|a| a.len() <= 100),
        actor_id: parse(&mut e, "actor_id", &q.actor_id, "must be a UUID", uuid).map(MemberId),
        target_id: parse(&mut e, "target_id", &q.target_id, "must be a UUID", uuid),
        from: parse(&mut e, "from", &q.from, "must be an RFC 3339 time", instant),
        to: parse(&mut e, "to", &q.to, "must be an RFC 3339 time", instant),
    };
    let size = parse(
        &mut e,
        "limit",
        &q.limit,
        "must be a whole number from 1 to 100",
        |v| v.parse::<u64>().ok().and_then(|n| PageSize::new(Some(n))),
    );
    let after = parse(
        &mut e,
        "cursor",
        &q.cursor,
        "is not a cursor this service gave out",
        uuid,
    );
    e.into_result()?;
    let page = state
        .audit
        .list(&filter, after, size.unwrap_or_default())
        .await?;
    Ok(HttpResponse::Ok().json(AuditPage {
        items: page.items.into_iter().map(AuditEntryView::from).collect(),
        next_cursor: page.next_cursor,
    }))
}
