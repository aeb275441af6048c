//! Who may see a submission, and which submissions may still be changed:
//! each rule written once, read by the Rust predicates and by the SQL that
//! filters lists and the change feed.

use super::Status;
use crate::ids::MemberId;
use crate::member::Role;

/// The statuses a member of `role` sees in others' work: every member sees
/// published work; reviewers and admins everything that left draft.
pub fn statuses_seen_by(role: Role) -> Vec<Status> {
    Status::ALL
        .into_iter()
        .filter(|status| match status {
            Status::Published => true,
            Status::Draft => false,
            _ => role.can_review(),
        })
        .collect()
}

/// What one viewer may see: their own work in any status, and others' work
/// in the statuses their role sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audience {
    pub viewer: MemberId,
    pub others_in: Vec<Status>,
}

impl Audience {
    pub fn of(viewer: MemberId, role: Role) -> Self {
        Self {
            viewer,
            others_in: statuses_seen_by(role),
        }
    }

    /// Whether work by `author`, now in `status`, is seen.
    pub fn sees(&self, author: Option<MemberId>, status: Status) -> bool {
        author == Some(self.viewer) || self.others_in.contains(&status)
    }
}

/// The statuses in which the author may still change the content.
pub const EDITABLE: [Status; 2] = [Status::Draft, Status::ChangesRequested];

/// The statuses in which work may be deleted rather than withdrawn.
pub const DELETABLE: [Status; 1] = [Status::Draft];

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn members_see_only_publications_of_others_and_reviewers_all_that_left_draft() {
        assert_eq!(statuses_seen_by(Role::Member), vec![Status::Published]);
        let reviewer = statuses_seen_by(Role::Reviewer);
        assert_eq!(reviewer.len(), Status::ALL.len() - 1);
        assert!(!reviewer.contains(&Status::Draft));
        assert_eq!(statuses_seen_by(Role::Admin), reviewer);
    }

    #[test]
    fn authors_see_their_own_work_in_every_status() {
        let author = MemberId(Uuid::from_u128(1));
        let audience = Audience::of(author, Role::Member);
        assert!(Status::ALL.iter().all(|s| audience.sees(Some(author), *s)));
        assert!(!audience.sees(None, Status::Submitted));
    }
}
