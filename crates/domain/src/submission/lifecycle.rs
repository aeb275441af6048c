//! The lifecycle: draft → submitted → in_review → published | changes_requested
//! (→ submitted again) | rejected; the author may withdraw before publication.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Where a submission is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    InReview,
    ChangesRequested,
    Published,
    Rejected,
    Withdrawn,
}

/// Something that moves a submission from one status to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Submit,
    Withdraw,
    Claim,
    Publish,
    RequestChanges,
    Reject,
}

/// The action is not allowed from the current status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a submission that is {current}")]
pub struct IllegalTransition {
    pub action: &'static str,
    pub current: &'static str,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Draft,
        Status::Submitted,
        Status::InReview,
        Status::ChangesRequested,
        Status::Published,
        Status::Rejected,
        Status::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::InReview => "in_review",
            Status::ChangesRequested => "changes_requested",
            Status::Published => "published",
            Status::Rejected => "rejected",
            Status::Withdrawn => "withdrawn",
        }
    }

    /// The status after `action`, or why it cannot happen.
    pub fn apply(self, action: Action) -> Result<Status, IllegalTransition> {
        use Status::*;
        let next = match (self, action) {
            (Draft | ChangesRequested, Action::Submit) => Submitted,
            (Submitted | InReview | ChangesRequested, Action::Withdraw) => Withdrawn,
            (Submitted, Action::Claim) => InReview,
            (InReview, Action::Publish) => Published,
            (InReview, Action::RequestChanges) => ChangesRequested,
            (InReview, Action::Reject) => Rejected,
            _ => {
                return Err(IllegalTransition {
                    action: action.as_str(),
                    current: self.as_str(),
                });
            }
        };
        Ok(next)
    }

    /// The author may change the content only while it is theirs to work on.
    pub fn is_editable(self) -> bool {
        super::EDITABLE.contains(&self)
    }

    /// Counted in quarterly reports: it left draft and was not withdrawn
    /// (see [`crate::report::counting`]).
    pub fn is_counted(self) -> bool {
        crate::report::counting::is_counted_status(self)
    }
}

impl Action {
    pub const ALL: [Action; 6] = [
        Action::Submit,
        Action::Withdraw,
        Action::Claim,
        Action::Publish,
        Action::RequestChanges,
        Action::Reject,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Withdraw => "withdraw",
            Action::Claim => "claim",
            Action::Publish => "publish",
            Action::RequestChanges => "request_changes",
            Action::Reject => "reject",
        }
    }
}

impl FromStr for Status {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::Action::*;
    use super::Status::*;
    use super::*;

    const LEGAL: [(Status, Action, Status); 9] = [
        (Draft, Submit, Submitted),
        (ChangesRequested, Submit, Submitted),
        (Submitted, Withdraw, Withdrawn),
        (InReview, Withdraw, Withdrawn),
        (ChangesRequested, Withdraw, Withdrawn),
        (Submitted, Claim, InReview),
        (InReview, Publish, Published),
        (InReview, RequestChanges, ChangesRequested),
        (InReview, Reject, Rejected),
    ];

    #[test]
    fn every_legal_transition_lands_where_expected() {
        for (from, action, to) in LEGAL {
            assert_eq!(from.apply(action), Ok(to), "{from:?} --{action:?}-->");
        }
    }

    #[test]
    fn every_other_transition_is_refused_with_the_current_status() {
        for from in Status::ALL {
            for action in Action::ALL {
                if LEGAL.iter().any(|(f, a, _)| *f == from && *a == action) {
                    continue;
                }
                let refused = from.apply(action);
                assert_eq!(
                    refused,
                    Err(IllegalTransition {
                        action: action.as_str(),
                        current: from.as_str()
                    }),
                    "{from:?} --{action:?}--> should be refused"
                );
            }
        }
    }

    #[test]
    fn published_rejected_and_withdrawn_are_final() {
        for from in [Published, Rejected, Withdrawn] {
            assert!(Action::ALL.iter().all(|a| from.apply(*a).is_err()));
        }
    }

    #[test]
    fn only_drafts_and_returned_work_are_editable() {
        let editable: Vec<Status> = Status::ALL
            .into_iter()
            .filter(|s| s.is_editable())
            .collect();
        assert_eq!(editable, vec![Draft, ChangesRequested]);
    }

    #[test]
    fn reports_count_what_left_draft_and_was_not_withdrawn() {
        assert!(!Draft.is_counted());
        assert!(!Withdrawn.is_counted());
        assert!(Submitted.is_counted() && Published.is_counted() && Rejected.is_counted());
    }
}
