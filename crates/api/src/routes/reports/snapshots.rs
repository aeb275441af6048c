use super::{export_bytes, parse_gap_threshold, parse_quarter, requested_format, with_headers};
use crate::auth::{Caller, require_admin};
use crate::error::{ApiError, Problem};
use crate::export::Format;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::http::header::{self, Accept};
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use domain::report::{QuarterlyReport, frozen_report};
use domain::repository::Snapshot;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A frozen summary.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotView {
    pub id: Uuid,
    pub quarter: String,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    /// SHA-256 of the stored JSON, hex.
    pub content_hash: String,
    /// Where to fetch it; add `?format=csv|xlsx|svg` for other formats.
    pub href: String,
}

impl From<&Snapshot> for SnapshotView {
    fn from(s: &Snapshot) -> Self {
        Self {
            id: s.id,
            quarter: s.quarter.clone(),
            created_at: s.created_at,
            created_by: s.created_by.map(|m| m.0),
            content_hash: s.content_hash.clone(),
            href: format!("/api/v1/reports/quarterly/{}/snapshots/{}", s.quarter, s.id),
        }
    }
}

/// Options for a snapshot.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SnapshotQuery {
    /// Matrix cells with fewer submissions than this are gaps (default 1).
    gap_threshold: Option<String>,
}

/// Freeze the summary of an ended quarter (admins only).
///
/// Freeze the summary of an ended quarter, so what went to Council can be
/// reproduced byte for byte however the data changes later (admins only).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("quarter" = String, Path, description = "An ended quarter, e.g. 2025-Q3"), SnapshotQuery),
    responses(
        (status = 201, description = "The snapshot", body = SnapshotView, headers(("Location" = String, description = "Where it lives"))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The quarter has not ended", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a quarter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/reports/quarterly/{quarter}/snapshots")]
#[tracing::instrument(skip_all, fields(quarter = %quarter))]
pub async fn create_snapshot(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    quarter: web::Path<String>,
    query: web::Query<SnapshotQuery>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&caller)?;
    let quarter = parse_quarter(&quarter)?;
    let ctx = caller.context(request_id);
    // An unended quarter is refused before the threshold is read.
    state.report_service.ensure_can_freeze(&ctx, quarter)?;
    let threshold = parse_gap_threshold(query.gap_threshold.as_deref())?;
    let snapshot = state
        .report_service
        .freeze_snapshot(&ctx, quarter, threshold)
        .await?;
    let view = SnapshotView::from(&snapshot);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, view.href.clone()))
        .json(view))
}

/// A quarter's snapshots, newest first (admins only).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("quarter" = String, Path, description = "e.g. 2025-Q3")),
    responses(
        (status = 200, description = "The snapshots", body = [SnapshotView]),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a quarter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/quarterly/{quarter}/snapshots")]
#[tracing::instrument(skip_all)]
pub async fn list_snapshots(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    quarter: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&caller)?;
    let quarter = parse_quarter(&quarter)?;
    let ctx = caller.context(request_id.clone());
    let snapshots = state.report_service.snapshots(&ctx, quarter).await?;
    Ok(HttpResponse::Ok().json(snapshots.iter().map(SnapshotView::from).collect::<Vec<_>>()))
}

/// The format to re-export a snapshot in.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `json`, `csv`, `xlsx` or `svg`; overrides `Accept`.
    format: Option<String>,
}

/// One snapshot, re-exported exactly as frozen (admins only).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(
        ("quarter" = String, Path, description = "e.g. 2025-Q3"),
        ("id" = Uuid, Path, description = "The snapshot's id"),
        FormatQuery,
    ),
    responses(
        (status = 200, description = "The frozen summary", content(
            (QuarterlyReport = "application/json"),
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "image/svg+xml"),
        ), headers(("X-Content-SHA256" = String, description = "The snapshot's content hash"))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such snapshot", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/quarterly/{quarter}/snapshots/{id}")]
#[tracing::instrument(skip_all)]
pub async fn get_snapshot(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    accept: Option<web::Header<Accept>>,
    path: web::Path<(String, Uuid)>,
    query: web::Query<FormatQuery>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&caller)?;
    let (quarter, id) = path.into_inner();
    let quarter = parse_quarter(&quarter)?;
    let format = requested_format(accept.as_deref(), query.format.as_deref())?;
    let ctx = caller.context(request_id.clone());
    let snapshot = state.report_service.snapshot(&ctx, quarter, id).await?;
    let body = match format {
        Format::Json => snapshot.body.clone().into_bytes(),
        other => export_bytes(&frozen_report(&snapshot)?, &state.taxonomy, other)?,
    };
    let mut response = with_headers(
        body,
        format,
        &format!("innovation-hub-{quarter}-snapshot-{}", snapshot.id.simple()),
    );
    if matches!(format, Format::Json) && !snapshot.body.ends_with('\n') {
        response.extensions_mut().insert(crate::newline::Verbatim);
    }
    if let Ok(value) = header::HeaderValue::from_str(&snapshot.content_hash) {
        response
            .headers_mut()
            .insert(header::HeaderName::from_static("x-content-sha256"), value);
    }
    Ok(response)
}
