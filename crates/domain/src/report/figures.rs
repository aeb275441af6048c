//! Raw counts of one quarter, as storage computes them in SQL.

use std::collections::BTreeMap;

/// Counts by code.
pub type CountMap = BTreeMap<String, i64>;

/// One matrix cell's count and the quality scores of its reviewed submissions.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cell {
    pub count: i64,
    pub quality_sum: f64,
    pub quality_n: i64,
}

/// Distinct people and their demographics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubmitterFigures {
    pub distinct: i64,
    pub first_time: i64,
    /// Dimension (`career_stage`, `region`, `job_title`, …) → value → people.
    pub by: BTreeMap<String, CountMap>,
}

/// Everything counted for one quarter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuarterFigures {
    pub total: i64,
    /// Dimension (`kind`, `priority`, `practice_area`, `evidence_type`, `topic`, `nation`, `region`) → code → count.
    pub by: BTreeMap<String, CountMap>,
    pub priority_practice_area: BTreeMap<(String, String), Cell>,
    pub priority_evidence_type: BTreeMap<(String, String), Cell>,
    /// (priority, practice area, evidence type) → submissions.
    pub evidence_cube: BTreeMap<(String, String, String), i64>,
    /// Reviews made in the quarter.
    pub reviews: i64,
    /// The latest quality score of each submission counted in the quarter
    /// that has been reviewed (see [`super::measures`]).
    pub quality_scores: Vec<f64>,
    /// Mean latest completeness of the submissions counted in the quarter.
    pub mean_completeness: Option<f64>,
    pub submitters: SubmitterFigures,
    pub members_joined: i64,
    pub ai_submissions: i64,
    pub ai_submitters: SubmitterFigures,
    /// Adoption status → recommendations whose latest status it is as of
    /// the quarter's end (see [`super::counting::adoption_counted_in`]).
    pub adoption_reported: CountMap,
    pub investments_reported: i64,
    pub investment_pence: i64,
    pub citing_submissions: i64,
    pub hub_items_cited: i64,
}

/// Headline counts of one quarter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuarterHeadline {
    pub total: i64,
    pub by_kind: CountMap,
    pub by_priority: CountMap,
    pub distinct_submitters: i64,
    /// As [`QuarterFigures::quality_scores`].
    pub quality_scores: Vec<f64>,
}

impl QuarterFigures {
    pub fn count(&self, dimension: &str, key: &str) -> i64 {
        self.by
            .get(dimension)
            .and_then(|m| m.get(key))
            .copied()
            .unwrap_or(0)
    }

    /// The headline counts these figures hold.
    pub fn headline(&self) -> QuarterHeadline {
        QuarterHeadline {
            total: self.total,
            by_kind: self.by.get("kind").cloned().unwrap_or_default(),
            by_priority: self.by.get("priority").cloned().unwrap_or_default(),
            distinct_submitters: self.submitters.distinct,
            quality_scores: self.quality_scores.clone(),
        }
    }

    pub fn mean_quality(&self) -> Option<f64> {
        super::measures::mean(&self.quality_scores)
    }
}
