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
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, QueryResult,
    Statement, TransactionTrait,
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
    let table = pending_table(tx);
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

/// Writes the event that a resource was published into the outbox inside
/// `tx` (see [`record_event`] for where it waits for its feed position).
pub(crate) async fn record_resource_event(
    tx: &DatabaseTransaction,
    resource: Uuid,
    actor: Option<MemberId>,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let insert = Query::insert()
        .into_table(pending_table(tx))
        .columns(["id", "event_type", "resource_id", "actor_id", "at"])
        .values_panic([
            Uuid::now_v7().into(),
            EventType::ResourcePublished.name().into(),
            resource.into(),
            actor.map(|a| a.0).into(),
            at.into(),
        ])
        .to_owned();
    tx.execute(&insert).await?;
    Ok(())
}

/// Where a write records its event: see [`record_event`].
fn pending_table(tx: &DatabaseTransaction) -> &'static str {
    match tx.get_database_backend() {
        DbBackend::Postgres => "outbox_pending",
        _ => "outbox_events",
    }
}

/// The columns of an event in the feed, as [`to_event`] reads them.
pub(crate) const EVENT_COLUMNS: [&str; 10] = [
    "seq",
    "id",
    "event_type",
    "submission_id",
    "resource_id",
    "author_id",
    "actor_id",
    "from_status",
    "status",
    "at",
];

/// A feed event from [`EVENT_COLUMNS`] named `<prefix><column>`.
pub(crate) fn to_event(row: &QueryResult, prefix: &str) -> Result<LifecycleEvent, DbErr> {
    let get = |name: &str| format!("{prefix}{name}");
    let status = |name: &str| -> Result<Option<Status>, DbErr> {
        let raw: Option<String> = row.try_get("", &get(name))?;
        Ok(raw.and_then(|s| s.parse().ok()))
    };
    let id = |name: &str| -> Result<Option<Uuid>, DbErr> { row.try_get("", &get(name)) };
    Ok(LifecycleEvent {
        seq: row.try_get("", &get("seq"))?,
        id: row.try_get("", &get("id"))?,
        event_type: row.try_get("", &get("event_type"))?,
        submission_id: id("submission_id")?.map(SubmissionId),
        resource_id: id("resource_id")?,
        author_id: id("author_id")?.map(MemberId),
        actor_id: id("actor_id")?.map(MemberId),
        from_status: status("from_status")?,
        status: status("status")?,
        at: row.try_get("", &get("at"))?,
    })
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
    // Every column of a feed event but its position, which is given here.
    let columns = EVENT_COLUMNS[1..].join(", ");
    let moved = tx
        .execute_unprepared(&format!(
            "WITH moved AS ( \
                 DELETE FROM outbox_pending RETURNING ins_seq, {columns} \
             ) \
             INSERT INTO outbox_events (seq, {columns}) \
             SELECT (SELECT COALESCE(MAX(seq), 0) FROM outbox_events) \
                        + ROW_NUMBER() OVER (ORDER BY ins_seq), \
                    {columns} \
             FROM moved"
        ))
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
            .columns(EVENT_COLUMNS)
            .from("outbox_events")
            .and_where(Expr::col("seq").gt(after))
            .cond_where(visible)
            .order_by("seq", Order::Asc)
            .limit(limit)
            .to_owned();
        let rows = self.db.query_all(&query).await.map_err(storage)?;
        rows.iter()
            .map(|row| to_event(row, ""))
            .collect::<Result<Vec<_>, _>>()
            .map_err(storage)
    }
}
