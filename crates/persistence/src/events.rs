use crate::storage;
use crate::visibility::event_audience;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::event::{EventAudience, EventType, LifecycleEvent};
use domain::member::Role;
use domain::repository::{EventRepository, StorageError};
use domain::submission::Status;
use domain::{MemberId, SubmissionId};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement,
    TransactionTrait,
};
use uuid::Uuid;

/// Writes an event into the outbox inside `tx`, so it commits or rolls back
/// with the change it records. The author is read from the submission row.
///
/// SQLite has one writer, so the event takes its feed position (`seq`) at
/// once: positions are handed out in commit order. On PostgreSQL writers
/// commit concurrently, and a position taken inside a transaction could become
/// visible after a higher one, letting a follower skip it; so the event waits
/// in `outbox_pending` until [`sequence_pending`] numbers it after its commit.
pub(crate) async fn record_event(
    tx: &DatabaseTransaction,
    event_type: EventType,
    submission: SubmissionId,
    actor: Option<MemberId>,
    from: Option<Status>,
    to: Option<Status>,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let table = match tx.get_database_backend() {
        DbBackend::Postgres => "outbox_pending",
        _ => "outbox_events",
    };
    let select = Query::select()
        .expr(Expr::val(Uuid::now_v7()))
        .expr(Expr::val(event_type.name()))
        .expr(Expr::val(submission.0))
        .column("author_id")
        .expr(Expr::val(actor.map(|a| a.0)))
        .expr(Expr::val(from.map(|s| s.as_str())))
        .expr(Expr::val(to.map(|s| s.as_str())))
        .expr(Expr::val(at))
        .from("submissions")
        .and_where(Expr::col("id").eq(submission.0))
        .to_owned();
    let insert = Query::insert()
        .into_table(table)
        .columns([
            "id",
            "event_type",
            "submission_id",
            "author_id",
            "actor_id",
            "from_status",
            "status",
            "at",
        ])
        .select_from(select)
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    let inserted = tx.execute(&insert).await?;
    if inserted.rows_affected() != 1 {
        return Err(DbErr::Custom(format!(
            "no submission {submission} to record {} for",
            event_type.name()
        )));
    }
    Ok(())
}

/// The one lock sequencers take, so batches are numbered one after another.
const SEQUENCER_LOCK: i64 = 727_274;

/// Moves committed events from `outbox_pending` into the feed, numbering them
/// after every position already handed out (PostgreSQL; a no-op on SQLite).
///
/// Why no follower can skip an event: positions are only ever given to
/// committed events, by one sequencer at a time (an advisory lock held until
/// the batch commits), each batch above the last. A batch becomes visible all
/// at once, and a batch that commits after another is never visible before it
/// (PostgreSQL marks a transaction committed before it releases its locks), so
/// any reader sees every position up to the highest it sees. An event whose
/// transaction is still open when a batch is taken is invisible to it and
/// waits for the next batch, which numbers it above everything read so far.
/// Within a batch, events keep the order they were inserted in; two changes to
/// one submission are never reordered, since the second waits for the first's
/// row lock and so records its event after the first committed.
///
/// Every reader of the feed (the change feed, the webhook fan-out) calls this
/// first, so a change is in the feed as soon as its write has been answered.
pub async fn sequence_pending(db: &DatabaseConnection) -> Result<u64, DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(0);
    }
    let pending = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT EXISTS (SELECT 1 FROM outbox_pending) AS pending",
        ))
        .await?
        .map(|row| row.try_get::<bool>("", "pending"))
        .transpose()?
        .unwrap_or(false);
    if !pending {
        return Ok(0);
    }
    let tx = db.begin().await?;
    tx.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock($1)",
        [SEQUENCER_LOCK.into()],
    ))
    .await?;
    let moved = tx
        .execute_unprepared(
            "WITH moved AS ( \
                 DELETE FROM outbox_pending \
                 RETURNING ins_seq, id, event_type, submission_id, author_id, actor_id, \
                           from_status, status, at \
             ) \
             INSERT INTO outbox_events \
                 (seq, id, event_type, submission_id, author_id, actor_id, from_status, status, at) \
             SELECT (SELECT COALESCE(MAX(seq), 0) FROM outbox_events) \
                        + ROW_NUMBER() OVER (ORDER BY ins_seq), \
                    id, event_type, submission_id, author_id, actor_id, from_status, status, at \
             FROM moved",
        )
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(moved)
}

/// The change feed, read from the outbox.
#[derive(Clone)]
pub struct SeaEventRepository {
    db: DatabaseConnection,
}

impl SeaEventRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[async_trait]
impl EventRepository for SeaEventRepository {
    #[tracing::instrument(skip(self))]
    async fn visible_after(
        &self,
        viewer: MemberId,
        role: Role,
        after: i64,
        limit: u64,
    ) -> Result<Vec<LifecycleEvent>, StorageError> {
        sequence_pending(&self.db).await.map_err(storage)?;
        let visible = event_audience(&EventAudience::of(viewer, role));
        let query = Query::select()
            .columns([
                "seq",
                "id",
                "event_type",
                "submission_id",
                "author_id",
                "actor_id",
                "from_status",
                "status",
                "at",
            ])
            .from("outbox_events")
            .and_where(Expr::col("seq").gt(after))
            .cond_where(visible)
            .order_by("seq", Order::Asc)
            .limit(limit)
            .to_owned();
        let rows = self.db.query_all(&query).await.map_err(storage)?;
        rows.iter()
            .map(|row| -> Result<LifecycleEvent, DbErr> {
                let status = |name: &str| -> Result<Option<Status>, DbErr> {
                    let raw: Option<String> = row.try_get("", name)?;
                    Ok(raw.and_then(|s| s.parse().ok()))
                };
                let member = |name: &str| -> Result<Option<MemberId>, DbErr> {
                    let raw: Option<Uuid> = row.try_get("", name)?;
                    Ok(raw.map(MemberId))
                };
                Ok(LifecycleEvent {
                    seq: row.try_get("", "seq")?,
                    id: row.try_get("", "id")?,
                    event_type: row.try_get("", "event_type")?,
                    submission_id: SubmissionId(row.try_get("", "submission_id")?),
                    author_id: member("author_id")?,
                    actor_id: member("actor_id")?,
                    from_status: status("from_status")?,
                    status: status("status")?,
                    at: row.try_get("", "at")?,
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(storage)
    }
}
