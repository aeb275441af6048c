use super::list::ListQuery;
use crate::auth::Caller;
use crate::dto::submission::{SubmissionPage, SubmissionSummary};
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};

/// Work waiting for review, oldest submitted first.
///
/// Takes the list's filters; without `status` it shows what is `submitted` and not yet
/// claimed.
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "One page of the queue", body = SubmissionPage),
        (status = 403, description = "Not a reviewer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filters, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reviews/queue")]
#[tracing::instrument(skip_all, fields(reviewer = %caller.id))]
pub async fn review_queue(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let request = query.into_inner().into_filter(&caller, &state.taxonomy);
    let page = state
        .review_service
        .queue(&caller.reading(), request)
        .await?;
    Ok(HttpResponse::Ok().json(SubmissionPage {
        items: page
            .items
            .into_iter()
            .map(SubmissionSummary::from)
            .collect(),
        next_cursor: page.next_cursor,
    }))
}
