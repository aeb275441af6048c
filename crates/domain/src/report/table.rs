//! A summary as a tidy long table: one line a figure, in a fixed order. The
//! CSV and workbook exports are written from it, and a live summary is
//! compared with a snapshot line by line.

use super::{Cube, Matrix, PeopleBreakdown, PeopleComparison, PeopleRow, QuarterlyReport, Row};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One line of the tidy long table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    pub section: String,
    pub dimension: String,
    pub key: String,
    pub count: String,
    pub previous_quarter: String,
    pub same_quarter_last_year: String,
    pub change: String,
}

pub const HEADER: [&str; 7] = [
    "section",
    "dimension",
    "key",
    "count",
    "previous_quarter",
    "same_quarter_last_year",
    "change",
];

/// Shown in place of a withheld count of people.
pub const SUPPRESSED: &str = "<5";

fn row(section: &str, dimension: &str, r: &Row) -> TableRow {
    TableRow {
        section: section.into(),
        dimension: dimension.into(),
        key: r.key.clone(),
        count: r.count.to_string(),
        previous_quarter: r.previous_quarter.to_string(),
        same_quarter_last_year: r.same_quarter_last_year.to_string(),
        change: r.change.to_string(),
    }
}

fn people(section: &str, dimension: &str, p: &PeopleRow) -> TableRow {
    TableRow {
        section: section.into(),
        dimension: dimension.into(),
        key: p.key.clone(),
        count: p
            .count
            .map_or_else(|| SUPPRESSED.to_owned(), |c| c.to_string()),
        previous_quarter: String::new(),
        same_quarter_last_year: String::new(),
        change: String::new(),
    }
}

fn people_comparison(section: &str, dimension: &str, p: &PeopleComparison) -> TableRow {
    let shown = |n: Option<i64>| n.map_or_else(|| SUPPRESSED.to_owned(), |c| c.to_string());
    TableRow {
        section: section.into(),
        dimension: dimension.into(),
        key: p.key.clone(),
        count: shown(p.count),
        previous_quarter: shown(p.previous_quarter),
        same_quarter_last_year: shown(p.same_quarter_last_year),
        change: shown(p.change),
    }
}

fn number(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn matrix(out: &mut Vec<TableRow>, section: &str, m: &Matrix) {
    let dimension = format!("{}_x_{}", m.rows_dimension, m.columns_dimension);
    for cell in &m.cells {
        out.push(TableRow {
            section: section.into(),
            dimension: dimension.clone(),
            key: format!("{}|{}", cell.row, cell.column),
            count: cell.count.to_string(),
            previous_quarter: cell.previous_quarter.to_string(),
            same_quarter_last_year: cell.same_quarter_last_year.to_string(),
            change: (cell.count - cell.previous_quarter).to_string(),
        });
        if let Some(mean) = cell.mean_quality {
            out.push(TableRow {
                section: section.into(),
                dimension: format!("{dimension}_mean_quality"),
                key: format!("{}|{}", cell.row, cell.column),
                count: mean.to_string(),
                previous_quarter: String::new(),
                same_quarter_last_year: String::new(),
                change: String::new(),
            });
        }
    }
    for (kind, cells) in [
        ("gap", &m.gaps),
        ("falling", &m.falling),
        ("falling_year_on_year", &m.falling_year_on_year),
    ] {
        for cell in cells {
            out.push(TableRow {
                section: section.into(),
                dimension: format!("{dimension}_{kind}"),
                key: format!("{}|{}", cell.row, cell.column),
                count: cell.count.to_string(),
                previous_quarter: String::new(),
                same_quarter_last_year: String::new(),
                change: String::new(),
            });
        }
    }
}

fn cube(out: &mut Vec<TableRow>, c: &Cube) {
    let section = "evidence_cube";
    let dimension = "priority_x_practice_area_x_evidence_type";
    let line = |dimension: String, key: String, count: i64| TableRow {
        section: section.into(),
        dimension,
        key,
        count: count.to_string(),
        previous_quarter: String::new(),
        same_quarter_last_year: String::new(),
        change: String::new(),
    };
    for cell in &c.cells {
        out.push(TableRow {
            previous_quarter: cell.previous_quarter.to_string(),
            same_quarter_last_year: cell.same_quarter_last_year.to_string(),
            change: (cell.count - cell.previous_quarter).to_string(),
            ..line(
                dimension.into(),
                format!(
                    "{}|{}|{}",
                    cell.priority, cell.practice_area, cell.evidence_type
                ),
                cell.count,
            )
        });
    }
    for (kind, cells) in [
        ("gap", &c.gaps),
        ("falling", &c.falling),
        ("falling_year_on_year", &c.falling_year_on_year),
    ] {
        for cell in cells {
            out.push(line(
                format!("{dimension}_{kind}"),
                format!(
                    "{}|{}|{}",
                    cell.priority, cell.practice_area, cell.evidence_type
                ),
                cell.count,
            ));
        }
    }
}

fn people_breakdowns(out: &mut Vec<TableRow>, section: &str, breakdowns: &[PeopleBreakdown]) {
    for b in breakdowns {
        out.extend(
            b.rows
                .iter()
                .map(|p| people(section, &format!("submitters_by_{}", b.dimension), p)),
        );
    }
}

/// The report as a tidy long table, in a fixed order.
pub fn rows(report: &QuarterlyReport) -> Vec<TableRow> {
    let mut out = Vec::new();
    out.extend(
        report
            .headline
            .iter()
            .map(|r| row("headline", "headline", r)),
    );
    for b in &report.breakdowns {
        out.extend(b.rows.iter().map(|r| row("breakdowns", &b.dimension, r)));
    }
    matrix(&mut out, "gap_matrix", &report.gap_matrix);
    matrix(&mut out, "evidence_matrix", &report.evidence_matrix);
    cube(&mut out, &report.evidence_cube);
    let q = &report.quality;
    let change =
        |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| ((a - b) * 100.0).round() / 100.0);
    for (dimension, now, previous, year_before) in [
        (
            "mean_quality",
            q.mean_quality,
            q.previous_quarter_mean_quality,
            q.same_quarter_last_year_mean_quality,
        ),
        (
            "mean_completeness",
            q.mean_completeness,
            q.previous_quarter_mean_completeness,
            q.same_quarter_last_year_mean_completeness,
        ),
    ] {
        out.push(TableRow {
            section: "quality".into(),
            dimension: dimension.into(),
            key: "all".into(),
            count: number(now),
            previous_quarter: number(previous),
            same_quarter_last_year: number(year_before),
            change: number(change(now, previous)),
        });
    }
    for (dimension, value) in [
        ("median_quality", q.median_quality),
        ("reviews", Some(q.reviews as f64)),
        ("scored_submissions", Some(q.scored_submissions as f64)),
    ] {
        out.push(TableRow {
            section: "quality".into(),
            dimension: dimension.into(),
            key: "all".into(),
            count: number(value),
            previous_quarter: String::new(),
            same_quarter_last_year: String::new(),
            change: String::new(),
        });
    }
    let c = &report.community;
    out.push(people(
        "community",
        "distinct_submitters",
        &c.distinct_submitters,
    ));
    out.push(people(
        "community",
        "first_time_submitters",
        &c.first_time_submitters,
    ));
    out.push(people_comparison(
        "community",
        "members_joined",
        &c.members_joined,
    ));
    people_breakdowns(&mut out, "community", &c.submitters_by);
    let a = &report.ai_digital;
    out.push(row("ai_digital", "submissions", &a.submissions));
    out.push(people("ai_digital", "distinct_submitters", &a.submitters));
    people_breakdowns(&mut out, "ai_digital", &a.submitters_by);
    let r = &report.recommendations;
    out.extend(
        r.adoption_reported
            .iter()
            .map(|x| row("recommendations", "adoption_reported", x)),
    );
    out.push(row(
        "recommendations",
        "investment",
        &r.investments_reported,
    ));
    out.push(row("recommendations", "investment", &r.investment_pence));
    out.push(row(
        "citations",
        "citations",
        &report.citations.submissions_citing_the_hub,
    ));
    out.push(row(
        "citations",
        "citations",
        &report.citations.hub_items_cited,
    ));
    for (section, dimension, r) in super::strategy::strategy_rows(&report.strategy_measures) {
        out.push(row(section, dimension, r));
    }
    for (section, dimension, p) in super::strategy::strategy_people(&report.strategy_measures) {
        out.push(people_comparison(section, dimension, p));
    }
    for point in &report.priority_trend {
        out.push(TableRow {
            section: "trend".into(),
            dimension: point.quarter.clone(),
            key: "submissions".into(),
            count: point.submissions.to_string(),
            previous_quarter: String::new(),
            same_quarter_last_year: String::new(),
            change: String::new(),
        });
        for (priority, count) in &point.by_priority {
            out.push(TableRow {
                section: "trend".into(),
                dimension: point.quarter.clone(),
                key: priority.clone(),
                count: count.to_string(),
                previous_quarter: String::new(),
                same_quarter_last_year: String::new(),
                change: String::new(),
            });
        }
    }
    out
}

/// A figure that differs from the latest snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Difference {
    pub section: String,
    pub dimension: String,
    pub key: String,
    /// The count in the snapshot (absent if the row is new).
    pub snapshot: Option<String>,
    /// The count now (absent if the row is gone).
    pub live: Option<String>,
}

/// The figures of `live` that differ from those `frozen` in a snapshot,
/// leaving out the trend, which a later summary always extends.
pub fn differences(live: &QuarterlyReport, frozen: &QuarterlyReport) -> Vec<Difference> {
    let figures = |report: &QuarterlyReport| -> BTreeMap<(String, String, String), String> {
        rows(report)
            .into_iter()
            .filter(|r| r.section != "trend")
            .map(|r| ((r.section, r.dimension, r.key), r.count))
            .collect()
    };
    let (frozen, live) = (figures(frozen), figures(live));
    let keys: BTreeSet<_> = frozen.keys().chain(live.keys()).cloned().collect();
    keys.into_iter()
        .filter(|k| frozen.get(k) != live.get(k))
        .map(|k| Difference {
            snapshot: frozen.get(&k).cloned(),
            live: live.get(&k).cloned(),
            section: k.0,
            dimension: k.1,
            key: k.2,
        })
        .collect()
}
