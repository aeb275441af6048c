use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// What sort of work a submission reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubmissionKind {
    ImprovementJourney,
    CaseStudy,
    ImpactExample,
    /// A case put to the system to adopt or fund: problem, proposal, costs
    /// and benefits, the ask, and economic evidence.
    BusinessCase,
}

impl SubmissionKind {
    pub const ALL: [SubmissionKind; 4] = [
        SubmissionKind::ImprovementJourney,
        SubmissionKind::CaseStudy,
        SubmissionKind::ImpactExample,
        SubmissionKind::BusinessCase,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionKind::ImprovementJourney => "improvement_journey",
            SubmissionKind::CaseStudy => "case_study",
            SubmissionKind::ImpactExample => "impact_example",
            SubmissionKind::BusinessCase => "business_case",
        }
    }
}

impl FromStr for SubmissionKind {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or(())
    }
}
