use crate::{instant, uuid};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// When each personal access token was last recorded as used with each
/// scope: a use is audited at most once a minute per token and scope, and
/// this row is how every replica agrees on it.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("access_token_uses")
                    .col(uuid("token_id"))
                    .col(string("scope"))
                    .col(instant("last_used_at"))
                    .primary_key(Index::create().col("token_id").col("scope"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("access_token_uses", "token_id")
                            .to("access_tokens", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("access_token_uses").to_owned())
            .await
    }
}
