use crate::{instant, uuid};
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
                    .table("idempotency_keys")
                    .col(uuid("member_id"))
                    .col(string("key"))
                    .col(string("fingerprint"))
                    .col(instant("created_at"))
                    // Null while the first request is still being served.
                    .col(integer_null("status"))
                    .col(text_null("headers"))
                    .col(blob_null("body"))
                    .primary_key(Index::create().col("member_id").col("key"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("idempotency_keys").to_owned())
            .await
    }
}
