use crate::auth::Caller;
use crate::dto::review::{HistoryView, ReviewView, RevisionSummary, RevisionView, TransitionView};
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use domain::SubmissionId;

/// What happened to a submission.
///
/// What happened to a submission: transitions (who, when, from, to, comment),
/// revisions and reviews. For its author, reviewers and admins.
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id")),
    responses(
        (status = 200, description = "The history", body = HistoryView),
        (status = 403, description = "Neither the author nor a reviewer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/submissions/{id}/history")]
#[tracing::instrument(skip_all, fields(submission = %id))]
pub async fn get_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<SubmissionId>,
) -> Result<HttpResponse, ApiError> {
    let history = state
        .submission_service
        .history(&caller.reading(), id.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(HistoryView {
        transitions: history
            .transitions
            .into_iter()
            .map(TransitionView::from)
            .collect(),
        revisions: history
            .revisions
            .into_iter()
            .map(|r| RevisionSummary {
                number: r.number,
                created_at: r.created_at,
                title: r.content.title,
            })
            .collect(),
        reviews: history.reviews.into_iter().map(ReviewView::from).collect(),
        published_revision: history.published_revision,
    }))
}

/// One revision, exactly as it was submitted.
///
/// One revision, exactly as it was submitted. The published revision can be
/// read by every member; others by the author, reviewers and admins.
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The submission's id"),
        ("n" = i32, Path, description = "The revision number, from 1"),
    ),
    responses(
        (status = 200, description = "The revision", body = RevisionView),
        (status = 403, description = "Neither the author nor a reviewer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission or revision", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/submissions/{id}/revisions/{n}")]
#[tracing::instrument(skip_all)]
pub async fn get_revision(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(SubmissionId, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (id, number) = path.into_inner();
    let (revision, published) = state
        .submission_service
        .revision(&caller.reading(), id, number)
        .await?;
    Ok(HttpResponse::Ok().json(RevisionView::new(id.0, revision, published)))
}
