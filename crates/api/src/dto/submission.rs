use crate::dto::member::patch_field;
use chrono::{DateTime, Utc};
use domain::member::FORMER_MEMBER_NAME;
use domain::submission::{
    Completeness, Content, EvidenceSource, ImpactEvidence, Measure, PdsaCycle, Recommendation,
    Sections, Status, Submission, SubmissionKind,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A new submission; it is always created as a draft. Only `kind` is needed to
/// start; the rest can be filled in before submitting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "improvement_journey",
    "title": "Reducing falls after discharge with a 72-hour OT home visit",
    "summary": "A community rehabilitation team tested an occupational therapy home visit within 72 hours of discharge for people over 75, and cut 30-day readmissions for falls from 14% to 6%.",
    "sections": {
        "why_we_started": {
            "problem": "One in seven people over 75 discharged from our wards was readmitted after a fall within 30 days.",
            "available_knowledge": "Home hazard assessment by occupational therapists reduces falls in high-risk older people.",
            "rationale": "Visits were happening two to three weeks after discharge, after most falls.",
            "aims": "Cut 30-day readmissions for falls in people over 75 by half within nine months."
        },
        "what_we_did": {
            "context": "A community rehabilitation team of 12 covering a mixed urban and rural area.",
            "interventions": "A home visit by an occupational therapist within 72 hours of discharge, with equipment fitted on the day.",
            "study_of_interventions": "Weekly run charts reviewed by the team; three PDSA cycles.",
            "measures": "Outcome: 30-day falls readmissions. Process: share of visits within 72 hours. Balancing: waiting time for routine referrals.",
            "analysis": "Run chart rules for shifts and trends.",
            "ethics": "Service evaluation approved by the trust's clinical governance group."
        },
        "what_we_found": {"results": "Readmissions for falls fell from 14% to 6% over 40 weeks; 88% of visits happened within 72 hours."},
        "what_it_means": {
            "summary": "Early home visits prevented falls.",
            "interpretation": "Most falls happened in the first week at home, before the old visit date.",
            "limitations": "One team; no control group.",
            "conclusions": "Early OT home visits should be standard after discharge for people over 75."
        },
        "funding": "Funded from the team's existing budget."
    },
    "priorities": ["optimising_ot", "value_and_impact"],
    "practice_areas": ["community_rehabilitation", "older_people"],
    "topics": [],
    "nation": "england",
    "region": "north_west",
    "impact_evidence": [
        {"evidence_type": "economic", "description": "Bed days saved by avoided readmissions.", "costs_pence": 4200000, "savings_pence": 18900000, "return_on_investment": 4.5},
        {"evidence_type": "experiential", "description": "Stories from twelve people visited at home and their carers."}
    ],
    "recommendations": [
        {"text": "Offer every person over 75 an OT home visit within 72 hours of discharge.", "adoption_status": "adopted_locally", "reported_investment_pence": 6000000}
    ],
    "evidence_sources": [
        {"citation": "Pighills A, et al. Environmental assessment and modification to prevent falls in older people. J Am Geriatr Soc. 2011;59(1):26-33."}
    ],
    "pdsa_cycles": [
        {"change_idea": "Book the home visit before discharge", "prediction": "Half of visits will happen within 72 hours", "plan": "Ward OTs book visits on the discharge checklist", "what_happened": "61% within 72 hours", "what_was_learned": "Weekend discharges were missed", "decision": "adapt", "started_on": "2025-01-06", "ended_on": "2025-02-02"}
    ],
    "measures": [
        {"name": "30-day readmissions for falls", "measure_type": "outcome", "unit": "%", "data_points": [{"date": "2025-01-06", "value": 14.0}, {"date": "2025-02-03", "value": 9.5}, {"date": "2025-03-03", "value": 6.0}]}
    ]
}))]
pub struct CreateSubmissionRequest {
    pub kind: SubmissionKind,
    #[serde(default)]
    pub title: String,
    /// The abstract: what was done and what it achieved, in a paragraph.
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub sections: Sections,
    /// Workforce priority codes (at least one before submitting).
    #[serde(default)]
    pub priorities: Vec<String>,
    /// Practice area codes.
    #[serde(default)]
    pub practice_areas: Vec<String>,
    /// Topic codes, e.g. `ai_digital_healthcare`.
    #[serde(default)]
    pub topics: Vec<String>,
    /// The nation the work took place in.
    pub nation: Option<String>,
    /// The region the work took place in.
    pub region: Option<String>,
    #[serde(default)]
    pub impact_evidence: Vec<ImpactEvidence>,
    #[serde(default)]
    pub recommendations: Vec<Recommendation>,
    #[serde(default)]
    pub evidence_sources: Vec<EvidenceSource>,
    /// Improvement journeys only.
    #[serde(default)]
    pub pdsa_cycles: Vec<PdsaCycle>,
    /// Improvement journeys only.
    #[serde(default)]
    pub measures: Vec<Measure>,
}

impl CreateSubmissionRequest {
    pub fn into_parts(self) -> (SubmissionKind, Content) {
        let content = Content {
            title: self.title,
            summary: self.summary,
            sections: self.sections,
            priorities: self.priorities,
            practice_areas: self.practice_areas,
            topics: self.topics,
            nation: self.nation,
            region: self.region,
            impact_evidence: self.impact_evidence,
            recommendations: self.recommendations,
            evidence_sources: self.evidence_sources,
            pdsa_cycles: self.pdsa_cycles,
            measures: self.measures,
        };
        (self.kind, content)
    }
}

/// A change to a draft (or to work returned for changes). Fields sent replace
/// what is stored, lists whole; absent fields stay; `null` clears nation or region.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Reducing falls after discharge with a 72-hour OT home visit",
    "priorities": ["optimising_ot", "value_and_impact"],
    "region": null
}))]
pub struct UpdateSubmissionRequest {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub sections: Option<Sections>,
    pub priorities: Option<Vec<String>>,
    pub practice_areas: Option<Vec<String>>,
    pub topics: Option<Vec<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub nation: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    pub region: Option<Option<String>>,
    pub impact_evidence: Option<Vec<ImpactEvidence>>,
    pub recommendations: Option<Vec<Recommendation>>,
    pub evidence_sources: Option<Vec<EvidenceSource>>,
    pub pdsa_cycles: Option<Vec<PdsaCycle>>,
    pub measures: Option<Vec<Measure>>,
}

impl UpdateSubmissionRequest {
    /// The content after this change.
    pub fn apply(self, mut content: Content) -> Content {
        macro_rules! replace {
            ($($field:ident),*) => { $( if let Some(value) = self.$field { content.$field = value; } )* };
        }
        replace!(
            title,
            summary,
            sections,
            priorities,
            practice_areas,
            topics,
            nation,
            region,
            impact_evidence,
            recommendations,
            evidence_sources,
            pdsa_cycles,
            measures
        );
        content
    }
}

/// Who wrote a submission.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorView {
    /// Absent once the author has erased their account.
    pub id: Option<Uuid>,
    /// "Former member" once the author has erased their account.
    pub display_name: String,
}

/// How fully the submission covers its reporting items (SQUIRE 2.0 for journeys).
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletenessView {
    /// Share of items covered, 0–1.
    pub score: f64,
    pub covered: Vec<String>,
    pub missing: Vec<String>,
}

impl From<Completeness> for CompletenessView {
    fn from(c: Completeness) -> Self {
        Self {
            score: c.score,
            covered: c.covered,
            missing: c.missing,
        }
    }
}

fn author_of(submission: &Submission) -> AuthorView {
    AuthorView {
        id: submission.author_id.map(|a| a.0),
        display_name: submission
            .author_name
            .clone()
            .unwrap_or_else(|| FORMER_MEMBER_NAME.to_owned()),
    }
}

/// A submission with everything it says.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionView {
    pub id: Uuid,
    pub kind: SubmissionKind,
    pub status: Status,
    /// Send back as `If-Match` (the `ETag`) when updating.
    pub version: i32,
    pub author: AuthorView,
    pub title: String,
    pub summary: String,
    pub sections: Sections,
    pub priorities: Vec<String>,
    pub practice_areas: Vec<String>,
    pub topics: Vec<String>,
    pub nation: Option<String>,
    pub region: Option<String>,
    pub impact_evidence: Vec<ImpactEvidence>,
    pub recommendations: Vec<Recommendation>,
    pub evidence_sources: Vec<EvidenceSource>,
    pub pdsa_cycles: Vec<PdsaCycle>,
    pub measures: Vec<Measure>,
    /// Computed when submitted: the reporting items covered and missing.
    pub completeness: Option<CompletenessView>,
    /// The mean rubric score of the latest review (1–5).
    pub quality_score: Option<f64>,
    /// How many hub submissions cite this one.
    pub times_cited: i64,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub updated_at: DateTime<Utc>,
    /// Set on the first submit; quarterly reports count by it.
    #[serde(serialize_with = "domain::timestamp::serialize_option")]
    pub submitted_at: Option<DateTime<Utc>>,
    /// The reviewer who claimed it.
    pub reviewer_id: Option<Uuid>,
    /// The revision that was published (see `GET …/revisions/{n}`).
    pub published_revision: Option<i32>,
}

impl From<Submission> for SubmissionView {
    fn from(s: Submission) -> Self {
        let author = author_of(&s);
        let c = s.content;
        Self {
            id: s.id.0,
            kind: s.kind,
            status: s.status,
            version: s.version,
            author,
            title: c.title,
            summary: c.summary,
            sections: c.sections,
            priorities: c.priorities,
            practice_areas: c.practice_areas,
            topics: c.topics,
            nation: c.nation,
            region: c.region,
            impact_evidence: c.impact_evidence,
            recommendations: c.recommendations,
            evidence_sources: c.evidence_sources,
            pdsa_cycles: c.pdsa_cycles,
            measures: c.measures,
            completeness: s.completeness.map(Into::into),
            quality_score: s.quality_score,
            times_cited: s.times_cited,
            created_at: s.created_at,
            updated_at: s.updated_at,
            submitted_at: s.submitted_at,
            reviewer_id: s.reviewer_id.map(|r| r.0),
            published_revision: s.published_revision,
        }
    }
}

/// A submission in a list: enough to show and filter, without the sections.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionSummary {
    pub id: Uuid,
    pub kind: SubmissionKind,
    pub status: Status,
    pub version: i32,
    pub author: AuthorView,
    pub title: String,
    pub summary: String,
    pub priorities: Vec<String>,
    pub practice_areas: Vec<String>,
    pub topics: Vec<String>,
    pub evidence_types: Vec<String>,
    pub nation: Option<String>,
    pub region: Option<String>,
    pub completeness_score: Option<f64>,
    pub quality_score: Option<f64>,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub updated_at: DateTime<Utc>,
    #[serde(serialize_with = "domain::timestamp::serialize_option")]
    pub submitted_at: Option<DateTime<Utc>>,
    /// How the item matched `q`; present only in a list searched with `q`.
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    pub search_match: Option<SearchMatchView>,
}

/// How a listed submission matched the search text.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchMatchView {
    /// Relevance: higher is better; comparable within one search only. A
    /// match in the title counts more than one in the summary, which counts
    /// more than one in the sections, recommendations or tag labels.
    #[schema(example = 0.0608)]
    pub rank: f64,
    /// Plain text around the first match, HTML-escaped, with each matched
    /// word wrapped in `<mark>` and `</mark>`: safe to insert as HTML.
    #[schema(example = "Fewer <mark>falls</mark> after a home hazard check &amp; review")]
    pub snippet: String,
}

impl From<Submission> for SubmissionSummary {
    fn from(s: Submission) -> Self {
        let author = author_of(&s);
        let evidence_types = s
            .content
            .evidence_types()
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect();
        let c = s.content;
        Self {
            id: s.id.0,
            kind: s.kind,
            status: s.status,
            version: s.version,
            author,
            title: c.title,
            summary: c.summary,
            priorities: c.priorities,
            practice_areas: c.practice_areas,
            topics: c.topics,
            evidence_types,
            nation: c.nation,
            region: c.region,
            completeness_score: s.completeness.map(|c| c.score),
            quality_score: s.quality_score,
            created_at: s.created_at,
            updated_at: s.updated_at,
            submitted_at: s.submitted_at,
            search_match: s.search_match.map(|m| SearchMatchView {
                rank: m.rank,
                snippet: m.snippet,
            }),
        }
    }
}

/// One page of submissions, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionPage {
    pub items: Vec<SubmissionSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// An optional note with a lifecycle action.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"comment": "Ready for review"}))]
pub struct TransitionRequest {
    /// Recorded with the transition; at most 2000 characters.
    pub comment: Option<String>,
}
