use super::etag;
use crate::auth::Caller;
use crate::dto::submission::{CreateSubmissionRequest, SubmissionView};
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::idempotency::answer;
use crate::middleware::RequestId;
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, post, web};
use domain::idempotency::{HeldKey, KeepAnswer, StoredResponse};
use domain::submission::Submission;

/// Start a submission. It is always created as a draft that only its author sees.
#[utoipa::path(
    tag = "submissions",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Any unique string (a UUID); a repeat with the same key and body within 24 hours gets the first answer again, with `Idempotent-Replayed: true`")),
    request_body = CreateSubmissionRequest,
    responses(
        (status = 201, description = "The new draft, with `Location` and `ETag`", body = SubmissionView,
            headers(("Location" = String, description = "Where the draft lives"), ("ETag" = String, description = "Its version"))),
        (status = 409, description = "This `Idempotency-Key` was used with another body (`idempotency_key_reused`), or a request with it is still being served (`idempotency_key_in_use`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/submissions")]
#[tracing::instrument(skip_all, fields(member = %caller.id))]
pub async fn create_submission(
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    held: Option<web::ReqData<HeldKey>>,
    body: JsonBody<CreateSubmissionRequest>,
) -> Result<HttpResponse, ApiError> {
    let (kind, content) = body.0.into_parts();
    // A keyed create keeps its answer in the draft's own transaction.
    let keep = held.map(|key| KeepAnswer::new(key.into_inner(), created));
    let kept = keep.is_some();
    let submission = state
        .submission_service
        .create(&caller.context(request_id), kind, content, keep)
        .await?;
    tracing::info!(submission = %submission.id, kind = kind.as_str(), "draft created");
    Ok(answer(created(&submission), kept))
}

/// The answer to a create: 201 with the draft, where it lives and its version.
fn created(submission: &Submission) -> StoredResponse {
    let body =
        serde_json::to_vec(&SubmissionView::from(submission.clone())).unwrap_or_else(|error| {
            tracing::error!(%error, "the new draft did not serialize");
            Vec::new()
        });
    StoredResponse {
        status: StatusCode::CREATED.as_u16(),
        headers: vec![
            (
                header::LOCATION.to_string(),
                format!("/api/v1/submissions/{}", submission.id),
            ),
            (header::ETAG.to_string(), etag(submission.version)),
            (
                header::CONTENT_TYPE.to_string(),
                "application/json".to_owned(),
            ),
        ],
        body,
    }
}
