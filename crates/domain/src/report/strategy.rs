//! The strategy's measures beyond submissions: business cases presented at
//! idea clinics, spread to other organisations, and inclusion in national and
//! regional reports. Each counted by the day it happened, in the quarter.

use super::{CountMap, PeopleComparison, Row};
use crate::clinic::Feasibility;
use crate::resource::Approach;
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
    /// Downloads of impact-evaluation resources in the quarter.
    pub resource_downloads: i64,
    /// Distinct members who downloaded them (a count of people).
    pub resource_downloaders: i64,
    /// Downloads by the resource's evaluation approach.
    pub downloads_by_approach: CountMap,
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

/// Downloads of impact-evaluation resources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResourceMeasures {
    /// Downloads made in the quarter (every download, repeated ones too).
    pub downloads: Row,
    /// Distinct members who downloaded: a count of people, withheld from 1 to 4.
    pub distinct_members: PeopleComparison,
    /// Downloads by the resource's approach: `economic`, `social`, `experiential`.
    pub by_approach: Vec<Row>,
}

impl Default for ResourceMeasures {
    fn default() -> Self {
        Self {
            downloads: Row::new("downloads", DOWNLOADS, 0, 0, 0),
            distinct_members: PeopleComparison::new("distinct_members", DOWNLOADERS, 0, 0, 0),
            by_approach: Vec::new(),
        }
    }
}

const DOWNLOADS: &str = "Downloads of impact-evaluation resources";
const DOWNLOADERS: &str = "Members who downloaded impact-evaluation resources";

/// The strategy's measures of a quarter, each against the previous quarter
/// and the same quarter a year before. Counted by the day each thing
/// happened: a clinic's `held_on`, an adoption's `adopted_on`, a report's
/// `published_on`, a download's instant in UK time. The only count of
/// people here is `resources.distinct_members`, withheld from 1 to 4.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StrategyMeasures {
    #[serde(default)]
    pub idea_clinics: IdeaClinicMeasures,
    #[serde(default)]
    pub spread: SpreadMeasures,
    #[serde(default)]
    pub inclusions: InclusionMeasures,
    /// Absent (zero) from snapshots frozen before downloads were counted.
    #[serde(default)]
    pub resources: ResourceMeasures,
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
        resources: ResourceMeasures {
            downloads: row(
                "downloads",
                DOWNLOADS,
                each(figures, |f| f.resource_downloads),
            ),
            distinct_members: {
                let [now, before, last_year] = each(figures, |f| f.resource_downloaders);
                PeopleComparison::new("distinct_members", DOWNLOADERS, now, before, last_year)
            },
            by_approach: rows(
                figures,
                &labelled(Approach::ALL.map(Approach::as_str)),
                |f| &f.downloads_by_approach,
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
    out.push(("resources", "downloads", &m.resources.downloads));
    out.extend(
        m.resources
            .by_approach
            .iter()
            .map(|r| ("resources", "by_approach", r)),
    );
    out
}

/// The counts of people among the measures: (section, dimension, comparison).
pub fn strategy_people(
    m: &StrategyMeasures,
) -> Vec<(&'static str, &'static str, &PeopleComparison)> {
    vec![(
        "resources",
        "distinct_members",
        &m.resources.distinct_members,
    )]
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
        assert_eq!(measures.resources.by_approach.len(), 3);
    }

    #[test]
    fn distinct_downloaders_are_withheld_from_one_to_four_and_downloads_are_not() {
        let now = StrategyFigures {
            resource_downloads: 9,
            resource_downloaders: 3,
            downloads_by_approach: CountMap::from([("economic".into(), 9)]),
            ..Default::default()
        };
        let before = StrategyFigures {
            resource_downloads: 12,
            resource_downloaders: 7,
            ..Default::default()
        };
        let measures = strategy_measures(
            [&now, &before, &StrategyFigures::default()],
            &Taxonomy::reference(),
        );
        let r = &measures.resources;
        assert_eq!((r.downloads.count, r.downloads.change), (9, -3));
        assert_eq!(r.distinct_members.count, None);
        assert_eq!(r.distinct_members.previous_quarter, Some(7));
        assert_eq!(r.distinct_members.change, None);
        assert!(r.distinct_members.suppressed);
        assert_eq!(r.by_approach[0].key, "economic");
        assert_eq!(r.by_approach[0].count, 9);
    }
}
