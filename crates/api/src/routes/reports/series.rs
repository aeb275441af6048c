use super::parse_quarter;
use crate::auth::{Caller, require_admin};
use crate::error::{ApiError, Problem};
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use domain::quarter::{Quarter, YearKind};
use domain::report::{QuarterRange, TrendPoint};
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

/// Headline counts for each quarter of a range (admins only).
///
/// Each quarter from `from` to `to`.
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
    request_id: RequestId,
    query: web::Query<SeriesQuery>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&caller)?;
    let range = QuarterRange::new(
        series_end("from", &query.from, "2024-Q1")?,
        series_end("to", &query.to, "2025-Q4")?,
    )?;
    let ctx = caller.context(request_id.clone());
    let quarters = state.report_service.series(&ctx, range).await?;
    let year = match range.kind() {
        YearKind::Financial => "financial",
        YearKind::Calendar => "calendar",
    };
    tracing::debug!(year, "series");
    Ok(HttpResponse::Ok().json(Series {
        from: range.from().to_string(),
        to: range.to().to_string(),
        quarters,
    }))
}

/// One end of a series, named in the error by its query field.
fn series_end(field: &str, raw: &str, example: &str) -> Result<Quarter, ApiError> {
    parse_quarter(raw).map_err(|_| {
        ApiError::validation(
            field,
            "invalid_quarter",
            format!("must be a quarter such as {example}"),
        )
    })
}
