use crate::{index, instant, uuid};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// The change feed also tells of things that are not submissions: an event
/// names either the submission (`submission_id`) or the impact-evaluation
/// resource (`resource_id`) it is about, so `submission_id` may now be empty.
///
/// PostgreSQL drops the constraint in place. SQLite cannot, so its feed table
/// is rebuilt with every event kept at its position (`seq`), which the change
/// feed's cursors, the webhook fan-out and the mail planner all point at; no
/// table refers to it by foreign key. SQLite never writes `outbox_pending`
/// (its one writer numbers events directly), so there it only gains the column.
#[derive(DeriveMigrationName)]
pub struct Migration;

const COPIED: &str =
    "seq, id, event_type, submission_id, author_id, actor_id, from_status, status, at";

fn feed_table(name: &'static str, submission_id_nullable: bool) -> TableCreateStatement {
    let mut submission_id = ColumnDef::new("submission_id").uuid().to_owned();
    if submission_id_nullable {
        submission_id.null();
    } else {
        submission_id.not_null();
    }
    let mut table = Table::create();
    table
        .table(name)
        .col(
            ColumnDef::new("seq")
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(uuid("id").unique_key())
        .col(string("event_type"))
        .col(submission_id);
    if submission_id_nullable {
        table.col(ColumnDef::new("resource_id").uuid().null());
    }
    table
        .col(ColumnDef::new("author_id").uuid().null())
        .col(ColumnDef::new("actor_id").uuid().null())
        .col(string_null("from_status"))
        .col(string_null("status"))
        .col(instant("at"))
        .to_owned()
}

/// Rebuilds SQLite's `outbox_events` with or without `resource_id`, keeping
/// every row that fits (going back, events about resources are dropped).
async fn rebuild_sqlite_feed(
    manager: &SchemaManager<'_>,
    with_resources: bool,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    manager
        .create_table(feed_table("outbox_events_next", with_resources))
        .await?;
    let keep = if with_resources {
        ""
    } else {
        " WHERE submission_id IS NOT NULL"
    };
    db.execute_unprepared(&format!(
        "INSERT INTO outbox_events_next ({COPIED}) SELECT {COPIED} FROM outbox_events{keep}"
    ))
    .await?;
    // The next position continues from the highest ever handed out, even one
    // whose row is gone, as before the rebuild.
    let handed_out = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT seq FROM sqlite_sequence WHERE name = 'outbox_events'",
        ))
        .await?
        .map(|row| row.try_get::<i64>("", "seq"))
        .transpose()?;
    db.execute_unprepared("DROP TABLE outbox_events").await?;
    db.execute_unprepared("ALTER TABLE outbox_events_next RENAME TO outbox_events")
        .await?;
    if let Some(handed_out) = handed_out {
        for sql in [
            "UPDATE sqlite_sequence SET seq = MAX(seq, $1) WHERE name = 'outbox_events'",
            "INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox_events', $1 \
             WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'outbox_events')",
        ] {
            db.execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                sql,
                [handed_out.into()],
            ))
            .await?;
        }
    }
    manager
        .create_index(index("outbox_events", &["submission_id", "seq"]))
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            for table in ["outbox_events", "outbox_pending"] {
                db.execute_unprepared(&format!(
                    "ALTER TABLE {table} ALTER COLUMN submission_id DROP NOT NULL, \
                     ADD COLUMN resource_id uuid NULL"
                ))
                .await?;
            }
            return Ok(());
        }
        rebuild_sqlite_feed(manager, true).await?;
        db.execute_unprepared("ALTER TABLE outbox_pending ADD COLUMN resource_id uuid NULL")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            for table in ["outbox_events", "outbox_pending"] {
                db.execute_unprepared(&format!(
                    "DELETE FROM {table} WHERE submission_id IS NULL; \
                     ALTER TABLE {table} DROP COLUMN resource_id, \
                     ALTER COLUMN submission_id SET NOT NULL"
                ))
                .await?;
            }
            return Ok(());
        }
        rebuild_sqlite_feed(manager, false).await?;
        db.execute_unprepared("ALTER TABLE outbox_pending DROP COLUMN resource_id")
            .await?;
        Ok(())
    }
}
