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
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr};
use uuid::Uuid;

/// Writes an event into the outbox inside `tx`, so it commits or rolls back
/// with the change it records. The author is read from the submission row.
pub(crate) async fn record_event(
    tx: &DatabaseTransaction,
    event_type: EventType,
    submission: SubmissionId,
    actor: Option<MemberId>,
    from: Option<Status>,
    to: Option<Status>,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    if tx.get_database_backend() == DbBackend::Postgres {
        // Sequence numbers are taken in commit order, so a reader that has
        // seen `seq` n never later finds an event below n committed.
        tx.execute_unprepared("SELECT pg_advisory_xact_lock(727274)")
            .await?;
    }
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
        .into_table("outbox_events")
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
