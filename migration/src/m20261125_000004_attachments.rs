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
                    .table("attachments")
                    .col(uuid("id").primary_key())
                    .col(uuid("submission_id"))
                    .col(text("name"))
                    .col(string("media_type"))
                    .col(big_integer("size_bytes"))
                    .col(string("sha256"))
                    .col(text_null("caption"))
                    .col(text("storage_key"))
                    .col(ColumnDef::new("uploaded_by").uuid().null())
                    .col(instant("uploaded_at"))
                    // Set when the author removed it while a revision still refers to it.
                    .col(
                        ColumnDef::new("removed_at")
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("attachments", "submission_id")
                            .to("submissions", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("attachments", "uploaded_by")
                            .to("members", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("attachments", &["submission_id", "uploaded_at"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("revision_attachments")
                    .col(uuid("submission_id"))
                    .col(integer("revision_number"))
                    .col(uuid("attachment_id"))
                    .primary_key(
                        Index::create()
                            .col("submission_id")
                            .col("revision_number")
                            .col("attachment_id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl("revision_attachments")
                            .from_col("submission_id")
                            .from_col("revision_number")
                            .to_tbl("revisions")
                            .to_col("submission_id")
                            .to_col("number")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("revision_attachments", "attachment_id")
                            .to("attachments", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("revision_attachments", &["attachment_id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["revision_attachments", "attachments"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
