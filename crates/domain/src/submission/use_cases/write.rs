use super::errors::{CreateError, DeleteError, TransitionError, UpdateError};
use super::{ExpectedVersion, SubmissionService, status_moved};
use crate::actor::Context;
use crate::audit::AuditEntry;
use crate::idempotency::KeepAnswer;
use crate::ids::SubmissionId;
use crate::repository::TransitionRecord;
use crate::submission::{
    Action, Content, Submission, SubmissionKind, completeness, missing_for_submit,
};
use crate::validation::{ValidationErrors, check_length};
use serde_json::json;

/// The longest comment on an author's transition.
const COMMENT_MAX: usize = 2_000;

impl SubmissionService {
    /// Starts a draft that only its author sees; with `keep`, the answer to
    /// the keyed request commits with the draft.
    pub async fn create(
        &self,
        ctx: &Context,
        kind: SubmissionKind,
        content: Content,
        keep: Option<KeepAnswer<Submission>>,
    ) -> Result<Submission, CreateError> {
        self.check_content(kind, &content)
            .await?
            .map_err(CreateError::Invalid)?;
        let id = SubmissionId::generate();
        let audit = AuditEntry::new("submission_created", Some(ctx.actor.id))
            .target("submission", id.0)
            .request(ctx.request_id.clone());
        Ok(self
            .submissions
            .create(id, ctx.actor.id, kind, &content, &audit, keep.as_ref())
            .await?)
    }

    /// Changes the content of the actor's own work while it is editable and
    /// still at the version they last read.
    pub async fn update(
        &self,
        ctx: &Context,
        id: SubmissionId,
        expected: Option<ExpectedVersion>,
        change: impl FnOnce(Content) -> Content + Send,
    ) -> Result<Submission, UpdateError> {
        let submission = self.own(ctx.actor, id).await?;
        let stored = submission.version;
        let expected = match expected {
            None => return Err(UpdateError::VersionRequired),
            Some(expected) => expected
                .against(stored)
                .ok_or(UpdateError::NotAVersion { stored })?,
        };
        if !submission.status.is_editable() {
            return Err(UpdateError::NotEditable(submission.status));
        }
        if expected != stored {
            return Err(UpdateError::VersionMismatch { current: stored });
        }
        let before = submission.content.clone();
        let content = change(submission.content);
        self.check_content(submission.kind, &content)
            .await?
            .map_err(UpdateError::Invalid)?;
        let audit = AuditEntry::new("submission_updated", Some(ctx.actor.id))
            .target("submission", submission.id.0)
            .details(json!({
                "fields": changed_fields(&before, &content),
                "version": expected + 1,
            }))
            .request(ctx.request_id.clone());
        Ok(self
            .submissions
            .update_content(submission.id, expected, &content, &audit)
            .await?)
    }

    /// Deletes the actor's own draft (at the expected version, when one is given).
    pub async fn delete_draft(
        &self,
        ctx: &Context,
        id: SubmissionId,
        expected: Option<ExpectedVersion>,
    ) -> Result<SubmissionId, DeleteError> {
        let submission = self.own(ctx.actor, id).await?;
        let stored = submission.version;
        let expected = expected
            .map(|e| e.against(stored).ok_or(DeleteError::NotAVersion { stored }))
            .transpose()?;
        let audit = AuditEntry::new("draft_deleted", Some(ctx.actor.id))
            .target("submission", submission.id.0)
            .request(ctx.request_id.clone());
        self.submissions
            .delete_draft(submission.id, expected, &audit)
            .await
            .map_err(status_moved(DeleteError::NotADraft, DeleteError::Write))?;
        Ok(submission.id)
    }

    /// Sends the actor's draft (or work returned for changes) for review,
    /// once every required part is filled; stores a revision.
    pub async fn submit(
        &self,
        ctx: &Context,
        id: SubmissionId,
        comment: Option<String>,
    ) -> Result<Submission, TransitionError> {
        self.author_transition(ctx, id, Action::Submit, comment)
            .await
    }

    /// Withdraws the actor's work before publication.
    pub async fn withdraw(
        &self,
        ctx: &Context,
        id: SubmissionId,
        comment: Option<String>,
    ) -> Result<Submission, TransitionError> {
        self.author_transition(ctx, id, Action::Withdraw, comment)
            .await
    }

    async fn author_transition(
        &self,
        ctx: &Context,
        id: SubmissionId,
        action: Action,
        comment: Option<String>,
    ) -> Result<Submission, TransitionError> {
        if let Some(comment) = &comment {
            let mut errors = ValidationErrors::new();
            check_length(&mut errors, "comment", comment, 0, COMMENT_MAX);
            errors.into_result().map_err(TransitionError::Invalid)?;
        }
        let submission = self.own(ctx.actor, id).await?;
        let illegal = |current| TransitionError::Illegal { action, current };
        let to = submission
            .status
            .apply(action)
            .map_err(|_| illegal(submission.status))?;
        let mut record = TransitionRecord {
            id,
            actor: ctx.actor.id,
            from: submission.status,
            to,
            at: ctx.now,
            comment,
            submitted_at: None,
            record_demographics: false,
            completeness: None,
            reviewer: None,
            audit: AuditEntry::new(&format!("submission_{}", to.as_str()), Some(ctx.actor.id))
                .target("submission", id.0)
                .details(json!({"from": submission.status.as_str(), "to": to.as_str()}))
                .request(ctx.request_id.clone()),
        };
        if action == Action::Submit {
            missing_for_submit(submission.kind, &submission.content)
                .into_result()
                .map_err(TransitionError::Invalid)?;
            record.submitted_at = submission.submitted_at.is_none().then_some(ctx.now);
            record.record_demographics = record.submitted_at.is_some();
            record.completeness = Some(completeness(submission.kind, &submission.content));
        }
        self.submissions
            .transition(record)
            .await
            .map_err(status_moved(illegal, TransitionError::Write))
    }
}

/// The top-level fields of the content an edit changed, by name, for the audit log.
fn changed_fields(before: &Content, after: &Content) -> Vec<String> {
    let as_map = |content: &Content| match serde_json::to_value(content) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let (before, after) = (as_map(before), as_map(after));
    let mut names: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|name| before.get(*name) != after.get(*name))
        .cloned()
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod audit_tests {
    use super::*;

    #[test]
    fn an_edit_names_exactly_the_fields_it_changed() {
        let before = Content {
            title: "Falls".into(),
            summary: "Before".into(),
            ..Content::default()
        };
        let after = Content {
            summary: "After".into(),
            priorities: vec!["value_and_impact".into()],
            ..before.clone()
        };
        assert_eq!(
            changed_fields(&before, &after),
            vec!["priorities", "summary"]
        );
        assert!(changed_fields(&before, &before).is_empty());
    }
}
