use crate::index;
use sea_orm_migration::prelude::*;

/// Each upload sums what its uploader already stores (the storage quota):
/// an index keeps that sum to the member's own files.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index("attachments", &["uploaded_by"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_attachments_uploaded_by")
                    .table("attachments")
                    .to_owned(),
            )
            .await
    }
}
