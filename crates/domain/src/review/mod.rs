//! Reviews: a reviewer scores the rubric and decides; the decision moves the
//! submission on, and the mean of the latest review is its quality score.

mod use_cases;

pub use use_cases::{
    ClaimError, DecideError, QueueError, ReassignError, ReviewInput, ReviewService,
};

use crate::ids::{MemberId, SubmissionId};
use crate::submission::Action;
use crate::validation::{ValidationErrors, check_length};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use uuid::Uuid;

/// The lowest and highest rubric score.
pub const SCORE_RANGE: (u8, u8) = (1, 5);
/// The longest comment on a criterion or on a whole review.
pub const COMMENT_MAX: usize = 5_000;

/// The five rubric criteria of DOMAIN.md, in order.
pub const CRITERIA: [&str; 5] = [
    "clarity_of_problem_and_context",
    "measurement_and_data",
    "evidence_of_impact",
    "involvement_of_people_who_use_services",
    "transferability_and_spread",
];

/// What a reviewer decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Publish,
    RequestChanges,
    Reject,
}

impl Decision {
    pub fn action(self) -> Action {
        match self {
            Decision::Publish => Action::Publish,
            Decision::RequestChanges => Action::RequestChanges,
            Decision::Reject => Action::Reject,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.action().as_str()
    }
}

impl FromStr for Decision {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            Decision::Publish,
            Decision::RequestChanges,
            Decision::Reject,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
        .ok_or(())
    }
}

/// One criterion's score (1–5) and an optional comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionScore {
    pub criterion: String,
    pub score: u8,
    pub comment: Option<String>,
}

/// A complete rubric: every criterion scored once, 1–5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rubric(Vec<CriterionScore>);

impl Rubric {
    /// Checks that each of the five criteria has one integer score from 1 to 5.
    pub fn parse(scores: Vec<(String, i64, Option<String>)>) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let mut parsed = Vec::with_capacity(CRITERIA.len());
        for criterion in CRITERIA {
            let field = format!("scores.{criterion}");
            match scores.iter().find(|(name, _, _)| name == criterion) {
                None => errors.add(&field, "required", "score every criterion from 1 to 5"),
                Some((_, score, comment)) => {
                    let score = u8::try_from(*score)
                        .ok()
                        .filter(|s| (SCORE_RANGE.0..=SCORE_RANGE.1).contains(s));
                    if score.is_none() {
                        errors.add(&field, "out_of_range", "must be a whole number from 1 to 5");
                    }
                    if let Some(comment) = comment {
                        check_length(
                            &mut errors,
                            &format!("comments.{criterion}"),
                            comment,
                            0,
                            COMMENT_MAX,
                        );
                    }
                    if let Some(score) = score {
                        parsed.push(CriterionScore {
                            criterion: criterion.to_owned(),
                            score,
                            comment: comment.clone(),
                        });
                    }
                }
            }
        }
        for (name, _, _) in &scores {
            if !CRITERIA.contains(&name.as_str()) {
                errors.add(
                    format!("scores.{name}"),
                    "unknown_criterion",
                    format!("the criteria are {}", CRITERIA.join(", ")),
                );
            }
        }
        errors.into_result().map(|()| Self(parsed))
    }

    pub fn scores(&self) -> &[CriterionScore] {
        &self.0
    }

    /// The quality score: the mean of the criteria, to two decimals.
    pub fn mean(&self) -> f64 {
        let total: u32 = self.0.iter().map(|c| u32::from(c.score)).sum();
        let mean = f64::from(total) / self.0.len().max(1) as f64;
        (mean * 100.0).round() / 100.0
    }
}

/// A review as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub id: Uuid,
    pub submission_id: SubmissionId,
    pub reviewer_id: Option<MemberId>,
    pub reviewer_name: Option<String>,
    pub revision: i32,
    pub rubric: Rubric,
    pub overall_comment: Option<String>,
    pub decision: Decision,
    pub quality_score: f64,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(score: i64) -> Vec<(String, i64, Option<String>)> {
        CRITERIA
            .iter()
            .map(|c| ((*c).to_owned(), score, None))
            .collect()
    }

    #[test]
    fn the_quality_score_is_the_mean_of_the_criteria() {
        let mut scores = all(4);
        scores[0].1 = 5;
        scores[1].1 = 2;
        let rubric = Rubric::parse(scores).map(|r| r.mean());
        assert_eq!(rubric, Ok(3.8));
    }

    #[test]
    fn every_criterion_must_be_scored_from_one_to_five() {
        let mut scores = all(3);
        scores[0].1 = 0;
        scores[1].1 = 6;
        scores.remove(4);
        scores.push(("charm".into(), 5, None));
        let errors = Rubric::parse(scores).err().unwrap_or_default();
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "scores.clarity_of_problem_and_context",
                "scores.measurement_and_data",
                "scores.transferability_and_spread",
                "scores.charm"
            ]
        );
    }

    #[test]
    fn decisions_map_to_lifecycle_actions() {
        assert_eq!(Decision::Publish.action(), Action::Publish);
        assert_eq!(
            "request_changes".parse::<Decision>(),
            Ok(Decision::RequestChanges)
        );
        assert!("approve".parse::<Decision>().is_err());
    }
}
