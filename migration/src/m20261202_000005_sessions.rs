use crate::{index, instant, uuid};
use sea_orm_migration::prelude::*;

/// Sign-in sessions: each access token names one by its `jti`, and a request
/// is served only while its session is neither revoked nor expired, so a
/// logout or a password change takes effect on every replica at once.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("sessions")
                    .col(uuid("id").primary_key())
                    .col(uuid("member_id"))
                    .col(instant("created_at"))
                    .col(instant("expires_at"))
                    .col(
                        ColumnDef::new("revoked_at")
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("sessions", "member_id")
                            .to("members", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("sessions", &["member_id", "revoked_at"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("sessions").to_owned())
            .await
    }
}
