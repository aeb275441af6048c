//! Spread of published work (adoptions, inclusions in reports) and idea clinics.

use chrono::{DateTime, NaiveDate, Utc};
use domain::SubmissionId;
use domain::clinic::{Feasibility, IdeaClinic, NewClinic, PanelView, Presentation};
use domain::spread::{
    Adoption, AdoptionReport, Inclusion, InclusionReport, InclusionScope, OrganisationType,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A report that the reporter's organisation adopted published work, or one
/// of its recommendations. Any member but the author.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organisation": "Northshire Community NHS Trust",
    "organisation_type": "nhs_trust",
    "nation": "england",
    "region": "north_west",
    "adopted_on": "2026-01-12",
    "investment_pence": 4500000,
    "notes": "Rolled out to both community rehabilitation teams."
}))]
pub struct AdoptionRequest {
    /// The adopting organisation (1–300 characters).
    #[schema(min_length = 1, max_length = 300)]
    pub organisation: String,
    pub organisation_type: OrganisationType,
    /// A nation code from the taxonomy.
    pub nation: String,
    /// A region code of that nation.
    pub region: Option<String>,
    /// When it was adopted: from the day the work was published to today.
    pub adopted_on: NaiveDate,
    /// One of the submission's recommendations, when that is what was adopted.
    pub recommendation_id: Option<Uuid>,
    /// Investment the organisation made, in GBP pence (0 to 10^13).
    #[schema(minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub investment_pence: Option<i64>,
    /// Up to 5000 characters.
    #[schema(max_length = 5000)]
    pub notes: Option<String>,
}

impl From<AdoptionRequest> for AdoptionReport {
    fn from(r: AdoptionRequest) -> Self {
        Self {
            organisation: r.organisation,
            organisation_type: r.organisation_type,
            nation: r.nation,
            region: r.region,
            adopted_on: r.adopted_on,
            recommendation_id: r.recommendation_id,
            investment_pence: r.investment_pence,
            notes: r.notes,
        }
    }
}

/// An adoption reported by another organisation.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01939a52-7c1e-7a40-9a3e-5f1c2b7d9e10",
    "submission_id": "01939a4f-2b1c-7d20-8c1e-3a9b5c7d1e20",
    "reported_by": "01939a40-1a2b-7c30-9d4e-5f6a7b8c9d01",
    "organisation": "Northshire Community NHS Trust",
    "organisation_type": "nhs_trust",
    "nation": "england",
    "region": "north_west",
    "adopted_on": "2026-01-12",
    "recommendation_id": null,
    "investment_pence": 4500000,
    "notes": "Rolled out to both community rehabilitation teams.",
    "reported_at": "2026-01-15T10:02:11Z"
}))]
pub struct AdoptionView {
    pub id: Uuid,
    #[schema(value_type = Uuid)]
    pub submission_id: SubmissionId,
    /// The member who reported it; `null` once erased.
    pub reported_by: Option<Uuid>,
    pub organisation: String,
    pub organisation_type: OrganisationType,
    pub nation: String,
    pub region: Option<String>,
    pub adopted_on: NaiveDate,
    pub recommendation_id: Option<Uuid>,
    pub investment_pence: Option<i64>,
    pub notes: Option<String>,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub reported_at: DateTime<Utc>,
}

impl From<Adoption> for AdoptionView {
    fn from(a: Adoption) -> Self {
        Self {
            id: a.id,
            submission_id: a.submission_id,
            reported_by: a.reported_by.map(|m| m.0),
            organisation: a.report.organisation,
            organisation_type: a.report.organisation_type,
            nation: a.report.nation,
            region: a.report.region,
            adopted_on: a.report.adopted_on,
            recommendation_id: a.report.recommendation_id,
            investment_pence: a.report.investment_pence,
            notes: a.report.notes,
            reported_at: a.reported_at,
        }
    }
}

/// A national or regional report that included published work (admins).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "report_title": "Allied health professions in the North West 2026",
    "scope": "regional",
    "nation": "england",
    "region": "north_west",
    "published_on": "2026-02-20",
    "url": "https://example.org/reports/ahp-north-west-2026.pdf"
}))]
pub struct InclusionRequest {
    /// 1–300 characters.
    #[schema(min_length = 1, max_length = 300)]
    pub report_title: String,
    pub scope: InclusionScope,
    /// Required for a regional report; a national one may name its nation.
    pub nation: Option<String>,
    /// Required for a regional report (a region of `nation`); none for a national one.
    pub region: Option<String>,
    /// When the report was published; not after today.
    pub published_on: NaiveDate,
    /// An absolute `https://` (or `http://`) address, up to 2000 characters.
    #[schema(max_length = 2000)]
    pub url: Option<String>,
}

impl From<InclusionRequest> for InclusionReport {
    fn from(r: InclusionRequest) -> Self {
        Self {
            report_title: r.report_title,
            scope: r.scope,
            nation: r.nation,
            region: r.region,
            published_on: r.published_on,
            url: r.url,
        }
    }
}

/// An inclusion of published work in a report.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01939a60-1c2d-7e30-8f4a-5b6c7d8e9f01",
    "submission_id": "01939a4f-2b1c-7d20-8c1e-3a9b5c7d1e20",
    "report_title": "Allied health professions in the North West 2026",
    "scope": "regional",
    "nation": "england",
    "region": "north_west",
    "published_on": "2026-02-20",
    "url": "https://example.org/reports/ahp-north-west-2026.pdf",
    "recorded_at": "2026-02-21T09:00:00Z"
}))]
pub struct InclusionView {
    pub id: Uuid,
    #[schema(value_type = Uuid)]
    pub submission_id: SubmissionId,
    pub report_title: String,
    pub scope: InclusionScope,
    pub nation: Option<String>,
    pub region: Option<String>,
    pub published_on: NaiveDate,
    pub url: Option<String>,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub recorded_at: DateTime<Utc>,
}

impl From<Inclusion> for InclusionView {
    fn from(i: Inclusion) -> Self {
        Self {
            id: i.id,
            submission_id: i.submission_id,
            report_title: i.report.report_title,
            scope: i.report.scope,
            nation: i.report.nation,
            region: i.report.region,
            published_on: i.report.published_on,
            url: i.report.url,
            recorded_at: i.recorded_at,
        }
    }
}

/// An idea clinic to hold (admins).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "North West idea clinic, spring 2026",
    "held_on": "2026-03-18",
    "nation": "england",
    "region": "north_west"
}))]
pub struct ClinicRequest {
    /// 1–200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// When the clinic is (or was) held; members see it from that day.
    pub held_on: NaiveDate,
    pub nation: String,
    /// A region of `nation`.
    pub region: Option<String>,
}

impl From<ClinicRequest> for NewClinic {
    fn from(r: ClinicRequest) -> Self {
        Self {
            title: r.title,
            held_on: r.held_on,
            nation: r.nation,
            region: r.region,
        }
    }
}

/// An idea clinic.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01939a70-3d4e-7f50-9a6b-7c8d9e0f1a02",
    "title": "North West idea clinic, spring 2026",
    "held_on": "2026-03-18",
    "nation": "england",
    "region": "north_west",
    "created_at": "2026-03-01T12:00:00Z"
}))]
pub struct ClinicView {
    pub id: Uuid,
    pub title: String,
    pub held_on: NaiveDate,
    pub nation: String,
    pub region: Option<String>,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub created_at: DateTime<Utc>,
}

impl From<IdeaClinic> for ClinicView {
    fn from(c: IdeaClinic) -> Self {
        Self {
            id: c.id,
            title: c.clinic.title,
            held_on: c.clinic.held_on,
            nation: c.clinic.nation,
            region: c.clinic.region,
            created_at: c.created_at,
        }
    }
}

/// What the panel made of a business case presented at the clinic (admins).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "submission_id": "01939a4f-2b1c-7d20-8c1e-3a9b5c7d1e20",
    "feasibility": "high",
    "adoption_likelihood": 4,
    "panel_notes": "Strong economic case; start with one primary care network."
}))]
pub struct PresentationRequest {
    /// A business case that has been submitted (not a draft or withdrawn).
    #[schema(value_type = Uuid)]
    pub submission_id: SubmissionId,
    pub feasibility: Feasibility,
    /// 1 (unlikely) to 5 (very likely).
    #[schema(minimum = 1, maximum = 5)]
    pub adoption_likelihood: i32,
    /// 1–10000 characters.
    #[schema(min_length = 1, max_length = 10000)]
    pub panel_notes: String,
}

impl From<PresentationRequest> for PanelView {
    fn from(r: PresentationRequest) -> Self {
        Self {
            submission_id: r.submission_id,
            feasibility: r.feasibility,
            adoption_likelihood: r.adoption_likelihood,
            panel_notes: r.panel_notes,
        }
    }
}

/// A business case presented at a clinic, with the panel's view.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01939a80-4e5f-7a60-8b7c-8d9e0f1a2b03",
    "clinic_id": "01939a70-3d4e-7f50-9a6b-7c8d9e0f1a02",
    "clinic_title": "North West idea clinic, spring 2026",
    "held_on": "2026-03-18",
    "submission_id": "01939a4f-2b1c-7d20-8c1e-3a9b5c7d1e20",
    "feasibility": "high",
    "adoption_likelihood": 4,
    "panel_notes": "Strong economic case; start with one primary care network.",
    "recorded_at": "2026-03-18T16:30:00Z"
}))]
pub struct PresentationView {
    pub id: Uuid,
    pub clinic_id: Uuid,
    pub clinic_title: String,
    pub held_on: NaiveDate,
    #[schema(value_type = Uuid)]
    pub submission_id: SubmissionId,
    pub feasibility: Feasibility,
    pub adoption_likelihood: i32,
    pub panel_notes: String,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub recorded_at: DateTime<Utc>,
}

impl From<Presentation> for PresentationView {
    fn from(p: Presentation) -> Self {
        Self {
            id: p.id,
            clinic_id: p.clinic_id,
            clinic_title: p.clinic_title,
            held_on: p.held_on,
            submission_id: p.view.submission_id,
            feasibility: p.view.feasibility,
            adoption_likelihood: p.view.adoption_likelihood,
            panel_notes: p.view.panel_notes,
            recorded_at: p.recorded_at,
        }
    }
}
