use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// The submitter's demographics as they were when a submission was first
/// submitted, so that an ended quarter's figures about people never change
/// when a profile is edited. Submitted work already stored is filled from the
/// current profiles: the best that is known.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("submission_demographics")
                    .col(crate::uuid("submission_id").primary_key())
                    .col(string_null("career_stage"))
                    .col(string_null("level_of_practice"))
                    .col(string_null("sector"))
                    .col(text_null("job_title"))
                    .col(string_null("nation"))
                    .col(string_null("region"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("submission_demographics", "submission_id")
                            .to("submissions", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO submission_demographics \
                 (submission_id, career_stage, level_of_practice, sector, job_title, nation, region) \
                 SELECT s.id, m.career_stage, m.level_of_practice, m.sector, m.job_title, m.nation, m.region \
                 FROM submissions s JOIN members m ON m.id = s.author_id \
                 WHERE s.submitted_at IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("submission_demographics").to_owned())
            .await
    }
}
