//! A summary laid out for people: figures one a line with their labels, money
//! apart in pounds, and each matrix as a grid of rows × columns. The CSV and the
//! workbook are both written from this.

use super::Labels;
use domain::report::{
    Cube, CubeCellRef, Matrix, PeopleComparison, PeopleRow, QuarterlyReport, Row, SUPPRESSED,
    strategy_people, strategy_rows,
};

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
    /// `gap_matrix`, `evidence_matrix`, or `evidence_cube_<evidence type>`
    /// for each evidence type of the cube.
    pub name: String,
    pub rows_dimension: String,
    pub columns_dimension: String,
    /// Code and label of each row, in the summary's order.
    pub rows: Vec<(String, String)>,
    pub columns: Vec<(String, String)>,
    /// A measure's code, its heading, and its value at `[row][column]`.
    pub measures: Vec<(&'static str, String, Vec<Vec<Value>>)>,
}

/// One cell of a grid, whatever table it comes from.
struct GridCell {
    row: String,
    column: String,
    count: i64,
    previous_quarter: i64,
    same_quarter_last_year: i64,
    mean_quality: Option<f64>,
}

impl Grid {
    fn new(name: &str, m: &Matrix, report: &QuarterlyReport, labels: &Labels) -> Self {
        let cells = m
            .cells
            .iter()
            .map(|c| GridCell {
                row: c.row.clone(),
                column: c.column.clone(),
                count: c.count,
                previous_quarter: c.previous_quarter,
                same_quarter_last_year: c.same_quarter_last_year,
                mean_quality: c.mean_quality,
            })
            .collect();
        let refs = |list: &[domain::report::CellRef]| {
            list.iter()
                .map(|c| (c.row.clone(), c.column.clone()))
                .collect::<Vec<_>>()
        };
        Self::of(
            name.to_owned(),
            (m.rows_dimension.clone(), m.columns_dimension.clone()),
            cells,
            true,
            [
                refs(&m.gaps),
                refs(&m.falling),
                refs(&m.falling_year_on_year),
            ],
            report,
            |dimension, code| labels.get(dimension, code),
        )
    }

    /// The evidence cube as grids laid out like the matrices: one grid of
    /// priorities × practice areas per evidence type, named
    /// `evidence_cube_<evidence type>`.
    fn cube(c: &Cube, report: &QuarterlyReport, labels: &Labels) -> Vec<Self> {
        let mut evidence_types: Vec<&str> = Vec::new();
        for cell in &c.cells {
            if !evidence_types.contains(&cell.evidence_type.as_str()) {
                evidence_types.push(&cell.evidence_type);
            }
        }
        evidence_types
            .into_iter()
            .map(|evidence| {
                let cells = c
                    .cells
                    .iter()
                    .filter(|x| x.evidence_type == evidence)
                    .map(|x| GridCell {
                        row: x.priority.clone(),
                        column: x.practice_area.clone(),
                        count: x.count,
                        previous_quarter: x.previous_quarter,
                        same_quarter_last_year: x.same_quarter_last_year,
                        mean_quality: None,
                    })
                    .collect();
                let refs = |list: &[CubeCellRef]| {
                    list.iter()
                        .filter(|x| x.evidence_type == evidence)
                        .map(|x| (x.priority.clone(), x.practice_area.clone()))
                        .collect::<Vec<_>>()
                };
                Self::of(
                    format!("evidence_cube_{evidence}"),
                    ("priority".to_owned(), "practice_area".to_owned()),
                    cells,
                    false,
                    [
                        refs(&c.gaps),
                        refs(&c.falling),
                        refs(&c.falling_year_on_year),
                    ],
                    report,
                    |dimension, code| labels.get(dimension, code),
                )
            })
            .collect()
    }

    /// Lays cells out as rows × columns, one block per measure; `flags` are
    /// the gaps, the cells falling since the previous quarter and those
    /// falling since the same quarter a year before.
    fn of(
        name: String,
        (rows_dimension, columns_dimension): (String, String),
        cells: Vec<GridCell>,
        with_quality: bool,
        flags: [Vec<(String, String)>; 3],
        report: &QuarterlyReport,
        label: impl Fn(&str, &str) -> String,
    ) -> Self {
        let mut rows: Vec<(String, String)> = Vec::new();
        let mut columns: Vec<(String, String)> = Vec::new();
        for cell in &cells {
            if !rows.iter().any(|(code, _)| *code == cell.row) {
                rows.push((cell.row.clone(), label(&rows_dimension, &cell.row)));
            }
            if !columns.iter().any(|(code, _)| *code == cell.column) {
                columns.push((cell.column.clone(), label(&columns_dimension, &cell.column)));
            }
        }
        let [gaps, falling, falling_year_on_year] = flags;
        let is = |list: &[(String, String)], row: &str, column: &str| {
            if list.iter().any(|(r, c)| r == row && c == column) {
                Value::Text("yes")
            } else {
                Value::Text("no")
            }
        };
        type Measure<'m> = Box<dyn Fn(&str, &str) -> Value + 'm>;
        let find =
            |row: &str, column: &str| cells.iter().find(|c| c.row == row && c.column == column);
        let mut measures: Vec<(&'static str, String, Measure<'_>)> = vec![
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
        ];
        if with_quality {
            measures.push((
                "mean_quality",
                format!("Mean quality score, {}", report.quarter),
                Box::new(move |r, c| {
                    find(r, c).map_or(Value::Empty, |x| Value::of(x.mean_quality))
                }),
            ));
        }
        measures.extend([
            (
                "gap",
                format!("A gap (fewer than {} submissions)", report.gap_threshold),
                Box::new(|r: &str, c: &str| is(&gaps, r, c)) as Measure<'_>,
            ),
            (
                "falling",
                format!("Fewer than in {}", report.previous_quarter),
                Box::new(|r: &str, c: &str| is(&falling, r, c)),
            ),
            (
                "falling_year_on_year",
                format!("Fewer than in {}", report.same_quarter_last_year),
                Box::new(|r: &str, c: &str| is(&falling_year_on_year, r, c)),
            ),
        ]);
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
            rows_dimension,
            columns_dimension,
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

    fn people_comparison(&mut self, section: &'static str, dimension: &str, p: &PeopleComparison) {
        let shown = |n: Option<i64>| n.map_or(Value::Withheld, Value::Count);
        self.out.push(Line {
            quarter: self.quarter.to_owned(),
            section,
            dimension: dimension.to_owned(),
            key: p.key.clone(),
            label: p.label.clone(),
            values: [
                shown(p.count),
                shown(p.previous_quarter),
                shown(p.same_quarter_last_year),
                shown(p.change),
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
    lines.single(
        "quality",
        "reviews",
        "Reviews made",
        Value::Count(q.reviews),
    );
    lines.single(
        "quality",
        "scored_submissions",
        "Counted submissions with a quality score",
        Value::Count(q.scored_submissions),
    );
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
    lines.people_comparison("community", "members_joined", &c.members_joined);
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
    let mut strategy_money = None;
    for (section, dimension, r) in strategy_rows(&report.strategy_measures) {
        if dimension == "investment_pence" {
            strategy_money = Some(r);
        } else {
            lines.row(section, dimension, r);
        }
    }
    for (section, dimension, p) in strategy_people(&report.strategy_measures) {
        lines.people_comparison(section, dimension, p);
    }
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
    let mut money = vec![Money {
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
    money.extend(strategy_money.map(|i| Money {
        section: "spread",
        dimension: "investment",
        key: "investment_gbp",
        label: "Investment reported by adopting organisations (GBP)",
        pence: [
            i.count,
            i.previous_quarter,
            i.same_quarter_last_year,
            i.change,
        ],
    }));
    let mut grids = vec![
        Grid::new("gap_matrix", &report.gap_matrix, report, labels),
        Grid::new("evidence_matrix", &report.evidence_matrix, report, labels),
    ];
    // A snapshot frozen before the cube was counted has none to show.
    grids.extend(Grid::cube(&report.evidence_cube, report, labels));
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
