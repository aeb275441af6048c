use domain::report::{HEADER, QuarterlyReport, rows};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

/// A workbook with a cover sheet and a sheet per section.
pub fn xlsx(report: &QuarterlyReport) -> anyhow::Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    // A fixed creation time (the report's) keeps re-exports byte-identical.
    let generated = chrono::DateTime::parse_from_rfc3339(&report.generated_at)
        .map(|t| t.naive_utc())
        .ok();
    if let Some(at) = generated {
        use chrono::{Datelike, Timelike};
        let when = ExcelDateTime::from_ymd(
            u16::try_from(at.year()).unwrap_or(2000),
            at.month() as u8,
            at.day() as u8,
        )?
        .and_hms(at.hour() as u16, at.minute() as u8, f64::from(at.second()))?;
        workbook.set_properties(
            &DocProperties::new()
                .set_creation_datetime(&when)
                .set_title(format!("Innovation hub {}", report.quarter)),
        );
    }
    let bold = Format::new().set_bold();
    let cover = workbook.add_worksheet().set_name("Cover")?;
    let lines = [
        (
            "Report",
            format!(
                "Innovation hub quarterly summary of evidence trends and gaps, {}",
                report.quarter
            ),
        ),
        ("Quarter", report.quarter.clone()),
        ("Counted from (inclusive)", report.starts_at.clone()),
        ("Counted until (exclusive)", report.ends_at.clone()),
        (
            "Compared with",
            format!(
                "{} and {}",
                report.previous_quarter, report.same_quarter_last_year
            ),
        ),
        ("What was counted", report.counting_rule.clone()),
        ("Gap threshold", report.gap_threshold.to_string()),
        ("Figures taken at", report.generated_at.clone()),
    ];
    for (row, (label, value)) in lines.iter().enumerate() {
        let row = u32::try_from(row)?;
        cover.write_string_with_format(row, 0, *label, &bold)?;
        cover.write_string(row, 1, value)?;
    }
    cover.set_column_width(0, 28)?;
    cover.set_column_width(1, 100)?;
    let all = rows(report);
    let mut sections: Vec<&str> = Vec::new();
    for r in &all {
        if !sections.contains(&r.section.as_str()) {
            sections.push(&r.section);
        }
    }
    for section in sections {
        let sheet = workbook.add_worksheet().set_name(section)?;
        for (column, title) in HEADER.iter().enumerate() {
            sheet.write_string_with_format(0, u16::try_from(column)?, *title, &bold)?;
        }
        for (i, r) in all.iter().filter(|r| r.section == section).enumerate() {
            let row = u32::try_from(i + 1)?;
            let cells = [
                &r.section,
                &r.dimension,
                &r.key,
                &r.count,
                &r.previous_quarter,
                &r.same_quarter_last_year,
                &r.change,
            ];
            for (column, value) in cells.into_iter().enumerate() {
                let column = u16::try_from(column)?;
                match value.parse::<f64>() {
                    Ok(number) if column >= 3 => sheet.write_number(row, column, number)?,
                    _ => sheet.write_string(row, column, value.as_str())?,
                };
            }
        }
        sheet.set_column_width(1, 36)?;
        sheet.set_column_width(2, 40)?;
    }
    Ok(workbook.save_to_buffer()?)
}
