//! The quarterly summary in the formats admins take to Council: a tidy CSV,
//! a workbook with a sheet per section, and an SVG trend chart. Every format is
//! derived only from the report, so a frozen snapshot re-exports identically.

mod chart;
mod table;
mod workbook;

pub use chart::svg;
pub use table::{TableRow, csv, rows};
pub use workbook::xlsx;

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

    /// The format an `Accept` header asks for first; JSON when it names none we serve.
    pub fn from_accept(accept: &str) -> Self {
        let mut best = (Format::Json, -1.0_f32, usize::MAX);
        for (position, part) in accept.split(',').enumerate() {
            let mut pieces = part.split(';');
            let media = pieces
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            let quality = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let format = match media.as_str() {
                "text/csv" => Some(Format::Csv),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
                    Some(Format::Xlsx)
                }
                "image/svg+xml" => Some(Format::Svg),
                "application/json" => Some(Format::Json),
                _ => None,
            };
            if let Some(format) = format
                && (quality > best.1 || (quality == best.1 && position < best.2))
            {
                best = (format, quality, position);
            }
        }
        best.0
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

    #[test]
    fn accept_picks_the_preferred_format_we_serve() {
        assert_eq!(Format::from_accept("text/csv"), Format::Csv);
        assert_eq!(
            Format::from_accept("image/svg+xml;q=0.5, text/csv;q=0.9"),
            Format::Csv
        );
        assert_eq!(Format::from_accept("text/html, */*"), Format::Json);
        assert_eq!(
            Format::from_accept(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            ),
            Format::Xlsx
        );
    }
}
