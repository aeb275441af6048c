//! Follow-up on published recommendations: adoption moving on and investment
//! made, reported with the date it happened.

use crate::actor::Context;
use crate::audit::AuditEntry;
use crate::ids::SubmissionId;
use crate::quarter::{Quarter, QuarterParseError};
use crate::repository::{
    AuditRepository, RecommendationEvent, RecommendationRepository, StorageError,
    SubmissionRepository, WriteError,
};
use crate::submission::use_cases::{AccessError, load_visible};
use crate::submission::{AdoptionStatus, Status};
use crate::validation::{ValidationErrors, check_length};
use chrono::NaiveDate;
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

/// The most investment one report may name, in pence.
const MAX_INVESTMENT_PENCE: i64 = 10_000_000_000_000;

/// The use cases of follow-up, over the ports they need.
#[derive(Clone)]
pub struct RecommendationService {
    submissions: Arc<dyn SubmissionRepository>,
    recommendations: Arc<dyn RecommendationRepository>,
    audit: Arc<dyn AuditRepository>,
}

/// A follow-up as reported.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    pub adoption_status: Option<AdoptionStatus>,
    pub investment_pence: Option<i64>,
    pub investor: Option<String>,
    /// Today when left out.
    pub occurred_on: Option<NaiveDate>,
}

/// A recommendation with what has been reported on it so far.
#[derive(Debug, Clone, PartialEq)]
pub struct RecommendationStatus {
    pub id: Uuid,
    pub text: String,
    pub original_adoption_status: AdoptionStatus,
    /// The latest reported status, or the original.
    pub adoption_status: AdoptionStatus,
    pub investment_reported_pence: i64,
    pub events: Vec<RecommendationEvent>,
}

/// Why a follow-up was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum FollowUpError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("only the author or an admin reports follow-up")]
    NotAuthorOrAdmin,
    #[error("follow-up is reported on published work")]
    NotPublished(Status),
    #[error("no recommendation with this id in the submission")]
    NoSuchRecommendation,
    #[error(transparent)]
    Invalid(ValidationErrors),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why a quarter's follow-ups cannot be listed.
#[derive(Debug, thiserror::Error)]
pub enum QuarterEventsError {
    #[error("only admins may do this")]
    NotAdmin,
    #[error(transparent)]
    InvalidQuarter(#[from] QuarterParseError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl RecommendationService {
    pub fn new(
        submissions: Arc<dyn SubmissionRepository>,
        recommendations: Arc<dyn RecommendationRepository>,
        audit: Arc<dyn AuditRepository>,
    ) -> Self {
        Self {
            submissions,
            recommendations,
            audit,
        }
    }

    /// Records a follow-up on a published recommendation: by its author or an admin.
    pub async fn report(
        &self,
        ctx: &Context,
        id: SubmissionId,
        recommendation_id: Uuid,
        follow_up: FollowUp,
    ) -> Result<RecommendationEvent, FollowUpError> {
        let submission = load_visible(self.submissions.as_ref(), ctx.actor, id).await?;
        if !submission.is_author(ctx.actor.id) && !ctx.actor.role.is_admin() {
            return Err(FollowUpError::NotAuthorOrAdmin);
        }
        if submission.status != Status::Published {
            return Err(FollowUpError::NotPublished(submission.status));
        }
        if !submission
            .content
            .recommendations
            .iter()
            .any(|r| r.id == recommendation_id)
        {
            return Err(FollowUpError::NoSuchRecommendation);
        }
        let today = ctx.now.date_naive();
        let occurred_on = check(&follow_up, today).map_err(FollowUpError::Invalid)?;
        let event = self
            .recommendations
            .add_recommendation_event(RecommendationEvent {
                id: Uuid::now_v7(),
                recommendation_id,
                submission_id: submission.id,
                adoption_status: follow_up.adoption_status,
                investment_pence: follow_up.investment_pence,
                investor: follow_up.investor,
                occurred_on,
                reported_at: ctx.now,
                reported_by: Some(ctx.actor.id),
            })
            .await?;
        let entry = AuditEntry::new("recommendation_follow_up_reported", Some(ctx.actor.id))
            .target("recommendation", recommendation_id)
            .details(json!({"submission_id": submission.id.0}))
            .request(ctx.request_id.clone());
        // The follow-up is recorded already: a lost audit entry is logged, not undone.
        if let Err(error) = self.audit.record(entry).await {
            tracing::error!(action = "recommendation_follow_up_reported", error = %error, "audit entry not written");
        }
        Ok(event)
    }

    /// Each recommendation of a submission the actor may see, with its follow-up.
    pub async fn statuses(
        &self,
        ctx: &Context,
        id: SubmissionId,
    ) -> Result<Vec<RecommendationStatus>, AccessError> {
        let submission = load_visible(self.submissions.as_ref(), ctx.actor, id).await?;
        let events = self
            .recommendations
            .recommendation_events(submission.id)
            .await?;
        Ok(submission
            .content
            .recommendations
            .iter()
            .map(|rec| {
                let own: Vec<RecommendationEvent> = events
                    .iter()
                    .filter(|e| e.recommendation_id == rec.id)
                    .cloned()
                    .collect();
                RecommendationStatus {
                    id: rec.id,
                    text: rec.text.clone(),
                    original_adoption_status: rec.adoption_status,
                    adoption_status: own
                        .iter()
                        .rev()
                        .find_map(|e| e.adoption_status)
                        .unwrap_or(rec.adoption_status),
                    investment_reported_pence: own.iter().filter_map(|e| e.investment_pence).sum(),
                    events: own,
                }
            })
            .collect())
    }

    /// Follow-ups that happened in a quarter, across the hub (admins only).
    pub async fn in_quarter(
        &self,
        ctx: &Context,
        quarter: Result<Quarter, QuarterParseError>,
    ) -> Result<(Quarter, Vec<RecommendationEvent>), QuarterEventsError> {
        if !ctx.actor.role.is_admin() {
            return Err(QuarterEventsError::NotAdmin);
        }
        let quarter = quarter?;
        let events = self
            .recommendations
            .recommendation_events_between(quarter.start().date_naive(), quarter.end().date_naive())
            .await?;
        Ok((quarter, events))
    }
}

/// Checks a follow-up and gives the day it happened.
fn check(follow_up: &FollowUp, today: NaiveDate) -> Result<NaiveDate, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if follow_up.adoption_status.is_none() && follow_up.investment_pence.is_none() {
        errors.add(
            "adoption_status",
            "required",
            "report an adoption_status, an investment_pence, or both",
        );
    }
    if follow_up
        .investment_pence
        .is_some_and(|p| !(0..=MAX_INVESTMENT_PENCE).contains(&p))
    {
        errors.add(
            "investment_pence",
            "out_of_range",
            "must be a whole number of pence from 0 to 10,000,000,000,000",
        );
    }
    if let Some(investor) = &follow_up.investor {
        check_length(&mut errors, "investor", investor, 1, 200);
    }
    let occurred_on = follow_up.occurred_on.unwrap_or(today);
    if occurred_on > today {
        errors.add("occurred_on", "in_future", "must not be in the future");
    }
    errors.into_result().map(|()| occurred_on)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::actor::Actor;
    use crate::member::Role;
    use crate::submission::Recommendation;
    use crate::submission::use_cases::fakes::{Hub, member};

    fn service(hub: &Arc<Hub>) -> RecommendationService {
        RecommendationService::new(hub.clone(), hub.clone(), hub.clone())
    }

    fn as_member(n: u128, role: Role) -> Context {
        Context::new(Actor::new(member(n), role), None)
    }

    fn adopted() -> FollowUp {
        FollowUp {
            adoption_status: Some(AdoptionStatus::AdoptedLocally),
            investment_pence: None,
            investor: None,
            occurred_on: None,
        }
    }

    /// A submission by member 1 in `status` with one recommendation.
    fn with_recommendation(hub: &Hub, status: Status) -> (SubmissionId, Uuid) {
        let id = hub.holds(member(1), status);
        let recommendation = Uuid::now_v7();
        hub.change(id, |s| {
            s.content.recommendations.push(Recommendation {
                id: recommendation,
                text: "Share the falls huddle".into(),
                adoption_status: AdoptionStatus::Proposed,
                reported_investment_pence: None,
            });
        });
        (id, recommendation)
    }

    #[tokio::test]
    async fn follow_up_is_reported_by_the_author_or_an_admin_on_published_work() {
        let hub = Hub::new();
        let (published, rec) = with_recommendation(&hub, Status::Published);
        let (in_review, other_rec) = with_recommendation(&hub, Status::InReview);
        let service = service(&hub);
        let author = as_member(1, Role::Member);

        let by_member = service
            .report(&as_member(2, Role::Member), published, rec, adopted())
            .await;
        let unpublished = service
            .report(&author, in_review, other_rec, adopted())
            .await;
        let unknown = service
            .report(&author, published, Uuid::nil(), adopted())
            .await;
        let by_admin = service
            .report(&as_member(9, Role::Admin), published, rec, adopted())
            .await;

        assert!(matches!(by_member, Err(FollowUpError::NotAuthorOrAdmin)));
        assert!(matches!(
            unpublished,
            Err(FollowUpError::NotPublished(Status::InReview))
        ));
        assert!(matches!(unknown, Err(FollowUpError::NoSuchRecommendation)));
        assert_eq!(by_admin.unwrap().recommendation_id, rec);
        assert_eq!(hub.writes(), vec!["add_recommendation_event", "audit"]);
    }

    #[test]
    fn a_follow_up_says_something_and_did_not_happen_in_the_future() {
        let today = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        let empty = FollowUp {
            adoption_status: None,
            investment_pence: None,
            investor: None,
            occurred_on: today.succ_opt(),
        };
        let errors = check(&empty, today).unwrap_err();
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["adoption_status", "occurred_on"]);
        assert_eq!(check(&adopted(), today), Ok(today));
    }

    #[tokio::test]
    async fn the_quarters_follow_ups_are_for_admins() {
        let hub = Hub::new();

        let by_reviewer = service(&hub)
            .in_quarter(&as_member(2, Role::Reviewer), "2025-Q3".parse())
            .await;
        let unreadable = service(&hub)
            .in_quarter(&as_member(9, Role::Admin), "2025-Q9".parse())
            .await;

        assert!(matches!(by_reviewer, Err(QuarterEventsError::NotAdmin)));
        assert!(matches!(
            unreadable,
            Err(QuarterEventsError::InvalidQuarter(_))
        ));
    }
}
