//! Quarterly summaries for admins: live, as a series, and frozen snapshots.

pub mod quarterly;
pub mod series;
pub mod snapshots;

use crate::error::ApiError;
use crate::export::{self, Format};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use domain::quarter::Quarter;
use domain::report::{QuarterlyReport, ReportOptions, TrendPoint, build_report};
use serde::Serialize;

/// Quarters a trend chart shows.
pub const TREND_QUARTERS: usize = 8;

pub fn parse_quarter(raw: &str) -> Result<Quarter, ApiError> {
    raw.parse()
        .map_err(|e: domain::quarter::QuarterParseError| {
            ApiError::validation("quarter", "invalid_quarter", e.to_string())
        })
}

/// The format asked for: `?format=` wins over `Accept`.
pub fn requested_format(req: &HttpRequest, format: Option<&str>) -> Result<Format, ApiError> {
    match format {
        Some(raw) => Format::parse(raw).ok_or_else(|| {
            ApiError::validation("format", "unknown_format", "must be json, csv, xlsx or svg")
        }),
        None => Ok(Format::from_accept(
            req.headers()
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default(),
        )),
    }
}

/// Computes the live summary of a quarter.
pub async fn live_report(
    state: &AppState,
    quarter: Quarter,
    gap_threshold: u64,
) -> Result<QuarterlyReport, ApiError> {
    let reports = &state.reports;
    let mut quarters = vec![quarter];
    while quarters.len() < TREND_QUARTERS {
        let earliest = quarters[quarters.len() - 1];
        quarters.push(earliest.previous());
    }
    quarters.reverse();
    let (previous, year_before) = (quarter.previous(), quarter.same_quarter_last_year());
    let others = quarters
        .iter()
        .copied()
        .filter(|q| *q != quarter && *q != previous && *q != year_before);
    let (now, before, last_year, headlines) = futures_util::try_join!(
        reports.figures(quarter),
        reports.comparison_figures(previous),
        reports.comparison_figures(year_before),
        futures_util::future::try_join_all(
            others.map(|q| async move { reports.headline(q).await.map(|h| (q, h)) })
        ),
    )?;
    let trend = quarters
        .iter()
        .map(|q| {
            let headline = if *q == quarter {
                now.headline()
            } else if *q == previous {
                before.headline()
            } else if *q == year_before {
                last_year.headline()
            } else {
                headlines
                    .iter()
                    .find(|(h, _)| h == q)
                    .map(|(_, h)| h.clone())
                    .unwrap_or_default()
            };
            TrendPoint::new(q, &headline)
        })
        .collect();
    let options = ReportOptions {
        gap_threshold,
        generated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    Ok(build_report(
        quarter,
        [&now, &before, &last_year],
        trend,
        &state.taxonomy,
        &options,
    ))
}

/// Serves a report (or, for JSON, `json_body` as given) in `format`.
pub fn export_response<T: Serialize>(
    report: &QuarterlyReport,
    json_body: &T,
    format: Format,
    file_stem: &str,
) -> Result<HttpResponse, ApiError> {
    let body = match format {
        Format::Json => serde_json::to_vec(json_body).map_err(|e| ApiError::Internal(e.into()))?,
        Format::Csv => export::csv(report)?,
        Format::Xlsx => export::xlsx(report)?,
        Format::Svg => export::svg(report)?,
    };
    Ok(with_headers(body, format, file_stem))
}

pub fn with_headers(body: Vec<u8>, format: Format, file_stem: &str) -> HttpResponse {
    let disposition = if format == Format::Json {
        "inline"
    } else {
        "attachment"
    };
    HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "{disposition}; filename=\"{file_stem}.{}\"",
                format.extension()
            ),
        ))
        .insert_header((header::VARY, "Accept"))
        .body(body)
}
