//! What a quarterly summary counts: a submission whose first submission time
//! falls in the quarter and that is neither a draft nor withdrawn. Storage
//! applies the same rule in SQL, built from these items.

use crate::quarter::Quarter;
use crate::submission::Status;
use chrono::{DateTime, Utc};

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

    #[test]
    fn a_quarter_counts_from_its_first_instant_up_to_the_next_quarters() {
        let q: Quarter = "2025-Q2".parse().expect("a quarter");
        assert!(is_counted_in(q, Status::Submitted, Some(q.start())));
        assert!(!is_counted_in(q, Status::Submitted, Some(q.end())));
        assert!(!is_counted_in(q, Status::Submitted, Some(at(2025, 3, 31))));
        assert!(is_counted_in(q, Status::Rejected, Some(at(2025, 6, 30))));
    }
}
