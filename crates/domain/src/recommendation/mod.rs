//! Follow-up on published recommendations: adoption moving on and investment
//! made, reported with the date it happened.
//!
//! The status and investment written in the submission are the first report
//! of each recommendation, made when the submission was first submitted. A
//! follow-up happened on a day from that one to today. A report of a status
//! lower (see [`AdoptionStatus`]'s order) than the one in effect on its day
//! moves the recommendation backwards: allowed only with a reason, and kept
//! as such.

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
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

/// The most investment one report may name, in pence.
const MAX_INVESTMENT_PENCE: i64 = 10_000_000_000_000;

/// The longest reason for moving a status backwards, in characters.
const MAX_REASON_CHARS: usize = 1000;

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
    /// Why; required when the status moves backwards.
    pub reason: Option<String>,
}

/// A recommendation with what has been reported on it so far.
#[derive(Debug, Clone, PartialEq)]
pub struct RecommendationStatus {
    pub id: Uuid,
    pub text: String,
    pub original_adoption_status: AdoptionStatus,
    /// The latest reported status, or the original.
    pub adoption_status: AdoptionStatus,
    /// When the latest status was reached by moving backwards: the report
    /// that did so (with its reason).
    pub moved_back: Option<RecommendationEvent>,
    /// Investment written in the submission plus every follow-up's.
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
        let written = submission
            .content
            .recommendations
            .iter()
            .find(|r| r.id == recommendation_id)
            .map_or(AdoptionStatus::Proposed, |r| r.adoption_status);
        let earlier: Vec<RecommendationEvent> = self
            .recommendations
            .recommendation_events(submission.id)
            .await?
            .into_iter()
            .filter(|e| e.recommendation_id == recommendation_id)
            .collect();
        let window = DayWindow {
            first: submission.submitted_at.map(first_day),
            today: crate::quarter::uk_date(ctx.now),
        };
        let checked = check(&follow_up, window, |on| {
            status_before(written, &earlier, on.succ_opt().unwrap_or(on))
        })
        .map_err(FollowUpError::Invalid)?;
        let event = self
            .recommendations
            .add_recommendation_event(RecommendationEvent {
                id: Uuid::now_v7(),
                recommendation_id,
                submission_id: submission.id,
                adoption_status: follow_up.adoption_status,
                investment_pence: follow_up.investment_pence,
                investor: follow_up.investor,
                occurred_on: checked.occurred_on,
                reported_at: ctx.now,
                reported_by: Some(ctx.actor.id),
                reason: follow_up.reason,
                moved_back_from: checked.moved_back_from,
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
                let latest = latest_report(&own, NaiveDate::MAX);
                RecommendationStatus {
                    id: rec.id,
                    text: rec.text.clone(),
                    original_adoption_status: rec.adoption_status,
                    adoption_status: latest
                        .and_then(|e| e.adoption_status)
                        .unwrap_or(rec.adoption_status),
                    moved_back: latest.filter(|e| e.moved_back_from.is_some()).cloned(),
                    investment_reported_pence: rec.reported_investment_pence.unwrap_or(0)
                        + own.iter().filter_map(|e| e.investment_pence).sum::<i64>(),
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
        let days = crate::report::counting::days(quarter);
        let events = self
            .recommendations
            .recommendation_events_between(days.start, days.end)
            .await?;
        Ok((quarter, events))
    }
}

/// The day of an instant in the UK, for comparing with the days follow-ups
/// are dated.
pub fn first_day(submitted_at: DateTime<Utc>) -> NaiveDate {
    crate::quarter::uk_date(submitted_at)
}

/// The days a follow-up may be dated: from the day the submission was first
/// submitted to today, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayWindow {
    /// The day of the first submission (none: no lower bound).
    pub first: Option<NaiveDate>,
    pub today: NaiveDate,
}

/// Why a day falls outside the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutsideWindow {
    BeforeSubmission(NaiveDate),
    InFuture,
}

impl DayWindow {
    pub fn admits(self, day: NaiveDate) -> Result<(), OutsideWindow> {
        match self.first {
            Some(first) if day < first => Err(OutsideWindow::BeforeSubmission(first)),
            _ if day > self.today => Err(OutsideWindow::InFuture),
            _ => Ok(()),
        }
    }
}

/// The order in which reports about one recommendation follow each other:
/// by the day it happened, then as reported.
pub fn report_order(event: &RecommendationEvent) -> (NaiveDate, DateTime<Utc>, Uuid) {
    (event.occurred_on, event.reported_at, event.id)
}

/// The latest report naming a status among `events` dated before `before`.
fn latest_report(
    events: &[RecommendationEvent],
    before: NaiveDate,
) -> Option<&RecommendationEvent> {
    events
        .iter()
        .filter(|e| e.adoption_status.is_some() && e.occurred_on < before)
        .max_by_key(|e| report_order(e))
}

/// A recommendation's status from the reports dated before `before`: the
/// latest reported status, or else the one `written` in the submission (its
/// first report, made at submission).
pub fn status_before(
    written: AdoptionStatus,
    events: &[RecommendationEvent],
    before: NaiveDate,
) -> AdoptionStatus {
    latest_report(events, before)
        .and_then(|e| e.adoption_status)
        .unwrap_or(written)
}

/// A follow-up found acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Checked {
    occurred_on: NaiveDate,
    /// The status in effect that the report moves back from.
    moved_back_from: Option<AdoptionStatus>,
}

/// Checks a follow-up against the days it may be dated and, given the status
/// in effect on a day, whether it moves backwards without a reason.
fn check(
    follow_up: &FollowUp,
    window: DayWindow,
    in_effect_on: impl Fn(NaiveDate) -> AdoptionStatus,
) -> Result<Checked, ValidationErrors> {
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
    if let Some(reason) = &follow_up.reason {
        check_length(&mut errors, "reason", reason, 1, MAX_REASON_CHARS);
    }
    let occurred_on = follow_up.occurred_on.unwrap_or(window.today);
    let mut moved_back_from = None;
    match window.admits(occurred_on) {
        Err(OutsideWindow::BeforeSubmission(first)) => errors.add(
            "occurred_on",
            "before_submission",
            format!("must not be before the submission was first submitted ({first})"),
        ),
        Err(OutsideWindow::InFuture) => {
            errors.add("occurred_on", "in_future", "must not be in the future");
        }
        Ok(()) => {
            let current = in_effect_on(occurred_on);
            moved_back_from = follow_up
                .adoption_status
                .filter(|status| status.is_behind(current))
                .map(|_| current);
            if let (Some(from), None) = (moved_back_from, &follow_up.reason) {
                errors.add(
                    "reason",
                    "required",
                    format!("moving back from {} needs a reason", from.as_str()),
                );
            }
        }
    }
    errors.into_result().map(|()| Checked {
        occurred_on,
        moved_back_from,
    })
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
            reason: None,
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn report(status: AdoptionStatus, on: NaiveDate) -> FollowUp {
        FollowUp {
            adoption_status: Some(status),
            occurred_on: Some(on),
            ..adopted()
        }
    }

    fn event(status: Option<AdoptionStatus>, on: NaiveDate, n: u128) -> RecommendationEvent {
        RecommendationEvent {
            id: Uuid::from_u128(n),
            recommendation_id: Uuid::nil(),
            submission_id: SubmissionId(Uuid::nil()),
            adoption_status: status,
            investment_pence: None,
            investor: None,
            occurred_on: on,
            reported_at: chrono::Utc::now(),
            reported_by: None,
            reason: None,
            moved_back_from: None,
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

    fn fields(errors: &ValidationErrors) -> Vec<(&str, &str)> {
        errors
            .errors()
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect()
    }

    #[test]
    fn a_follow_up_says_something_and_did_not_happen_in_the_future() {
        let today = day(2025, 7, 1);
        let window = DayWindow { first: None, today };
        let empty = FollowUp {
            adoption_status: None,
            investment_pence: None,
            investor: None,
            occurred_on: today.succ_opt(),
            reason: None,
        };
        let errors = check(&empty, window, |_| AdoptionStatus::Proposed).unwrap_err();
        assert_eq!(
            fields(&errors),
            vec![
                ("adoption_status", "required"),
                ("occurred_on", "in_future")
            ]
        );
        let checked = check(&adopted(), window, |_| AdoptionStatus::Proposed).unwrap();
        assert_eq!(checked.occurred_on, today);
        assert_eq!(checked.moved_back_from, None);
    }

    #[test]
    fn a_follow_up_is_dated_from_the_first_submission_to_today() {
        let window = DayWindow {
            first: Some(day(2025, 3, 10)),
            today: day(2025, 7, 1),
        };
        assert_eq!(
            window.admits(day(2025, 3, 9)),
            Err(OutsideWindow::BeforeSubmission(day(2025, 3, 10)))
        );
        assert_eq!(window.admits(day(2025, 3, 10)), Ok(()));
        assert_eq!(window.admits(day(2025, 7, 1)), Ok(()));
        assert_eq!(window.admits(day(2025, 7, 2)), Err(OutsideWindow::InFuture));
        let in_1990 = report(AdoptionStatus::RolledOut, day(1990, 1, 1));
        let errors = check(&in_1990, window, |_| AdoptionStatus::Proposed).unwrap_err();
        assert_eq!(fields(&errors), vec![("occurred_on", "before_submission")]);
    }

    #[test]
    fn statuses_are_ordered_from_proposed_to_rolled_out() {
        use AdoptionStatus::*;
        assert_eq!(
            AdoptionStatus::ALL,
            [Proposed, AdoptedLocally, AdoptedByPartner, RolledOut]
        );
        assert!(AdoptionStatus::ALL.windows(2).all(|w| w[0] < w[1]));
        assert!(Proposed.is_behind(AdoptedLocally));
        assert!(AdoptedByPartner.is_behind(RolledOut));
        assert!(!RolledOut.is_behind(AdoptedLocally));
        assert!(!AdoptedLocally.is_behind(AdoptedLocally));
        for status in AdoptionStatus::ALL {
            assert_eq!(AdoptionStatus::parse(status.as_str()), Some(status));
        }
    }

    #[test]
    fn moving_backwards_needs_a_reason_and_is_kept_as_such() {
        let window = DayWindow {
            first: None,
            today: day(2025, 7, 1),
        };
        let back = report(AdoptionStatus::Proposed, day(2025, 6, 1));
        let in_effect = |_| AdoptionStatus::AdoptedByPartner;

        let errors = check(&back, window, in_effect).unwrap_err();
        let explained = FollowUp {
            reason: Some("The partner trust paused the service".into()),
            ..back.clone()
        };
        let checked = check(&explained, window, in_effect).unwrap();
        let forward = check(
            &report(AdoptionStatus::RolledOut, day(2025, 6, 1)),
            window,
            in_effect,
        )
        .unwrap();
        let same = check(
            &report(AdoptionStatus::AdoptedByPartner, day(2025, 6, 1)),
            window,
            in_effect,
        )
        .unwrap();

        assert_eq!(fields(&errors), vec![("reason", "required")]);
        assert_eq!(
            checked.moved_back_from,
            Some(AdoptionStatus::AdoptedByPartner)
        );
        assert_eq!(forward.moved_back_from, None);
        assert_eq!(same.moved_back_from, None);
    }

    #[test]
    fn the_status_before_a_day_is_the_latest_reported_or_the_written_one() {
        use AdoptionStatus::*;
        let events = [
            event(Some(RolledOut), day(2025, 9, 1), 3),
            event(Some(AdoptedLocally), day(2025, 8, 1), 1),
            event(None, day(2025, 8, 20), 4),
            event(Some(AdoptedByPartner), day(2025, 8, 1), 2),
        ];
        assert_eq!(status_before(Proposed, &events, day(2025, 8, 1)), Proposed);
        assert_eq!(
            status_before(Proposed, &events, day(2025, 8, 2)),
            AdoptedByPartner,
            "the same day: the one reported later"
        );
        assert_eq!(
            status_before(Proposed, &events, day(2025, 9, 1)),
            AdoptedByPartner,
            "a report without a status changes nothing"
        );
        assert_eq!(status_before(Proposed, &events, day(2025, 9, 2)), RolledOut);
    }

    #[tokio::test]
    async fn a_move_back_is_checked_against_what_was_reported_before() {
        let hub = Hub::new();
        let (id, rec) = with_recommendation(&hub, Status::Published);
        hub.change(id, |s| {
            s.submitted_at = Some(chrono::Utc::now() - chrono::Duration::days(30));
        });
        let service = service(&hub);
        let author = as_member(1, Role::Member);
        let today = chrono::Utc::now().date_naive();
        let on = |days: i64| Some(today - chrono::Duration::days(days));
        let rolled_out = FollowUp {
            adoption_status: Some(AdoptionStatus::RolledOut),
            occurred_on: on(10),
            ..adopted()
        };
        let proposed = FollowUp {
            adoption_status: Some(AdoptionStatus::Proposed),
            occurred_on: on(5),
            ..adopted()
        };

        service.report(&author, id, rec, rolled_out).await.unwrap();
        let unexplained = service.report(&author, id, rec, proposed.clone()).await;
        let before_it = service
            .report(
                &author,
                id,
                rec,
                FollowUp {
                    occurred_on: on(20),
                    ..proposed.clone()
                },
            )
            .await
            .unwrap();
        let explained = service
            .report(
                &author,
                id,
                rec,
                FollowUp {
                    reason: Some("Funding ended".into()),
                    ..proposed
                },
            )
            .await
            .unwrap();
        let statuses = service.statuses(&author, id).await.unwrap();

        match unexplained {
            Err(FollowUpError::Invalid(errors)) => {
                assert_eq!(fields(&errors), vec![("reason", "required")]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            before_it.moved_back_from, None,
            "proposed was in effect then"
        );
        assert_eq!(explained.moved_back_from, Some(AdoptionStatus::RolledOut));
        assert_eq!(statuses[0].adoption_status, AdoptionStatus::Proposed);
        assert_eq!(
            statuses[0]
                .moved_back
                .as_ref()
                .and_then(|e| e.reason.as_deref()),
            Some("Funding ended")
        );
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
