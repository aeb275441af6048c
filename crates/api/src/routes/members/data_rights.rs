use crate::auth::Caller;
use crate::dto::audit::AuditEntryView;
use crate::dto::member::MemberView;
use crate::dto::review::ReviewView;
use crate::dto::submission::SubmissionView;
use crate::error::{ApiError, Problem};
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, web};
use chrono::{DateTime, Utc};
use domain::audit::{AuditEntry, AuditFilter};
use domain::pagination::PageSize;
use serde::Serialize;
use utoipa::ToSchema;

/// Everything the hub holds about the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberExport {
    pub exported_at: DateTime<Utc>,
    pub profile: MemberView,
    /// Everything the member wrote, drafts included.
    pub submissions: Vec<SubmissionView>,
    /// Reviews the member wrote.
    pub reviews: Vec<ReviewView>,
    /// Audit entries of the member's own actions.
    pub activity: Vec<AuditEntryView>,
}

/// Download everything held about the caller, as JSON (UK GDPR right of access).
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's data", body = MemberExport,
            headers(("Content-Disposition" = String, description = "attachment; filename=innovation-hub-export.json"))),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/members/me/export")]
#[tracing::instrument(skip_all, fields(member = %caller.id))]
pub async fn export_me(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
) -> Result<HttpResponse, ApiError> {
    let member = state
        .members
        .get(caller.id)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("the member no longer exists".into()))?;
    let submissions = state.submissions.authored_by(caller.id).await?;
    let reviews = state.reviews.reviews_by(caller.id).await?;
    let mut activity = Vec::new();
    let filter = AuditFilter {
        actor_id: Some(caller.id),
        ..Default::default()
    };
    let mut after = None;
    loop {
        let page = state
            .audit
            .list(
                &filter,
                after,
                PageSize::new(Some(PageSize::MAX)).unwrap_or_default(),
            )
            .await?;
        after = page.items.last().map(|e| e.id);
        activity.extend(page.items.into_iter().map(AuditEntryView::from));
        if page.next_cursor.is_none() || activity.len() >= 10_000 {
            break;
        }
    }
    state
        .audit(
            AuditEntry::new("member_data_exported", Some(caller.id))
                .target("member", caller.id.0)
                .request(Some(request_id.0)),
        )
        .await;
    Ok(HttpResponse::Ok()
        .insert_header((
            "content-disposition",
            "attachment; filename=\"innovation-hub-export.json\"",
        ))
        .json(MemberExport {
            exported_at: Utc::now(),
            profile: member.into(),
            submissions: submissions.into_iter().map(Into::into).collect(),
            reviews: reviews.into_iter().map(Into::into).collect(),
            activity,
        }))
}

/// Erase the caller's account (UK GDPR right to erasure): personal data and
/// demographics removed, drafts deleted, work that left draft kept under
/// "Former member". The access token stops working at once.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Erased"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/members/me")]
#[tracing::instrument(skip_all, fields(member = %caller.id))]
pub async fn erase_me(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
) -> Result<HttpResponse, ApiError> {
    let drafts: Vec<_> = state
        .submissions
        .authored_by(caller.id)
        .await?
        .into_iter()
        .filter(|s| s.status == domain::submission::Status::Draft)
        .map(|s| s.id)
        .collect();
    state.members.erase(caller.id).await?;
    for draft in drafts {
        crate::routes::attachments::discard_all(&state, draft).await;
    }
    state
        .audit(
            AuditEntry::new("member_erased", Some(caller.id))
                .target("member", caller.id.0)
                .request(Some(request_id.0)),
        )
        .await;
    Ok(HttpResponse::NoContent().finish())
}
