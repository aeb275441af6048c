use super::Labels;
use super::figures::{LINE_HEADER, MONEY_HEADER, layout, pounds};
use domain::quarter::{CIVIL_TIME_ZONE, QUARTER_BOUNDS_RULE};
use domain::report::QuarterlyReport;

/// RFC 4180 CSV, UTF-8, CRLF line ends, in sections each opened by its own
/// header row: figures one a line, then money in pounds, then each matrix as a
/// grid. Every row begins with the quarter (`quarter` in a header row).
pub fn csv(report: &QuarterlyReport, labels: &Labels) -> anyhow::Result<Vec<u8>> {
    let laid = layout(report, labels);
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(Vec::new());
    writer.write_record(LINE_HEADER)?;
    // The cover: where the quarter starts and ends, and in which time zone.
    for (dimension, key, label) in [
        (
            "counted_from",
            report.starts_at.as_str(),
            "Counted from (inclusive), UTC",
        ),
        (
            "counted_until",
            report.ends_at.as_str(),
            "Counted until (exclusive), UTC",
        ),
        ("time_zone", CIVIL_TIME_ZONE, QUARTER_BOUNDS_RULE),
    ] {
        writer.write_record([report.quarter.as_str(), "cover", dimension, key, label])?;
    }
    for line in &laid.lines {
        let mut record = vec![
            line.quarter.clone(),
            line.section.to_owned(),
            line.dimension.clone(),
            line.key.clone(),
            line.label.clone(),
        ];
        record.extend(line.values.iter().map(|v| v.text()));
        writer.write_record(&record)?;
    }
    writer.write_record(MONEY_HEADER)?;
    for money in &laid.money {
        let mut record = vec![
            report.quarter.clone(),
            money.section.to_owned(),
            money.dimension.to_owned(),
            money.key.to_owned(),
            money.label.to_owned(),
        ];
        record.extend(money.pence.iter().map(|p| pounds(*p)));
        writer.write_record(&record)?;
    }
    for grid in &laid.grids {
        let mut header = vec![
            "quarter".to_owned(),
            "matrix".to_owned(),
            "measure".to_owned(),
            grid.rows_dimension.clone(),
            format!("{}_label", grid.rows_dimension),
        ];
        header.extend(grid.columns.iter().map(|(code, _)| code.clone()));
        writer.write_record(&header)?;
        let mut column_labels = vec![
            report.quarter.clone(),
            grid.name.clone(),
            format!("{}_label", grid.columns_dimension),
            String::new(),
            String::new(),
        ];
        column_labels.extend(grid.columns.iter().map(|(_, label)| label.clone()));
        writer.write_record(&column_labels)?;
        for (measure, _, values) in &grid.measures {
            for ((code, label), row) in grid.rows.iter().zip(values) {
                let mut record = vec![
                    report.quarter.clone(),
                    grid.name.clone(),
                    (*measure).to_owned(),
                    code.clone(),
                    label.clone(),
                ];
                record.extend(row.iter().map(|v| v.text()));
                writer.write_record(&record)?;
            }
        }
    }
    writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("finishing the CSV: {e}"))
}
