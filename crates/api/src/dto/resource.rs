use chrono::{DateTime, Utc};
use domain::resource::{Approach, Resource};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A resource to publish, sent as `multipart/form-data`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ResourceForm {
    /// The file: PDF, PNG, JPEG, WebP, CSV, XLSX, DOCX, PPTX or plain UTF-8 text,
    /// judged by its content. Its file name is cleaned; its declared type is ignored.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// What the resource is, up to 200 characters.
    #[schema(example = "Social return on investment workbook")]
    pub title: String,
    /// How it helps evaluate impact.
    pub approach: Approach,
    /// What it helps a member do, up to 5,000 characters.
    #[schema(
        example = "Values the outcomes of an improvement journey in pounds, with worked examples."
    )]
    pub description: String,
}

/// An impact-evaluation resource.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5b0-7d1e-7c3a-9f00-2b7e1c4d5e6f",
    "title": "Social return on investment workbook",
    "approach": "economic",
    "description": "Values the outcomes of an improvement journey in pounds, with worked examples.",
    "file_name": "sroi-workbook.xlsx",
    "media_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "size_bytes": 48213,
    "sha256": "9f2c4a1e0b7d3c5e8a6f1d2b4c7e9a0f3b5d8c1e4a7f0b2d5c8e1a4f7b0d3c6e",
    "published_at": "2025-09-01T10:15:00Z",
    "download_url": "/api/v1/resources/0193a5b0-7d1e-7c3a-9f00-2b7e1c4d5e6f/download"
}))]
pub struct ResourceView {
    pub id: Uuid,
    pub title: String,
    pub approach: Approach,
    pub description: String,
    /// The cleaned file name it downloads as; its extension matches the content.
    pub file_name: String,
    /// The media type found by reading the content.
    pub media_type: String,
    pub size_bytes: u64,
    /// SHA-256 of the bytes, lower-case hex; also the download's `ETag`.
    pub sha256: String,
    #[serde(serialize_with = "domain::timestamp::serialize")]
    pub published_at: DateTime<Utc>,
    /// Where members download it (each download is counted).
    pub download_url: String,
}

impl From<Resource> for ResourceView {
    fn from(r: Resource) -> Self {
        Self {
            download_url: format!("/api/v1/resources/{}/download", r.id),
            id: r.id,
            title: r.details.title,
            approach: r.details.approach,
            description: r.details.description,
            file_name: r.file_name.as_str().to_owned(),
            media_type: r
                .media_type
                .mime()
                .split(';')
                .next()
                .unwrap_or_default()
                .to_owned(),
            size_bytes: r.size_bytes,
            sha256: r.sha256.as_str().to_owned(),
            published_at: r.published_at,
        }
    }
}
