use crate::{index, instant, uuid};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Email notifications: each member's choices, the mails planned from the
/// outbox (one row per event, recipient and kind, leased to one sender at a
/// time like webhook deliveries), and how far the planner has read the outbox.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("notification_preferences")
                    .col(uuid("member_id").primary_key())
                    .col(boolean("decisions"))
                    .col(boolean("adoptions"))
                    .col(boolean("review_queue"))
                    .col(instant("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("notification_preferences", "member_id")
                            .to("members", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("mail_deliveries")
                    .col(uuid("id").primary_key())
                    // `<event id or erasure>:<recipient>:<kind>`: a mail is planned once.
                    .col(string("dedupe_key").unique_key())
                    .col(string("kind"))
                    .col(ColumnDef::new("recipient_id").uuid().null())
                    // Only for an erasure confirmation: the address is gone from
                    // `members` by the time it is sent. Cleared once sent or given up.
                    .col(string_null("email"))
                    .col(ColumnDef::new("submission_id").uuid().null())
                    .col(text_null("title"))
                    // JSON array of the reviewer's comments, for changes requested.
                    .col(text_null("comments"))
                    // pending, sent, skipped or failed
                    .col(string("state"))
                    .col(integer("attempts"))
                    .col(text_null("last_error"))
                    .col(
                        ColumnDef::new("next_attempt_at")
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new("lease_id").uuid().null())
                    .col(
                        ColumnDef::new("leased_until")
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new("sent_at").timestamp_with_time_zone().null())
                    .col(instant("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("mail_deliveries", &["state", "next_attempt_at"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("mail_dispatch")
                    .col(integer("id").primary_key())
                    .col(big_integer("last_seq"))
                    .to_owned(),
            )
            .await?;
        // Mail starts from now: events recorded before this step are not mailed.
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO mail_dispatch (id, last_seq) \
                 SELECT 1, COALESCE(MAX(seq), 0) FROM outbox_events",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "mail_dispatch",
            "mail_deliveries",
            "notification_preferences",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
