use super::parse_quarter;
use crate::auth::{Caller, require_admin};
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use domain::quarter::YearKind;
use domain::report::TrendPoint;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The quarters of a series.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// First quarter, e.g. `2024-Q1`.
    from: String,
    /// Last quarter, e.g. `2025-Q4` (same kind of year as `from`; at most 40 quarters).
    to: String,
}

/// Headline counts per quarter, for trend charts.
#[derive(Debug, Serialize, ToSchema)]
pub struct Series {
    pub from: String,
    pub to: String,
    pub quarters: Vec<TrendPoint>,
}

/// Headline counts for each quarter from `from` to `to` (admins only).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(SeriesQuery),
    responses(
        (status = 200, description = "One point per quarter, oldest first", body = Series),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad or mismatched quarters", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/quarterly")]
#[tracing::instrument(skip_all)]
pub async fn quarterly_series(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<SeriesQuery>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&caller)?;
    let from = parse_quarter(&query.from).map_err(|_| {
        ApiError::validation(
            "from",
            "invalid_quarter",
            "must be a quarter such as 2024-Q1",
        )
    })?;
    let to = parse_quarter(&query.to).map_err(|_| {
        ApiError::validation("to", "invalid_quarter", "must be a quarter such as 2025-Q4")
    })?;
    if from.kind() != to.kind() {
        return Err(ApiError::validation(
            "to",
            "mismatched_year",
            "use calendar quarters for both, or financial quarters for both",
        ));
    }
    let span = (i64::from(to.year()) * 4 + i64::from(to.number()))
        - (i64::from(from.year()) * 4 + i64::from(from.number()));
    if !(0..40).contains(&span) {
        return Err(ApiError::validation(
            "to",
            "out_of_range",
            "must be at or after from, and at most 40 quarters later",
        ));
    }
    let mut quarters = Vec::new();
    let mut q = from;
    loop {
        quarters.push(TrendPoint::new(&q, &state.reports.headline(q).await?));
        if q == to {
            break;
        }
        q = q.next();
    }
    let label = |k: YearKind| {
        if k == YearKind::Financial {
            "financial"
        } else {
            "calendar"
        }
    };
    tracing::debug!(year = label(from.kind()), "series");
    Ok(HttpResponse::Ok().json(Series {
        from: from.to_string(),
        to: to.to_string(),
        quarters,
    }))
}
