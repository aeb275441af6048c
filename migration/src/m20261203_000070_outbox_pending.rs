use crate::{instant, uuid};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Events waiting for their place in the change feed. On PostgreSQL a write
/// records its event here instead of numbering it itself; a sequencer moves
/// committed rows into `outbox_events` in batches, one sequencer at a time, so
/// feed positions are handed out in the order events become visible and no
/// writer waits for another's commit. SQLite has one writer, which numbers
/// its events directly, so the table stays empty there.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("outbox_pending")
                    .col(
                        ColumnDef::new("ins_seq")
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
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("outbox_pending").to_owned())
            .await
    }
}
