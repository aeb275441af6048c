//! A summary laid out for people: figures one a line with their labels, money
//! apart in pounds, and each matrix as a grid of rows × columns. The CSV and the
//! workbook are both written from this.

use super::Labels;
use domain::report::{Matrix, PeopleRow, QuarterlyReport, Row, SUPPRESSED};

/// One value of a figure.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Count(i64),
    Number(f64),
    /// A count of people withheld because it is small.
    Withheld,
    Text(&'static str),
    Empty,
}

impl Value {
    fn of(value: Option<f64>) -> Self {
        value.map_or(Value::Empty, Value::Number)
    }

    /// As written in CSV.
    pub fn text(&self) -> String {
        match self {
            Value::Count(n) => n.to_string(),
            Value::Number(x) => x.to_string(),
            Value::Withheld => SUPPRESSED.to_owned(),
            Value::Text(t) => (*t).to_owned(),
            Value::Empty => String::new(),
        }
    }
}

/// One figure with what it is compared with.
#[derive(Debug, Clone)]
pub struct Line {
    /// The quarter the figure is for (a trend line's own quarter).
    pub quarter: String,
    pub section: &'static str,
    pub dimension: String,
    pub key: String,
    pub label: String,
    /// Now, the previous quarter, the same quarter a year before, and the change.
    pub values: [Value; 4],
}

pub const LINE_HEADER: [&str; 9] = [
    "quarter",
    "section",
    "dimension",
    "key",
    "label",
    "count",
    "previous_quarter",
    "same_quarter_last_year",
    "change",
];

/// An amount of money, kept in pence so pounds are written exactly.
#[derive(Debug, Clone)]
pub struct Money {
    pub section: &'static str,
    pub dimension: &'static str,
    pub key: &'static str,
    pub label: &'static str,
    /// Now, the previous quarter, the same quarter a year before, and the change.
    pub pence: [i64; 4],
}

pub const MONEY_HEADER: [&str; 9] = [
    "quarter",
    "section",
    "dimension",
    "key",
    "label",
    "investment_gbp",
    "previous_quarter_investment_gbp",
    "same_quarter_last_year_investment_gbp",
    "change_gbp",
];

/// Pence as decimal pounds, exactly: `-1234` → `-12.34`.
pub fn pounds(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let abs = pence.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// A matrix as a grid: one block of values per measure.
#[derive(Debug, Clone)]
pub struct Grid {
    /// `gap_matrix` or `evidence_matrix`.
    pub name: &'static str,
    pub rows_dimension: String,
    pub columns_dimension: String,
    /// Code and label of each row, in the summary's order.
    pub rows: Vec<(String, String)>,
    pub columns: Vec<(String, String)>,
    /// A measure's code, its heading, and its value at `[row][column]`.
    pub measures: Vec<(&'static str, String, Vec<Vec<Value>>)>,
}

impl Grid {
    fn new(name: &'static str, m: &Matrix, report: &QuarterlyReport, labels: &Labels) -> Self {
        let mut rows: Vec<(String, String)> = Vec::new();
        let mut columns: Vec<(String, String)> = Vec::new();
        for cell in &m.cells {
            if !rows.iter().any(|(code, _)| *code == cell.row) {
                rows.push((cell.row.clone(), labels.get(&m.rows_dimension, &cell.row)));
            }
            if !columns.iter().any(|(code, _)| *code == cell.column) {
                columns.push((
                    cell.column.clone(),
                    labels.get(&m.columns_dimension, &cell.column),
                ));
            }
        }
        let is = |list: &[domain::report::CellRef], row: &str, column: &str| {
            if list.iter().any(|c| c.row == row && c.column == column) {
                Value::Text("yes")
            } else {
                Value::Text("no")
            }
        };
        type Measure<'m> = Box<dyn Fn(&str, &str) -> Value + 'm>;
        let find = |row: &str, column: &str| {
            m.cells
                .iter()
                .find(|c| c.row == row && c.column == column)
                .cloned()
        };
        let measures: [(&'static str, String, Measure<'_>); 7] = [
            (
                "count",
                format!("Submissions, {}", report.quarter),
                Box::new(move |r, c| find(r, c).map_or(Value::Empty, |x| Value::Count(x.count))),
            ),
            (
                "previous_quarter",
                format!("Submissions, {}", report.previous_quarter),
                Box::new(move |r, c| {
                    find(r, c).map_or(Value::Empty, |x| Value::Count(x.previous_quarter))
                }),
            ),
            (
                "same_quarter_last_year",
                format!("Submissions, {}", report.same_quarter_last_year),
                Box::new(move |r, c| {
                    find(r, c).map_or(Value::Empty, |x| Value::Count(x.same_quarter_last_year))
                }),
            ),
            (
                "change",
                format!("Change since {}", report.previous_quarter),
                Box::new(move |r, c| {
                    find(r, c).map_or(Value::Empty, |x| Value::Count(x.count - x.previous_quarter))
                }),
            ),
            (
                "mean_quality",
                format!("Mean quality score, {}", report.quarter),
                Box::new(move |r, c| {
                    find(r, c).map_or(Value::Empty, |x| Value::of(x.mean_quality))
                }),
            ),
            (
                "gap",
                format!("A gap (fewer than {} submissions)", report.gap_threshold),
                Box::new(move |r, c| is(&m.gaps, r, c)),
            ),
            (
                "falling",
                format!("Fewer than in {}", report.previous_quarter),
                Box::new(move |r, c| is(&m.falling, r, c)),
            ),
        ];
        let measures = measures
            .into_iter()
            .map(|(code, heading, value)| {
                let values = rows
                    .iter()
                    .map(|(r, _)| columns.iter().map(|(c, _)| value(r, c)).collect())
                    .collect();
                (code, heading, values)
            })
            .collect();
        Self {
            name,
            rows_dimension: m.rows_dimension.clone(),
            columns_dimension: m.columns_dimension.clone(),
            rows,
            columns,
            measures,
        }
    }
}

/// Everything an export shows, laid out.
#[derive(Debug, Clone)]
pub struct Layout {
    pub lines: Vec<Line>,
    pub money: Vec<Money>,
    pub grids: Vec<Grid>,
}

struct Lines<'a> {
    quarter: &'a str,
    out: Vec<Line>,
}

impl Lines<'_> {
    fn row(&mut self, section: &'static str, dimension: &str, r: &Row) {
        self.out.push(Line {
            quarter: self.quarter.to_owned(),
            section,
            dimension: dimension.to_owned(),
            key: r.key.clone(),
            label: r.label.clone(),
            values: [
                Value::Count(r.count),
                Value::Count(r.previous_quarter),
                Value::Count(r.same_quarter_last_year),
                Value::Count(r.change),
            ],
        });
    }

    fn people(&mut self, section: &'static str, dimension: &str, label: String, p: &PeopleRow) {
        self.out.push(Line {
            quarter: self.quarter.to_owned(),
            section,
            dimension: dimension.to_owned(),
            key: p.key.clone(),
            label,
            values: [
                p.count.map_or(Value::Withheld, Value::Count),
                Value::Empty,
                Value::Empty,
                Value::Empty,
            ],
        });
    }

    fn single(&mut self, section: &'static str, dimension: &str, label: &str, value: Value) {
        self.out.push(Line {
            quarter: self.quarter.to_owned(),
            section,
            dimension: dimension.to_owned(),
            key: "all".to_owned(),
            label: label.to_owned(),
            values: [value, Value::Empty, Value::Empty, Value::Empty],
        });
    }
}

/// The summary laid out, in a fixed order.
pub fn layout(report: &QuarterlyReport, labels: &Labels) -> Layout {
    let mut lines = Lines {
        quarter: &report.quarter,
        out: Vec::new(),
    };
    for r in &report.headline {
        lines.row("headline", "headline", r);
    }
    for b in &report.breakdowns {
        for r in &b.rows {
            lines.row("breakdowns", &b.dimension, r);
        }
    }
    let q = &report.quality;
    let change =
        |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| ((a - b) * 100.0).round() / 100.0);
    for (dimension, label, now, previous, year_before) in [
        (
            "mean_quality",
            "Mean quality score",
            q.mean_quality,
            q.previous_quarter_mean_quality,
            q.same_quarter_last_year_mean_quality,
        ),
        (
            "mean_completeness",
            "Mean completeness",
            q.mean_completeness,
            q.previous_quarter_mean_completeness,
            q.same_quarter_last_year_mean_completeness,
        ),
    ] {
        lines.out.push(Line {
            quarter: report.quarter.clone(),
            section: "quality",
            dimension: dimension.to_owned(),
            key: "all".to_owned(),
            label: label.to_owned(),
            values: [
                Value::of(now),
                Value::of(previous),
                Value::of(year_before),
                Value::of(change(now, previous)),
            ],
        });
    }
    lines.single(
        "quality",
        "median_quality",
        "Median quality score",
        Value::of(q.median_quality),
    );
    lines.single("quality", "reviews", "Reviews", Value::Count(q.reviews));
    let c = &report.community;
    lines.people(
        "community",
        "distinct_submitters",
        "People who submitted".to_owned(),
        &c.distinct_submitters,
    );
    lines.people(
        "community",
        "first_time_submitters",
        "People who submitted for the first time".to_owned(),
        &c.first_time_submitters,
    );
    lines.row("community", "members_joined", &c.members_joined);
    for b in &c.submitters_by {
        for p in &b.rows {
            let label = labels.get(&b.dimension, &p.key);
            lines.people(
                "community",
                &format!("submitters_by_{}", b.dimension),
                label,
                p,
            );
        }
    }
    let a = &report.ai_digital;
    lines.row("ai_digital", "submissions", &a.submissions);
    lines.people(
        "ai_digital",
        "distinct_submitters",
        "People who submitted AI and digital healthcare work".to_owned(),
        &a.submitters,
    );
    for b in &a.submitters_by {
        for p in &b.rows {
            let label = labels.get(&b.dimension, &p.key);
            lines.people(
                "ai_digital",
                &format!("submitters_by_{}", b.dimension),
                label,
                p,
            );
        }
    }
    let r = &report.recommendations;
    for x in &r.adoption_reported {
        lines.row("recommendations", "adoption_reported", x);
    }
    lines.row("recommendations", "investment", &r.investments_reported);
    lines.row(
        "citations",
        "citations",
        &report.citations.submissions_citing_the_hub,
    );
    lines.row("citations", "citations", &report.citations.hub_items_cited);
    let mut out = lines.out;
    for point in &report.priority_trend {
        let line = |dimension: &str, key: &str, label: String, count: i64| Line {
            quarter: point.quarter.clone(),
            section: "trend",
            dimension: dimension.to_owned(),
            key: key.to_owned(),
            label,
            values: [
                Value::Count(count),
                Value::Empty,
                Value::Empty,
                Value::Empty,
            ],
        };
        out.push(line(
            "submissions",
            "submissions",
            "Submissions counted".to_owned(),
            point.submissions,
        ));
        for (priority, count) in &point.by_priority {
            out.push(line(
                "priority",
                priority,
                labels.get("priority", priority),
                *count,
            ));
        }
    }
    let i = &r.investment_pence;
    let money = vec![Money {
        section: "recommendations",
        dimension: "investment",
        key: "investment_gbp",
        label: "Investment reported (GBP)",
        pence: [
            i.count,
            i.previous_quarter,
            i.same_quarter_last_year,
            i.change,
        ],
    }];
    let grids = vec![
        Grid::new("gap_matrix", &report.gap_matrix, report, labels),
        Grid::new("evidence_matrix", &report.evidence_matrix, report, labels),
    ];
    Layout {
        lines: out,
        money,
        grids,
    }
}

#[cfg(test)]
mod tests {
    use super::pounds;

    #[test]
    fn pence_are_written_as_exact_pounds() {
        assert_eq!(pounds(2_769_041_332), "27690413.32");
        assert_eq!(pounds(5), "0.05");
        assert_eq!(pounds(0), "0.00");
        assert_eq!(pounds(-1234), "-12.34");
    }
}
