use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

/// Every request on PostgreSQL updates its caller's rate-limit bucket. Logged,
/// each of those updates waited for a WAL flush to disk, so a read cost as
/// much as a write. The buckets are worth nothing after a crash (at worst a
/// caller gets a fresh budget), so the table is unlogged: no WAL, no flush.
/// Login failure windows stay logged: a crash must not reset a lockout.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_connection().get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("ALTER TABLE rate_limit_buckets SET UNLOGGED")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_connection().get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("ALTER TABLE rate_limit_buckets SET LOGGED")
                .await?;
        }
        Ok(())
    }
}
