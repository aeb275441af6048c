use crate::auth::Caller;
use crate::dto::audit::AuditEntryView;
use crate::dto::member::{ErasureRequest, MemberView, RecordedDemographicsView};
use crate::dto::review::ReviewView;
use crate::dto::submission::SubmissionView;
use crate::error::{ApiError, Problem};
use crate::extract::OptionalJsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, web};
use chrono::{DateTime, Utc};
use domain::member::{KeptOnErasure, MemberData};
use serde::Serialize;
use utoipa::ToSchema;

/// Everything the hub holds about the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberExport {
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub exported_at: DateTime<Utc>,
    pub profile: MemberView,
    /// Everything the member wrote, drafts included.
    pub submissions: Vec<SubmissionView>,
    /// The demographics recorded with each submitted one at its first submit,
    /// which the quarterly summary counts people by; oldest first.
    pub recorded_demographics: Vec<RecordedDemographicsView>,
    /// Reviews the member wrote.
    pub reviews: Vec<ReviewView>,
    /// Audit entries of the member's own actions.
    pub activity: Vec<AuditEntryView>,
    /// The impact-evaluation resources the member downloaded, oldest first.
    pub resource_downloads: Vec<ResourceDownloadView>,
    /// What erasing the account now would keep (detached from the member:
    /// no id, email or name left that links it to them), and why. Drafts are
    /// not listed: erasure deletes them.
    pub kept_on_erasure: Vec<KeptOnErasureView>,
}

/// One download of a resource (`GET /api/v1/resources/{id}`) by the member.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"resource_id": "0192f0c1-8e4b-7a51-9a31-6a2d3c4b5e6f", "downloaded_at": "2025-07-01T09:30:00Z"}))]
pub struct ResourceDownloadView {
    pub resource_id: uuid::Uuid,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub downloaded_at: DateTime<Utc>,
}

/// One thing erasure would keep, and why.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"kind": "submission", "id": "0192f0c1-8e4b-7a51-9a31-6a2d3c4b5e6f", "status_now": "in_review", "status_after": "withdrawn", "why": "work in review is withdrawn with the reason \"author erased\"; the record stays, unlinked from you, because quarterly figures already sent to Council counted it"}))]
pub struct KeptOnErasureView {
    /// `submission` or `review`.
    pub kind: String,
    pub id: uuid::Uuid,
    /// For a submission: its status now.
    pub status_now: Option<String>,
    /// For a submission: its status once erased (in review → `withdrawn`).
    pub status_after: Option<String>,
    pub why: String,
}

impl From<KeptOnErasure> for KeptOnErasureView {
    fn from(kept: KeptOnErasure) -> Self {
        Self {
            kind: kept.kind.to_owned(),
            id: kept.id,
            status_now: kept.status_now.map(|s| s.as_str().to_owned()),
            status_after: kept.status_after.map(|s| s.as_str().to_owned()),
            why: kept.why.to_owned(),
        }
    }
}

impl From<MemberData> for MemberExport {
    fn from(data: MemberData) -> Self {
        Self {
            exported_at: data.exported_at,
            profile: data.profile.into(),
            submissions: data.submissions.into_iter().map(Into::into).collect(),
            recorded_demographics: data
                .recorded_demographics
                .into_iter()
                .map(Into::into)
                .collect(),
            reviews: data.reviews.into_iter().map(Into::into).collect(),
            activity: data.activity.into_iter().map(Into::into).collect(),
            resource_downloads: data
                .resource_downloads
                .into_iter()
                .map(|d| ResourceDownloadView {
                    resource_id: d.resource_id,
                    downloaded_at: d.at,
                })
                .collect(),
            kept_on_erasure: data.kept_on_erasure.into_iter().map(Into::into).collect(),
        }
    }
}

/// Download everything held about the caller, as JSON (UK GDPR right of access).
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's data", body = MemberExport,
            headers(("Content-Disposition" = String, description = "attachment; filename=innovation-hub-export.json"))),
    )
)]
#[get("/members/me/export")]
#[tracing::instrument(skip_all, fields(member = %caller.id))]
pub async fn export_me(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
) -> Result<HttpResponse, ApiError> {
    let data = state
        .member_service
        .export(&caller.context(request_id))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            "content-disposition",
            "attachment; filename=\"innovation-hub-export.json\"",
        ))
        .json(MemberExport::from(data)))
}

/// Erase the caller's account.
///
/// Erase the caller's account (UK GDPR right to erasure): personal data and
/// demographics removed, those recorded with retained work too, drafts deleted,
/// work that left draft kept under "Former member". It cannot be undone, so the
/// password is asked again: send `{"password": "…"}`; without it, or with a
/// wrong one, 422 naming `password`. Every token of the member stops working at once.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    request_body = ErasureRequest,
    responses(
        (status = 204, description = "Erased"),
        (status = 422, description = "The password is missing or wrong (`password`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/members/me")]
#[tracing::instrument(skip_all, fields(member = %caller.id))]
pub async fn erase_me(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    body: OptionalJsonBody<ErasureRequest>,
) -> Result<HttpResponse, ApiError> {
    let OptionalJsonBody(body) = body;
    let ctx = caller.context(request_id);
    let confirmed = state
        .session_service
        .confirm_password(&ctx, body.and_then(|b| b.password).as_deref())
        .await?;
    let drafts = state.member_service.erase(&ctx, confirmed).await?;
    for draft in drafts {
        crate::routes::attachments::discard_all(&state, draft).await;
    }
    Ok(HttpResponse::NoContent().finish())
}
