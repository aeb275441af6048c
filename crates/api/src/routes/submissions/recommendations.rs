use crate::auth::Caller;
use crate::dto::review::{
    RecommendationEventRequest, RecommendationEventView, RecommendationEventsView,
    RecommendationStatusView,
};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use domain::SubmissionId;
use domain::recommendation::FollowUp;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// Report the follow-up of a published recommendation.
///
/// Report the follow-up of a published recommendation: a new adoption status,
/// investment made, or both, dated when it happened (from the day the
/// submission was first submitted to today). A status lower than the one in
/// effect on that day moves the recommendation backwards and needs a
/// `reason`; the event keeps `moved_back_from`. The author or an admin.
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The submission's id"),
        ("rid" = Uuid, Path, description = "The recommendation's id"),
    ),
    request_body = RecommendationEventRequest,
    responses(
        (status = 201, description = "The recorded follow-up", body = RecommendationEventView),
        (status = 403, description = "Neither the author nor an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission or recommendation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The submission is not published", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/submissions/{id}/recommendations/{rid}/events")]
#[tracing::instrument(skip_all)]
pub async fn report_recommendation_event(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    path: web::Path<(SubmissionId, Uuid)>,
    body: JsonBody<RecommendationEventRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, recommendation_id) = path.into_inner();
    let body = body.0;
    let follow_up = FollowUp {
        adoption_status: body.adoption_status,
        investment_pence: body.investment_pence,
        investor: body.investor,
        occurred_on: body.occurred_on,
        reason: body.reason,
    };
    let event = state
        .recommendation_service
        .report(
            &caller.context(request_id),
            id,
            recommendation_id,
            follow_up,
        )
        .await?;
    Ok(HttpResponse::Created().json(RecommendationEventView::from(event)))
}

/// A submission's recommendations with their adoption and investment so far.
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id")),
    responses(
        (status = 200, description = "Each recommendation with its follow-up", body = [RecommendationStatusView]),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/submissions/{id}/recommendations")]
#[tracing::instrument(skip_all)]
pub async fn list_recommendations(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<SubmissionId>,
) -> Result<HttpResponse, ApiError> {
    let statuses = state
        .recommendation_service
        .statuses(&caller.reading(), id.into_inner())
        .await?;
    let views: Vec<RecommendationStatusView> = statuses
        .into_iter()
        .map(RecommendationStatusView::from)
        .collect();
    Ok(HttpResponse::Ok().json(views))
}

/// Which quarter's follow-ups to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuarterQuery {
    /// `2025-Q3` (calendar) or `FY2025-Q2` (financial year from 1 April).
    quarter: String,
}

/// Follow-ups that happened in a quarter, across the hub (admins only).
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    params(QuarterQuery),
    responses(
        (status = 200, description = "The quarter's follow-ups, oldest first", body = RecommendationEventsView),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a quarter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/recommendation-events")]
#[tracing::instrument(skip_all)]
pub async fn recommendation_events_in_quarter(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<QuarterQuery>,
) -> Result<HttpResponse, ApiError> {
    let (quarter, events) = state
        .recommendation_service
        .in_quarter(&caller.reading(), query.quarter.parse())
        .await?;
    Ok(HttpResponse::Ok().json(RecommendationEventsView {
        quarter: quarter.to_string(),
        events: events.into_iter().map(Into::into).collect(),
    }))
}
