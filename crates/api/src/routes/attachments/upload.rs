use crate::auth::Caller;
use crate::dto::attachment::{AttachmentView, UploadForm};
use crate::error::{ApiError, Problem};
use crate::extract::BodyTimeout;
use crate::middleware::RequestId;
use crate::multipart::{Form, TextField, check_multipart, declared_length, read_form};
use crate::routes::submissions::load_own;
use crate::state::AppState;
use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use domain::SubmissionId;
use domain::actor::Context;
use domain::attachment::{Attachment, AttachmentService, Caption, UploadedFile};
use uuid::Uuid;

/// Room for the multipart boundaries, part headers and caption around the file.
pub(crate) const FORM_OVERHEAD: u64 = 16 * 1024;
/// The text the form takes besides the file.
const FIELDS: [TextField; 1] = [TextField {
    name: "caption",
    max_chars: Caption::MAX_CHARS,
}];

/// Attach one file to a submission.
///
/// Its author may, while it is a draft or has changes requested. Send `multipart/form-data` with a `file` field and an optional `caption`.
/// The kind of file is judged by its content; files over the per-file or per-submission
/// limit are refused with 413 before they are read in full. The file is stored and
/// checksummed before it is recorded.
#[utoipa::path(
    tag = "attachments",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The submission's id")),
    request_body(content = UploadForm, content_type = "multipart/form-data", description = "The file and an optional caption"),
    responses(
        (status = 201, description = "The file was stored; `Location` is where to download it", body = AttachmentView,
            headers(("Location" = String, description = "The file's download URL"))),
        (status = 400, description = "The multipart body could not be read", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is not the author", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such submission, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The submission is no longer editable", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is over the per-file limit (`file_too_large`), would take the submission over its limit (`submission_storage_full`), or would take the member's files over their storage quota (`quota_exceeded`, with `used_bytes` and `allowed_bytes`; `HUB_ATTACHMENT_QUOTA_BYTES`, default 250 MiB)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not multipart/form-data, or the file's content is not an allowed kind (`unsupported_file_type`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The form has no file, an empty one, an invalid caption or an unknown field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/submissions/{id}/attachments")]
#[tracing::instrument(skip_all, fields(submission = %id, member = %caller.id))]
pub async fn upload_attachment(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<Uuid>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let submission = load_own(&state, &caller, SubmissionId(id.into_inner())).await?;
    let service = state.attachment_service();
    let allowance = service.upload_allowance(&submission).await?;
    check_multipart(req.headers(), &FIELDS)?;
    allowance.admits(declared_length(req.headers()), FORM_OVERHEAD)?;
    let multipart = Multipart::new(req.headers(), payload);
    let too_large = || ApiError::from(allowance.too_large());
    let form = read_form(
        multipart,
        allowance.room(),
        BodyTimeout::of(&req),
        too_large,
        &FIELDS,
    )
    .await?;
    let file = uploaded_file(form)?;
    let ctx = caller.context(request_id.clone());
    let attachment = attach_detached(service, ctx, submission.id, file).await?;
    tracing::info!(
        attachment = %attachment.id,
        media_type = attachment.media_type.as_str(),
        size = attachment.size_bytes,
        "file attached"
    );
    let view = AttachmentView::from(attachment);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, view.download_url.clone()))
        .json(view))
}

/// The file and its caption, from the form read.
fn uploaded_file(form: Form) -> Result<UploadedFile, ApiError> {
    let Some((bytes, file_name)) = form.file else {
        return Err(ApiError::validation(
            "file",
            "required",
            "send the file in a form field named 'file'",
        ));
    };
    let caption = match form.texts.get("caption") {
        Some(text) => Caption::parse("caption", text)?,
        None => None,
    };
    Ok(UploadedFile {
        bytes,
        file_name,
        caption,
    })
}

/// Stores and records the file in a task of its own, so a client that hangs
/// up half-way cannot leave a file without a row.
async fn attach_detached(
    service: AttachmentService,
    ctx: Context,
    submission: SubmissionId,
    file: UploadedFile,
) -> Result<Attachment, ApiError> {
    tokio::spawn(async move { service.attach(&ctx, submission, file).await })
        .await
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("the upload task failed")))?
        .map_err(ApiError::from)
}
