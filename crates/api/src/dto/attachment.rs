use chrono::{DateTime, Utc};
use domain::attachment::{Attachment, AttachmentLimits};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// One file to attach, sent as `multipart/form-data`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The file: PDF, PNG, JPEG, WebP, CSV, XLSX, DOCX, PPTX or plain UTF-8 text,
    /// judged by its content. Its file name is cleaned; its declared type is ignored.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// What the file shows, up to 500 characters.
    #[schema(
        example = "Run chart of falls readmissions, weeks 1–40",
        nullable = false
    )]
    pub caption: Option<String>,
}

/// A file attached to a submission.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5b0-7d1e-7c3a-9f00-2b7e1c4d5e6f",
    "submission_id": "0193a5a9-1111-7c3a-9f00-2b7e1c4d5e6f",
    "name": "falls-run-chart.png",
    "media_type": "image/png",
    "size_bytes": 48213,
    "sha256": "9f2c4a1e0b7d3c5e8a6f1d2b4c7e9a0f3b5d8c1e4a7f0b2d5c8e1a4f7b0d3c6e",
    "caption": "Run chart of falls readmissions, weeks 1–40",
    "uploaded_at": "2025-09-01T10:15:00Z",
    "download_url": "/api/v1/submissions/0193a5a9-1111-7c3a-9f00-2b7e1c4d5e6f/attachments/0193a5b0-7d1e-7c3a-9f00-2b7e1c4d5e6f"
}))]
pub struct AttachmentView {
    pub id: Uuid,
    pub submission_id: Uuid,
    /// The cleaned file name it downloads as; its extension matches the content.
    pub name: String,
    /// The media type found by reading the content.
    pub media_type: String,
    pub size_bytes: u64,
    /// SHA-256 of the bytes, lower-case hex; also the download's `ETag`.
    pub sha256: String,
    pub caption: Option<String>,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub uploaded_at: DateTime<Utc>,
    /// Set on files a revision kept after the author removed them from the current draft.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "domain::timestamp::serialize_option")]
    pub removed_at: Option<DateTime<Utc>>,
    /// Where to download it.
    pub download_url: String,
}

impl From<Attachment> for AttachmentView {
    fn from(a: Attachment) -> Self {
        let download_url = format!(
            "/api/v1/submissions/{}/attachments/{}",
            a.submission_id, a.id
        );
        Self {
            id: a.id.0,
            submission_id: a.submission_id.0,
            name: a.name.as_str().to_owned(),
            media_type: a
                .media_type
                .mime()
                .split(';')
                .next()
                .unwrap_or_default()
                .to_owned(),
            size_bytes: a.size_bytes,
            sha256: a.sha256.as_str().to_owned(),
            caption: a.caption.map(|c| c.as_str().to_owned()),
            uploaded_at: a.uploaded_at,
            removed_at: a.removed_at,
            download_url,
        }
    }
}

/// A submission's files, or a revision's.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentList {
    /// Oldest first.
    pub items: Vec<AttachmentView>,
    /// Bytes the listed files take.
    pub total_bytes: u64,
    /// The largest single file accepted.
    pub max_file_bytes: u64,
    /// The most all of a submission's current files may take.
    pub max_submission_bytes: u64,
}

impl AttachmentList {
    pub fn new(items: Vec<Attachment>, limits: AttachmentLimits) -> Self {
        Self {
            total_bytes: items.iter().map(|a| a.size_bytes).sum(),
            items: items.into_iter().map(AttachmentView::from).collect(),
            max_file_bytes: limits.max_file_bytes,
            max_submission_bytes: limits.max_submission_bytes,
        }
    }
}

/// A file's bytes, exactly as uploaded.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileBytes(#[allow(dead_code)] Vec<u8>);
