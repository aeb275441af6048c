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
