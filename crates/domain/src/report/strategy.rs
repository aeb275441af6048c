//! The strategy's measures beyond submissions: business cases presented at
//! idea clinics, spread to other organisations, and inclusion in national and
//! regional reports. Each counted by the day it happened, in the quarter.

use super::{CountMap, Row};
use crate::clinic::Feasibility;
use crate::spread::{InclusionScope, OrganisationType};
use crate::taxonomy::{Taxonomy, Vocabulary};
use serde::{Deserialize, Serialize};

/// Raw counts of one quarter's days, as storage computes them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StrategyFigures {
    /// Clinics held on a day of the quarter.
    pub clinics_held: i64,
    /// Business cases presented at those clinics.
    pub business_cases_presented: i64,
    pub presented_by_feasibility: CountMap,
    /// Adoptions by other organisations dated (`adopted_on`) in the quarter.
    pub adoptions_reported: i64,
    /// Distinct adopting organisations among them (by name, ignoring case
    /// and surrounding spaces).
    pub organisations: i64,
    pub adoptions_by_organisation_type: CountMap,
    pub adoptions_by_nation: CountMap,
    /// Investment those adoptions reported, in GBP pence.
    pub investment_pence: i64,
    /// Distinct submissions included in reports published in the quarter.
    pub examples_included: i64,
    /// Distinct reports (by title) published in the quarter that included work.
    pub reports: i64,
    /// Inclusions by the report's scope.
    pub inclusions_by_scope: CountMap,
}

/// Business cases presented at idea clinics.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdeaClinicMeasures {
    pub clinics_held: Row,
    pub business_cases_presented: Row,
    /// Presentations by the panel's feasibility: `high`, `medium`, `low`.
    pub by_feasibility: Vec<Row>,
}

/// Adoption of published work by other organisations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpreadMeasures {
    pub adoptions_reported: Row,
    /// Distinct adopting organisations.
    pub organisations: Row,
    pub by_organisation_type: Vec<Row>,
    pub by_nation: Vec<Row>,
    /// Investment the adopting organisations reported, in GBP pence.
    pub investment_pence: Row,
}

/// Inclusion of hub work in national and regional reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InclusionMeasures {
    /// Distinct submissions included.
    pub examples_included: Row,
    /// Distinct reports that included them.
    pub reports: Row,
    /// Inclusions by scope: `national`, `regional`.
    pub by_scope: Vec<Row>,
}

/// The strategy's measures of a quarter, each against the previous quarter
/// and the same quarter a year before. Counted by the day each thing
/// happened: a clinic's `held_on`, an adoption's `adopted_on`, a report's
/// `published_on`. No count here is of people.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StrategyMeasures {
    pub idea_clinics: IdeaClinicMeasures,
    pub spread: SpreadMeasures,
    pub inclusions: InclusionMeasures,
}

fn row(key: &str, label: &str, [now, before, last_year]: [i64; 3]) -> Row {
    Row::new(key, label, now, before, last_year)
}

/// One count of the three quarters.
fn each(figures: [&StrategyFigures; 3], count: impl Fn(&StrategyFigures) -> i64) -> [i64; 3] {
    figures.map(count)
}

fn from_map(map: &CountMap, key: &str) -> i64 {
    map.get(key).copied().unwrap_or(0)
}

/// Rows for every `(key, label)`, in order.
fn rows(
    figures: [&StrategyFigures; 3],
    keys: &[(String, String)],
    map: impl Fn(&StrategyFigures) -> &CountMap,
) -> Vec<Row> {
    keys.iter()
        .map(|(key, label)| row(key, label, each(figures, |f| from_map(map(f), key))))
        .collect()
}

fn labelled(codes: impl IntoIterator<Item = &'static str>) -> Vec<(String, String)> {
    codes
        .into_iter()
        .map(|c| (c.to_owned(), c.replace('_', " ")))
        .collect()
}

/// The measures of `[quarter, previous, same quarter last year]`.
pub fn strategy_measures(figures: [&StrategyFigures; 3], taxonomy: &Taxonomy) -> StrategyMeasures {
    let nations: Vec<(String, String)> = taxonomy
        .terms(Vocabulary::Nation)
        .iter()
        .map(|t| (t.code.clone(), t.label.clone()))
        .collect();
    StrategyMeasures {
        idea_clinics: IdeaClinicMeasures {
            clinics_held: row(
                "clinics_held",
                "Idea clinics held",
                each(figures, |f| f.clinics_held),
            ),
            business_cases_presented: row(
                "business_cases_presented",
                "Business cases presented",
                each(figures, |f| f.business_cases_presented),
            ),
            by_feasibility: rows(
                figures,
                &labelled(Feasibility::ALL.map(Feasibility::as_str)),
                |f| &f.presented_by_feasibility,
            ),
        },
        spread: SpreadMeasures {
            adoptions_reported: row(
                "adoptions_reported",
                "Adoptions reported by other organisations",
                each(figures, |f| f.adoptions_reported),
            ),
            organisations: row(
                "organisations",
                "Adopting organisations",
                each(figures, |f| f.organisations),
            ),
            by_organisation_type: rows(
                figures,
                &labelled(OrganisationType::ALL.map(OrganisationType::as_str)),
                |f| &f.adoptions_by_organisation_type,
            ),
            by_nation: rows(figures, &nations, |f| &f.adoptions_by_nation),
            investment_pence: row(
                "investment_pence",
                "Investment reported by adopting organisations (pence)",
                each(figures, |f| f.investment_pence),
            ),
        },
        inclusions: InclusionMeasures {
            examples_included: row(
                "examples_included",
                "Examples included in reports",
                each(figures, |f| f.examples_included),
            ),
            reports: row(
                "reports",
                "Reports including hub examples",
                each(figures, |f| f.reports),
            ),
            by_scope: rows(
                figures,
                &labelled(InclusionScope::ALL.map(InclusionScope::as_str)),
                |f| &f.inclusions_by_scope,
            ),
        },
    }
}

/// The measures as lines of the tidy table: (section, dimension, row).
pub fn strategy_rows(m: &StrategyMeasures) -> Vec<(&'static str, &'static str, &Row)> {
    let c = &m.idea_clinics;
    let s = &m.spread;
    let i = &m.inclusions;
    let mut out = vec![
        ("idea_clinics", "clinics_held", &c.clinics_held),
        (
            "idea_clinics",
            "business_cases_presented",
            &c.business_cases_presented,
        ),
    ];
    out.extend(
        c.by_feasibility
            .iter()
            .map(|r| ("idea_clinics", "by_feasibility", r)),
    );
    out.push(("spread", "adoptions_reported", &s.adoptions_reported));
    out.push(("spread", "organisations", &s.organisations));
    out.extend(
        s.by_organisation_type
            .iter()
            .map(|r| ("spread", "by_organisation_type", r)),
    );
    out.extend(s.by_nation.iter().map(|r| ("spread", "by_nation", r)));
    out.push(("spread", "investment_pence", &s.investment_pence));
    out.push(("inclusions", "examples_included", &i.examples_included));
    out.push(("inclusions", "reports", &i.reports));
    out.extend(i.by_scope.iter().map(|r| ("inclusions", "by_scope", r)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_feasibility_scope_and_organisation_type_has_a_row_compared_across_quarters() {
        let now = StrategyFigures {
            clinics_held: 2,
            business_cases_presented: 3,
            presented_by_feasibility: CountMap::from([("high".into(), 2), ("low".into(), 1)]),
            adoptions_reported: 1,
            adoptions_by_nation: CountMap::from([("england".into(), 1)]),
            ..Default::default()
        };
        let before = StrategyFigures {
            clinics_held: 1,
            ..Default::default()
        };
        let measures = strategy_measures(
            [&now, &before, &StrategyFigures::default()],
            &Taxonomy::reference(),
        );

        assert_eq!(measures.idea_clinics.clinics_held.change, 1);
        let feasibility: Vec<(String, i64)> = measures
            .idea_clinics
            .by_feasibility
            .iter()
            .map(|r| (r.key.clone(), r.count))
            .collect();
        assert_eq!(
            feasibility,
            vec![
                ("high".to_owned(), 2),
                ("medium".to_owned(), 0),
                ("low".to_owned(), 1)
            ]
        );
        assert_eq!(measures.spread.by_organisation_type.len(), 7);
        assert_eq!(measures.spread.by_nation.len(), 4);
        assert_eq!(measures.inclusions.by_scope.len(), 2);
    }
}
