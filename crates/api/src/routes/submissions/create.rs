use super::{context, respond};
use crate::auth::Caller;
use crate::dto::submission::{CreateSubmissionRequest, SubmissionView};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpResponse, post, web};

/// Start a submission. It is always created as a draft that only its author sees.
#[utoipa::path(
    tag = "submissions",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Any unique string (a UUID); a repeat with the same key and body within 24 hours gets the first answer again, with `Idempotent-Replayed: true`")),
    request_body = CreateSubmissionRequest,
    responses(
        (status = 201, description = "The new draft, with `Location` and `ETag`", body = SubmissionView,
            headers(("Location" = String, description = "Where the draft lives"), ("ETag" = String, description = "Its version"))),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A request with this `Idempotency-Key` is still being served", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named, or an `Idempotency-Key` reused with another body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/submissions")]
#[tracing::instrument(skip_all, fields(member = %caller.id))]
pub async fn create_submission(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    body: JsonBody<CreateSubmissionRequest>,
) -> Result<HttpResponse, ApiError> {
    let (kind, content) = body.0.into_parts();
    let ctx = context(&caller, Some(request_id));
    let submission = state.submission_service.create(&ctx, kind, content).await?;
    tracing::info!(submission = %submission.id, kind = kind.as_str(), "draft created");
    let mut response = HttpResponse::Created();
    response.insert_header((
        header::LOCATION,
        format!("/api/v1/submissions/{}", submission.id),
    ));
    Ok(respond(response, submission))
}
