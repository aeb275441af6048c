//! Spread beyond the author: other members' organisations adopting published
//! work (or one of its recommendations), and admins recording that published
//! work was included in a national or regional report.

mod use_cases;

pub use use_cases::{AdoptionError, InclusionError, SpreadService};

use crate::ids::{MemberId, SubmissionId};
use crate::submission::{check_investment, check_place};
use crate::taxonomy::Taxonomy;
use crate::validation::{ValidationErrors, check_length};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The longest organisation name or report title, in characters.
pub const NAME_MAX: usize = 300;
/// The longest notes on an adoption, in characters.
pub const NOTES_MAX: usize = 5_000;
/// The longest report address, in characters.
pub const URL_MAX: usize = 2_000;

/// What sort of organisation adopted the work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrganisationType {
    NhsTrust,
    LocalAuthority,
    PrimaryCare,
    Independent,
    Charity,
    Education,
    Other,
}

impl OrganisationType {
    pub const ALL: [OrganisationType; 7] = [
        OrganisationType::NhsTrust,
        OrganisationType::LocalAuthority,
        OrganisationType::PrimaryCare,
        OrganisationType::Independent,
        OrganisationType::Charity,
        OrganisationType::Education,
        OrganisationType::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrganisationType::NhsTrust => "nhs_trust",
            OrganisationType::LocalAuthority => "local_authority",
            OrganisationType::PrimaryCare => "primary_care",
            OrganisationType::Independent => "independent",
            OrganisationType::Charity => "charity",
            OrganisationType::Education => "education",
            OrganisationType::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }
}

/// What a member reports about their organisation adopting published work.
#[derive(Debug, Clone, PartialEq)]
pub struct AdoptionReport {
    pub organisation: String,
    pub organisation_type: OrganisationType,
    pub nation: String,
    pub region: Option<String>,
    pub adopted_on: NaiveDate,
    /// One of the submission's recommendations, when that is what was adopted.
    pub recommendation_id: Option<Uuid>,
    pub investment_pence: Option<i64>,
    pub notes: Option<String>,
}

/// An adoption as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Adoption {
    pub id: Uuid,
    pub submission_id: SubmissionId,
    /// Who reported it; `None` once they are erased.
    pub reported_by: Option<MemberId>,
    pub report: AdoptionReport,
    pub reported_at: DateTime<Utc>,
}

/// How wide a report's reach is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InclusionScope {
    National,
    Regional,
}

impl InclusionScope {
    pub const ALL: [InclusionScope; 2] = [InclusionScope::National, InclusionScope::Regional];

    pub fn as_str(self) -> &'static str {
        match self {
            InclusionScope::National => "national",
            InclusionScope::Regional => "regional",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// A national or regional report that included published work.
#[derive(Debug, Clone, PartialEq)]
pub struct InclusionReport {
    pub report_title: String,
    pub scope: InclusionScope,
    /// A regional report names its nation and region; a national one may name a nation.
    pub nation: Option<String>,
    pub region: Option<String>,
    pub published_on: NaiveDate,
    /// An absolute `https` (or `http`) address of the report.
    pub url: Option<String>,
}

/// An inclusion as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Inclusion {
    pub id: Uuid,
    pub submission_id: SubmissionId,
    pub recorded_by: Option<MemberId>,
    pub report: InclusionReport,
    pub recorded_at: DateTime<Utc>,
}

/// The name two reports of one organisation (or one report title) share:
/// case and surrounding spaces aside, so the summary counts each once.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Checks an adoption report: named fields, a known place, a day from the
/// day of publication to today, a recommendation of the submission.
pub fn check_adoption(
    report: &AdoptionReport,
    taxonomy: &Taxonomy,
    published_on: Option<NaiveDate>,
    today: NaiveDate,
    recommendations: &[Uuid],
) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    check_length(
        &mut errors,
        "organisation",
        &report.organisation,
        1,
        NAME_MAX,
    );
    check_place(
        &mut errors,
        taxonomy,
        Some(report.nation.as_str()),
        report.region.as_deref(),
    );
    if report.adopted_on > today {
        errors.add("adopted_on", "in_future", "must not be after today");
    } else if let Some(published) = published_on
        && report.adopted_on < published
    {
        errors.add(
            "adopted_on",
            "before_publication",
            format!("must not be before the work was published on {published}"),
        );
    }
    if let Some(rid) = report.recommendation_id
        && !recommendations.contains(&rid)
    {
        errors.add(
            "recommendation_id",
            "unknown_recommendation",
            "must be the id of one of this submission's recommendations",
        );
    }
    check_investment(&mut errors, "investment_pence", report.investment_pence);
    if let Some(notes) = &report.notes {
        check_length(&mut errors, "notes", notes, 0, NOTES_MAX);
    }
    errors.into_result()
}

/// Checks an inclusion: a title, a place that fits the scope, a day not in
/// the future, an absolute web address.
pub fn check_inclusion(
    report: &InclusionReport,
    taxonomy: &Taxonomy,
    today: NaiveDate,
) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    check_length(
        &mut errors,
        "report_title",
        &report.report_title,
        1,
        NAME_MAX,
    );
    match report.scope {
        InclusionScope::Regional => {
            if report.nation.is_none() {
                errors.add("nation", "required", "a regional report names its nation");
            }
            if report.region.is_none() {
                errors.add("region", "required", "a regional report names its region");
            }
        }
        InclusionScope::National => {
            if report.region.is_some() {
                errors.add(
                    "region",
                    "not_applicable",
                    "a national report names no region; use scope regional",
                );
            }
        }
    }
    check_place(
        &mut errors,
        taxonomy,
        report.nation.as_deref(),
        report.region.as_deref(),
    );
    if report.published_on > today {
        errors.add("published_on", "in_future", "must not be after today");
    }
    if let Some(url) = &report.url {
        check_web_address(&mut errors, "url", url);
    }
    errors.into_result()
}

/// An absolute `https` or `http` address with a host.
fn check_web_address(errors: &mut ValidationErrors, field: &str, raw: &str) {
    if raw.chars().count() > URL_MAX {
        errors.add(
            field,
            "too_long",
            format!("must be at most {URL_MAX} characters"),
        );
        return;
    }
    let ok = url::Url::parse(raw).is_ok_and(|u| {
        matches!(u.scheme(), "https" | "http") && u.host_str().is_some_and(|h| !h.is_empty())
    });
    if !ok {
        errors.add(
            field,
            "invalid_url",
            "must be an absolute https:// (or http://) address",
        );
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn fields(result: Result<(), ValidationErrors>) -> Vec<String> {
        result
            .err()
            .map(|e| e.errors().iter().map(|f| f.field.clone()).collect())
            .unwrap_or_default()
    }

    fn adoption() -> AdoptionReport {
        AdoptionReport {
            organisation: "Northshire Community NHS Trust".into(),
            organisation_type: OrganisationType::NhsTrust,
            nation: "england".into(),
            region: Some("london".into()),
            adopted_on: day("2026-03-01"),
            recommendation_id: None,
            investment_pence: None,
            notes: None,
        }
    }

    #[test]
    fn an_adoption_is_dated_from_publication_to_today() {
        let taxonomy = Taxonomy::reference();
        let today = day("2026-03-10");
        let published = Some(day("2026-02-01"));
        assert!(check_adoption(&adoption(), &taxonomy, published, today, &[]).is_ok());
        let mut future = adoption();
        future.adopted_on = day("2026-03-11");
        assert_eq!(
            fields(check_adoption(&future, &taxonomy, published, today, &[])),
            vec!["adopted_on"]
        );
        let mut early = adoption();
        early.adopted_on = day("2026-01-31");
        assert_eq!(
            fields(check_adoption(&early, &taxonomy, published, today, &[])),
            vec!["adopted_on"]
        );
    }

    #[test]
    fn an_adoption_names_each_bad_field() {
        let report = AdoptionReport {
            organisation: " ".into(),
            nation: "england".into(),
            region: Some("wales".into()),
            recommendation_id: Some(Uuid::nil()),
            investment_pence: Some(-1),
            ..adoption()
        };
        assert_eq!(
            fields(check_adoption(
                &report,
                &Taxonomy::reference(),
                None,
                day("2026-03-10"),
                &[]
            )),
            vec![
                "organisation",
                "region",
                "recommendation_id",
                "investment_pence"
            ]
        );
    }

    #[test]
    fn a_regional_inclusion_names_its_place_and_a_url_is_absolute_web() {
        let taxonomy = Taxonomy::reference();
        let today = day("2026-03-10");
        let regional = InclusionReport {
            report_title: "Allied health in London".into(),
            scope: InclusionScope::Regional,
            nation: None,
            region: None,
            published_on: today,
            url: Some("ftp://example.org/r.pdf".into()),
        };
        assert_eq!(
            fields(check_inclusion(&regional, &taxonomy, today)),
            vec!["nation", "region", "url"]
        );
        let national = InclusionReport {
            scope: InclusionScope::National,
            nation: Some("england".into()),
            url: Some("https://example.org/r.pdf".into()),
            ..regional
        };
        assert!(check_inclusion(&national, &taxonomy, today).is_ok());
    }
}
