//! Impact-evaluation resources: admins publish files, members download them.

pub mod errors;

use crate::auth::Caller;
use crate::dto::attachment::FileBytes;
use crate::dto::resource::{ResourceForm, ResourceView};
use crate::error::{ApiError, Problem};
use crate::extract::BodyTimeout;
use crate::middleware::RequestId;
use crate::multipart::{TextField, check_multipart, declared_length, read_form};
use crate::routes::attachments::download::{file_headers, matches_tag};
use crate::routes::attachments::upload::FORM_OVERHEAD;
use crate::state::AppState;
use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use domain::resource::{Approach, DESCRIPTION_MAX, NewResourceFile, ResourceDetails, TITLE_MAX};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// The text the form takes besides the file.
const FIELDS: [TextField; 3] = [
    TextField {
        name: "title",
        max_chars: TITLE_MAX,
    },
    TextField {
        name: "approach",
        max_chars: 20,
    },
    TextField {
        name: "description",
        max_chars: DESCRIPTION_MAX,
    },
];

/// Publish an impact-evaluation resource.
///
/// Admins only. Send `multipart/form-data` with `file`, `title`, `approach`
/// (`economic`, `social` or `experiential`) and `description`. The file goes
/// through the same content checks as attachments: its kind is judged by its
/// content, and a file over the per-file limit is refused with 413 before it is read in full.
#[utoipa::path(
    tag = "resources",
    security(("bearer" = [])),
    request_body(content = ResourceForm, content_type = "multipart/form-data", description = "The file and what it is"),
    responses(
        (status = 201, description = "The resource was published; `Location` is where it is described", body = ResourceView,
            headers(("Location" = String, description = "The resource's URL"))),
        (status = 400, description = "The multipart body could not be read", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is over the per-file limit (`file_too_large`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not multipart/form-data, or the file's content is not an allowed kind (`unsupported_file_type`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A missing or empty file, a missing or invalid title, approach or description, or an unknown field, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/resources")]
#[tracing::instrument(skip_all, fields(member = %caller.id))]
pub async fn publish_resource(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let service = state.resource_service.clone();
    let ctx = caller.context(request_id);
    service.ensure_publisher(&ctx)?;
    check_multipart(req.headers(), &FIELDS)?;
    let max = service.max_file_bytes();
    let too_large = || ApiError::from(domain::resource::ResourceError::FileTooLarge { max });
    if declared_length(req.headers()).is_some_and(|n| n > max + FORM_OVERHEAD) {
        return Err(too_large());
    }
    let multipart = Multipart::new(req.headers(), payload);
    let mut form = read_form(multipart, max, BodyTimeout::of(&req), too_large, &FIELDS).await?;
    let mut text = |name| form.texts.remove(name).unwrap_or_default();
    let details = ResourceDetails {
        title: text("title"),
        approach: text("approach"),
        description: text("description"),
    };
    let file = form
        .file
        .map(|(bytes, file_name)| NewResourceFile { bytes, file_name });
    // In a task of its own, so a client that hangs up cannot leave bytes without a row.
    let resource = tokio::spawn(async move { service.publish(&ctx, details, file).await })
        .await
        .map_err(|e| {
            ApiError::Internal(anyhow::Error::new(e).context("the upload task failed"))
        })??;
    tracing::info!(resource = %resource.id, approach = resource.details.approach.as_str(), "resource published");
    let view = ResourceView::from(resource);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/resources/{}", view.id)))
        .json(view))
}

/// Filters for the resources list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResourceQuery {
    /// Only resources of this approach: `economic`, `social` or `experiential`.
    approach: Option<String>,
}

/// Impact-evaluation resources, newest first.
///
/// Every signed-in member sees every resource.
#[utoipa::path(
    tag = "resources",
    security(("bearer" = [])),
    params(ResourceQuery),
    responses(
        (status = 200, description = "The resources", body = [ResourceView]),
        (status = 422, description = "An unknown approach", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/resources")]
#[tracing::instrument(skip_all)]
pub async fn list_resources(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<ResourceQuery>,
) -> Result<HttpResponse, ApiError> {
    let approach = match query.into_inner().approach {
        None => None,
        Some(raw) => Some(Approach::parse(raw.trim()).ok_or_else(|| {
            ApiError::validation(
                "approach",
                "unknown_code",
                "must be one of economic, social, experiential",
            )
        })?),
    };
    let resources = state.resource_service.list(approach).await?;
    let views: Vec<ResourceView> = resources.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(views))
}

/// One impact-evaluation resource.
#[utoipa::path(
    tag = "resources",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The resource's id")),
    responses(
        (status = 200, description = "The resource", body = ResourceView),
        (status = 404, description = "No such resource", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/resources/{id}")]
#[tracing::instrument(skip_all, fields(resource = %id))]
pub async fn get_resource(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let resource = state.resource_service.get(id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ResourceView::from(resource)))
}

/// Download a resource, counted for the caller in the quarter it happens.
///
/// Any signed-in member. Served as a download (`Content-Disposition:
/// attachment`) with `nosniff`. `If-None-Match` with its `ETag` (the SHA-256)
/// answers 304, which is not counted as a download.
#[utoipa::path(
    tag = "resources",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The resource's id"),
        ("If-None-Match" = Option<String>, Header, description = "The `ETag` already held"),
    ),
    responses(
        (status = 200, description = "The file; `Content-Type` is its media type, one of the kinds accepted on upload", content(
            (FileBytes = "application/pdf"),
            (FileBytes = "image/png"),
            (FileBytes = "image/jpeg"),
            (FileBytes = "image/webp"),
            (FileBytes = "text/csv"),
            (FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (FileBytes = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (FileBytes = "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
            (FileBytes = "text/plain"),
        ),
            headers(
                ("Content-Disposition" = String, description = "`attachment` with the cleaned file name"),
                ("ETag" = String, description = "The SHA-256 of the bytes, quoted"),
                ("X-Content-Type-Options" = String, description = "`nosniff`"),
            )),
        (status = 304, description = "Unchanged since the `If-None-Match` tag; not counted"),
        (status = 404, description = "No such resource", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/resources/{id}/download")]
#[tracing::instrument(skip_all, fields(resource = %id, member = %caller.id))]
pub async fn download_resource(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    request_id: RequestId,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let service = &state.resource_service;
    let resource = service.get(id).await?;
    let tag = format!("\"{}\"", resource.sha256.as_str());
    if matches_tag(req.headers(), header::IF_NONE_MATCH, &tag) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish());
    }
    let (resource, bytes) = service.download(&caller.context(request_id), id).await?;
    let mut response = HttpResponse::Ok();
    file_headers(
        &mut response,
        resource.media_type,
        resource.file_name.as_str(),
        &tag,
    );
    Ok(response.body(bytes))
}
