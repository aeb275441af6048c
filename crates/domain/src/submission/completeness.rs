//! How fully a submission covers its reporting items (SQUIRE 2.0 for improvement
//! journeys), so authors can improve before review and reports can trend it.

use super::{Content, SubmissionKind};
use serde::{Deserialize, Serialize};

/// The share of reporting items covered (0–1) and those still missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Completeness {
    pub score: f64,
    pub covered: Vec<String>,
    pub missing: Vec<String>,
}

fn filled(value: Option<&String>) -> bool {
    value.is_some_and(|v| !v.trim().is_empty())
}

/// The reporting items of a kind, each with whether the content covers it.
pub fn reporting_items(kind: SubmissionKind, content: &Content) -> Vec<(&'static str, bool)> {
    let s = &content.sections;
    let title = !content.title.trim().is_empty();
    let summary = !content.summary.trim().is_empty();
    match kind {
        SubmissionKind::ImprovementJourney => {
            let why = s.why_we_started.clone().unwrap_or_default();
            let did = s.what_we_did.clone().unwrap_or_default();
            let found = s.what_we_found.clone().unwrap_or_default();
            let means = s.what_it_means.clone().unwrap_or_default();
            vec![
                ("title", title),
                ("abstract", summary),
                ("problem", filled(why.problem.as_ref())),
                (
                    "available_knowledge",
                    filled(why.available_knowledge.as_ref()),
                ),
                ("rationale", filled(why.rationale.as_ref())),
                ("aims", filled(why.aims.as_ref())),
                ("context", filled(did.context.as_ref())),
                ("interventions", filled(did.interventions.as_ref())),
                (
                    "study_of_interventions",
                    filled(did.study_of_interventions.as_ref()),
                ),
                (
                    "measures",
                    filled(did.measures.as_ref()) || !content.measures.is_empty(),
                ),
                ("analysis", filled(did.analysis.as_ref())),
                ("ethics", filled(did.ethics.as_ref())),
                ("results", filled(found.results.as_ref())),
                ("summary", filled(means.summary.as_ref())),
                ("interpretation", filled(means.interpretation.as_ref())),
                ("limitations", filled(means.limitations.as_ref())),
                ("conclusions", filled(means.conclusions.as_ref())),
                ("funding", filled(s.funding.as_ref())),
            ]
        }
        SubmissionKind::CaseStudy => vec![
            ("title", title),
            ("abstract", summary),
            ("context", filled(s.context.as_ref())),
            ("approach", filled(s.approach.as_ref())),
            ("outcomes", filled(s.outcomes.as_ref())),
            ("learning", filled(s.learning.as_ref())),
        ],
        SubmissionKind::ImpactExample => vec![
            ("title", title),
            ("abstract", summary),
            ("context", filled(s.context.as_ref())),
            ("change", filled(s.change.as_ref())),
            ("impact", filled(s.impact.as_ref())),
            ("learning", filled(s.learning.as_ref())),
        ],
        SubmissionKind::BusinessCase => vec![
            ("title", title),
            ("abstract", summary),
            ("problem", filled(s.problem.as_ref())),
            ("proposal", filled(s.proposal.as_ref())),
            ("costs_and_benefits", filled(s.costs_and_benefits.as_ref())),
            ("ask", filled(s.ask.as_ref())),
            ("economic_evidence", content.has_economic_evidence()),
        ],
    }
}

/// The completeness of a content for its kind.
pub fn completeness(kind: SubmissionKind, content: &Content) -> Completeness {
    let items = reporting_items(kind, content);
    let total = items.len();
    let (covered, missing): (Vec<_>, Vec<_>) = items.into_iter().partition(|(_, ok)| *ok);
    let score = covered.len() as f64 / total as f64;
    Completeness {
        score: (score * 1000.0).round() / 1000.0,
        covered: covered.into_iter().map(|(n, _)| n.to_owned()).collect(),
        missing: missing.into_iter().map(|(n, _)| n.to_owned()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submission::{WhatWeFound, WhyWeStarted};

    #[test]
    fn an_empty_journey_misses_all_eighteen_squire_items() {
        let result = completeness(SubmissionKind::ImprovementJourney, &Content::default());
        assert_eq!(result.missing.len(), 18);
        assert_eq!(result.score, 0.0);
    }

    #[test]
    fn covered_items_raise_the_score() {
        let mut content = Content {
            title: "Falls clinic".into(),
            summary: "We cut falls".into(),
            ..Default::default()
        };
        content.sections.why_we_started = Some(WhyWeStarted {
            problem: Some("Falls".into()),
            aims: Some("Halve falls".into()),
            ..Default::default()
        });
        content.sections.what_we_found = Some(WhatWeFound {
            results: Some("  ".into()),
        });
        let result = completeness(SubmissionKind::ImprovementJourney, &content);
        assert_eq!(result.covered, vec!["title", "abstract", "problem", "aims"]);
        assert_eq!(result.score, 0.222);
        assert!(result.missing.contains(&"results".to_owned()));
    }

    #[test]
    fn case_studies_have_their_own_items() {
        let content = Content {
            title: "t".into(),
            summary: "s".into(),
            ..Default::default()
        };
        let result = completeness(SubmissionKind::CaseStudy, &content);
        assert_eq!(
            result.missing,
            vec!["context", "approach", "outcomes", "learning"]
        );
    }
}
