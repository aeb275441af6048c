use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Limits every replica counts together: request budgets (one theoretical
/// arrival time per key, GCRA) and failed-login counts per fixed window.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("rate_limit_buckets")
                    .col(string("key").primary_key())
                    // Milliseconds since the epoch at which the bucket is full again.
                    .col(big_integer("full_at_ms"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("login_failure_windows")
                    .col(string("key").primary_key())
                    .col(integer("failures"))
                    .col(big_integer("window_started_ms"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["login_failure_windows", "rate_limit_buckets"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
