use crate::index;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// A follow-up that moves a recommendation's status backwards keeps the
/// status it moved back from and the reason given; summaries find each
/// recommendation's latest report by its id and day.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [text_null("reason"), string_null("moved_back_from")] {
            manager
                .alter_table(
                    Table::alter()
                        .table("recommendation_events")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(index(
                "recommendation_events",
                &["recommendation_id", "occurred_on"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_recommendation_events_recommendation_id_occurred_on")
                    .table("recommendation_events")
                    .to_owned(),
            )
            .await?;
        for column in ["moved_back_from", "reason"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("recommendation_events")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
