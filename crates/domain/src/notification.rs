//! Email notifications: who is told what about which event, each member's
//! choices, and the signed links that turn a kind of mail off without signing in.

mod plan;
mod unsubscribe;
mod use_cases;

pub use plan::{ADOPTED_EVENT, Audience, ERASURE_KEY_PREFIX, Planned, dedupe_key, plan};
pub use unsubscribe::{TOKEN_LIFETIME, TOKEN_PATTERN, TokenError, UnsubscribeKey};
pub use use_cases::{NotificationService, UnsubscribeError, Unsubscribed};

use crate::ids::{MemberId, SubmissionId};
use std::fmt;
use uuid::Uuid;

/// Whether erasing an account plans a confirmation mail (only when mail is
/// configured: otherwise the address would be kept for nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErasureNotice {
    Send,
    Skip,
}

/// A planned mail, leased to this sender.
#[derive(Debug, Clone, PartialEq)]
pub struct LeasedMail {
    pub lease: Uuid,
    pub id: Uuid,
    pub kind: MailKind,
    pub recipient: Option<MemberId>,
    /// Where it goes: the member's current address, or the one captured at
    /// erasure; `None` when the member has gone since it was planned.
    pub email: Option<String>,
    /// The recipient's choices now (they may have unsubscribed since).
    pub preferences: Preferences,
    pub submission_id: Option<SubmissionId>,
    pub title: Option<String>,
    /// The reviewer's comments, for changes requested.
    pub comments: Vec<String>,
    pub attempts: i32,
}

impl LeasedMail {
    /// Why it should not be sent after all, if so.
    pub fn no_longer_wanted(&self) -> Option<&'static str> {
        if self.email.is_none() {
            Some("the recipient has no address any more")
        } else if !self.preferences.allows(self.kind) {
            Some("the recipient turned this kind of mail off")
        } else {
            None
        }
    }
}

/// How an attempt to send a mail went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailOutcome {
    Sent,
    /// Not sent, on purpose; never retried.
    Skipped(String),
    /// The server refused or could not be reached; retried with backoff.
    Failed(String),
}

/// What a mail is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailKind {
    /// The author's work was published.
    Published,
    /// A reviewer asked the author for changes (their comments go with it).
    ChangesRequested,
    /// The author's work was not accepted.
    Rejected,
    /// Someone reported adopting the author's work.
    Adopted,
    /// Work entered the review queue (reviewers who opted in).
    ReviewQueue,
    /// The member's account was erased: a transactional confirmation,
    /// sent whatever the preferences and never unsubscribable.
    ErasureConfirmation,
}

impl MailKind {
    pub const ALL: [MailKind; 6] = [
        MailKind::Published,
        MailKind::ChangesRequested,
        MailKind::Rejected,
        MailKind::Adopted,
        MailKind::ReviewQueue,
        MailKind::ErasureConfirmation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Published => "published",
            MailKind::ChangesRequested => "changes_requested",
            MailKind::Rejected => "rejected",
            MailKind::Adopted => "adopted",
            MailKind::ReviewQueue => "review_queue",
            MailKind::ErasureConfirmation => "erasure_confirmation",
        }
    }

    /// The preference that turns this kind off; `None` for transactional mail.
    pub fn category(self) -> Option<Category> {
        match self {
            MailKind::Published | MailKind::ChangesRequested | MailKind::Rejected => {
                Some(Category::Decisions)
            }
            MailKind::Adopted => Some(Category::Adoptions),
            MailKind::ReviewQueue => Some(Category::ReviewQueue),
            MailKind::ErasureConfirmation => None,
        }
    }
}

impl std::str::FromStr for MailKind {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or(())
    }
}

impl fmt::Display for MailKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A group of mails a member can turn on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// Decisions about the member's own work.
    Decisions,
    /// Reports that someone adopted the member's work.
    Adoptions,
    /// Work entering the review queue (reviewers and admins).
    ReviewQueue,
}

impl Category {
    pub const ALL: [Category; 3] = [
        Category::Decisions,
        Category::Adoptions,
        Category::ReviewQueue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Decisions => "decisions",
            Category::Adoptions => "adoptions",
            Category::ReviewQueue => "review_queue",
        }
    }

    fn code(self) -> u8 {
        match self {
            Category::Decisions => 1,
            Category::Adoptions => 2,
            Category::ReviewQueue => 3,
        }
    }

    fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// A member's mail choices. Without a stored choice: decisions and
/// adoptions on, the review queue off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preferences {
    pub decisions: bool,
    pub adoptions: bool,
    pub review_queue: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            decisions: true,
            adoptions: true,
            review_queue: false,
        }
    }
}

impl Preferences {
    /// Whether a mail of this kind may be sent to the member.
    pub fn allows(&self, kind: MailKind) -> bool {
        match kind.category() {
            None => true,
            Some(category) => self.wants(category),
        }
    }

    pub fn wants(&self, category: Category) -> bool {
        match category {
            Category::Decisions => self.decisions,
            Category::Adoptions => self.adoptions,
            Category::ReviewQueue => self.review_queue,
        }
    }

    /// The same choices with one category turned off.
    pub fn without(self, category: Category) -> Self {
        match category {
            Category::Decisions => Self {
                decisions: false,
                ..self
            },
            Category::Adoptions => Self {
                adoptions: false,
                ..self
            },
            Category::ReviewQueue => Self {
                review_queue: false,
                ..self
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_tell_authors_and_leave_the_queue_quiet() {
        let prefs = Preferences::default();
        assert!(prefs.allows(MailKind::Published));
        assert!(prefs.allows(MailKind::Adopted));
        assert!(!prefs.allows(MailKind::ReviewQueue));
    }

    #[test]
    fn the_erasure_confirmation_ignores_preferences() {
        let none = Preferences {
            decisions: false,
            adoptions: false,
            review_queue: false,
        };
        assert!(none.allows(MailKind::ErasureConfirmation));
        assert_eq!(MailKind::ErasureConfirmation.category(), None);
        assert!(!none.allows(MailKind::Rejected));
    }

    #[test]
    fn without_turns_off_one_category_only() {
        let prefs = Preferences::default().without(Category::Decisions);
        assert!(!prefs.decisions);
        assert!(prefs.adoptions);
    }

    #[test]
    fn kinds_round_trip_their_names() {
        for kind in MailKind::ALL {
            assert_eq!(kind.as_str().parse::<MailKind>(), Ok(kind));
        }
    }
}
