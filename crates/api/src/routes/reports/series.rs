use super::{parse_quarter, requested_format, with_headers};
use crate::auth::{Caller, require_admin};
use crate::error::{ApiError, Problem};
use crate::export::{self, Format, Labels};
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::http::header::Accept;
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
    /// `json`, `csv` or `xlsx`; overrides `Accept`.
    format: Option<String>,
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
/// Each quarter from `from` to `to`. Served as JSON, CSV (one line per figure of
/// each quarter, with labels beside codes) or XLSX (quarters down, figures
/// across), by `Accept` or `?format=`.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(SeriesQuery),
    responses(
        (status = 200, description = "One point per quarter, oldest first", content(
            (Series = "application/json"),
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ), headers(("Content-Disposition" = String, description = "A file name such as innovation-hub-2024-Q1-to-2025-Q4.csv"))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad or mismatched quarters, or a bad format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/quarterly")]
#[tracing::instrument(skip_all)]
pub async fn quarterly_series(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    accept: Option<web::Header<Accept>>,
    query: web::Query<SeriesQuery>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&caller)?;
    let format = series_format(accept.as_deref(), query.format.as_deref())?;
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
    let series = Series {
        from: range.from().to_string(),
        to: range.to().to_string(),
        quarters,
    };
    let labels = Labels::from_taxonomy(&state.taxonomy);
    let body = match format {
        Format::Csv => export::series_csv(&series.quarters, &labels)?,
        Format::Xlsx => export::series_xlsx(&series.from, &series.to, &series.quarters, &labels)?,
        Format::Json | Format::Svg => {
            serde_json::to_vec(&series).map_err(|e| ApiError::Internal(e.into()))?
        }
    };
    Ok(with_headers(
        body,
        format,
        &format!("innovation-hub-{}-to-{}", series.from, series.to),
    ))
}

/// JSON, CSV or XLSX: `?format=` wins over `Accept`; a series has no chart,
/// so `svg` is refused by name and an `Accept` of only SVG gets JSON.
fn series_format(accept: Option<&Accept>, format: Option<&str>) -> Result<Format, ApiError> {
    match requested_format(accept, format)? {
        Format::Svg if format.is_some() => Err(ApiError::validation(
            "format",
            "unknown_format",
            "must be json, csv or xlsx",
        )),
        Format::Svg => Ok(Format::Json),
        other => Ok(other),
    }
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
