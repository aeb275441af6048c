use crate::{index, instant, uuid};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("submissions")
                    .add_column(ColumnDef::new("published_revision").integer().null())
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("reviews")
                    .col(uuid("id").primary_key())
                    .col(uuid("submission_id"))
                    .col(ColumnDef::new("reviewer_id").uuid().null())
                    .col(integer("revision"))
                    .col(text("rubric"))
                    .col(text_null("overall_comment"))
                    .col(string("decision"))
                    .col(double("quality_score"))
                    .col(instant("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("reviews", "submission_id")
                            .to("submissions", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("reviews", &["submission_id", "created_at"]))
            .await?;
        manager
            .create_index(index("reviews", &["reviewer_id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("recommendation_events")
                    .col(uuid("id").primary_key())
                    .col(uuid("recommendation_id"))
                    .col(uuid("submission_id"))
                    .col(string_null("adoption_status"))
                    .col(big_integer_null("investment_pence"))
                    .col(string_null("investor"))
                    .col(date("occurred_on"))
                    .col(instant("reported_at"))
                    .col(ColumnDef::new("reported_by").uuid().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from("recommendation_events", "recommendation_id")
                            .to("recommendations", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("recommendation_events", &["occurred_on"]))
            .await?;
        manager
            .create_index(index("recommendation_events", &["submission_id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("audit_log")
                    .col(uuid("id").primary_key())
                    .col(instant("at"))
                    .col(ColumnDef::new("actor_id").uuid().null())
                    .col(string("action"))
                    .col(string_null("target_type"))
                    .col(ColumnDef::new("target_id").uuid().null())
                    .col(string_null("request_id"))
                    .col(text("details"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("audit_log", &["action", "id"]))
            .await?;
        manager
            .create_index(index("audit_log", &["actor_id", "id"]))
            .await?;
        manager
            .create_index(index("audit_log", &["target_id", "id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["audit_log", "recommendation_events", "reviews"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("submissions")
                    .drop_column("published_revision")
                    .to_owned(),
            )
            .await
    }
}
