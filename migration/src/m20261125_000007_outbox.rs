use crate::{index, instant, uuid};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The transactional outbox: one row per lifecycle change, written in
        // the transaction that made the change. `seq` orders the change feed.
        manager
            .create_table(
                Table::create()
                    .table("outbox_events")
                    .col(
                        ColumnDef::new("seq")
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(uuid("id").unique_key())
                    .col(string("event_type"))
                    .col(uuid("submission_id"))
                    .col(ColumnDef::new("author_id").uuid().null())
                    .col(ColumnDef::new("actor_id").uuid().null())
                    .col(string_null("from_status"))
                    .col(string_null("status"))
                    .col(instant("at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("outbox_events", &["submission_id", "seq"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("outbox_events").to_owned())
            .await
    }
}
