//! A series of quarters (`GET /reports/quarterly?from=&to=`) as CSV and XLSX.

use super::Labels;
use super::workbook::Styles;
use domain::quarter::{CIVIL_TIME_ZONE, QUARTER_BOUNDS_RULE};
use domain::report::TrendPoint;
use rust_xlsxwriter::{DocProperties, Workbook};

/// One figure of one quarter of a series.
struct Figure {
    measure: &'static str,
    key: String,
    label: String,
    value: Option<f64>,
    /// A count of people withheld (1 to 4): written `<5`.
    withheld: bool,
}

/// The figures of one quarter, in a fixed order: totals, then by kind, then by
/// priority.
fn figures(point: &TrendPoint, labels: &Labels) -> Vec<Figure> {
    let mut out = vec![
        Figure {
            measure: "submissions",
            key: "submissions".into(),
            label: "Submissions counted".into(),
            value: Some(point.submissions as f64),
            withheld: false,
        },
        Figure {
            measure: "distinct_submitters",
            key: "distinct_submitters".into(),
            label: "People who submitted".into(),
            value: point.distinct_submitters.map(|n| n as f64),
            withheld: point.distinct_submitters.is_none(),
        },
        Figure {
            measure: "mean_quality",
            key: "mean_quality".into(),
            label: "Mean quality score".into(),
            value: point.mean_quality,
            withheld: false,
        },
    ];
    for (kind, count) in &point.by_kind {
        out.push(Figure {
            measure: "kind",
            key: kind.clone(),
            label: labels.get("kind", kind),
            value: Some(*count as f64),
            withheld: false,
        });
    }
    for (priority, count) in &point.by_priority {
        out.push(Figure {
            measure: "priority",
            key: priority.clone(),
            label: labels.get("priority", priority),
            value: Some(*count as f64),
            withheld: false,
        });
    }
    out
}

/// `quarter,measure,key,label,value`: one line per figure of each quarter.
pub fn series_csv(points: &[TrendPoint], labels: &Labels) -> anyhow::Result<Vec<u8>> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(["quarter", "measure", "key", "label", "value"])?;
    for point in points {
        writer.write_record([
            point.quarter.as_str(),
            "time_zone",
            CIVIL_TIME_ZONE,
            QUARTER_BOUNDS_RULE,
            "",
        ])?;
        for f in figures(point, labels) {
            writer.write_record([
                point.quarter.as_str(),
                f.measure,
                &f.key,
                &f.label,
                &match (f.withheld, f.value) {
                    (true, _) => domain::report::SUPPRESSED.to_owned(),
                    (false, value) => value.map(|v| v.to_string()).unwrap_or_default(),
                },
            ])?;
        }
    }
    writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("finishing the CSV: {e}"))
}

/// One sheet: quarters down, figures across (labels, then their codes).
pub fn series_xlsx(
    from: &str,
    to: &str,
    points: &[TrendPoint],
    labels: &Labels,
) -> anyhow::Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    workbook
        .set_properties(&DocProperties::new().set_title(format!("Innovation hub {from} to {to}")));
    let styles = Styles::new();
    let sheet = workbook.add_worksheet().set_name("series")?;
    sheet.write_string_with_format(0, 0, "Quarter", &styles.bold)?;
    sheet.write_string_with_format(1, 0, "quarter", &styles.code)?;
    let mut columns: Vec<(&'static str, String)> = Vec::new();
    for (r, point) in points.iter().enumerate() {
        let row = u32::try_from(r + 2)?;
        sheet.write_string(row, 0, &point.quarter)?;
        for f in figures(point, labels) {
            let at = match columns
                .iter()
                .position(|(m, k)| *m == f.measure && *k == f.key)
            {
                Some(at) => at,
                None => {
                    columns.push((f.measure, f.key.clone()));
                    let column = u16::try_from(columns.len())?;
                    sheet.write_string_with_format(0, column, &f.label, &styles.bold)?;
                    let code = if f.measure == f.key {
                        f.key.clone()
                    } else {
                        format!("{}:{}", f.measure, f.key)
                    };
                    sheet.write_string_with_format(1, column, code, &styles.code)?;
                    columns.len() - 1
                }
            };
            let column = u16::try_from(at + 1)?;
            match (f.withheld, f.value) {
                (true, _) => {
                    sheet.write_string(row, column, domain::report::SUPPRESSED)?;
                }
                (false, Some(value)) => {
                    sheet.write_number(row, column, value)?;
                }
                (false, None) => {}
            }
        }
    }
    sheet.set_column_width(0, 12)?;
    for c in 0..columns.len() {
        sheet.set_column_width(u16::try_from(c + 1)?, 22)?;
    }
    let cover = workbook.add_worksheet().set_name("Cover")?;
    for (row, (label, value)) in [
        ("Series", format!("Innovation hub quarters {from} to {to}")),
        ("Time zone", QUARTER_BOUNDS_RULE.to_owned()),
    ]
    .iter()
    .enumerate()
    {
        let row = u32::try_from(row)?;
        cover.write_string_with_format(row, 0, *label, &styles.bold)?;
        cover.write_string(row, 1, value)?;
    }
    cover.set_column_width(0, 14)?;
    cover.set_column_width(1, 100)?;
    Ok(workbook.save_to_buffer()?)
}
