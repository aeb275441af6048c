//! What a quarterly summary counts: a submission whose first submission time
//! falls in the quarter and that is neither a draft nor withdrawn. Storage
//! applies the same rule in SQL, built from these items.
//!
//! Recommendations are counted once each, by their latest status reported
//! before the quarter ends, when their submission is counted in the quarter
//! or an earlier one; the status written in the submission is their first
//! report. Investment is counted from follow-ups dated in the quarter, plus
//! the investment written in submissions counted in it.

use crate::quarter::Quarter;
use crate::recommendation::status_before;
use crate::repository::RecommendationEvent;
use crate::submission::{AdoptionStatus, Status};
use chrono::{DateTime, NaiveDate, Utc};
use std::ops::Range;

/// Statuses never counted, whenever the submission was first submitted.
pub const UNCOUNTED_STATUSES: [Status; 2] = [Status::Draft, Status::Withdrawn];

/// Whether a submission in `status` is counted: it left draft and was not withdrawn.
pub fn is_counted_status(status: Status) -> bool {
    !UNCOUNTED_STATUSES.contains(&status)
}

/// The statuses that are counted, in lifecycle order.
pub fn counted_statuses() -> impl Iterator<Item = Status> {
    Status::ALL.into_iter().filter(|s| is_counted_status(*s))
}

/// Whether a submission counts in some quarter: it was submitted once and its
/// status is counted.
pub fn is_counted(status: Status, submitted_at: Option<DateTime<Utc>>) -> bool {
    submitted_at.is_some() && is_counted_status(status)
}

/// Whether a submission counts in `quarter`: counted, and first submitted in it.
pub fn is_counted_in(
    quarter: Quarter,
    status: Status,
    submitted_at: Option<DateTime<Utc>>,
) -> bool {
    is_counted(status, submitted_at) && submitted_at.is_some_and(|at| quarter.contains(at))
}

/// The days a quarter's follow-ups are dated on: from its first day up to,
/// not including, the next quarter's (civil dates in the UK).
pub fn days(quarter: Quarter) -> Range<NaiveDate> {
    quarter.first_day()..quarter.next().first_day()
}

/// A recommendation as the summary sees it: its submission's status and
/// first submission time, what the submission says of it, and its follow-ups.
#[derive(Debug, Clone, Copy)]
pub struct RecommendationFacts<'a> {
    pub submission_status: Status,
    pub submitted_at: Option<DateTime<Utc>>,
    pub written_status: AdoptionStatus,
    pub written_investment_pence: Option<i64>,
    pub events: &'a [RecommendationEvent],
}

/// The status a recommendation is counted under in `quarter`'s summary: its
/// latest status reported before the quarter ends (or the one written in the
/// submission), when its submission is counted in the quarter or before it.
pub fn adoption_counted_in(
    quarter: Quarter,
    facts: RecommendationFacts<'_>,
) -> Option<AdoptionStatus> {
    let counted = is_counted(facts.submission_status, facts.submitted_at)
        && facts.submitted_at.is_some_and(|at| at < quarter.end());
    counted.then(|| status_before(facts.written_status, facts.events, days(quarter).end))
}

/// How the status a recommendation is counted under changes from quarter to
/// quarter, as `(calendar index, status, ±1)` steps: `+1` under its status in
/// the quarter its submission is first counted in, then, in each later quarter
/// where a follow-up changes it, `-1` under the old status and `+1` under the
/// new. Summing the steps of every quarter up to and including `quarter`
/// gives [`adoption_counted_in`] for it, so a rollup of steps per quarter
/// counts every recommendation of the hub without reading them.
pub fn adoption_steps(facts: RecommendationFacts<'_>) -> Vec<(i32, AdoptionStatus, i64)> {
    let Some(submitted_at) = facts
        .submitted_at
        .filter(|_| is_counted(facts.submission_status, facts.submitted_at))
    else {
        return Vec::new();
    };
    let first = Quarter::calendar_containing(submitted_at);
    let status_in =
        |quarter: Quarter| status_before(facts.written_status, facts.events, days(quarter).end);
    let mut current = status_in(first);
    let mut steps = vec![(first.calendar_index(), current, 1)];
    let mut later: Vec<i32> = facts
        .events
        .iter()
        .filter(|e| e.adoption_status.is_some())
        .map(|e| Quarter::calendar_of_day(e.occurred_on).calendar_index())
        .filter(|&index| index > first.calendar_index())
        .collect();
    later.sort_unstable();
    later.dedup();
    for index in later {
        let Some(quarter) = Quarter::from_calendar_index(index) else {
            continue;
        };
        let status = status_in(quarter);
        if status != current {
            steps.push((index, current, -1));
            steps.push((index, status, 1));
            current = status;
        }
    }
    steps
}

/// The investment reports a recommendation adds to `quarter`'s summary, in
/// pence: the one written in the submission when the submission is counted
/// in the quarter, and each follow-up naming investment dated in the quarter.
pub fn investment_counted_in(quarter: Quarter, facts: RecommendationFacts<'_>) -> Vec<i64> {
    let days = days(quarter);
    let written = facts
        .written_investment_pence
        .filter(|_| is_counted_in(quarter, facts.submission_status, facts.submitted_at));
    written
        .into_iter()
        .chain(
            facts
                .events
                .iter()
                .filter(|e| days.contains(&e.occurred_on))
                .filter_map(|e| e.investment_pence),
        )
        .collect()
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
            .single()
            .expect("a valid date")
    }

    #[test]
    fn drafts_and_withdrawn_work_are_never_counted() {
        let counted: Vec<Status> = counted_statuses().collect();
        assert_eq!(
            counted,
            vec![
                Status::Submitted,
                Status::InReview,
                Status::ChangesRequested,
                Status::Published,
                Status::Rejected,
            ]
        );
        assert!(!is_counted(Status::Draft, Some(at(2025, 5, 1))));
        assert!(!is_counted(Status::Withdrawn, Some(at(2025, 5, 1))));
    }

    #[test]
    fn work_never_submitted_is_not_counted() {
        assert!(!is_counted(Status::Published, None));
    }

    fn event(
        status: Option<AdoptionStatus>,
        pence: Option<i64>,
        on: (i32, u32, u32),
    ) -> RecommendationEvent {
        RecommendationEvent {
            id: uuid::Uuid::now_v7(),
            recommendation_id: uuid::Uuid::nil(),
            submission_id: crate::SubmissionId(uuid::Uuid::nil()),
            adoption_status: status,
            investment_pence: pence,
            investor: None,
            occurred_on: NaiveDate::from_ymd_opt(on.0, on.1, on.2).expect("a day"),
            reported_at: at(2026, 1, 1),
            reported_by: None,
            reason: None,
            moved_back_from: None,
        }
    }

    #[test]
    fn a_recommendation_counts_once_by_its_latest_status_as_of_the_quarters_end() {
        let q: Quarter = "2025-Q3".parse().expect("a quarter");
        let events = [
            event(
                Some(AdoptionStatus::AdoptedLocally),
                Some(500),
                (2025, 8, 1),
            ),
            event(Some(AdoptionStatus::RolledOut), None, (2025, 9, 30)),
            event(Some(AdoptionStatus::Proposed), Some(70), (2025, 10, 1)),
        ];
        let facts = |status, submitted_at| RecommendationFacts {
            submission_status: status,
            submitted_at: Some(submitted_at),
            written_status: AdoptionStatus::Proposed,
            written_investment_pence: Some(1000),
            events: &events,
        };
        let earlier = facts(Status::Published, at(2025, 5, 1));
        let in_quarter = facts(Status::Published, at(2025, 7, 2));

        assert_eq!(
            adoption_counted_in(q, earlier),
            Some(AdoptionStatus::RolledOut)
        );
        assert_eq!(
            adoption_counted_in("2025-Q2".parse().expect("a quarter"), earlier),
            Some(AdoptionStatus::Proposed),
            "as written, before any follow-up"
        );
        assert_eq!(
            adoption_counted_in(q, facts(Status::Published, at(2025, 10, 1))),
            None
        );
        assert_eq!(
            adoption_counted_in(q, facts(Status::Withdrawn, at(2025, 7, 2))),
            None
        );
        assert_eq!(investment_counted_in(q, earlier), vec![500]);
        assert_eq!(
            investment_counted_in(q, in_quarter),
            vec![1000, 500],
            "written investment counts at first submission"
        );
        assert_eq!(
            days(q).start,
            NaiveDate::from_ymd_opt(2025, 7, 1).expect("a day")
        );
        assert_eq!(
            days(q).end,
            NaiveDate::from_ymd_opt(2025, 10, 1).expect("a day")
        );
    }

    /// Sums the steps of every quarter up to `quarter`, by status.
    fn summed(
        steps: &[(i32, AdoptionStatus, i64)],
        quarter: Quarter,
    ) -> Vec<(AdoptionStatus, i64)> {
        let mut sums = std::collections::BTreeMap::new();
        for (index, status, n) in steps {
            if *index <= quarter.calendar_index() {
                sums.entry(status.as_str()).or_insert((*status, 0)).1 += n;
            }
        }
        sums.into_values().filter(|(_, n)| *n != 0).collect()
    }

    #[test]
    fn adoption_steps_sum_to_the_status_counted_in_every_quarter() {
        // Follow-ups before, within and after the quarter of submission,
        // several in one quarter (the latest report wins), and moves back to
        // a status held before; drawn from a fixed sequence.
        let mut seed: u64 = 20_261_202;
        let mut draw = |below: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) % below
        };
        let first: Quarter = "2024-Q1".parse().expect("a quarter");
        let quarters: Vec<Quarter> = std::iter::successors(Some(first), |q| Some(q.next()))
            .take(16)
            .collect();
        for case in 0..300 {
            let events: Vec<RecommendationEvent> = (0..draw(6))
                .map(|_| {
                    let status = (draw(5) > 0).then(|| {
                        AdoptionStatus::ALL[draw(AdoptionStatus::ALL.len() as u64) as usize]
                    });
                    let day = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a day")
                        + chrono::Duration::days(draw(4 * 366) as i64);
                    let mut e = event(status, None, (2024, 1, 1));
                    e.occurred_on = day;
                    e.reported_at = at(2028, 1, 1) + chrono::Duration::seconds(draw(1000) as i64);
                    e
                })
                .collect();
            let submission_status = if case % 7 == 0 {
                Status::Withdrawn
            } else {
                Status::Published
            };
            let submitted_at = (case % 11 != 0)
                .then(|| at(2024, 1, 1) + chrono::Duration::hours(draw(4 * 366 * 24) as i64));
            let facts = RecommendationFacts {
                submission_status,
                submitted_at,
                written_status: AdoptionStatus::ALL[case % AdoptionStatus::ALL.len()],
                written_investment_pence: None,
                events: &events,
            };
            let steps = adoption_steps(facts);
            for &quarter in &quarters {
                let expected: Vec<(AdoptionStatus, i64)> = adoption_counted_in(quarter, facts)
                    .into_iter()
                    .map(|s| (s, 1))
                    .collect();
                assert_eq!(summed(&steps, quarter), expected, "case {case}, {quarter}");
            }
        }
    }

    #[test]
    fn a_recommendation_steps_only_where_its_status_changes() {
        let events = [
            event(Some(AdoptionStatus::AdoptedLocally), None, (2025, 8, 1)),
            event(Some(AdoptionStatus::AdoptedLocally), None, (2025, 11, 1)),
            event(Some(AdoptionStatus::RolledOut), None, (2026, 2, 1)),
        ];
        let facts = RecommendationFacts {
            submission_status: Status::Published,
            submitted_at: Some(at(2025, 5, 1)),
            written_status: AdoptionStatus::Proposed,
            written_investment_pence: None,
            events: &events,
        };
        let q = |s: &str| s.parse::<Quarter>().expect("a quarter").calendar_index();
        assert_eq!(
            adoption_steps(facts),
            vec![
                (q("2025-Q2"), AdoptionStatus::Proposed, 1),
                (q("2025-Q3"), AdoptionStatus::Proposed, -1),
                (q("2025-Q3"), AdoptionStatus::AdoptedLocally, 1),
                (q("2026-Q1"), AdoptionStatus::AdoptedLocally, -1),
                (q("2026-Q1"), AdoptionStatus::RolledOut, 1),
            ]
        );
    }

    #[test]
    fn a_quarter_counts_from_its_first_instant_up_to_the_next_quarters() {
        let q: Quarter = "2025-Q2".parse().expect("a quarter");
        assert!(is_counted_in(q, Status::Submitted, Some(q.start())));
        assert!(!is_counted_in(q, Status::Submitted, Some(q.end())));
        assert!(!is_counted_in(q, Status::Submitted, Some(at(2025, 3, 31))));
        assert!(is_counted_in(q, Status::Rejected, Some(at(2025, 6, 30))));
    }
}
