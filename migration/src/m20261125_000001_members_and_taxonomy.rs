use crate::{index, instant, uuid};
use domain::taxonomy::REFERENCE_TERMS;
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
                    .table("taxonomy_terms")
                    .col(string("vocabulary"))
                    .col(string("code"))
                    .col(string("label"))
                    .col(integer_null("number"))
                    .col(string_null("parent"))
                    .col(integer("position"))
                    .primary_key(Index::create().col("vocabulary").col("code"))
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert()
            .into_table("taxonomy_terms")
            .columns([
                "vocabulary",
                "code",
                "label",
                "number",
                "parent",
                "position",
            ])
            .to_owned();
        for (position, (vocabulary, code, label, number, parent)) in
            REFERENCE_TERMS.iter().enumerate()
        {
            insert.values_panic([
                vocabulary.as_str().into(),
                (*code).into(),
                (*label).into(),
                (*number).into(),
                parent.map(str::to_owned).into(),
                <i32 as TryFrom<usize>>::try_from(position)
                    .unwrap_or(i32::MAX)
                    .into(),
            ]);
        }
        manager.exec_stmt(insert).await?;

        manager
            .create_table(
                Table::create()
                    .table("members")
                    .col(uuid("id").primary_key())
                    .col(string_null("email").unique_key())
                    .col(string("display_name"))
                    .col(string_null("password_hash"))
                    .col(string("role"))
                    .col(string_null("career_stage"))
                    .col(string_null("level_of_practice"))
                    .col(string_null("sector"))
                    .col(string_null("job_title"))
                    .col(string_null("nation"))
                    .col(string_null("region"))
                    .col(instant("created_at"))
                    .col(instant("updated_at"))
                    .col(
                        ColumnDef::new("erased_at")
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("members", &["created_at"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("members").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("taxonomy_terms").to_owned())
            .await
    }
}
