use super::load_visible;
use crate::auth::{Caller, require_admin};
use crate::dto::review::{
    RecommendationEventRequest, RecommendationEventView, RecommendationEventsView,
    RecommendationStatusView,
};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use domain::audit::AuditEntry;
use domain::quarter::Quarter;
use domain::repository::RecommendationEvent;
use domain::submission::Status;
use domain::validation::check_length;
use domain::{SubmissionId, ValidationErrors};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;
use uuid::Uuid;

/// Report the follow-up of a published recommendation: a new adoption status,
/// investment made, or both, dated when it happened. The author or an admin.
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
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither the author nor an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission or recommendation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The submission is not published", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/submissions/{id}/recommendations/{rid}/events")]
#[tracing::instrument(skip_all)]
pub async fn report_recommendation_event(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    path: web::Path<(Uuid, Uuid)>,
    body: JsonBody<RecommendationEventRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, recommendation_id) = path.into_inner();
    let submission = load_visible(&state, &caller, SubmissionId(id)).await?;
    if !submission.is_author(caller.id) && !caller.role.is_admin() {
        return Err(ApiError::Forbidden(
            "only the author or an admin reports follow-up".into(),
        ));
    }
    if submission.status != Status::Published {
        return Err(ApiError::Conflict {
            code: "not_published",
            detail: "follow-up is reported on published work".into(),
            current_status: Some(submission.status.as_str().to_owned()),
        });
    }
    if !submission
        .content
        .recommendations
        .iter()
        .any(|r| r.id == recommendation_id)
    {
        return Err(ApiError::NotFound(
            "no recommendation with this id in the submission".into(),
        ));
    }
    let body = body.0;
    let mut errors = ValidationErrors::new();
    if body.adoption_status.is_none() && body.investment_pence.is_none() {
        errors.add(
            "adoption_status",
            "required",
            "report an adoption_status, an investment_pence, or both",
        );
    }
    if body
        .investment_pence
        .is_some_and(|p| !(0..=10_000_000_000_000).contains(&p))
    {
        errors.add(
            "investment_pence",
            "out_of_range",
            "must be a whole number of pence from 0 to 10,000,000,000,000",
        );
    }
    if let Some(investor) = &body.investor {
        check_length(&mut errors, "investor", investor, 1, 200);
    }
    let today = chrono::Utc::now().date_naive();
    let occurred_on = body.occurred_on.unwrap_or(today);
    if occurred_on > today {
        errors.add("occurred_on", "in_future", "must not be in the future");
    }
    errors.into_result()?;
    let event = state
        .submissions
        .add_recommendation_event(RecommendationEvent {
            id: Uuid::now_v7(),
            recommendation_id,
            submission_id: submission.id,
            adoption_status: body.adoption_status,
            investment_pence: body.investment_pence,
            investor: body.investor,
            occurred_on,
            reported_at: chrono::Utc::now(),
            reported_by: Some(caller.id),
        })
        .await?;
    state
        .audit(
            AuditEntry::new("recommendation_follow_up_reported", Some(caller.id))
                .target("recommendation", recommendation_id)
                .details(json!({"submission_id": submission.id.0}))
                .request(Some(request_id.0)),
        )
        .await;
    Ok(HttpResponse::Created().json(RecommendationEventView::from(event)))
}

/// A submission's recommendations with their adoption and investment so far.
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id")),
    responses(
        (status = 200, description = "Each recommendation with its follow-up", body = [RecommendationStatusView]),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/submissions/{id}/recommendations")]
#[tracing::instrument(skip_all)]
pub async fn list_recommendations(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let submission = load_visible(&state, &caller, SubmissionId(id.into_inner())).await?;
    let events = state
        .submissions
        .recommendation_events(submission.id)
        .await?;
    let views: Vec<RecommendationStatusView> = submission
        .content
        .recommendations
        .iter()
        .map(|rec| {
            let own: Vec<&RecommendationEvent> = events
                .iter()
                .filter(|e| e.recommendation_id == rec.id)
                .collect();
            RecommendationStatusView {
                id: rec.id,
                text: rec.text.clone(),
                original_adoption_status: rec.adoption_status,
                adoption_status: own
                    .iter()
                    .rev()
                    .find_map(|e| e.adoption_status)
                    .unwrap_or(rec.adoption_status),
                investment_reported_pence: own.iter().filter_map(|e| e.investment_pence).sum(),
                events: own.into_iter().cloned().map(Into::into).collect(),
            }
        })
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
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
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
    require_admin(&caller)?;
    let quarter: Quarter =
        query
            .quarter
            .parse()
            .map_err(|e: domain::quarter::QuarterParseError| {
                ApiError::validation("quarter", "invalid_value", e.to_string())
            })?;
    let events = state
        .submissions
        .recommendation_events_between(quarter.start().date_naive(), quarter.end().date_naive())
        .await?;
    Ok(HttpResponse::Ok().json(RecommendationEventsView {
        quarter: quarter.to_string(),
        events: events.into_iter().map(Into::into).collect(),
    }))
}
