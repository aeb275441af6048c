use crate::{index, instant, uuid};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Impact-evaluation resources admins publish, and every member's download
/// of them (the quarterly summary counts downloads and distinct members).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("resources")
                    .col(uuid("id").primary_key())
                    .col(string("title"))
                    .col(string("approach"))
                    .col(text("description"))
                    .col(string("file_name"))
                    .col(string("media_type"))
                    .col(big_integer("size_bytes"))
                    .col(string("sha256"))
                    .col(string("storage_key"))
                    .col(ColumnDef::new("published_by").uuid().null())
                    .col(instant("published_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("resources", &["approach", "published_at"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("resource_downloads")
                    .col(uuid("id").primary_key())
                    .col(uuid("resource_id"))
                    .col(uuid("member_id"))
                    .col(instant("downloaded_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("resource_downloads", "resource_id")
                            .to("resources", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("resource_downloads", &["downloaded_at"]))
            .await?;
        manager
            .create_index(index("resource_downloads", &["member_id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("resource_downloads").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("resources").to_owned())
            .await
    }
}
