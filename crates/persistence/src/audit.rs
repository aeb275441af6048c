use crate::storage;
use async_trait::async_trait;
use domain::MemberId;
use domain::audit::{AuditEntry, AuditFilter};
use domain::pagination::{Page, PageSize};
use domain::repository::{AuditRepository, StorageError};
use sea_orm::sea_query::{Cond, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use uuid::Uuid;

/// The append-only audit log: this type inserts and reads, nothing else.
#[derive(Clone)]
pub struct SeaAuditRepository {
    db: DatabaseConnection,
}

impl SeaAuditRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// The audit log's columns, in the order entries are written and read.
const COLUMNS: [&str; 8] = [
    "id",
    "at",
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "request_id",
    "details",
];

/// Appends one entry, on the pool or inside the transaction of the write it records.
pub(crate) async fn insert(db: &impl ConnectionTrait, entry: &AuditEntry) -> Result<(), DbErr> {
    let insert = Query::insert()
        .into_table("audit_log")
        .columns(COLUMNS)
        .values_panic([
            entry.id.into(),
            entry.at.into(),
            entry.actor_id.map(|a| a.0).into(),
            entry.action.clone().into(),
            entry.target_type.clone().into(),
            entry.target_id.into(),
            entry.request_id.clone().into(),
            entry.details.to_string().into(),
        ])
        .to_owned();
    db.execute(&insert).await?;
    Ok(())
}

#[async_trait]
impl AuditRepository for SeaAuditRepository {
    #[tracing::instrument(skip_all, fields(action = %entry.action))]
    async fn record(&self, entry: AuditEntry) -> Result<(), StorageError> {
        insert(&self.db, &entry).await.map_err(storage)
    }

    #[tracing::instrument(skip(self, filter))]
    async fn list(
        &self,
        filter: &AuditFilter,
        after: Option<Uuid>,
        size: PageSize,
    ) -> Result<Page<AuditEntry>, StorageError> {
        let mut cond = Cond::all();
        if let Some(action) = &filter.action {
            cond = cond.add(Expr::col("action").eq(action.as_str()));
        }
        if let Some(actor) = filter.actor_id {
            cond = cond.add(Expr::col("actor_id").eq(actor.0));
        }
        if let Some(target) = filter.target_id {
            cond = cond.add(Expr::col("target_id").eq(target));
        }
        if let Some(from) = filter.from {
            cond = cond.add(Expr::col("at").gte(from));
        }
        if let Some(to) = filter.to {
            cond = cond.add(Expr::col("at").lt(to));
        }
        if let Some(after) = after {
            cond = cond.add(Expr::col("id").lt(after));
        }
        let query = Query::select()
            .columns(COLUMNS)
            .from("audit_log")
            .cond_where(cond)
            .order_by("id", Order::Desc)
            .limit(size.get() + 1)
            .to_owned();
        let rows = self.db.query_all(&query).await.map_err(storage)?;
        let mut items = rows
            .iter()
            .map(|row| {
                let actor: Option<Uuid> = row.try_get("", "actor_id")?;
                let details: String = row.try_get("", "details")?;
                Ok(AuditEntry {
                    id: row.try_get("", "id")?,
                    at: row.try_get("", "at")?,
                    actor_id: actor.map(MemberId),
                    action: row.try_get("", "action")?,
                    target_type: row.try_get("", "target_type")?,
                    target_id: row.try_get("", "target_id")?,
                    request_id: row.try_get("", "request_id")?,
                    details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
                })
            })
            .collect::<Result<Vec<_>, DbErr>>()
            .map_err(storage)?;
        let more = items.len() as u64 > size.get();
        items.truncate(size.get() as usize);
        let next_cursor = more
            .then(|| items.last().map(|e| e.id.simple().to_string()))
            .flatten();
        Ok(Page { items, next_cursor })
    }
}
