//! One definition of each quality measure, used by the headline, the
//! matrices, the trend and the series alike: the **latest** quality score (or
//! completeness score) of each submission counted in the quarter (see
//! [`super::counting::is_counted_in`]). A submission reviewed twice counts
//! once, with the score of its latest review; reviews made in the quarter
//! are counted as reviews, never averaged. Storage keeps a histogram of the
//! latest scores per quarter, keyed by [`score_key`], and sums of
//! completeness, both built from these items.

use super::counting::is_counted_in;
use crate::quarter::Quarter;
use crate::submission::Status;
use chrono::{DateTime, Utc};

/// The measures in words, for the summary's `counting_rule` and the README.
pub const MEASURES_RULE: &str = "Mean and median quality are those of the latest quality score of each submission counted in the quarter that has been reviewed (a submission reviewed twice counts once, with its latest score), in the headline, the matrices, the trend and the series alike; mean completeness is that of the latest completeness score of the submissions counted in the quarter; reviews made in the quarter are counted, not averaged.";

/// A submission as the quality measures see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredSubmission {
    pub status: Status,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The score of its latest review, if reviewed.
    pub latest_quality: Option<f64>,
    /// Its completeness score as of its latest submit.
    pub latest_completeness: Option<f64>,
}

/// The quality score `submission` adds to `quarter`'s mean and median.
pub fn quality_counted_in(quarter: Quarter, submission: ScoredSubmission) -> Option<f64> {
    submission
        .latest_quality
        .filter(|_| is_counted_in(quarter, submission.status, submission.submitted_at))
}

/// The completeness score `submission` adds to `quarter`'s mean completeness.
pub fn completeness_counted_in(quarter: Quarter, submission: ScoredSubmission) -> Option<f64> {
    submission
        .latest_completeness
        .filter(|_| is_counted_in(quarter, submission.status, submission.submitted_at))
}

/// A quality score (the mean of five whole marks, so a multiple of a fifth)
/// as the key of its histogram row, with one decimal: `3.4`.
pub fn score_key(score: f64) -> String {
    format!("{score:.1}")
}

/// Mean, rounded to two places.
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| round2(values.iter().sum::<f64>() / values.len() as f64))
}

/// Median, rounded to two places.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(round2(sorted[n / 2])),
        _ => Some(round2((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0)),
    }
}

/// Mean completeness from its sum and count, rounded to three places.
pub fn mean_completeness(sum: f64, n: i64) -> Option<f64> {
    (n > 0).then(|| round3(sum / n as f64))
}

pub(crate) fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

pub(crate) fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    fn at(raw: &str) -> DateTime<Utc> {
        raw.parse().expect("an instant")
    }

    #[test]
    fn mean_and_median_round_to_two_places() {
        assert_eq!(mean(&[4.0, 3.0, 3.0]), Some(3.33));
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
        assert_eq!(mean_completeness(2.0, 3), Some(0.667));
        assert_eq!(mean_completeness(0.0, 0), None);
    }

    #[test]
    fn only_the_latest_score_of_a_counted_submission_is_measured() {
        let q: Quarter = "2025-Q3".parse().expect("a quarter");
        let scored = ScoredSubmission {
            status: Status::Published,
            submitted_at: Some(at("2025-08-01T09:00:00Z")),
            latest_quality: Some(4.6),
            latest_completeness: Some(0.8),
        };
        assert_eq!(quality_counted_in(q, scored), Some(4.6));
        assert_eq!(completeness_counted_in(q, scored), Some(0.8));
        let withdrawn = ScoredSubmission {
            status: Status::Withdrawn,
            ..scored
        };
        assert_eq!(quality_counted_in(q, withdrawn), None);
        assert_eq!(completeness_counted_in(q, withdrawn), None);
        let earlier = ScoredSubmission {
            submitted_at: Some(at("2025-06-01T09:00:00Z")),
            ..scored
        };
        assert_eq!(quality_counted_in(q, earlier), None);
        let unreviewed = ScoredSubmission {
            latest_quality: None,
            ..scored
        };
        assert_eq!(quality_counted_in(q, unreviewed), None);
    }

    #[test]
    fn score_keys_are_exact_for_fifths() {
        for fifths in 5..=25 {
            let score = f64::from(fifths) / 5.0;
            let key = score_key(score);
            assert_eq!(key.parse::<f64>().ok(), Some(score), "{key}");
        }
    }
}
