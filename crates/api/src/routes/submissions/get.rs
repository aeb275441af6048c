use super::etag;
use crate::auth::Caller;
use crate::cache::CachedSubmission;
use crate::dto::submission::SubmissionView;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::http::header::{self, ContentType, EntityTag, Header, HeaderValue, IfNoneMatch};
use actix_web::{HttpRequest, HttpResponse, get, web};
use domain::SubmissionId;
use std::sync::Arc;
use uuid::Uuid;

/// One submission, if the caller may see it.
///
/// One submission, if the caller may see it: the author always, reviewers and
/// admins once it left draft, every member once published.
#[utoipa::path(
    tag = "submissions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id")),
    responses(
        (status = 200, description = "The submission, with its `ETag`", body = SubmissionView,
            headers(("ETag" = String, description = "Its version, for If-Match"))),
        (status = 304, description = "Unchanged since the `If-None-Match` version"),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/submissions/{id}")]
#[tracing::instrument(skip_all, fields(submission = %id))]
pub async fn get_submission(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<SubmissionId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let submission = match state.read_cache.submission(id) {
        Some(cached) => cached,
        None => load(&state, id).await?,
    };
    if !submission.visible_to(caller.id, caller.role) {
        return Err(not_found());
    }
    let unchanged = unchanged_for(&req, submission.version);
    if unchanged {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, submission.etag.clone()))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, submission.etag.clone()))
        .insert_header(ContentType::json())
        .body(submission.body.clone()))
}

/// Whether `If-None-Match` names `version`, strongly or weakly.
fn unchanged_for(req: &HttpRequest, version: i32) -> bool {
    let current = EntityTag::new_strong(version.to_string());
    match IfNoneMatch::parse(req) {
        Ok(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(&current)),
        Ok(IfNoneMatch::Any) | Err(_) => false,
    }
}

fn not_found() -> ApiError {
    ApiError::NotFound("no submission with this id".into())
}

/// Reads and serializes a submission, keeping it in the read cache when that is on.
async fn load(state: &AppState, id: Uuid) -> Result<Arc<CachedSubmission>, ApiError> {
    let ticket = state.read_cache.ticket();
    let submission = state
        .submissions
        .get(SubmissionId(id))
        .await?
        .ok_or_else(not_found)?;
    let etag = HeaderValue::from_str(&etag(submission.version))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("an ETag: {e}")))?;
    let cached = Arc::new(CachedSubmission {
        author_id: submission.author_id,
        status: submission.status,
        version: submission.version,
        etag,
        body: serde_json::to_vec(&SubmissionView::from(submission))
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("serializing a submission: {e}")))?
            .into(),
    });
    if let Some(ticket) = ticket {
        state.read_cache.keep_submission(ticket, id, cached.clone());
    }
    Ok(cached)
}
