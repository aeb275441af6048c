use super::Labels;
use super::figures::{Grid, Value, layout};
use domain::quarter::QUARTER_BOUNDS_RULE;
use domain::report::QuarterlyReport;
use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, Workbook, Worksheet};

/// Pounds with a pound sign, thousands separated.
pub const POUNDS: &str = "\"£\"#,##0.00";

/// Styles shared by every sheet.
pub(super) struct Styles {
    pub bold: Format,
    pub code: Format,
    pub pounds: Format,
    gap: Format,
    falling: Format,
}

impl Styles {
    pub fn new() -> Self {
        Self {
            bold: Format::new().set_bold(),
            code: Format::new().set_italic().set_font_color(Color::Gray),
            pounds: Format::new().set_num_format(POUNDS),
            gap: Format::new().set_background_color(Color::RGB(0x00FF_E4B5)),
            falling: Format::new().set_font_color(Color::RGB(0x00AE_2573)),
        }
    }
}

/// A fixed creation time (the report's) keeps re-exports byte-identical.
pub(super) fn properties(
    workbook: &mut Workbook,
    generated_at: &str,
    title: String,
) -> anyhow::Result<()> {
    let generated = chrono::DateTime::parse_from_rfc3339(generated_at)
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
                .set_title(title),
        );
    }
    Ok(())
}

pub(super) fn write_value(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    value: &Value,
    format: Option<&Format>,
) -> anyhow::Result<()> {
    let number = match value {
        Value::Count(n) => Some(*n as f64),
        Value::Number(x) => Some(*x),
        Value::Withheld | Value::Text(_) => None,
        Value::Empty => return Ok(()),
    };
    match (number, format) {
        (Some(x), Some(f)) => sheet.write_number_with_format(row, column, x, f)?,
        (Some(x), None) => sheet.write_number(row, column, x)?,
        (None, Some(f)) => sheet.write_string_with_format(row, column, value.text(), f)?,
        (None, None) => sheet.write_string(row, column, value.text())?,
    };
    Ok(())
}

/// A workbook with a cover sheet, a sheet per section with a label beside each
/// code, money in pounds, and a sheet per matrix laid out as a grid.
pub fn xlsx(report: &QuarterlyReport, labels: &Labels) -> anyhow::Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    properties(
        &mut workbook,
        &report.generated_at,
        format!("Innovation hub {}", report.quarter),
    )?;
    let styles = Styles::new();
    let laid = layout(report, labels);
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
        ("Time zone", QUARTER_BOUNDS_RULE.to_owned()),
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
        (
            "Matrices",
            "gap_matrix and evidence_matrix: one grid of priorities × columns per measure; \
             evidence_cube_<evidence type>: the three-way cube, one sheet of priorities × practice areas per evidence type; \
             shaded cells are gaps, coloured figures fell since the previous quarter; \
             falling_year_on_year marks cells below the same quarter a year before"
                .to_owned(),
        ),
        ("Money", "In pounds sterling (£)".to_owned()),
    ];
    for (row, (label, value)) in lines.iter().enumerate() {
        let row = u32::try_from(row)?;
        cover.write_string_with_format(row, 0, *label, &styles.bold)?;
        cover.write_string(row, 1, value)?;
    }
    cover.set_column_width(0, 28)?;
    cover.set_column_width(1, 100)?;

    let header = [
        "Dimension",
        "Code",
        "Label",
        "Count",
        "Previous quarter",
        "Same quarter last year",
        "Change",
    ];
    let mut sections: Vec<&'static str> = Vec::new();
    for line in &laid.lines {
        if !sections.contains(&line.section) {
            sections.push(line.section);
        }
    }
    for section in sections {
        if section == "trend" {
            continue;
        }
        let sheet = workbook.add_worksheet().set_name(section)?;
        for (column, title) in header.iter().enumerate() {
            sheet.write_string_with_format(0, u16::try_from(column)?, *title, &styles.bold)?;
        }
        let mut row = 1u32;
        for line in laid.lines.iter().filter(|l| l.section == section) {
            sheet.write_string(row, 0, &line.dimension)?;
            sheet.write_string_with_format(row, 1, &line.key, &styles.code)?;
            sheet.write_string(row, 2, &line.label)?;
            for (i, value) in line.values.iter().enumerate() {
                write_value(sheet, row, u16::try_from(3 + i)?, value, None)?;
            }
            row += 1;
        }
        for money in laid.money.iter().filter(|m| m.section == section) {
            sheet.write_string(row, 0, money.dimension)?;
            sheet.write_string_with_format(row, 1, money.key, &styles.code)?;
            sheet.write_string(row, 2, money.label)?;
            for (i, pence) in money.pence.iter().enumerate() {
                sheet.write_number_with_format(
                    row,
                    u16::try_from(3 + i)?,
                    *pence as f64 / 100.0,
                    &styles.pounds,
                )?;
            }
            row += 1;
        }
        sheet.set_column_width(0, 30)?;
        sheet.set_column_width(1, 30)?;
        sheet.set_column_width(2, 50)?;
        sheet.set_column_width(3, 14)?;
        sheet.set_column_width(4, 16)?;
        sheet.set_column_width(5, 22)?;
        sheet.set_column_width(6, 14)?;
    }
    for grid in &laid.grids {
        let name: String = grid.name.chars().take(31).collect();
        let sheet = workbook.add_worksheet().set_name(name)?;
        grid_sheet(sheet, grid, &styles)?;
    }
    trend_sheet(
        workbook.add_worksheet().set_name("trend")?,
        report,
        labels,
        &styles,
    )?;
    Ok(workbook.save_to_buffer()?)
}

/// One block per measure: a heading row of column labels, a row of their
/// codes, then a row per row label and code.
fn grid_sheet(sheet: &mut Worksheet, grid: &Grid, styles: &Styles) -> anyhow::Result<()> {
    let mut row = 0u32;
    let counts = grid.measures.iter().find(|(code, _, _)| *code == "count");
    let flag = |measure: &str, r: usize, c: usize| {
        grid.measures
            .iter()
            .find(|(code, _, _)| *code == measure)
            .and_then(|(_, _, values)| values.get(r).and_then(|v| v.get(c)))
            == Some(&Value::Text("yes"))
    };
    for (code, heading, values) in &grid.measures {
        if matches!(*code, "gap" | "falling") {
            continue;
        }
        sheet.write_string_with_format(row, 0, heading, &styles.bold)?;
        sheet.write_string_with_format(row, 1, "code", &styles.code)?;
        for (c, (_, label)) in grid.columns.iter().enumerate() {
            sheet.write_string_with_format(row, u16::try_from(c + 2)?, label, &styles.bold)?;
        }
        row += 1;
        sheet.write_string_with_format(row, 0, &grid.rows_dimension, &styles.code)?;
        for (c, (column, _)) in grid.columns.iter().enumerate() {
            sheet.write_string_with_format(row, u16::try_from(c + 2)?, column, &styles.code)?;
        }
        row += 1;
        for (r, ((row_code, row_label), cells)) in grid.rows.iter().zip(values).enumerate() {
            sheet.write_string(row, 0, row_label)?;
            sheet.write_string_with_format(row, 1, row_code, &styles.code)?;
            for (c, value) in cells.iter().enumerate() {
                let format = match (
                    counts.is_some() && *code == "count",
                    flag("gap", r, c),
                    flag("falling", r, c),
                ) {
                    (true, true, _) => Some(&styles.gap),
                    (true, false, true) => Some(&styles.falling),
                    _ => None,
                };
                write_value(sheet, row, u16::try_from(c + 2)?, value, format)?;
            }
            row += 1;
        }
        row += 1;
    }
    sheet.write_string(
        row,
        0,
        "Shaded: a gap (fewer submissions than the threshold). Coloured: fewer than in the previous quarter.",
    )?;
    sheet.set_column_width(0, 36)?;
    sheet.set_column_width(1, 22)?;
    for c in 0..grid.columns.len() {
        sheet.set_column_width(u16::try_from(c + 2)?, 18)?;
    }
    Ok(())
}

/// Submissions by priority per quarter: quarters down, priorities across.
fn trend_sheet(
    sheet: &mut Worksheet,
    report: &QuarterlyReport,
    labels: &Labels,
    styles: &Styles,
) -> anyhow::Result<()> {
    let mut priorities: Vec<String> = Vec::new();
    for point in &report.priority_trend {
        for priority in point.by_priority.keys() {
            if !priorities.contains(priority) {
                priorities.push(priority.clone());
            }
        }
    }
    if let Some(b) = report.breakdowns.iter().find(|b| b.dimension == "priority") {
        let order: Vec<&String> = b.rows.iter().map(|r| &r.key).collect();
        priorities.sort_by_key(|p| order.iter().position(|o| *o == p).unwrap_or(usize::MAX));
    }
    sheet.write_string_with_format(0, 0, "Quarter", &styles.bold)?;
    sheet.write_string_with_format(0, 1, "Submissions counted", &styles.bold)?;
    sheet.write_string_with_format(1, 1, "submissions", &styles.code)?;
    for (c, priority) in priorities.iter().enumerate() {
        let column = u16::try_from(c + 2)?;
        sheet.write_string_with_format(
            0,
            column,
            labels.get("priority", priority),
            &styles.bold,
        )?;
        sheet.write_string_with_format(1, column, priority, &styles.code)?;
    }
    for (r, point) in report.priority_trend.iter().enumerate() {
        let row = u32::try_from(r + 2)?;
        sheet.write_string(row, 0, &point.quarter)?;
        sheet.write_number(row, 1, point.submissions as f64)?;
        for (c, priority) in priorities.iter().enumerate() {
            let count = point.by_priority.get(priority).copied().unwrap_or(0);
            sheet.write_number(row, u16::try_from(c + 2)?, count as f64)?;
        }
    }
    sheet.set_column_width(0, 14)?;
    for c in 0..=priorities.len() {
        sheet.set_column_width(u16::try_from(c + 1)?, 24)?;
    }
    Ok(())
}
