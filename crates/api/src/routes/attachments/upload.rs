use crate::auth::Caller;
use crate::dto::attachment::{AttachmentView, UploadForm};
use crate::error::{ApiError, Problem};
use crate::extract::{BodyTimeout, next_chunk};
use crate::middleware::RequestId;
use crate::routes::submissions::load_own;
use crate::state::AppState;
use actix_multipart::{Field, Multipart};
use actix_web::http::header::{self, HeaderMap};
use actix_web::{HttpRequest, HttpResponse, post, web};
use bytes::{Bytes, BytesMut};
use domain::SubmissionId;
use domain::actor::Context;
use domain::attachment::{Attachment, AttachmentService, Caption, UploadedFile};
use std::time::Duration;
use uuid::Uuid;

/// Room for the multipart boundaries, part headers and caption around the file.
const FORM_OVERHEAD: u64 = 16 * 1024;
/// The caption field is read up to this many bytes.
const CAPTION_BYTES: usize = 4 * Caption::MAX_CHARS + 64;

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
    check_multipart(req.headers())?;
    allowance.admits(declared_length(req.headers()), FORM_OVERHEAD)?;
    let multipart = Multipart::new(req.headers(), payload);
    let too_large = || ApiError::from(allowance.too_large());
    let file = read_form(
        multipart,
        allowance.room(),
        BodyTimeout::of(&req),
        too_large,
    )
    .await?;
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

fn check_multipart(headers: &HeaderMap) -> Result<(), ApiError> {
    let essence = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if essence.as_deref() == Some("multipart/form-data") {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(
            "send the file as multipart/form-data with a 'file' field and an optional 'caption' field".into(),
        ))
    }
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

fn malformed(error: actix_multipart::MultipartError) -> ApiError {
    ApiError::BadRequest(format!("the multipart body could not be read: {error}"))
}

/// Reads the form, giving up as soon as the file passes `room` bytes.
async fn read_form(
    mut multipart: Multipart,
    room: u64,
    idle: Duration,
    too_large: impl Fn() -> ApiError,
) -> Result<UploadedFile, ApiError> {
    let mut file: Option<(Bytes, Option<String>)> = None;
    let mut caption = None;
    while let Some(field) = next_chunk(&mut multipart, idle).await? {
        let mut field = field.map_err(malformed)?;
        match field.name() {
            Some("file") if file.is_none() => {
                let name = file_name_of(&field);
                let bytes = read_field(&mut field, room, idle, &too_large).await?;
                file = Some((bytes, name));
            }
            Some("caption") if caption.is_none() => {
                let bytes = read_field(&mut field, CAPTION_BYTES as u64, idle, &|| {
                    ApiError::validation(
                        "caption",
                        "too_long",
                        format!("must be at most {} characters", Caption::MAX_CHARS),
                    )
                })
                .await?;
                let text = std::str::from_utf8(&bytes).map_err(|_| {
                    ApiError::validation("caption", "invalid_value", "must be UTF-8 text")
                })?;
                caption = Some(Caption::parse("caption", text)?);
            }
            Some(name @ ("file" | "caption")) => {
                return Err(ApiError::validation(
                    name,
                    "duplicate",
                    "send one file, with at most one caption, per request",
                ));
            }
            other => {
                let name: String = other.unwrap_or_default().chars().take(60).collect();
                return Err(ApiError::validation(
                    &name,
                    "unknown_field",
                    "the form takes only 'file' and 'caption'",
                ));
            }
        }
    }
    let Some((bytes, file_name)) = file else {
        return Err(ApiError::validation(
            "file",
            "required",
            "send the file in a form field named 'file'",
        ));
    };
    Ok(UploadedFile {
        bytes,
        file_name,
        caption: caption.flatten(),
    })
}

fn file_name_of(field: &Field) -> Option<String> {
    let disposition = field.content_disposition()?;
    disposition.get_filename().map(str::to_owned).or_else(|| {
        disposition
            .get_filename_ext()
            .and_then(|ext| String::from_utf8(ext.value.clone()).ok())
    })
}

async fn read_field(
    field: &mut Field,
    limit: u64,
    idle: Duration,
    too_large: &impl Fn() -> ApiError,
) -> Result<Bytes, ApiError> {
    let mut buffer = BytesMut::new();
    while let Some(chunk) = next_chunk(field, idle).await? {
        let chunk = chunk.map_err(malformed)?;
        if (buffer.len() + chunk.len()) as u64 > limit {
            return Err(too_large());
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(buffer.freeze())
}
