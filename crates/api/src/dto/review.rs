use crate::dto::submission::{AuthorView, SubmissionView};
use chrono::{DateTime, NaiveDate, Utc};
use domain::member::FORMER_MEMBER_NAME;
use domain::recommendation::RecommendationStatus;
use domain::repository::{RecommendationEvent, Revision, Transition};
use domain::review::{Decision, Review};
use domain::submission::{AdoptionStatus, Content, Status, SubmissionKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Scores from 1 to 5 for each rubric criterion.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RubricScores {
    pub clarity_of_problem_and_context: Option<i64>,
    pub measurement_and_data: Option<i64>,
    pub evidence_of_impact: Option<i64>,
    pub involvement_of_people_who_use_services: Option<i64>,
    pub transferability_and_spread: Option<i64>,
}

/// An optional comment for each rubric criterion.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RubricComments {
    pub clarity_of_problem_and_context: Option<String>,
    pub measurement_and_data: Option<String>,
    pub evidence_of_impact: Option<String>,
    pub involvement_of_people_who_use_services: Option<String>,
    pub transferability_and_spread: Option<String>,
}

/// A review: the rubric and a decision that moves the submission on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "scores": {
        "clarity_of_problem_and_context": 5,
        "measurement_and_data": 4,
        "evidence_of_impact": 4,
        "involvement_of_people_who_use_services": 3,
        "transferability_and_spread": 4
    },
    "comments": {"involvement_of_people_who_use_services": "Say how people who use the service shaped the visits."},
    "overall_comment": "A clear, well-measured journey others can copy.",
    "decision": "publish"
}))]
pub struct ReviewRequest {
    pub scores: RubricScores,
    #[serde(default)]
    pub comments: RubricComments,
    /// At most 5000 characters.
    pub overall_comment: Option<String>,
    pub decision: Decision,
}

impl ReviewRequest {
    /// (criterion, score, comment) for every criterion sent.
    pub fn scores(&self) -> Vec<(String, i64, Option<String>)> {
        let s = &self.scores;
        let c = &self.comments;
        [
            (
                "clarity_of_problem_and_context",
                s.clarity_of_problem_and_context,
                &c.clarity_of_problem_and_context,
            ),
            (
                "measurement_and_data",
                s.measurement_and_data,
                &c.measurement_and_data,
            ),
            (
                "evidence_of_impact",
                s.evidence_of_impact,
                &c.evidence_of_impact,
            ),
            (
                "involvement_of_people_who_use_services",
                s.involvement_of_people_who_use_services,
                &c.involvement_of_people_who_use_services,
            ),
            (
                "transferability_and_spread",
                s.transferability_and_spread,
                &c.transferability_and_spread,
            ),
        ]
        .into_iter()
        .filter_map(|(name, score, comment)| {
            score.map(|score| (name.to_owned(), score, comment.clone()))
        })
        .collect()
    }
}

/// One criterion's score.
#[derive(Debug, Serialize, ToSchema)]
pub struct CriterionView {
    pub criterion: String,
    pub score: u8,
    pub comment: Option<String>,
}

/// A recorded review.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: Uuid,
    pub submission_id: Uuid,
    pub reviewer: AuthorView,
    /// The revision reviewed.
    pub revision: i32,
    pub scores: Vec<CriterionView>,
    pub overall_comment: Option<String>,
    pub decision: Decision,
    /// The mean of the scores.
    pub quality_score: f64,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub created_at: DateTime<Utc>,
}

impl From<Review> for ReviewView {
    fn from(r: Review) -> Self {
        Self {
            id: r.id,
            submission_id: r.submission_id.0,
            reviewer: AuthorView {
                id: r.reviewer_id.map(|m| m.0),
                display_name: r.reviewer_name.unwrap_or_else(|| FORMER_MEMBER_NAME.into()),
            },
            revision: r.revision,
            scores: r
                .rubric
                .scores()
                .iter()
                .map(|c| CriterionView {
                    criterion: c.criterion.clone(),
                    score: c.score,
                    comment: c.comment.clone(),
                })
                .collect(),
            overall_comment: r.overall_comment,
            decision: r.decision,
            quality_score: r.quality_score,
            created_at: r.created_at,
        }
    }
}

/// The submission after the decision, and the review.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewOutcome {
    pub review: ReviewView,
    pub submission: SubmissionView,
}

/// Hand a submission in review to another reviewer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reviewer_id": "0193a5b0-7c1e-7d3a-9f2e-3b4c5d6e7f80"}))]
pub struct ReassignRequest {
    pub reviewer_id: Uuid,
}

/// A status change: who, when, from, to, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionView {
    pub from: Status,
    pub to: Status,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub at: DateTime<Utc>,
    pub actor: AuthorView,
    pub comment: Option<String>,
}

impl From<Transition> for TransitionView {
    fn from(t: Transition) -> Self {
        Self {
            from: t.from,
            to: t.to,
            at: t.at,
            actor: AuthorView {
                id: t.actor_id.map(|m| m.0),
                display_name: t.actor_name.unwrap_or_else(|| FORMER_MEMBER_NAME.into()),
            },
            comment: t.comment,
        }
    }
}

/// A revision in the history list.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionSummary {
    pub number: i32,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub created_at: DateTime<Utc>,
    pub title: String,
}

/// Everything that happened to a submission.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryView {
    pub transitions: Vec<TransitionView>,
    pub revisions: Vec<RevisionSummary>,
    pub reviews: Vec<ReviewView>,
    /// The revision readers see as published, if any.
    pub published_revision: Option<i32>,
}

/// One immutable revision: the whole content as it was submitted.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    pub submission_id: Uuid,
    pub number: i32,
    pub kind: SubmissionKind,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub created_at: DateTime<Utc>,
    /// Whether this is the revision that was published.
    pub published: bool,
    #[schema(value_type = Object)]
    pub content: Content,
}

impl RevisionView {
    pub fn new(submission_id: Uuid, revision: Revision, published: Option<i32>) -> Self {
        Self {
            submission_id,
            number: revision.number,
            kind: revision.kind,
            created_at: revision.created_at,
            published: published == Some(revision.number),
            content: revision.content,
        }
    }
}

/// A follow-up report about a published recommendation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"adoption_status": "adopted_by_partner", "investment_pence": 2500000, "investor": "North West ICB", "occurred_on": "2025-08-14"}))]
pub struct RecommendationEventRequest {
    /// The adoption status reached.
    pub adoption_status: Option<AdoptionStatus>,
    /// Financial investment made because of the recommendation, in GBP pence.
    pub investment_pence: Option<i64>,
    /// Who invested.
    pub investor: Option<String>,
    /// When it happened (default today): from the day the submission was
    /// first submitted to today. Quarterly figures count by this date.
    pub occurred_on: Option<NaiveDate>,
    /// Why (1–1000 characters). Required when `adoption_status` is lower
    /// than the status in effect on `occurred_on` (order: proposed <
    /// adopted_locally < adopted_by_partner < rolled_out).
    pub reason: Option<String>,
}

/// A recorded follow-up.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecommendationEventView {
    pub id: Uuid,
    pub recommendation_id: Uuid,
    pub submission_id: Uuid,
    pub adoption_status: Option<AdoptionStatus>,
    pub investment_pence: Option<i64>,
    pub investor: Option<String>,
    pub occurred_on: NaiveDate,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub reported_at: DateTime<Utc>,
    /// The reason given, if any.
    pub reason: Option<String>,
    /// `true` when this report moved the status backwards.
    pub moved_back: bool,
    /// The status in effect on `occurred_on` that it moved back from.
    pub moved_back_from: Option<AdoptionStatus>,
}

impl From<RecommendationEvent> for RecommendationEventView {
    fn from(e: RecommendationEvent) -> Self {
        Self {
            id: e.id,
            recommendation_id: e.recommendation_id,
            submission_id: e.submission_id.0,
            adoption_status: e.adoption_status,
            investment_pence: e.investment_pence,
            investor: e.investor,
            occurred_on: e.occurred_on,
            reported_at: e.reported_at,
            reason: e.reason,
            moved_back: e.moved_back_from.is_some(),
            moved_back_from: e.moved_back_from,
        }
    }
}

/// A recommendation with its follow-up so far.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecommendationStatusView {
    pub id: Uuid,
    pub text: String,
    /// As written in the submission.
    pub original_adoption_status: AdoptionStatus,
    /// The latest reported status (by `occurred_on`, then as reported).
    pub adoption_status: AdoptionStatus,
    /// Set when the latest status was reached by moving backwards: that
    /// report, with its reason.
    pub moved_back: Option<RecommendationEventView>,
    /// All investment reported, in the submission and in follow-ups, in GBP pence.
    pub investment_reported_pence: i64,
    pub events: Vec<RecommendationEventView>,
}

impl From<RecommendationStatus> for RecommendationStatusView {
    fn from(status: RecommendationStatus) -> Self {
        Self {
            id: status.id,
            text: status.text,
            original_adoption_status: status.original_adoption_status,
            adoption_status: status.adoption_status,
            moved_back: status.moved_back.map(Into::into),
            investment_reported_pence: status.investment_reported_pence,
            events: status.events.into_iter().map(Into::into).collect(),
        }
    }
}

/// Follow-ups reported in a quarter.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecommendationEventsView {
    pub quarter: String,
    pub events: Vec<RecommendationEventView>,
}
