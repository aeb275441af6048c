use crate::taxonomy::{Taxonomy, Vocabulary};
use crate::validation::{ValidationErrors, check_length};

/// The longest job title.
pub const JOB_TITLE_MAX: usize = 100;
use serde::{Deserialize, Serialize};

/// What a member chooses to tell about themselves. Every field is optional and
/// every closed list offers `prefer_not_to_say`. Only aggregates leave the hub.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demographics {
    pub career_stage: Option<String>,
    pub level_of_practice: Option<String>,
    pub sector: Option<String>,
    pub job_title: Option<String>,
    pub nation: Option<String>,
    pub region: Option<String>,
}

/// A submitter's demographics recorded with a submission at its first submit
/// and kept through later submits: the quarterly summary counts people by
/// these, so an ended quarter's figures never change with a profile edit.
/// Erasing the member clears them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedDemographics {
    pub submission_id: crate::ids::SubmissionId,
    pub demographics: Demographics,
}

/// A change to demographics: `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct DemographicsPatch {
    pub career_stage: Option<Option<String>>,
    pub level_of_practice: Option<Option<String>>,
    pub sector: Option<Option<String>>,
    pub job_title: Option<Option<String>>,
    pub nation: Option<Option<String>>,
    pub region: Option<Option<String>>,
}

impl DemographicsPatch {
    /// Checks every field against the taxonomy, naming each bad one.
    pub fn validate(&self, taxonomy: &Taxonomy) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let coded = [
            ("career_stage", Vocabulary::CareerStage, &self.career_stage),
            (
                "level_of_practice",
                Vocabulary::LevelOfPractice,
                &self.level_of_practice,
            ),
            ("sector", Vocabulary::Sector, &self.sector),
            ("nation", Vocabulary::Nation, &self.nation),
            ("region", Vocabulary::Region, &self.region),
        ];
        for (field, vocabulary, value) in coded {
            if let Some(Some(code)) = value {
                let allowed =
                    code == Taxonomy::PREFER_NOT_TO_SAY || taxonomy.contains(vocabulary, code);
                if !allowed {
                    errors.push(taxonomy.unknown_code(field, vocabulary, code));
                }
            }
        }
        if let Some(Some(job_title)) = &self.job_title {
            check_length(&mut errors, "job_title", job_title, 1, JOB_TITLE_MAX);
        }
        errors.into_result()
    }

    pub fn apply(self, demographics: &mut Demographics) {
        let pairs = [
            (self.career_stage, &mut demographics.career_stage),
            (self.level_of_practice, &mut demographics.level_of_practice),
            (self.sector, &mut demographics.sector),
            (self.job_title, &mut demographics.job_title),
            (self.nation, &mut demographics.nation),
            (self.region, &mut demographics.region),
        ];
        for (change, field) in pairs {
            if let Some(value) = change {
                *field = value;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_codes_are_named_and_known_ones_apply() {
        let taxonomy = Taxonomy::reference();
        let patch = DemographicsPatch {
            career_stage: Some(Some("galactic".into())),
            region: Some(Some("london".into())),
            sector: Some(Some(Taxonomy::PREFER_NOT_TO_SAY.into())),
            ..Default::default()
        };
        let errors = patch.validate(&taxonomy).unwrap_err();
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["career_stage"]);

        let mut demographics = Demographics {
            job_title: Some("OT".into()),
            ..Default::default()
        };
        DemographicsPatch {
            job_title: Some(None),
            region: Some(Some("london".into())),
            ..Default::default()
        }
        .apply(&mut demographics);
        assert_eq!(demographics.job_title, None);
        assert_eq!(demographics.region.as_deref(), Some("london"));
    }
}
