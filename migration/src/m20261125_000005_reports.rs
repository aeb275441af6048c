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
                    .table("report_snapshots")
                    .col(uuid("id").primary_key())
                    .col(string("quarter"))
                    .col(instant("created_at"))
                    .col(ColumnDef::new("created_by").uuid().null())
                    .col(string("content_hash"))
                    .col(text("body"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("report_snapshots", &["quarter", "created_at"]))
            .await?;
        // Quarterly figures range over submission time and then join tags by id.
        manager
            .create_index(index(
                "submissions",
                &[
                    "submitted_at",
                    "status",
                    "id",
                    "author_id",
                    "kind",
                    "quality_score",
                ],
            ))
            .await?;
        manager
            .create_index(index("reviews", &["created_at"]))
            .await?;
        manager
            .create_index(index(
                "members",
                &[
                    "id",
                    "career_stage",
                    "level_of_practice",
                    "sector",
                    "nation",
                    "region",
                ],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("report_snapshots").to_owned())
            .await
    }
}
