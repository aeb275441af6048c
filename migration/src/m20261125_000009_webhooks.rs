use crate::{index, instant, uuid};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("webhooks")
                    .col(uuid("id").primary_key())
                    .col(text("url"))
                    // Space-separated event names, or `*`.
                    .col(text("event_types"))
                    .col(string("secret"))
                    .col(ColumnDef::new("created_by").uuid().null())
                    .col(instant("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("webhook_deliveries")
                    .col(uuid("id").primary_key())
                    .col(uuid("webhook_id"))
                    .col(big_integer("event_seq"))
                    .col(string("event_type"))
                    // pending, delivered or failed
                    .col(string("state"))
                    .col(integer("attempts"))
                    .col(integer_null("last_status_code"))
                    .col(text_null("last_error"))
                    .col(
                        ColumnDef::new("next_attempt_at")
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new("delivered_at")
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("webhook_deliveries", "webhook_id")
                            .to("webhooks", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_webhook_deliveries_webhook_id_event_seq")
                    .table("webhook_deliveries")
                    .col("webhook_id")
                    .col("event_seq")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("webhook_deliveries", &["state", "next_attempt_at"]))
            .await?;
        // How far the dispatcher has read the outbox: one row.
        manager
            .create_table(
                Table::create()
                    .table("webhook_dispatch")
                    .col(integer("id").primary_key())
                    .col(big_integer("last_seq"))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table("webhook_dispatch")
                    .columns(["id", "last_seq"])
                    .values_panic([1.into(), 0_i64.into()])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["webhook_dispatch", "webhook_deliveries", "webhooks"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
