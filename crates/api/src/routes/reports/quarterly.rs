use super::{export_response, parse_gap_threshold, parse_quarter, requested_format};
use crate::auth::{Caller, require_admin};
use crate::error::{ApiError, Problem};
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::http::header::Accept;
use actix_web::{HttpResponse, get, web};
use domain::report::{Difference, LiveSummary, QuarterlyReport, differences};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// How to serve a summary.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `json`, `csv`, `xlsx` or `svg`; overrides `Accept`.
    format: Option<String>,
    /// Matrix cells with fewer submissions than this are gaps (default 1).
    gap_threshold: Option<String>,
}

/// How the live summary differs from the latest snapshot of the quarter.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotComparison {
    pub snapshot_id: uuid::Uuid,
    pub snapshot_created_at: chrono::DateTime<chrono::Utc>,
    pub content_hash: String,
    pub differences: Vec<Difference>,
}

/// The live summary, with how it differs from the latest snapshot.
#[derive(Debug, Serialize, ToSchema)]
pub struct LiveReport {
    #[serde(flatten)]
    pub report: QuarterlyReport,
    /// Absent when the quarter has no snapshot.
    pub compared_with_latest_snapshot: Option<SnapshotComparison>,
}

impl LiveReport {
    fn from_summary(summary: LiveSummary) -> Self {
        let compared_with_latest_snapshot =
            summary
                .latest_snapshot
                .map(|(snapshot, frozen)| SnapshotComparison {
                    differences: differences(&summary.report, &frozen),
                    snapshot_id: snapshot.id,
                    snapshot_created_at: snapshot.created_at,
                    content_hash: snapshot.content_hash,
                });
        Self {
            report: summary.report,
            compared_with_latest_snapshot,
        }
    }
}

/// The quarterly summary of evidence trends and gaps (admins only).
///
/// `2025-Q3` is a calendar quarter; `FY2025-Q2` a quarter of the financial year from 1
/// April. Served as JSON, CSV, XLSX or an SVG chart, by `Accept` or `?format=`.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("quarter" = String, Path, description = "e.g. 2025-Q3 or FY2025-Q2", example = "2025-Q3"), ReportQuery),
    responses(
        (status = 200, description = "The summary in the format asked for", content(
            (LiveReport = "application/json"),
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "image/svg+xml"),
        ), headers(("Content-Disposition" = String, description = "A file name such as innovation-hub-2025-Q3.csv"))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a quarter, or a bad format or threshold", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/quarterly/{quarter}")]
#[tracing::instrument(skip_all, fields(quarter = %quarter))]
pub async fn quarterly_report(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    accept: Option<web::Header<Accept>>,
    quarter: web::Path<String>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&caller)?;
    let quarter = parse_quarter(&quarter)?;
    let format = requested_format(accept.as_deref(), query.format.as_deref())?;
    let threshold = parse_gap_threshold(query.gap_threshold.as_deref())?;
    let ctx = caller.context(request_id);
    let summary = state
        .report_service
        .live_summary(&ctx, quarter, threshold, format.extension())
        .await?;
    let live = LiveReport::from_summary(summary);
    export_response(
        &live.report,
        &state.taxonomy,
        &live,
        format,
        &format!("innovation-hub-{quarter}"),
    )
}
