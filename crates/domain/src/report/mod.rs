//! The quarterly summary of evidence trends and gaps: what goes to Council.
//! Storage counts; this module compares quarters, finds gaps and suppresses
//! small counts about people.

mod build;
pub mod counting;
mod figures;
pub mod measures;
mod strategy;
mod suppress;
mod table;
#[cfg(test)]
mod tests;
mod use_cases;

pub use build::{ReportOptions, build_report};
pub use figures::{Cell, CountMap, QuarterFigures, QuarterHeadline, SubmitterFigures};
pub use strategy::{
    IdeaClinicMeasures, InclusionMeasures, ResourceMeasures, SpreadMeasures, StrategyFigures,
    StrategyMeasures, strategy_measures, strategy_people, strategy_rows,
};
pub use suppress::{SUPPRESS_BELOW, Sum, SuppressedCount, determined, protect, suppress};
pub use table::{Difference, HEADER, SUPPRESSED, TableRow, differences, rows};
pub use use_cases::{
    ComparedQuarters, GapThreshold, InvalidGapThreshold, LiveSummary, QuarterRange,
    QuarterRangeError, ReportError, ReportService, TREND_QUARTERS, frozen_report,
};

use serde::{Deserialize, Serialize};

/// One quarterly summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuarterlyReport {
    /// `2025-Q3` or `FY2025-Q2`.
    pub quarter: String,
    pub previous_quarter: String,
    pub same_quarter_last_year: String,
    /// First instant counted (inclusive), RFC 3339 in UTC: midnight on the
    /// quarter's first day in UK civil time (`Europe/London`).
    pub starts_at: String,
    /// First instant not counted (exclusive), RFC 3339 in UTC: midnight on
    /// the next quarter's first day in UK civil time.
    pub ends_at: String,
    /// The time zone whose civil dates bound the quarter: `Europe/London`.
    /// Absent from snapshots frozen before it was stated.
    #[serde(default)]
    pub time_zone: String,
    pub generated_at: String,
    /// What was counted, in words.
    pub counting_rule: String,
    pub gap_threshold: u64,
    pub headline: Vec<Row>,
    /// Counts by kind, priority, practice area, evidence type, topic, nation, region.
    pub breakdowns: Vec<Breakdown>,
    pub gap_matrix: Matrix,
    pub evidence_matrix: Matrix,
    /// Priority × practice area × evidence type: every combination of the
    /// taxonomy's terms, with gaps and falling cells as in the matrices.
    /// Absent from snapshots frozen before it was counted.
    #[serde(default)]
    pub evidence_cube: Cube,
    pub quality: Quality,
    pub community: Community,
    pub ai_digital: AiDigital,
    pub recommendations: RecommendationFigures,
    pub citations: Citations,
    /// Submissions by priority over the eight quarters ending with this one.
    pub priority_trend: Vec<TrendPoint>,
    /// The strategy's measures beyond submissions, as top-level sections:
    /// `idea_clinics`, `spread`, `inclusions` and `resources`. Absent (zero)
    /// from snapshots frozen before they were counted.
    #[serde(flatten)]
    pub strategy_measures: StrategyMeasures,
}

/// One quarter of a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendPoint {
    pub quarter: String,
    pub submissions: i64,
    /// People who submitted; absent (`null`) when from 1 to 4, or withheld
    /// with the quarter's summary.
    pub distinct_submitters: Option<i64>,
    /// Mean of the latest quality scores of the quarter's counted submissions.
    pub mean_quality: Option<f64>,
    /// Priority code → submissions.
    pub by_priority: std::collections::BTreeMap<String, i64>,
    /// Kind → submissions.
    pub by_kind: std::collections::BTreeMap<String, i64>,
}

impl TrendPoint {
    pub fn new(quarter: &crate::quarter::Quarter, headline: &QuarterHeadline) -> Self {
        Self {
            quarter: quarter.to_string(),
            submissions: headline.total,
            distinct_submitters: (!suppress::withheld_alone(headline.distinct_submitters))
                .then_some(headline.distinct_submitters),
            mean_quality: measures::mean(&headline.quality_scores),
            by_priority: headline.by_priority.clone(),
            by_kind: headline.by_kind.clone(),
        }
    }
}

/// A count against the previous quarter and the same quarter a year before.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Row {
    pub key: String,
    pub label: String,
    pub count: i64,
    pub previous_quarter: i64,
    pub same_quarter_last_year: i64,
    /// `count - previous_quarter`.
    pub change: i64,
}

impl Row {
    pub fn new(
        key: &str,
        label: &str,
        count: i64,
        previous_quarter: i64,
        same_quarter_last_year: i64,
    ) -> Self {
        Self {
            key: key.to_owned(),
            label: label.to_owned(),
            count,
            previous_quarter,
            same_quarter_last_year,
            change: count - previous_quarter,
        }
    }
}

/// Counts of one dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Breakdown {
    /// `kind`, `priority`, `practice_area`, `evidence_type`, `topic`, `nation` or `region`.
    pub dimension: String,
    pub rows: Vec<Row>,
}

/// A two-way table (priority × practice area, or priority × evidence type).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Matrix {
    pub rows_dimension: String,
    pub columns_dimension: String,
    pub cells: Vec<MatrixCell>,
    /// Cells with fewer submissions than the gap threshold.
    pub gaps: Vec<CellRef>,
    /// Cells with fewer submissions than in the previous quarter.
    pub falling: Vec<CellRef>,
    /// Cells with fewer submissions than in the same quarter a year before.
    #[serde(default)]
    pub falling_year_on_year: Vec<CellRef>,
}

/// One cell of a matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatrixCell {
    pub row: String,
    pub column: String,
    pub count: i64,
    pub previous_quarter: i64,
    pub same_quarter_last_year: i64,
    /// Mean of the latest quality scores of the cell's counted submissions
    /// that have been reviewed.
    pub mean_quality: Option<f64>,
}

/// Names a matrix cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CellRef {
    pub row: String,
    pub column: String,
    pub count: i64,
}

/// A three-way table: submissions by priority × practice area × evidence
/// type, one cell per combination of the taxonomy's terms.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cube {
    pub cells: Vec<CubeCell>,
    /// Cells with fewer submissions than the gap threshold.
    pub gaps: Vec<CubeCellRef>,
    /// Cells with fewer submissions than in the previous quarter.
    pub falling: Vec<CubeCellRef>,
    /// Cells with fewer submissions than in the same quarter a year before.
    pub falling_year_on_year: Vec<CubeCellRef>,
}

/// One cell of the evidence cube.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CubeCell {
    pub priority: String,
    pub practice_area: String,
    pub evidence_type: String,
    pub count: i64,
    pub previous_quarter: i64,
    pub same_quarter_last_year: i64,
}

/// Names a cell of the evidence cube.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CubeCellRef {
    pub priority: String,
    pub practice_area: String,
    pub evidence_type: String,
    pub count: i64,
}

/// Quality of the submissions counted in a quarter: each measured by its
/// latest quality and completeness scores (see `counting_rule`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quality {
    /// Reviews made in the quarter (a count, not the population averaged).
    pub reviews: i64,
    /// Submissions counted in the quarter that have a quality score: the
    /// population of the mean and median.
    #[serde(default)]
    pub scored_submissions: i64,
    /// Mean of the latest quality score of each counted submission.
    pub mean_quality: Option<f64>,
    /// Median of the same scores.
    pub median_quality: Option<f64>,
    /// Mean of the latest completeness score of each counted submission.
    pub mean_completeness: Option<f64>,
    pub previous_quarter_mean_quality: Option<f64>,
    pub same_quarter_last_year_mean_quality: Option<f64>,
    pub previous_quarter_mean_completeness: Option<f64>,
    pub same_quarter_last_year_mean_completeness: Option<f64>,
    /// `rising`, `falling`, `steady` or `unknown` against the previous quarter.
    pub trend: String,
}

/// A count about people: under 5 (but not 0) it is withheld.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeopleRow {
    pub key: String,
    /// Absent (`null`) when suppressed.
    pub count: Option<i64>,
    pub suppressed: bool,
}

/// People counts of one demographic dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeopleBreakdown {
    pub dimension: String,
    pub rows: Vec<PeopleRow>,
}

/// A count of people against the previous quarter and the same quarter a
/// year before: each count from 1 to 4 is withheld (`null`), and the change
/// with it, so that no withheld count can be worked out from the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeopleComparison {
    pub key: String,
    pub label: String,
    /// Absent (`null`) when withheld.
    pub count: Option<i64>,
    /// Absent (`null`) when withheld.
    pub previous_quarter: Option<i64>,
    /// Absent (`null`) when withheld.
    pub same_quarter_last_year: Option<i64>,
    /// `count - previous_quarter`; absent (`null`) when either is withheld.
    pub change: Option<i64>,
    /// Whether any of the counts is withheld. Absent from snapshots frozen
    /// before members who joined were suppressed.
    #[serde(default)]
    pub suppressed: bool,
}

impl PeopleComparison {
    pub fn new(
        key: &str,
        label: &str,
        count: i64,
        previous_quarter: i64,
        same_quarter_last_year: i64,
    ) -> Self {
        let published = |n: i64| (!suppress::withheld_alone(n)).then_some(n);
        let [now, previous, year_before] =
            [count, previous_quarter, same_quarter_last_year].map(published);
        Self {
            key: key.to_owned(),
            label: label.to_owned(),
            count: now,
            previous_quarter: previous,
            same_quarter_last_year: year_before,
            change: now.zip(previous).map(|(a, b)| a - b),
            suppressed: now.is_none() || previous.is_none() || year_before.is_none(),
        }
    }
}

/// Who submitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Community {
    pub distinct_submitters: PeopleRow,
    pub first_time_submitters: PeopleRow,
    /// Members whose accounts were created in the quarter: a count of
    /// people, withheld from 1 to 4.
    pub members_joined: PeopleComparison,
    pub submitters_by: Vec<PeopleBreakdown>,
}

/// AI and digital healthcare work and who submits it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AiDigital {
    pub submissions: Row,
    pub submitters: PeopleRow,
    pub submitters_by: Vec<PeopleBreakdown>,
}

/// Recommendations and the investment they drew.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecommendationFigures {
    /// Recommendations of submissions counted in the quarter or earlier, each
    /// once, by its latest adoption status reported on or before the
    /// quarter's last day (the status written in the submission is its first
    /// report).
    pub adoption_reported: Vec<Row>,
    /// Investment reports: follow-ups dated in the quarter naming investment,
    /// and investment written in submissions counted in the quarter.
    pub investments_reported: Row,
    /// Their total, in GBP pence.
    pub investment_pence: Row,
}

/// Hub submissions as an evidence source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Citations {
    pub submissions_citing_the_hub: Row,
    pub hub_items_cited: Row,
}
