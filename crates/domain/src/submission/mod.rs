//! Submissions: improvement journeys, case studies and impact examples, their
//! content, their lifecycle and the rules a submission must meet to move on.

mod completeness;
mod content;
mod kind;
mod lifecycle;
pub mod search;
pub mod use_cases;
pub mod validate;
mod visibility;

pub use completeness::{Completeness, completeness};
pub use content::*;
pub use kind::SubmissionKind;
pub use lifecycle::{Action, IllegalTransition, Status};
pub use validate::{check_investment, check_place, missing_for_submit, validate_content};
pub use visibility::{Audience, DELETABLE, EDITABLE, statuses_seen_by};

use crate::ids::{MemberId, SubmissionId};
use chrono::{DateTime, Utc};

/// A submission as stored: who wrote it, where it is in its lifecycle, what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub id: SubmissionId,
    pub author_id: Option<MemberId>,
    pub author_name: Option<String>,
    pub kind: SubmissionKind,
    pub status: Status,
    pub content: Content,
    /// Rises with every change; clients send it back in `If-Match`.
    pub version: i32,
    pub completeness: Option<Completeness>,
    pub quality_score: Option<f64>,
    pub times_cited: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reviewer_id: Option<MemberId>,
    /// The revision that was published, shown to readers as the published text.
    pub published_revision: Option<i32>,
    /// How it matched, when listed by a search.
    pub search_match: Option<search::SearchMatch>,
}

#[cfg(test)]
impl Submission {
    /// A case study by `author` in `status` at version 1, empty, made `at`:
    /// what the use cases' tests start from.
    pub(crate) fn blank(
        id: SubmissionId,
        author: MemberId,
        status: Status,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            author_id: Some(author),
            author_name: None,
            kind: SubmissionKind::CaseStudy,
            status,
            content: Content::default(),
            version: 1,
            completeness: None,
            quality_score: None,
            times_cited: 0,
            created_at: at,
            updated_at: at,
            submitted_at: None,
            reviewer_id: None,
            published_revision: None,
            search_match: None,
        }
    }
}

/// Who may see a submission by `author` in `status` (see [`Audience`]).
pub fn visible(
    author: Option<MemberId>,
    status: Status,
    viewer: MemberId,
    role: crate::member::Role,
) -> bool {
    Audience::of(viewer, role).sees(author, status)
}

impl Submission {
    /// Who may see it: the author always; reviewers and admins once it left draft;
    /// every member once published.
    pub fn visible_to(&self, viewer: MemberId, role: crate::member::Role) -> bool {
        visible(self.author_id, self.status, viewer, role)
    }

    pub fn is_author(&self, member: MemberId) -> bool {
        self.author_id == Some(member)
    }
}
