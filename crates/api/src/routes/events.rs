use crate::auth::Caller;
use crate::dto::event::{EventPage, EventView};
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use domain::ValidationErrors;
use domain::pagination::FeedPageSize;
use serde::Deserialize;
use utoipa::IntoParams;

/// Where to read the change feed from.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// The `next_cursor` (or an event's `cursor`) already seen; from the start when left out.
    after: Option<String>,
    /// Most events to return, 1–500 (default 100).
    limit: Option<String>,
}

/// The change feed: lifecycle events of submissions the caller may see.
///
/// Oldest first. Authors see everything about their own work, reviewers and admins everything that left
/// draft, everyone publications. Events are written in the same transaction as the
/// change, so none is lost or invented; poll with the last `next_cursor`.
#[utoipa::path(
    tag = "submissions",
    security(("bearer" = [])),
    params(EventsQuery),
    responses(
        (status = 200, description = "The next events, oldest first", body = EventPage),
        (status = 403, description = "A personal access token without `submissions:read`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid cursor or limit", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/events")]
#[tracing::instrument(skip_all, fields(member = %caller.id))]
pub async fn list_events(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<EventsQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = ValidationErrors::new();
    let after = match query.after.as_deref() {
        None => 0,
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .unwrap_or_else(|| {
                errors.add("after", "invalid_value", "use a cursor from this feed");
                0
            }),
    };
    let limit = match query.limit.as_deref() {
        None => FeedPageSize::default(),
        Some(raw) => raw
            .parse::<u64>()
            .ok()
            .and_then(|n| FeedPageSize::new(Some(n)))
            .unwrap_or_else(|| {
                errors.add(
                    "limit",
                    "out_of_range",
                    format!("must be 1 to {}", FeedPageSize::MAX),
                );
                FeedPageSize::default()
            }),
    };
    errors.into_result()?;
    let events = state
        .feed
        .after(&caller.reading(), after, limit.get())
        .await?;
    let next_cursor = events.last().map_or(after, |e| e.seq).to_string();
    Ok(HttpResponse::Ok().json(EventPage {
        items: events.into_iter().map(EventView::from).collect(),
        next_cursor,
    }))
}
