//! What happened to a submission: its status changes and the copies kept
//! of what was submitted.

use super::SeaSubmissionRepository;
use crate::storage;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::repository::{HistoryRepository, Revision, StorageError, Transition, TransitionRecord};
use domain::submission::Status;
use domain::{MemberId, SubmissionId};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr};
use uuid::Uuid;

/// Records who moved a submission from one status to another, and when.
pub(super) async fn insert_transition(
    tx: &DatabaseTransaction,
    id: SubmissionId,
    actor: Option<MemberId>,
    from: Status,
    to: Status,
    comment: Option<String>,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let insert = Query::insert()
        .into_table("transitions")
        .columns([
            "id",
            "submission_id",
            "actor_id",
            "from_status",
            "to_status",
            "comment",
            "at",
        ])
        .values_panic([
            Uuid::now_v7().into(),
            id.0.into(),
            actor.map(|a| a.0).into(),
            from.as_str().into(),
            to.as_str().into(),
            comment.into(),
            at.into(),
        ])
        .to_owned();
    tx.execute(&insert).await?;
    Ok(())
}

/// The number of the latest revision, if any.
pub(super) async fn latest_revision(
    tx: &impl ConnectionTrait,
    id: SubmissionId,
) -> Result<Option<i32>, DbErr> {
    let latest = Query::select()
        .expr_as(Expr::col("number").max(), Alias::new("latest"))
        .from("revisions")
        .and_where(Expr::col("submission_id").eq(id.0))
        .to_owned();
    match tx.query_one(&latest).await? {
        Some(row) => row.try_get("", "latest"),
        None => Ok(None),
    }
}

/// Keeps an immutable copy of what was submitted, numbered from 1.
pub(super) async fn store_revision(
    tx: &DatabaseTransaction,
    record: &TransitionRecord,
) -> Result<(), DbErr> {
    let latest = latest_revision(tx, record.id).await?;
    let copy = Query::insert()
        .into_table("revisions")
        .columns([
            "submission_id",
            "number",
            "kind",
            "content",
            "created_by",
            "created_at",
        ])
        .select_from(
            Query::select()
                .column("id")
                .expr(Expr::value(latest.unwrap_or(0) + 1))
                .columns(["kind", "content"])
                .expr(Expr::value(record.actor.0))
                .expr(Expr::value(record.at))
                .from("submissions")
                .and_where(Expr::col("id").eq(record.id.0))
                .to_owned(),
        )
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    tx.execute(&copy).await?;
    crate::attachments::link_revision(tx, record.id, latest.unwrap_or(0) + 1).await?;
    Ok(())
}

#[async_trait]
impl HistoryRepository for SeaSubmissionRepository {
    #[tracing::instrument(skip(self))]
    async fn transitions(&self, id: SubmissionId) -> Result<Vec<Transition>, StorageError> {
        let query = Query::select()
            .columns([
                ("t", "from_status"),
                ("t", "to_status"),
                ("t", "at"),
                ("t", "comment"),
            ])
            // An erased actor's tombstone id is not shown.
            .expr_as(
                Expr::cust("CASE WHEN m.erased_at IS NULL THEN t.actor_id END"),
                Alias::new("actor_id"),
            )
            .expr_as(Expr::col(("m", "display_name")), Alias::new("actor_name"))
            .from_as("transitions", "t")
            .join_as(
                JoinType::LeftJoin,
                "members",
                "m",
                Expr::col(("m", "id")).equals(("t", "actor_id")),
            )
            .and_where(Expr::col(("t", "submission_id")).eq(id.0))
            .order_by(("t", "at"), Order::Asc)
            .order_by(("t", "id"), Order::Asc)
            .to_owned();
        let rows = self.db.query_all(&query).await.map_err(storage)?;
        rows.iter()
            .map(|row| {
                let status = |name: &str| -> Result<Status, DbErr> {
                    let raw: String = row.try_get("", name)?;
                    raw.parse()
                        .map_err(|()| DbErr::Custom(format!("unknown status {raw}")))
                };
                let actor: Option<Uuid> = row.try_get("", "actor_id")?;
                Ok(Transition {
                    from: status("from_status")?,
                    to: status("to_status")?,
                    at: row.try_get("", "at")?,
                    actor_id: actor.map(MemberId),
                    actor_name: row.try_get("", "actor_name")?,
                    comment: row.try_get("", "comment")?,
                })
            })
            .collect::<Result<_, DbErr>>()
            .map_err(storage)
    }

    #[tracing::instrument(skip(self))]
    async fn revisions(&self, id: SubmissionId) -> Result<Vec<Revision>, StorageError> {
        let query = Query::select()
            .columns(["number", "kind", "content", "created_at", "created_by"])
            .from("revisions")
            .and_where(Expr::col("submission_id").eq(id.0))
            .order_by("number", Order::Asc)
            .to_owned();
        let rows = self.db.query_all(&query).await.map_err(storage)?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("", "kind")?;
                let content: String = row.try_get("", "content")?;
                let created_by: Option<Uuid> = row.try_get("", "created_by")?;
                Ok(Revision {
                    number: row.try_get("", "number")?,
                    kind: kind
                        .parse()
                        .map_err(|()| DbErr::Custom(format!("unknown kind {kind}")))?,
                    content: serde_json::from_str(&content)
                        .map_err(|e| DbErr::Custom(format!("stored revision: {e}")))?,
                    created_at: row.try_get("", "created_at")?,
                    created_by: created_by.map(MemberId),
                })
            })
            .collect::<Result<_, DbErr>>()
            .map_err(storage)
    }
}
