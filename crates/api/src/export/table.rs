use domain::report::{HEADER, QuarterlyReport, rows};

/// RFC 4180 CSV, UTF-8, CRLF line ends.
pub fn csv(report: &QuarterlyReport) -> anyhow::Result<Vec<u8>> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(HEADER)?;
    for r in rows(report) {
        writer.write_record([
            &r.section,
            &r.dimension,
            &r.key,
            &r.count,
            &r.previous_quarter,
            &r.same_quarter_last_year,
            &r.change,
        ])?;
    }
    writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("finishing the CSV: {e}"))
}
