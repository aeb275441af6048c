//! The quarterly summary in the formats admins take to Council: a CSV, a
//! workbook with a sheet per section and a grid per matrix, and an SVG trend
//! chart, each with labels beside codes and money in pounds. Every format is
//! derived only from the report and the taxonomy's labels (which only a
//! migration changes), so a frozen snapshot re-exports identically.

mod chart;
mod figures;
mod labels;
mod series;
mod table;
mod workbook;

pub use chart::svg;
pub use labels::Labels;
pub use series::{series_csv, series_xlsx};
pub use table::csv;
pub use workbook::xlsx;

use actix_web::http::header::{Accept, Quality};

/// A format a summary can be served in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
    Svg,
}

impl Format {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            "svg" => Some(Format::Svg),
            _ => None,
        }
    }

    /// The format an `Accept` header asks for first; JSON when it names none
    /// we serve. Equal preferences go to the one listed first.
    pub fn from_accept(accept: &Accept) -> Self {
        let mut best: Option<(Format, Quality)> = None;
        for item in accept.iter() {
            let format = match item.item.essence_str() {
                "text/csv" => Format::Csv,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => Format::Xlsx,
                "image/svg+xml" => Format::Svg,
                "application/json" => Format::Json,
                _ => continue,
            };
            if best.is_none_or(|(_, quality)| item.quality > quality) {
                best = Some((format, item.quality));
            }
        }
        best.map_or(Format::Json, |(format, _)| format)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Svg => "image/svg+xml",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Svg => "svg",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Format;
    use actix_web::http::header::Accept;

    fn from_accept(raw: &str) -> Format {
        let items = raw.split(',').filter_map(|item| item.trim().parse().ok());
        Format::from_accept(&Accept(items.collect()))
    }

    #[test]
    fn accept_picks_the_preferred_format_we_serve() {
        assert_eq!(from_accept("text/csv"), Format::Csv);
        assert_eq!(
            from_accept("image/svg+xml;q=0.5, text/csv;q=0.9"),
            Format::Csv
        );
        assert_eq!(from_accept("text/html, */*"), Format::Json);
        assert_eq!(from_accept("TEXT/CSV; charset=utf-8"), Format::Csv);
        assert_eq!(from_accept("text/csv;q=0"), Format::Csv);
        assert_eq!(from_accept("text/csv, image/svg+xml"), Format::Csv);
        assert_eq!(
            from_accept("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            Format::Xlsx
        );
    }
}
