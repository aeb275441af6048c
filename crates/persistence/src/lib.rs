//! Storage for the Innovation hub on SQLite (embedded default) or PostgreSQL,
//! through sea-orm. Implements the repository traits of `domain`.

mod access_tokens;
mod attachments;
mod audit;
mod connection;
pub mod counting;
pub mod demo;
mod demo_strategy;
mod demographics;
mod entities;
mod events;
pub mod file_lock;
mod file_store;
mod idempotency;
mod limits;
mod mail;
mod members;
mod reports;
mod resources;
pub mod rollup;
mod sessions;
mod spread;
mod submissions;
pub mod tags;
mod taxonomy;
mod visibility;
mod webhooks;

pub use access_tokens::SeaAccessTokenRepository;
pub use attachments::SeaAttachmentRepository;
pub use audit::SeaAuditRepository;
pub use connection::{
    Database, DatabaseKind, PoolSettings, connect, connect_lazily, connect_with, describe_database,
    kind_of, migrate, migration_status,
};
pub use events::SeaEventRepository;
pub use file_store::{ObjectFileStore, S3Location};
pub use idempotency::{SeaIdempotencyRepository, keep_answer};
pub use limits::SeaLimitStore;
pub use mail::SeaMailRepository;
pub use members::SeaMemberRepository;
pub use reports::{
    Bounds, HEADLINE_STATEMENTS, SeaReportRepository, about_people, quarter_statements,
    recount_statements,
};
pub use resources::SeaResourceRepository;
pub use sea_orm::DatabaseConnection;
pub use sessions::SeaSessionRepository;
pub use spread::SeaSpreadRepository;
pub use submissions::SeaSubmissionRepository;
pub use taxonomy::SeaTaxonomyRepository;
pub use webhooks::SeaWebhookRepository;

use domain::repository::{StorageError, WriteError};
use sea_orm::{DbErr, RuntimeErr, SqlErr};

pub(crate) fn storage(error: DbErr) -> StorageError {
    if unavailable(&error) {
        StorageError::unavailable(Box::new(error))
    } else {
        StorageError(Box::new(error))
    }
}

/// Whether a failure is the database out of reach (connection refused or
/// lost, pool timed out, statement timeout, server shutting down, SQLite
/// busy) rather than a fault in what was asked.
pub fn unavailable(error: &DbErr) -> bool {
    match error {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(RuntimeErr::SqlxError(error))
        | DbErr::Exec(RuntimeErr::SqlxError(error))
        | DbErr::Query(RuntimeErr::SqlxError(error)) => sqlx_unavailable(error),
        DbErr::Conn(_) => true,
        _ => false,
    }
}

fn sqlx_unavailable(error: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    match error {
        Error::Io(_)
        | Error::Tls(_)
        | Error::Protocol(_)
        | Error::PoolTimedOut
        | Error::PoolClosed
        | Error::WorkerCrashed => true,
        Error::Database(error) => error.code().is_some_and(|code| {
            // PostgreSQL classes 08 (connection), 53 (insufficient resources),
            // 57 (operator intervention: shutdown, statement timeout), and what
            // opening a connection meets while the database is closed to
            // connections (55000) or not there (3D000); SQLite 5 and 6 (busy,
            // locked) with their extended codes.
            code.starts_with("08")
                || code.starts_with("53")
                || code.starts_with("57")
                || code == "55000"
                || code == "3D000"
                || matches!(code.parse::<i32>(), Ok(n) if matches!(n & 0xff, 5 | 6))
        }),
        _ => false,
    }
}

/// A write transaction; on SQLite it takes the write lock at once, so two
/// writers queue on the busy timeout instead of one failing to upgrade its
/// read to a write.
pub(crate) async fn begin_write(
    db: &sea_orm::DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    use sea_orm::{DbBackend, SqliteTransactionMode, TransactionOptions, TransactionTrait};
    let sqlite = db.get_database_backend() == DbBackend::Sqlite;
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: sqlite.then_some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

pub(crate) fn write_error(error: DbErr) -> WriteError {
    match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => WriteError::Duplicate,
        _ => WriteError::Storage(storage(error)),
    }
}

/// Now, to the microsecond both databases keep.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    to_micros(chrono::Utc::now())
}

/// An instant to the microsecond both databases keep, so that a keyset
/// cursor (which carries microseconds) compares equal to what is stored.
pub(crate) fn to_micros(at: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

/// Makes ring the TLS crypto of the process, for every HTTPS client it makes
/// (S3 storage, webhook deliveries): the one the database driver already
/// uses, so the build holds one crypto library. A second call changes nothing.
pub fn install_tls_provider() {
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::ConnAcquireErr;
    use std::sync::Arc;

    #[test]
    fn an_unreachable_database_is_told_apart_from_a_faulty_request() {
        let refused = DbErr::Conn(RuntimeErr::SqlxError(Arc::new(sea_orm::sqlx::Error::Io(
            std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
        ))));
        let pool_timeout = DbErr::ConnectionAcquire(ConnAcquireErr::Timeout);
        let dropped = DbErr::Query(RuntimeErr::SqlxError(Arc::new(
            sea_orm::sqlx::Error::PoolClosed,
        )));

        assert!(storage(refused).is_unavailable());
        assert!(storage(pool_timeout).is_unavailable());
        assert!(storage(dropped).is_unavailable());
        assert!(!storage(DbErr::RecordNotFound("x".into())).is_unavailable());
        assert!(!storage(DbErr::Custom("bad row".into())).is_unavailable());
    }
}
