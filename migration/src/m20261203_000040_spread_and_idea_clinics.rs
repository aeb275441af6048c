use crate::{index, instant, uuid};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Spread of published work beyond its author (adoptions reported by other
/// organisations, inclusions in national and regional reports) and idea
/// clinics with the business cases presented at them.
#[derive(DeriveMigrationName)]
pub struct Migration;

fn belongs_to_submission(table: &'static str) -> ForeignKeyCreateStatement {
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
                    .table("adoptions")
                    .col(uuid("id").primary_key())
                    .col(uuid("submission_id"))
                    .col(ColumnDef::new("reported_by").uuid().null())
                    .col(string("organisation"))
                    .col(string("organisation_type"))
                    .col(string("nation"))
                    .col(string_null("region"))
                    .col(date("adopted_on"))
                    .col(ColumnDef::new("recommendation_id").uuid().null())
                    .col(big_integer_null("investment_pence"))
                    .col(text_null("notes"))
                    .col(instant("reported_at"))
                    .foreign_key(&mut belongs_to_submission("adoptions"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("adoptions", &["submission_id"]))
            .await?;
        manager
            .create_index(index("adoptions", &["adopted_on"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("inclusions")
                    .col(uuid("id").primary_key())
                    .col(uuid("submission_id"))
                    .col(ColumnDef::new("recorded_by").uuid().null())
                    .col(string("report_title"))
                    .col(string("scope"))
                    .col(string_null("nation"))
                    .col(string_null("region"))
                    .col(date("published_on"))
                    .col(text_null("url"))
                    .col(instant("recorded_at"))
                    .foreign_key(&mut belongs_to_submission("inclusions"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("inclusions", &["submission_id"]))
            .await?;
        manager
            .create_index(index("inclusions", &["published_on"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("idea_clinics")
                    .col(uuid("id").primary_key())
                    .col(string("title"))
                    .col(date("held_on"))
                    .col(string("nation"))
                    .col(string_null("region"))
                    .col(ColumnDef::new("created_by").uuid().null())
                    .col(instant("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idea_clinics", &["held_on"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("clinic_presentations")
                    .col(uuid("id").primary_key())
                    .col(uuid("clinic_id"))
                    .col(uuid("submission_id"))
                    .col(string("feasibility"))
                    .col(integer("adoption_likelihood"))
                    .col(text("panel_notes"))
                    .col(ColumnDef::new("recorded_by").uuid().null())
                    .col(instant("recorded_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("clinic_presentations", "clinic_id")
                            .to("idea_clinics", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut belongs_to_submission("clinic_presentations"))
                    .to_owned(),
            )
            .await?;
        // A case is presented at most once per clinic.
        manager
            .create_index(
                Index::create()
                    .name("ux_clinic_presentations_clinic_id_submission_id")
                    .table("clinic_presentations")
                    .col("clinic_id")
                    .col("submission_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("clinic_presentations", &["submission_id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "clinic_presentations",
            "idea_clinics",
            "inclusions",
            "adoptions",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
