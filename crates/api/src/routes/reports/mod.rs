//! Quarterly summaries for admins: live, as a series, and frozen snapshots.

pub mod errors;
pub mod quarterly;
pub mod series;
pub mod snapshots;

use crate::error::ApiError;
use crate::export::{self, Format, Labels};
use actix_web::HttpResponse;
use actix_web::http::header;
use domain::quarter::Quarter;
use domain::report::{GapThreshold, InvalidGapThreshold, QuarterlyReport};
use domain::taxonomy::Taxonomy;
use serde::Serialize;

pub fn parse_quarter(raw: &str) -> Result<Quarter, ApiError> {
    raw.parse()
        .map_err(|e: domain::quarter::QuarterParseError| {
            ApiError::validation("quarter", "invalid_quarter", e.to_string())
        })
}

/// `?gap_threshold=`, 1 when absent.
pub fn parse_gap_threshold(raw: Option<&str>) -> Result<GapThreshold, ApiError> {
    match raw {
        None => Ok(GapThreshold::default()),
        Some(raw) => raw
            .parse::<u64>()
            .ok()
            .and_then(|n| GapThreshold::new(n).ok())
            .ok_or_else(|| {
                ApiError::validation(
                    "gap_threshold",
                    "invalid_value",
                    InvalidGapThreshold.to_string(),
                )
            }),
    }
}

/// The format asked for: `?format=` wins over `Accept`.
pub fn requested_format(
    accept: Option<&header::Accept>,
    format: Option<&str>,
) -> Result<Format, ApiError> {
    match format {
        Some(raw) => Format::parse(raw).ok_or_else(|| {
            ApiError::validation("format", "unknown_format", "must be json, csv, xlsx or svg")
        }),
        None => Ok(accept.map_or(Format::Json, Format::from_accept)),
    }
}

/// Serves a report (or, for JSON, `json_body` as given) in `format`.
pub fn export_response<T: Serialize>(
    report: &QuarterlyReport,
    taxonomy: &Taxonomy,
    json_body: &T,
    format: Format,
    file_stem: &str,
) -> Result<HttpResponse, ApiError> {
    let body = match format {
        Format::Json => serde_json::to_vec(json_body).map_err(|e| ApiError::Internal(e.into()))?,
        other => export_bytes(report, taxonomy, other)?,
    };
    Ok(with_headers(body, format, file_stem))
}

/// A report as CSV, XLSX or SVG (JSON is served as stored or as built).
pub fn export_bytes(
    report: &QuarterlyReport,
    taxonomy: &Taxonomy,
    format: Format,
) -> Result<Vec<u8>, ApiError> {
    let labels = Labels::for_report(report, taxonomy);
    Ok(match format {
        Format::Json => serde_json::to_vec(report).map_err(|e| ApiError::Internal(e.into()))?,
        Format::Csv => export::csv(report, &labels)?,
        Format::Xlsx => export::xlsx(report, &labels)?,
        Format::Svg => export::svg(report, &labels)?,
    })
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
