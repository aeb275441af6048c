use crate::{index, instant, uuid};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tag tables: one row per submission and code, so reports count tags in SQL.
const TAG_TABLES: [&str; 4] = [
    "submission_priorities",
    "submission_practice_areas",
    "submission_topics",
    "submission_evidence_types",
];

fn submission_ref(table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, "submission_id")
        .to("submissions", "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("submissions")
                    .col(uuid("id").primary_key())
                    .col(ColumnDef::new("author_id").uuid().null())
                    .col(string("kind"))
                    .col(string("status"))
                    .col(text("title"))
                    .col(text("search_text"))
                    .col(text("content"))
                    .col(integer("version"))
                    .col(string_null("nation"))
                    .col(string_null("region"))
                    .col(double_null("completeness_score"))
                    .col(text_null("completeness"))
                    .col(double_null("quality_score"))
                    .col(ColumnDef::new("reviewer_id").uuid().null())
                    .col(instant("created_at"))
                    .col(instant("updated_at"))
                    .col(
                        ColumnDef::new("submitted_at")
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("submissions", "author_id")
                            .to("members", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("submissions", "reviewer_id")
                            .to("members", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        for columns in [
            &["created_at", "id"][..],
            &["author_id", "created_at"],
            &["status", "created_at"],
            &["submitted_at", "status"],
        ] {
            manager.create_index(index("submissions", columns)).await?;
        }

        for table in TAG_TABLES {
            manager
                .create_table(
                    Table::create()
                        .table(table)
                        .col(uuid("submission_id"))
                        .col(string("code"))
                        .primary_key(Index::create().col("submission_id").col("code"))
                        .foreign_key(&mut submission_ref(table))
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(index(table, &["code", "submission_id"]))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("recommendations")
                    .col(uuid("id").primary_key())
                    .col(uuid("submission_id"))
                    .col(integer("position"))
                    .col(text("text"))
                    .col(string("adoption_status"))
                    .col(big_integer_null("reported_investment_pence"))
                    .foreign_key(&mut submission_ref("recommendations"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("recommendations", &["submission_id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("submission_citations")
                    .col(uuid("submission_id"))
                    .col(uuid("cited_submission_id"))
                    .primary_key(
                        Index::create()
                            .col("submission_id")
                            .col("cited_submission_id"),
                    )
                    .foreign_key(&mut submission_ref("submission_citations"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("submission_citations", &["cited_submission_id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("transitions")
                    .col(uuid("id").primary_key())
                    .col(uuid("submission_id"))
                    .col(ColumnDef::new("actor_id").uuid().null())
                    .col(string("from_status"))
                    .col(string("to_status"))
                    .col(text_null("comment"))
                    .col(instant("at"))
                    .foreign_key(&mut submission_ref("transitions"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("transitions", &["submission_id", "at"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("revisions")
                    .col(uuid("submission_id"))
                    .col(integer("number"))
                    .col(string("kind"))
                    .col(text("content"))
                    .col(ColumnDef::new("created_by").uuid().null())
                    .col(instant("created_at"))
                    .primary_key(Index::create().col("submission_id").col("number"))
                    .foreign_key(&mut submission_ref("revisions"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "revisions",
            "transitions",
            "submission_citations",
            "recommendations",
        ]
        .into_iter()
        .chain(TAG_TABLES)
        .chain(["submissions"])
        {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
