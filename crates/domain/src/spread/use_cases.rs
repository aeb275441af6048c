use super::{
    Adoption, AdoptionReport, Inclusion, InclusionReport, check_adoption, check_inclusion,
};
use crate::actor::Context;
use crate::audit::AuditEntry;
use crate::ids::SubmissionId;
use crate::repository::{
    HistoryRepository, SpreadRepository, StorageError, SubmissionRepository, WriteError,
};
use crate::submission::use_cases::{AccessError, load_visible};
use crate::submission::{Status, Submission};
use crate::taxonomy::Taxonomy;
use crate::validation::ValidationErrors;
use chrono::NaiveDate;
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

/// The use cases of spread, over the ports they need.
#[derive(Clone)]
pub struct SpreadService {
    submissions: Arc<dyn SubmissionRepository>,
    history: Arc<dyn HistoryRepository>,
    spread: Arc<dyn SpreadRepository>,
    taxonomy: Arc<Taxonomy>,
}

/// Why an adoption was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum AdoptionError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(
        "the author cannot report their own work as spread; someone from the adopting organisation reports it"
    )]
    OwnWork,
    #[error("adoption is reported on published work; this submission is {}", .0.as_str())]
    NotPublished(Status),
    #[error(transparent)]
    Invalid(ValidationErrors),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why an inclusion was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum InclusionError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("only admins record inclusions in reports")]
    NotAdmin,
    #[error("only published work is recorded as included; this submission is {}", .0.as_str())]
    NotPublished(Status),
    #[error(transparent)]
    Invalid(ValidationErrors),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl SpreadService {
    pub fn new(
        submissions: Arc<dyn SubmissionRepository>,
        history: Arc<dyn HistoryRepository>,
        spread: Arc<dyn SpreadRepository>,
        taxonomy: Arc<Taxonomy>,
    ) -> Self {
        Self {
            submissions,
            history,
            spread,
            taxonomy,
        }
    }

    /// The day the submission was (last) published, from its transitions.
    async fn published_on(&self, id: SubmissionId) -> Result<Option<NaiveDate>, StorageError> {
        Ok(self
            .history
            .transitions(id)
            .await?
            .iter()
            .filter(|t| t.to == Status::Published)
            .map(|t| t.at.date_naive())
            .max())
    }

    /// Records that the reporter's organisation adopted published work: any
    /// member who may see it but its author.
    pub async fn report_adoption(
        &self,
        ctx: &Context,
        id: SubmissionId,
        report: AdoptionReport,
    ) -> Result<Adoption, AdoptionError> {
        let submission = load_visible(self.submissions.as_ref(), ctx.actor, id).await?;
        if submission.is_author(ctx.actor.id) {
            return Err(AdoptionError::OwnWork);
        }
        if submission.status != Status::Published {
            return Err(AdoptionError::NotPublished(submission.status));
        }
        let published_on = self.published_on(submission.id).await?;
        check_adoption(
            &report,
            &self.taxonomy,
            published_on,
            ctx.now.date_naive(),
            &recommendation_ids(&submission),
        )
        .map_err(AdoptionError::Invalid)?;
        let adoption = Adoption {
            id: Uuid::now_v7(),
            submission_id: submission.id,
            reported_by: Some(ctx.actor.id),
            report,
            reported_at: ctx.now,
        };
        let audit = AuditEntry::new("adoption_reported", Some(ctx.actor.id))
            .target("submission", submission.id.0)
            .details(json!({
                "adoption_id": adoption.id,
                "organisation_type": adoption.report.organisation_type.as_str(),
            }))
            .request(ctx.request_id.clone());
        self.spread.add_adoption(&adoption, &audit).await?;
        Ok(adoption)
    }

    /// The adoptions of a submission the actor may see, oldest first.
    pub async fn adoptions(
        &self,
        ctx: &Context,
        id: SubmissionId,
    ) -> Result<Vec<Adoption>, AccessError> {
        let submission = load_visible(self.submissions.as_ref(), ctx.actor, id).await?;
        Ok(self.spread.adoptions(submission.id).await?)
    }

    /// Records that published work was included in a national or regional report (admins).
    pub async fn record_inclusion(
        &self,
        ctx: &Context,
        id: SubmissionId,
        report: InclusionReport,
    ) -> Result<Inclusion, InclusionError> {
        let submission = load_visible(self.submissions.as_ref(), ctx.actor, id).await?;
        if !ctx.actor.role.is_admin() {
            return Err(InclusionError::NotAdmin);
        }
        if submission.status != Status::Published {
            return Err(InclusionError::NotPublished(submission.status));
        }
        check_inclusion(&report, &self.taxonomy, ctx.now.date_naive())
            .map_err(InclusionError::Invalid)?;
        let inclusion = Inclusion {
            id: Uuid::now_v7(),
            submission_id: submission.id,
            recorded_by: Some(ctx.actor.id),
            report,
            recorded_at: ctx.now,
        };
        let audit = AuditEntry::new("inclusion_recorded", Some(ctx.actor.id))
            .target("submission", submission.id.0)
            .details(json!({
                "inclusion_id": inclusion.id,
                "scope": inclusion.report.scope.as_str(),
            }))
            .request(ctx.request_id.clone());
        self.spread.add_inclusion(&inclusion, &audit).await?;
        Ok(inclusion)
    }

    /// The inclusions of a submission the actor may see, oldest first.
    pub async fn inclusions(
        &self,
        ctx: &Context,
        id: SubmissionId,
    ) -> Result<Vec<Inclusion>, AccessError> {
        let submission = load_visible(self.submissions.as_ref(), ctx.actor, id).await?;
        Ok(self.spread.inclusions(submission.id).await?)
    }
}

fn recommendation_ids(submission: &Submission) -> Vec<Uuid> {
    submission
        .content
        .recommendations
        .iter()
        .map(|r| r.id)
        .collect()
}
