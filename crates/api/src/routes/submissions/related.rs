//! Published work like a submission.

use crate::auth::Caller;
use crate::dto::submission::SubmissionSummary;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use domain::SubmissionId;
use domain::ValidationErrors;
use domain::submission::search::{RELATED_DEFAULT, RELATED_MAX};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// How many related submissions to return.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelatedQuery {
    /// 1–20 (default 5).
    #[param(minimum = 1, maximum = 20, example = 5)]
    limit: Option<String>,
}

/// Published submissions most like one, best first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelatedPage {
    pub items: Vec<SubmissionSummary>,
}

/// Published work most like this submission.
///
/// Published submissions most like this one, best first: each shared
/// practice area or topic counts 2, each shared priority 1, and words of
/// this one's title found in theirs up to 3 (relative to the best such
/// match). Never the submission itself, never anything the caller may not
/// see; 404 when the caller may not see this one.
#[utoipa::path(
    tag = "submissions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id"), RelatedQuery),
    responses(
        (status = 200, description = "Related published submissions, best first", body = RelatedPage),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/submissions/{id}/related")]
#[tracing::instrument(skip_all, fields(submission = %id))]
pub async fn related_submissions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<SubmissionId>,
    query: web::Query<RelatedQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = match query.into_inner().limit.as_deref() {
        None => RELATED_DEFAULT,
        Some(text) => match text.parse::<u64>() {
            Ok(n) if (1..=RELATED_MAX).contains(&n) => n,
            _ => {
                let mut errors = ValidationErrors::new();
                errors.add(
                    "limit",
                    "invalid_value",
                    format!("must be a whole number from 1 to {RELATED_MAX}"),
                );
                return Err(errors.into());
            }
        },
    };
    let related = state
        .submission_service
        .related(
            &caller.reading(),
            id.into_inner(),
            usize::try_from(limit).unwrap_or(5),
        )
        .await?;
    Ok(HttpResponse::Ok().json(RelatedPage {
        items: related.into_iter().map(SubmissionSummary::from).collect(),
    }))
}
