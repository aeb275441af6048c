//! Mail choices and what an unsubscribe link did.

use domain::notification::{Preferences, Unsubscribed};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Which notification mails a member gets. The erasure confirmation is
/// transactional: it is sent whatever these say.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decisions": true, "adoptions": true, "review_queue": false}))]
pub struct NotificationPreferences {
    /// Mail when work the member wrote is published, sent back for changes
    /// (with the reviewer's comments) or rejected. Default `true`.
    pub decisions: bool,
    /// Mail when another member reports adopting the member's work. Default `true`.
    pub adoptions: bool,
    /// For reviewers and admins: mail when work enters the review queue. Default `false`.
    pub review_queue: bool,
}

impl From<Preferences> for NotificationPreferences {
    fn from(p: Preferences) -> Self {
        Self {
            decisions: p.decisions,
            adoptions: p.adoptions,
            review_queue: p.review_queue,
        }
    }
}

impl From<NotificationPreferences> for Preferences {
    fn from(p: NotificationPreferences) -> Self {
        Self {
            decisions: p.decisions,
            adoptions: p.adoptions,
            review_queue: p.review_queue,
        }
    }
}

/// What a one-click unsubscribe turned off.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"unsubscribed": "decisions"}))]
pub struct UnsubscribedView {
    /// The kind of mail now off: `decisions`, `adoptions` or `review_queue`.
    pub unsubscribed: String,
}

impl From<Unsubscribed> for UnsubscribedView {
    fn from(u: Unsubscribed) -> Self {
        Self {
            unsubscribed: u.category.as_str().to_owned(),
        }
    }
}
