use super::{IdeaClinic, NewClinic, PanelView, Presentation, check_clinic, check_panel_view};
use crate::actor::Context;
use crate::audit::AuditEntry;
use crate::ids::SubmissionId;
use crate::repository::{ClinicRepository, StorageError, SubmissionRepository, WriteError};
use crate::submission::use_cases::{AccessError, in_workflow, load_visible};
use crate::submission::{Status, SubmissionKind};
use crate::taxonomy::Taxonomy;
use crate::validation::ValidationErrors;
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

/// The use cases of idea clinics, over the ports they need.
#[derive(Clone)]
pub struct ClinicService {
    submissions: Arc<dyn SubmissionRepository>,
    clinics: Arc<dyn ClinicRepository>,
    taxonomy: Arc<Taxonomy>,
}

/// Why a clinic was not held.
#[derive(Debug, thiserror::Error)]
pub enum ClinicError {
    #[error("only admins hold idea clinics")]
    NotAdmin,
    #[error(transparent)]
    Invalid(ValidationErrors),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why a presentation was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum PresentError {
    #[error("only admins record what the panel made of a case")]
    NotAdmin,
    #[error("no idea clinic with this id")]
    NoSuchClinic,
    #[error(transparent)]
    Invalid(ValidationErrors),
    #[error("this business case was already presented at this clinic")]
    AlreadyPresented,
    #[error(transparent)]
    Write(WriteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl ClinicService {
    pub fn new(
        submissions: Arc<dyn SubmissionRepository>,
        clinics: Arc<dyn ClinicRepository>,
        taxonomy: Arc<Taxonomy>,
    ) -> Self {
        Self {
            submissions,
            clinics,
            taxonomy,
        }
    }

    /// Holds (schedules or records) a clinic: admins only.
    pub async fn hold(&self, ctx: &Context, clinic: NewClinic) -> Result<IdeaClinic, ClinicError> {
        if !ctx.actor.role.is_admin() {
            return Err(ClinicError::NotAdmin);
        }
        check_clinic(&clinic, &self.taxonomy).map_err(ClinicError::Invalid)?;
        let clinic = IdeaClinic {
            id: Uuid::now_v7(),
            clinic,
            created_by: Some(ctx.actor.id),
            created_at: ctx.now,
        };
        let audit = AuditEntry::new("idea_clinic_created", Some(ctx.actor.id))
            .target("idea_clinic", clinic.id)
            .details(json!({"held_on": clinic.clinic.held_on}))
            .request(ctx.request_id.clone());
        self.clinics.create_clinic(&clinic, &audit).await?;
        Ok(clinic)
    }

    /// Clinics newest first: admins see every one, members those held by today.
    pub async fn list(&self, ctx: &Context) -> Result<Vec<IdeaClinic>, StorageError> {
        let held_by = (!ctx.actor.role.is_admin()).then(|| ctx.now.date_naive());
        self.clinics.clinics(held_by).await
    }

    /// Records the panel's view of a business case presented at a clinic: admins only;
    /// the case must have been submitted, and is presented once per clinic.
    pub async fn present(
        &self,
        ctx: &Context,
        clinic_id: Uuid,
        view: PanelView,
    ) -> Result<Presentation, PresentError> {
        if !ctx.actor.role.is_admin() {
            return Err(PresentError::NotAdmin);
        }
        let clinic = self
            .clinics
            .clinic(clinic_id)
            .await?
            .ok_or(PresentError::NoSuchClinic)?;
        let mut errors = ValidationErrors::new();
        errors.collect(check_panel_view(&view));
        let status = match load_visible(self.submissions.as_ref(), ctx.actor, view.submission_id)
            .await
        {
            Ok(s) if s.kind == SubmissionKind::BusinessCase && presentable(s.status) => {
                Some(s.status)
            }
            Ok(_) | Err(AccessError::NotFound) => {
                errors.add(
                    "submission_id",
                    "not_a_presentable_business_case",
                    "must be the id of a business case that has been submitted (not a draft or withdrawn)",
                );
                None
            }
            Err(AccessError::Storage(e)) => return Err(e.into()),
            Err(_) => None,
        };
        errors.into_result().map_err(PresentError::Invalid)?;
        let presentation = Presentation {
            id: Uuid::now_v7(),
            clinic_id: clinic.id,
            clinic_title: clinic.clinic.title,
            held_on: clinic.clinic.held_on,
            view,
            recorded_by: Some(ctx.actor.id),
            recorded_at: ctx.now,
        };
        let audit = AuditEntry::new("business_case_presented", Some(ctx.actor.id))
            .target("submission", presentation.view.submission_id.0)
            .details(json!({
                "clinic_id": clinic.id,
                "feasibility": presentation.view.feasibility.as_str(),
            }))
            .request(ctx.request_id.clone());
        let status = status.unwrap_or(Status::Submitted);
        match self
            .clinics
            .add_presentation(&presentation, status, &audit)
            .await
        {
            Ok(()) => Ok(presentation),
            Err(WriteError::Duplicate) => Err(PresentError::AlreadyPresented),
            Err(e) => Err(PresentError::Write(e)),
        }
    }

    /// The clinics a business case was presented at, with the panel's view:
    /// for its author, reviewers and admins.
    pub async fn presentations(
        &self,
        ctx: &Context,
        id: SubmissionId,
    ) -> Result<Vec<Presentation>, AccessError> {
        let submission = load_visible(self.submissions.as_ref(), ctx.actor, id).await?;
        in_workflow(&submission, ctx.actor)?;
        Ok(self.clinics.presentations_of(submission.id).await?)
    }
}

/// Whether a business case in `status` may be presented: once submitted, and not withdrawn.
pub fn presentable(status: Status) -> bool {
    !matches!(status, Status::Draft | Status::Withdrawn)
}
