//! What a submission says. Stored whole as a document; tags, evidence types,
//! recommendations and hub citations are also kept as rows so reports count them in SQL.

use crate::taxonomy::Vocabulary;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Everything the author writes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Content {
    pub title: String,
    pub summary: String,
    pub sections: Sections,
    pub priorities: Vec<String>,
    pub practice_areas: Vec<String>,
    pub topics: Vec<String>,
    pub nation: Option<String>,
    pub region: Option<String>,
    pub impact_evidence: Vec<ImpactEvidence>,
    pub recommendations: Vec<Recommendation>,
    pub evidence_sources: Vec<EvidenceSource>,
    pub pdsa_cycles: Vec<PdsaCycle>,
    pub measures: Vec<Measure>,
}

/// Structured sections. Improvement journeys use the SQUIRE 2.0 groups; case
/// studies use context/approach/outcomes/learning; impact examples use
/// context/change/impact/learning; business cases use
/// problem/proposal/costs_and_benefits/ask.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct Sections {
    pub why_we_started: Option<WhyWeStarted>,
    pub what_we_did: Option<WhatWeDid>,
    pub what_we_found: Option<WhatWeFound>,
    pub what_it_means: Option<WhatItMeans>,
    pub funding: Option<String>,
    pub context: Option<String>,
    pub approach: Option<String>,
    pub outcomes: Option<String>,
    pub change: Option<String>,
    pub impact: Option<String>,
    pub learning: Option<String>,
    /// Business case: the problem the system has.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Waits of 14 weeks for a falls assessment")
    )]
    pub problem: Option<String>,
    /// Business case: what is proposed to solve it.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "An OT-led falls clinic in each primary care network")
    )]
    pub proposal: Option<String>,
    /// Business case: what it costs and what it returns.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "£120,000 a year; £310,000 of admissions avoided")
    )]
    pub costs_and_benefits: Option<String>,
    /// Business case: what the system is asked to adopt or fund.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Fund two band 7 OT posts for two years")
    )]
    pub ask: Option<String>,
}

/// SQUIRE 2.0 introduction: why did you start?
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct WhyWeStarted {
    #[serde(default)]
    pub problem: Option<String>,
    #[serde(default)]
    pub available_knowledge: Option<String>,
    #[serde(default)]
    pub rationale: Option<String>,
    #[serde(default)]
    pub aims: Option<String>,
}

/// SQUIRE 2.0 methods: what did you do?
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct WhatWeDid {
    #[serde(default)]
    pub context: Option<String>,
    #[serde(default)]
    pub interventions: Option<String>,
    #[serde(default)]
    pub study_of_interventions: Option<String>,
    #[serde(default)]
    pub measures: Option<String>,
    #[serde(default)]
    pub analysis: Option<String>,
    #[serde(default)]
    pub ethics: Option<String>,
}

/// SQUIRE 2.0 results: what did you find?
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct WhatWeFound {
    #[serde(default)]
    pub results: Option<String>,
}

/// SQUIRE 2.0 discussion: what does it mean?
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct WhatItMeans {
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub interpretation: Option<String>,
    #[serde(default)]
    pub limitations: Option<String>,
    #[serde(default)]
    pub conclusions: Option<String>,
}

/// The three ways the strategy asks members to show value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EvidenceType {
    Economic,
    Social,
    Experiential,
}

impl EvidenceType {
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceType::Economic => "economic",
            EvidenceType::Social => "social",
            EvidenceType::Experiential => "experiential",
        }
    }
}

/// One piece of evidence of impact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImpactEvidence {
    pub evidence_type: EvidenceType,
    pub description: String,
    /// Economic evidence only: what the change cost, in GBP pence.
    pub costs_pence: Option<i64>,
    /// Economic evidence only: what it saved, in GBP pence.
    pub savings_pence: Option<i64>,
    /// Economic evidence only: return for each pound spent.
    pub return_on_investment: Option<f64>,
}

/// How far a recommendation has travelled, in order: `proposed` <
/// `adopted_locally` < `adopted_by_partner` < `rolled_out`. This declaration
/// is the one definition of that order (`Ord`); a report of a lower status
/// than the one in effect is a move backwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AdoptionStatus {
    Proposed,
    AdoptedLocally,
    AdoptedByPartner,
    RolledOut,
}

impl AdoptionStatus {
    /// Every status, from the first step to the furthest.
    pub const ALL: [AdoptionStatus; 4] = [
        AdoptionStatus::Proposed,
        AdoptionStatus::AdoptedLocally,
        AdoptionStatus::AdoptedByPartner,
        AdoptionStatus::RolledOut,
    ];

    /// The status named `raw`, if any.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == raw)
    }

    /// Whether moving from `current` to `self` goes backwards.
    pub fn is_behind(self, current: AdoptionStatus) -> bool {
        self < current
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AdoptionStatus::Proposed => "proposed",
            AdoptionStatus::AdoptedLocally => "adopted_locally",
            AdoptionStatus::AdoptedByPartner => "adopted_by_partner",
            AdoptionStatus::RolledOut => "rolled_out",
        }
    }
}

/// A recommendation for others, with its adoption and any investment it drew.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    /// Kept when sent back unchanged; a new one is given when left out.
    #[serde(default = "Uuid::now_v7")]
    pub id: Uuid,
    pub text: String,
    pub adoption_status: AdoptionStatus,
    pub reported_investment_pence: Option<i64>,
}

/// Where evidence came from: a citation, a web address, or another hub submission.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct EvidenceSource {
    pub citation: Option<String>,
    pub url: Option<String>,
    pub submission_id: Option<Uuid>,
}

/// What the team decided after a Plan-Do-Study-Act cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PdsaDecision {
    Adapt,
    Adopt,
    Abandon,
}

/// One Plan-Do-Study-Act cycle of the Model for Improvement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct PdsaCycle {
    pub change_idea: String,
    pub prediction: Option<String>,
    pub plan: Option<String>,
    pub what_happened: Option<String>,
    pub what_was_learned: Option<String>,
    pub decision: Option<PdsaDecision>,
    pub started_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
}

/// The role a measure plays in the Model for Improvement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MeasureType {
    Outcome,
    Process,
    Balancing,
}

/// A measure and its dated values, enough for a run chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub name: String,
    pub measure_type: MeasureType,
    pub unit: Option<String>,
    #[serde(default)]
    pub data_points: Vec<DataPoint>,
}

/// One value of a measure on a date.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DataPoint {
    pub date: NaiveDate,
    pub value: f64,
}

impl Content {
    /// The distinct evidence types this submission holds, in a stable order.
    pub fn evidence_types(&self) -> Vec<EvidenceType> {
        let mut types: Vec<EvidenceType> = self
            .impact_evidence
            .iter()
            .map(|e| e.evidence_type)
            .collect();
        types.sort();
        types.dedup();
        types
    }

    /// Whether any impact evidence is economic (a business case needs some).
    pub fn has_economic_evidence(&self) -> bool {
        self.impact_evidence
            .iter()
            .any(|e| e.evidence_type == EvidenceType::Economic)
    }

    /// The hub submissions this one cites.
    pub fn cited_submissions(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self
            .evidence_sources
            .iter()
            .filter_map(|s| s.submission_id)
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Lower-cased title and summary, for case-insensitive text search.
    pub fn search_text(&self) -> String {
        format!("{}\n{}", self.title, self.summary).to_lowercase()
    }

    /// What full-text search reads beyond the title and the summary: every
    /// section, every recommendation and the labels of the tags, priorities,
    /// practice areas, topics and evidence types (`label` gives a code's words).
    pub fn search_body(&self, label: impl Fn(Vocabulary, &str) -> Option<String>) -> String {
        let s = &self.sections;
        let mut parts: Vec<&str> = Vec::new();
        if let Some(w) = &s.why_we_started {
            parts.extend(
                [&w.problem, &w.available_knowledge, &w.rationale, &w.aims]
                    .into_iter()
                    .flatten()
                    .map(String::as_str),
            );
        }
        if let Some(w) = &s.what_we_did {
            parts.extend(
                [
                    &w.context,
                    &w.interventions,
                    &w.study_of_interventions,
                    &w.measures,
                    &w.analysis,
                    &w.ethics,
                ]
                .into_iter()
                .flatten()
                .map(String::as_str),
            );
        }
        if let Some(w) = &s.what_we_found {
            parts.extend(w.results.as_deref());
        }
        if let Some(w) = &s.what_it_means {
            parts.extend(
                [
                    &w.summary,
                    &w.interpretation,
                    &w.limitations,
                    &w.conclusions,
                ]
                .into_iter()
                .flatten()
                .map(String::as_str),
            );
        }
        parts.extend(
            [
                &s.funding,
                &s.context,
                &s.approach,
                &s.outcomes,
                &s.change,
                &s.impact,
                &s.learning,
            ]
            .into_iter()
            .flatten()
            .map(String::as_str),
        );
        parts.extend(self.recommendations.iter().map(|r| r.text.as_str()));
        let mut body: Vec<String> = parts.into_iter().map(str::to_owned).collect();
        let evidence: Vec<String> = self
            .evidence_types()
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect();
        for (vocabulary, codes) in [
            (Vocabulary::Priority, &self.priorities),
            (Vocabulary::PracticeArea, &self.practice_areas),
            (Vocabulary::Topic, &self.topics),
            (Vocabulary::EvidenceType, &evidence),
        ] {
            body.extend(codes.iter().filter_map(|code| label(vocabulary, code)));
        }
        body.join("\n")
    }
}

#[cfg(test)]
mod search_body_tests {
    use super::*;

    #[test]
    fn the_search_body_holds_sections_recommendations_and_tag_labels() {
        let content = Content {
            title: "Title".into(),
            summary: "Summary".into(),
            sections: Sections {
                what_we_found: Some(WhatWeFound {
                    results: Some("Fewer falls".into()),
                }),
                learning: Some("Start small".into()),
                ..Sections::default()
            },
            practice_areas: vec!["schools".into(), "unknown".into()],
            recommendations: vec![Recommendation {
                id: Uuid::nil(),
                text: "Spread it".into(),
                adoption_status: AdoptionStatus::Proposed,
                reported_investment_pence: None,
            }],
            ..Content::default()
        };
        let body = content.search_body(|vocabulary, code| {
            (vocabulary == Vocabulary::PracticeArea && code == "schools")
                .then(|| "Schools".to_owned())
        });
        assert_eq!(body, "Fewer falls\nStart small\nSpread it\nSchools");
    }
}
