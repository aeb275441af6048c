use crate::auth::Caller;
use crate::dto::attachment::FileBytes;
use crate::error::{ApiError, Problem};
use crate::routes::submissions::load_visible;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, get, web};
use domain::SubmissionId;
use domain::attachment::{AttachmentId, MediaType};
use std::ops::Range;
use uuid::Uuid;

/// Download a file, to whoever may see its submission.
///
/// It is always served as a download (`Content-Disposition: attachment`) with `nosniff`,
/// never shown inline. `Range: bytes=…` asks for part of it (206); `If-None-Match` with
/// its `ETag` (the SHA-256) answers 304.
#[utoipa::path(
    tag = "attachments",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The submission's id"),
        ("attachment_id" = Uuid, Path, description = "The file's id"),
        ("Range" = Option<String>, Header, description = "One byte range, e.g. `bytes=0-1023`, `bytes=1024-` or `bytes=-500`"),
        ("If-Range" = Option<String>, Header, description = "Serve the range only if the file still has this `ETag`"),
        ("If-None-Match" = Option<String>, Header, description = "The `ETag` already held"),
    ),
    responses(
        (status = 200, description = "The whole file; `Content-Type` is its media type, one of the kinds accepted on upload", content(
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
                ("Accept-Ranges" = String, description = "`bytes`"),
                ("X-Content-Type-Options" = String, description = "`nosniff`"),
            )),
        (status = 206, description = "The requested range of the file, with the file's media type", content(
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
                ("Content-Range" = String, description = "`bytes first-last/length`"),
                ("ETag" = String, description = "The SHA-256 of the whole file, quoted"),
            )),
        (status = 304, description = "Unchanged since the `If-None-Match` tag"),
        (status = 404, description = "No such submission or file, or the caller may not see it", body = Problem, content_type = "application/problem+json"),
        (status = 416, description = "The range starts past the end of the file; `Content-Range` gives its length", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/submissions/{id}/attachments/{attachment_id}")]
#[tracing::instrument(skip_all, fields(submission = %path.0, attachment = %path.1))]
pub async fn download_attachment(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (submission_id, attachment_id) = path.into_inner();
    let submission = load_visible(&state, &caller, SubmissionId(submission_id)).await?;
    let service = state.attachment_service();
    let attachment = service
        .file(&submission, AttachmentId(attachment_id))
        .await?;
    let tag = format!("\"{}\"", attachment.sha256.as_str());
    if matches_tag(req.headers(), header::IF_NONE_MATCH, &tag) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish());
    }
    let length = attachment.size_bytes;
    let (mut response, range) = match wanted(req.headers(), &tag, length) {
        Wanted::Unsatisfiable => return Ok(unsatisfiable(length)),
        Wanted::Whole => (HttpResponse::Ok(), None),
        Wanted::Part(range) => (partial(&range, length), Some(range)),
    };
    let bytes = service.bytes(&attachment, range).await?;
    file_headers(
        &mut response,
        attachment.media_type,
        attachment.name.as_str(),
        &tag,
    );
    Ok(response.body(bytes))
}

/// The part of the file asked for: a `Range` is honoured unless an
/// `If-Range` names another version of the file.
fn wanted(headers: &HeaderMap, tag: &str, length: u64) -> Wanted {
    match header_text(headers, header::RANGE) {
        Some(range)
            if header_text(headers, header::IF_RANGE).is_none()
                || matches_tag(headers, header::IF_RANGE, tag) =>
        {
            parse_range(range, length)
        }
        _ => Wanted::Whole,
    }
}

/// A 206 naming the part of the file it carries.
fn partial(range: &Range<u64>, length: u64) -> HttpResponseBuilder {
    let mut response = HttpResponse::PartialContent();
    response.insert_header((
        header::CONTENT_RANGE,
        format!("bytes {}-{}/{length}", range.start, range.end - 1),
    ));
    response
}

/// Headers that make a browser save the file, never run or render it.
pub(crate) fn file_headers(
    response: &mut HttpResponseBuilder,
    media_type: MediaType,
    name: &str,
    tag: &str,
) {
    response
        .insert_header((header::CONTENT_TYPE, media_type.mime()))
        .insert_header((header::CONTENT_DISPOSITION, content_disposition(name)))
        .insert_header((header::ETAG, tag.to_owned()))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; sandbox",
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"));
}

fn unsatisfiable(length: u64) -> HttpResponse {
    let problem = Problem {
        problem_type: "/problems/range_not_satisfiable".into(),
        title: "The range is outside the file".into(),
        status: StatusCode::RANGE_NOT_SATISFIABLE.as_u16(),
        detail: format!("the file has {length} bytes; ask for a range that starts before its end"),
        code: "range_not_satisfiable".into(),
        errors: None,
        current_status: None,
        current_version: None,
        errors_not_listed: None,
        used_bytes: None,
        allowed_bytes: None,
    };
    HttpResponse::RangeNotSatisfiable()
        .insert_header((header::CONTENT_RANGE, format!("bytes */{length}")))
        .insert_header((header::CONTENT_TYPE, "application/problem+json"))
        .body(serde_json::to_vec(&problem).unwrap_or_default())
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

pub(crate) fn matches_tag(headers: &HeaderMap, name: header::HeaderName, tag: &str) -> bool {
    header_text(headers, name).is_some_and(|v| {
        v.split(',')
            .any(|t| t.trim() == "*" || t.trim().trim_start_matches("W/") == tag)
    })
}

/// What part of the file a `Range` header asks for.
#[derive(Debug, PartialEq, Eq)]
enum Wanted {
    Whole,
    Part(Range<u64>),
    Unsatisfiable,
}

/// Reads one byte range. Ranges that cannot be read, other units and several
/// ranges at once are ignored (the whole file is served), as RFC 9110 allows.
/// Hand-written rather than actix's typed `Range`, which reads the unit
/// case-sensitively (`Bytes=0-9` would serve the whole file) and takes
/// `+1` for a number, where RFC 9110 asks for digits only.
fn parse_range(header: &str, length: u64) -> Wanted {
    let Some((unit, spec)) = header.trim().split_once('=') else {
        return Wanted::Whole;
    };
    if !unit.trim().eq_ignore_ascii_case("bytes") || spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Wanted::Whole;
    };
    let number = |s: &str| -> Option<u64> {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    match (number(first), number(last), last.trim().is_empty()) {
        (Some(first), Some(last), _) if first <= last => {
            if first >= length {
                Wanted::Unsatisfiable
            } else {
                Wanted::Part(first..last.min(length - 1) + 1)
            }
        }
        (Some(first), None, true) => {
            if first >= length {
                Wanted::Unsatisfiable
            } else {
                Wanted::Part(first..length)
            }
        }
        (None, Some(suffix), _) if first.trim().is_empty() => {
            if suffix == 0 || length == 0 {
                Wanted::Unsatisfiable
            } else {
                Wanted::Part(length.saturating_sub(suffix)..length)
            }
        }
        _ => Wanted::Whole,
    }
}

/// `attachment` with a plain ASCII name for old clients and the exact UTF-8
/// name in `filename*` (RFC 6266).
fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' && c != '%' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(name.len() * 3);
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_ranges_are_read_and_clamped() {
        assert_eq!(parse_range("bytes=0-9", 100), Wanted::Part(0..10));
        assert_eq!(parse_range("bytes=90-200", 100), Wanted::Part(90..100));
        assert_eq!(parse_range("bytes=95-", 100), Wanted::Part(95..100));
        assert_eq!(parse_range("bytes=-10", 100), Wanted::Part(90..100));
        assert_eq!(parse_range("bytes=-500", 100), Wanted::Part(0..100));
        assert_eq!(parse_range("Bytes = 5-5", 100), Wanted::Part(5..6));
    }

    #[test]
    fn ranges_past_the_end_are_unsatisfiable() {
        assert_eq!(parse_range("bytes=100-", 100), Wanted::Unsatisfiable);
        assert_eq!(parse_range("bytes=150-160", 100), Wanted::Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 100), Wanted::Unsatisfiable);
    }

    #[test]
    fn other_units_several_ranges_and_nonsense_get_the_whole_file() {
        for header in [
            "items=0-5",
            "bytes=0-5,10-15",
            "bytes=9-3",
            "bytes=a-b",
            "bytes=-",
            "bytes=+1-2",
            "0-5",
        ] {
            assert_eq!(parse_range(header, 100), Wanted::Whole, "{header}");
        }
    }

    #[test]
    fn file_names_are_quoted_safely_for_every_client() {
        assert_eq!(
            content_disposition("run chart.png"),
            "attachment; filename=\"run chart.png\"; filename*=UTF-8''run%20chart.png"
        );
        assert_eq!(
            content_disposition("Siobhán's \"notes\" 50%.txt"),
            "attachment; filename=\"Siobh_n's _notes_ 50_.txt\"; filename*=UTF-8''Siobh%C3%A1n%27s%20%22notes%22%2050%25.txt"
        );
    }
}
