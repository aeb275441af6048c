//! Storage for the Innovation hub on SQLite (embedded default) or PostgreSQL,
//! through sea-orm. Implements the repository traits of `domain`.

mod access_tokens;
mod attachments;
mod audit;
mod connection;
pub mod demo;
mod entities;
mod events;
mod file_store;
mod idempotency;
mod limits;
mod members;
mod reports;
pub mod rollup;
mod submissions;
mod taxonomy;
mod webhooks;

pub use access_tokens::SeaAccessTokenRepository;
pub use attachments::SeaAttachmentRepository;
pub use audit::SeaAuditRepository;
pub use connection::{Database, DatabaseKind, connect, migrate, migration_status};
pub use events::SeaEventRepository;
pub use file_store::{ObjectFileStore, S3Location};
pub use idempotency::SeaIdempotencyRepository;
pub use limits::SeaLimitStore;
pub use members::SeaMemberRepository;
pub use reports::{
    Bounds, HEADLINE_STATEMENTS, SeaReportRepository, about_people, quarter_statements,
    recount_statements,
};
pub use sea_orm::DatabaseConnection;
pub use submissions::SeaSubmissionRepository;
pub use taxonomy::SeaTaxonomyRepository;
pub use webhooks::SeaWebhookRepository;

use domain::repository::{StorageError, WriteError};
use sea_orm::{DbErr, SqlErr};

pub(crate) fn storage(error: DbErr) -> StorageError {
    StorageError(Box::new(error))
}

pub(crate) fn write_error(error: DbErr) -> WriteError {
    match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => WriteError::Duplicate,
        _ => WriteError::Storage(storage(error)),
    }
}

/// Now, to the microsecond both databases keep.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    let now = chrono::Utc::now();
    chrono::DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}
