use crate::index;
use sea_orm_migration::prelude::*;

/// A pending delivery is leased to one dispatcher at a time: the lease names
/// the claim that holds it and when it lapses, so a dispatcher that dies
/// mid-delivery gives it up by itself.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table("webhook_deliveries")
                    .add_column(ColumnDef::new("lease_id").uuid().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("webhook_deliveries")
                    .add_column(
                        ColumnDef::new("leased_until")
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        // Finding the earliest pending delivery of each webhook.
        manager
            .create_index(index(
                "webhook_deliveries",
                &["webhook_id", "state", "event_seq"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_webhook_deliveries_webhook_id_state_event_seq")
                    .table("webhook_deliveries")
                    .to_owned(),
            )
            .await?;
        for column in ["leased_until", "lease_id"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("webhook_deliveries")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
