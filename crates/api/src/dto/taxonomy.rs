use domain::submission::{Status, SubmissionKind};
use domain::taxonomy::{Taxonomy, Vocabulary};
use serde::Serialize;
use utoipa::ToSchema;

/// One code and its label.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermView {
    pub code: String,
    pub label: String,
    /// The strategy's number (workforce priorities only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<i32>,
    /// The nation a region lies in (regions only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nation: Option<String>,
}

/// Demographic options; each list also accepts `prefer_not_to_say`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DemographicOptions {
    pub career_stages: Vec<TermView>,
    pub levels_of_practice: Vec<TermView>,
    pub sectors: Vec<TermView>,
    pub nations: Vec<TermView>,
    pub regions: Vec<TermView>,
    /// Free text, at most 100 characters.
    pub job_title: String,
}

/// The hub's vocabulary, so clients never hard-code it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaxonomyView {
    pub priorities: Vec<TermView>,
    pub practice_areas: Vec<TermView>,
    pub topics: Vec<TermView>,
    pub evidence_types: Vec<TermView>,
    pub nations: Vec<TermView>,
    pub regions: Vec<TermView>,
    pub submission_kinds: Vec<TermView>,
    pub statuses: Vec<TermView>,
    pub adoption_statuses: Vec<TermView>,
    pub measure_types: Vec<TermView>,
    pub pdsa_decisions: Vec<TermView>,
    pub demographics: DemographicOptions,
}

fn terms(taxonomy: &Taxonomy, vocabulary: Vocabulary) -> Vec<TermView> {
    taxonomy
        .terms(vocabulary)
        .iter()
        .map(|t| TermView {
            code: t.code.clone(),
            label: t.label.clone(),
            number: t.number,
            nation: t.parent.clone(),
        })
        .collect()
}

fn with_prefer_not_to_say(mut list: Vec<TermView>) -> Vec<TermView> {
    list.push(TermView {
        code: Taxonomy::PREFER_NOT_TO_SAY.into(),
        label: "Prefer not to say".into(),
        number: None,
        nation: None,
    });
    list
}

fn fixed(pairs: &[(&str, &str)]) -> Vec<TermView> {
    pairs
        .iter()
        .map(|(code, label)| TermView {
            code: (*code).into(),
            label: (*label).into(),
            number: None,
            nation: None,
        })
        .collect()
}

fn label_of(code: &str) -> String {
    let spaced = code.replace('_', " ");
    let mut chars = spaced.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

impl From<&Taxonomy> for TaxonomyView {
    fn from(t: &Taxonomy) -> Self {
        TaxonomyView {
            priorities: terms(t, Vocabulary::Priority),
            practice_areas: terms(t, Vocabulary::PracticeArea),
            topics: terms(t, Vocabulary::Topic),
            evidence_types: terms(t, Vocabulary::EvidenceType),
            nations: terms(t, Vocabulary::Nation),
            regions: terms(t, Vocabulary::Region),
            submission_kinds: SubmissionKind::ALL
                .iter()
                .map(|k| fixed(&[(k.as_str(), &label_of(k.as_str()))]).remove(0))
                .collect(),
            statuses: Status::ALL
                .iter()
                .map(|s| fixed(&[(s.as_str(), &label_of(s.as_str()))]).remove(0))
                .collect(),
            adoption_statuses: fixed(&[
                ("proposed", "Proposed"),
                ("adopted_locally", "Adopted locally"),
                ("adopted_by_partner", "Adopted by a partner"),
                ("rolled_out", "Rolled out more widely"),
            ]),
            measure_types: fixed(&[
                ("outcome", "Outcome"),
                ("process", "Process"),
                ("balancing", "Balancing"),
            ]),
            pdsa_decisions: fixed(&[
                ("adapt", "Adapt"),
                ("adopt", "Adopt"),
                ("abandon", "Abandon"),
            ]),
            demographics: DemographicOptions {
                career_stages: with_prefer_not_to_say(terms(t, Vocabulary::CareerStage)),
                levels_of_practice: with_prefer_not_to_say(terms(t, Vocabulary::LevelOfPractice)),
                sectors: with_prefer_not_to_say(terms(t, Vocabulary::Sector)),
                nations: with_prefer_not_to_say(terms(t, Vocabulary::Nation)),
                regions: with_prefer_not_to_say(terms(t, Vocabulary::Region)),
                job_title: "free text, at most 100 characters, or prefer_not_to_say".into(),
            },
        }
    }
}
