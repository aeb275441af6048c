//! Idea clinics: admins hold clinics where business cases are presented to a
//! panel, which records how feasible the idea is and how likely the system
//! is to adopt it. The author reads the panel's view of their case.

mod use_cases;

pub use use_cases::{ClinicError, ClinicService, PresentError};

use crate::ids::{MemberId, SubmissionId};
use crate::submission::check_place;
use crate::taxonomy::Taxonomy;
use crate::validation::{ValidationErrors, check_length};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The longest clinic title, in characters.
pub const TITLE_MAX: usize = 200;
/// The longest panel notes, in characters.
pub const NOTES_MAX: usize = 10_000;
/// The panel's scale of how likely the system is to adopt the idea.
pub const LIKELIHOOD: std::ops::RangeInclusive<i32> = 1..=5;

/// A clinic to hold.
#[derive(Debug, Clone, PartialEq)]
pub struct NewClinic {
    pub title: String,
    pub held_on: NaiveDate,
    pub nation: String,
    pub region: Option<String>,
}

/// A clinic as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct IdeaClinic {
    pub id: Uuid,
    pub clinic: NewClinic,
    pub created_by: Option<MemberId>,
    pub created_at: DateTime<Utc>,
}

impl IdeaClinic {
    /// Held by `today`: what members see.
    pub fn is_held(&self, today: NaiveDate) -> bool {
        self.clinic.held_on <= today
    }
}

/// How feasible the panel judged the idea to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Feasibility {
    High,
    Medium,
    Low,
}

impl Feasibility {
    pub const ALL: [Feasibility; 3] = [Feasibility::High, Feasibility::Medium, Feasibility::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Feasibility::High => "high",
            Feasibility::Medium => "medium",
            Feasibility::Low => "low",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == raw)
    }
}

/// What the panel made of a business case presented at a clinic.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelView {
    pub submission_id: SubmissionId,
    pub feasibility: Feasibility,
    /// 1 (unlikely) to 5 (very likely).
    pub adoption_likelihood: i32,
    pub panel_notes: String,
}

/// A presentation as recorded, with the clinic it was made at.
#[derive(Debug, Clone, PartialEq)]
pub struct Presentation {
    pub id: Uuid,
    pub clinic_id: Uuid,
    pub clinic_title: String,
    pub held_on: NaiveDate,
    pub view: PanelView,
    pub recorded_by: Option<MemberId>,
    pub recorded_at: DateTime<Utc>,
}

/// Checks a clinic: a title and a known place.
pub fn check_clinic(clinic: &NewClinic, taxonomy: &Taxonomy) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    check_length(&mut errors, "title", &clinic.title, 1, TITLE_MAX);
    check_place(
        &mut errors,
        taxonomy,
        Some(clinic.nation.as_str()),
        clinic.region.as_deref(),
    );
    errors.into_result()
}

/// Checks the panel's view: a likelihood on the scale and notes of a fit length.
pub fn check_panel_view(view: &PanelView) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if !LIKELIHOOD.contains(&view.adoption_likelihood) {
        errors.add(
            "adoption_likelihood",
            "out_of_range",
            "must be a whole number from 1 to 5",
        );
    }
    check_length(&mut errors, "panel_notes", &view.panel_notes, 1, NOTES_MAX);
    errors.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn likelihood_runs_from_one_to_five_and_notes_are_required() {
        let view = PanelView {
            submission_id: SubmissionId(Uuid::nil()),
            feasibility: Feasibility::High,
            adoption_likelihood: 6,
            panel_notes: " ".into(),
        };
        let fields: Vec<String> = check_panel_view(&view)
            .err()
            .map(|e| e.errors().iter().map(|f| f.field.clone()).collect())
            .unwrap_or_default();
        assert_eq!(fields, vec!["adoption_likelihood", "panel_notes"]);
        assert!(
            check_panel_view(&PanelView {
                adoption_likelihood: 5,
                panel_notes: "Strong case".into(),
                ..view
            })
            .is_ok()
        );
    }

    #[test]
    fn a_clinic_region_lies_in_its_nation() {
        let clinic = NewClinic {
            title: "Spring clinic".into(),
            held_on: NaiveDate::MIN,
            nation: "scotland".into(),
            region: Some("london".into()),
        };
        let errors = check_clinic(&clinic, &Taxonomy::reference()).err();
        assert_eq!(
            errors.map(|e| e.errors()[0].code.clone()).as_deref(),
            Some("region_outside_nation")
        );
    }
}
