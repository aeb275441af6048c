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
                    .table("access_tokens")
                    .col(uuid("id").primary_key())
                    .col(uuid("member_id"))
                    .col(string("name"))
                    // Space-separated scope names.
                    .col(string("scopes"))
                    // SHA-256 of the secret, in hex; the secret itself is never stored.
                    .col(string("secret_hash").unique_key())
                    .col(instant("created_at"))
                    .col(instant("expires_at"))
                    .col(
                        ColumnDef::new("last_used_at")
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new("revoked_at")
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("access_tokens", "member_id")
                            .to("members", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("access_tokens", &["member_id", "created_at"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("access_tokens").to_owned())
            .await
    }
}
