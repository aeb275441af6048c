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
    /// The quality score of each review made in the quarter.
    pub review_scores: Vec<f64>,
    /// Mean completeness of the submissions reviewed in the quarter.
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
    pub review_scores: Vec<f64>,
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
            review_scores: self.review_scores.clone(),
        }
    }

    pub fn mean_quality(&self) -> Option<f64> {
        mean(&self.review_scores)
    }
}

pub(crate) fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| round2(values.iter().sum::<f64>() / values.len() as f64))
}

pub(crate) fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(round2(sorted[n / 2])),
        _ => Some(round2((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0)),
    }
}

pub(crate) fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_median_round_to_two_places() {
        assert_eq!(mean(&[4.0, 3.0, 3.0]), Some(3.33));
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }
}
