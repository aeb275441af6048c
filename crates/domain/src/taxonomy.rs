//! The strategy's vocabulary: workforce priorities, practice areas, topics, impact
//! evidence types, nations, regions and demographic options. Migrations store it;
//! the service loads it so that every code a client sends is checked against it.

use crate::validation::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A named list of codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vocabulary {
    Priority,
    PracticeArea,
    Topic,
    EvidenceType,
    Nation,
    Region,
    CareerStage,
    LevelOfPractice,
    Sector,
}

impl Vocabulary {
    pub const ALL: [Vocabulary; 9] = [
        Vocabulary::Priority,
        Vocabulary::PracticeArea,
        Vocabulary::Topic,
        Vocabulary::EvidenceType,
        Vocabulary::Nation,
        Vocabulary::Region,
        Vocabulary::CareerStage,
        Vocabulary::LevelOfPractice,
        Vocabulary::Sector,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Vocabulary::Priority => "priority",
            Vocabulary::PracticeArea => "practice_area",
            Vocabulary::Topic => "topic",
            Vocabulary::EvidenceType => "evidence_type",
            Vocabulary::Nation => "nation",
            Vocabulary::Region => "region",
            Vocabulary::CareerStage => "career_stage",
            Vocabulary::LevelOfPractice => "level_of_practice",
            Vocabulary::Sector => "sector",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == value)
    }
}

/// One code of a vocabulary with the words people read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub code: String,
    pub label: String,
    /// The strategy's number for a workforce priority (1–4); absent elsewhere.
    pub number: Option<i32>,
    /// The nation a region belongs to; absent elsewhere.
    pub parent: Option<String>,
}

/// Every vocabulary, in display order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Taxonomy {
    terms: BTreeMap<Vocabulary, Vec<Term>>,
}

impl Taxonomy {
    pub const PREFER_NOT_TO_SAY: &'static str = "prefer_not_to_say";

    pub fn from_terms(terms: impl IntoIterator<Item = (Vocabulary, Term)>) -> Self {
        let mut taxonomy = Self::default();
        for (vocabulary, term) in terms {
            taxonomy.terms.entry(vocabulary).or_default().push(term);
        }
        taxonomy
    }

    pub fn terms(&self, vocabulary: Vocabulary) -> &[Term] {
        self.terms
            .get(&vocabulary)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn contains(&self, vocabulary: Vocabulary, code: &str) -> bool {
        self.terms(vocabulary).iter().any(|t| t.code == code)
    }

    pub fn label(&self, vocabulary: Vocabulary, code: &str) -> Option<&str> {
        self.terms(vocabulary)
            .iter()
            .find(|t| t.code == code)
            .map(|t| t.label.as_str())
    }

    /// The error for a code that is not in a vocabulary, listing what is allowed.
    pub fn unknown_code(&self, field: &str, vocabulary: Vocabulary, code: &str) -> FieldError {
        let allowed: Vec<&str> = self
            .terms(vocabulary)
            .iter()
            .map(|t| t.code.as_str())
            .collect();
        let shown: String = code.chars().take(60).collect();
        FieldError::new(
            field,
            "unknown_code",
            format!(
                "'{shown}' is not a known {}; allowed: {}",
                vocabulary.as_str(),
                allowed.join(", ")
            ),
        )
    }

    /// The reference data the strategy fixes; migrations store exactly this.
    pub fn reference() -> Self {
        Self::from_terms(
            REFERENCE_TERMS
                .iter()
                .map(|(vocabulary, code, label, number, parent)| {
                    (
                        *vocabulary,
                        Term {
                            code: (*code).to_owned(),
                            label: (*label).to_owned(),
                            number: *number,
                            parent: parent.map(str::to_owned),
                        },
                    )
                }),
        )
    }
}

/// The topic that marks AI and digital healthcare work, which the quarterly
/// summary reports on its own.
pub const AI_DIGITAL_TOPIC: &str = "ai_digital_healthcare";

type ReferenceTerm = (
    Vocabulary,
    &'static str,
    &'static str,
    Option<i32>,
    Option<&'static str>,
);

use Vocabulary as V;

/// The reference data of the Workforce Strategy 2024–2027, in display order.
pub const REFERENCE_TERMS: &[ReferenceTerm] = &[
    (
        V::Priority,
        "optimising_ot",
        "Optimising occupational therapy",
        Some(1),
        None,
    ),
    (
        V::Priority,
        "value_and_impact",
        "Demonstrating value and impact",
        Some(2),
        None,
    ),
    (
        V::Priority,
        "retention_and_career",
        "Retention and career development",
        Some(3),
        None,
    ),
    (
        V::Priority,
        "workforce_planning",
        "Effective workforce planning",
        Some(4),
        None,
    ),
    (V::PracticeArea, "primary_care", "Primary care", None, None),
    (
        V::PracticeArea,
        "community_rehabilitation",
        "Community rehabilitation (after a hospital stay)",
        None,
        None,
    ),
    (V::PracticeArea, "schools", "Schools", None, None),
    (
        V::PracticeArea,
        "children_young_people_families",
        "Children, young people and families",
        None,
        None,
    ),
    (
        V::PracticeArea,
        "mental_health",
        "Mental health",
        None,
        None,
    ),
    (V::PracticeArea, "older_people", "Older people", None, None),
    (
        V::PracticeArea,
        "learning_disabilities",
        "People with learning disabilities",
        None,
        None,
    ),
    (
        V::PracticeArea,
        "neurological_practice",
        "Neurological practice",
        None,
        None,
    ),
    (
        V::PracticeArea,
        "trauma_musculoskeletal",
        "Trauma and musculoskeletal health",
        None,
        None,
    ),
    (
        V::PracticeArea,
        "major_health_conditions",
        "Major health conditions",
        None,
        None,
    ),
    (V::PracticeArea, "housing", "Housing", None, None),
    (V::PracticeArea, "work", "Work", None, None),
    (
        V::PracticeArea,
        "independent_practice",
        "Independent practice",
        None,
        None,
    ),
    (
        V::Topic,
        AI_DIGITAL_TOPIC,
        "AI and digital healthcare",
        None,
        None,
    ),
    (
        V::EvidenceType,
        "economic",
        "Economic (for example return on investment)",
        None,
        None,
    ),
    (
        V::EvidenceType,
        "social",
        "Social (for example realist evaluation)",
        None,
        None,
    ),
    (
        V::EvidenceType,
        "experiential",
        "Experiential (people's stories)",
        None,
        None,
    ),
    (V::Nation, "england", "England", None, None),
    (
        V::Nation,
        "northern_ireland",
        "Northern Ireland",
        None,
        None,
    ),
    (V::Nation, "scotland", "Scotland", None, None),
    (V::Nation, "wales", "Wales", None, None),
    (V::Region, "eastern", "Eastern", None, Some("england")),
    (V::Region, "london", "London", None, Some("england")),
    (
        V::Region,
        "west_midlands",
        "West Midlands",
        None,
        Some("england"),
    ),
    (
        V::Region,
        "northern_ireland",
        "Northern Ireland",
        None,
        Some("northern_ireland"),
    ),
    (
        V::Region,
        "northern_and_yorkshire",
        "Northern and Yorkshire",
        None,
        Some("england"),
    ),
    (V::Region, "north_west", "North West", None, Some("england")),
    (
        V::Region,
        "scottish_eastern",
        "Scottish Eastern",
        None,
        Some("scotland"),
    ),
    (
        V::Region,
        "scottish_northern",
        "Scottish Northern",
        None,
        Some("scotland"),
    ),
    (
        V::Region,
        "scottish_western",
        "Scottish Western",
        None,
        Some("scotland"),
    ),
    (V::Region, "south_east", "South East", None, Some("england")),
    (V::Region, "south_west", "South West", None, Some("england")),
    (V::Region, "trent", "Trent", None, Some("england")),
    (V::Region, "wales", "Wales", None, Some("wales")),
    (V::CareerStage, "learner", "Learner", None, None),
    (V::CareerStage, "early", "Early career", None, None),
    (V::CareerStage, "mid", "Mid career", None, None),
    (V::CareerStage, "late", "Late career", None, None),
    (V::LevelOfPractice, "novice", "Novice", None, None),
    (V::LevelOfPractice, "competent", "Competent", None, None),
    (V::LevelOfPractice, "proficient", "Proficient", None, None),
    (V::LevelOfPractice, "enhanced", "Enhanced", None, None),
    (V::LevelOfPractice, "advanced", "Advanced", None, None),
    (V::LevelOfPractice, "consultant", "Consultant", None, None),
    (V::Sector, "statutory", "Statutory", None, None),
    (V::Sector, "private", "Private", None, None),
    (V::Sector, "independent", "Independent", None, None),
    (
        V::Sector,
        "social_enterprise",
        "Social enterprise",
        None,
        None,
    ),
    (V::Sector, "charity", "Charity", None, None),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_data_holds_the_four_priorities_in_order() {
        let taxonomy = Taxonomy::reference();
        let numbers: Vec<Option<i32>> = taxonomy
            .terms(Vocabulary::Priority)
            .iter()
            .map(|t| t.number)
            .collect();
        assert_eq!(numbers, vec![Some(1), Some(2), Some(3), Some(4)]);
        assert_eq!(taxonomy.terms(Vocabulary::PracticeArea).len(), 13);
        assert_eq!(taxonomy.terms(Vocabulary::Region).len(), 13);
    }

    #[test]
    fn unknown_code_lists_the_allowed_ones() {
        let taxonomy = Taxonomy::reference();
        let error = taxonomy.unknown_code("nation", Vocabulary::Nation, "atlantis");
        assert!(error.message.contains("england"));
        assert_eq!(error.code, "unknown_code");
    }
}
