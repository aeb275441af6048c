use crate::events::{EVENT_COLUMNS, to_event};
use crate::{now, storage, write_error};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::MemberId;
use domain::audit::AuditEntry;
use domain::repository::{StorageError, WebhookRepository, WriteError};
use domain::webhook::{
    Delivery, LeasedDelivery, MAX_ATTEMPTS, Webhook, WebhookChange, next_attempt,
};
use sea_orm::sea_query::{
    Cond, Expr, ExprTrait, JoinType, LockBehavior, LockType, OnConflict, Order, Query,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, QueryResult, TransactionTrait};
use uuid::Uuid;

/// Webhooks and deliveries stored through sea-orm.
#[derive(Clone)]
pub struct SeaWebhookRepository {
    db: DatabaseConnection,
}

impl SeaWebhookRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn to_webhook(row: &QueryResult, prefix: &str) -> Result<Webhook, DbErr> {
    let types: String = row.try_get(prefix, "event_types")?;
    Ok(Webhook {
        id: row.try_get(prefix, "id")?,
        url: row.try_get(prefix, "url")?,
        event_types: types.split_whitespace().map(str::to_owned).collect(),
        secret: row.try_get(prefix, "secret")?,
        active: row.try_get(prefix, "active")?,
        owner: row
            .try_get::<Option<Uuid>>(prefix, "created_by")?
            .map(MemberId),
        created_at: row.try_get(prefix, "created_at")?,
    })
}

fn to_delivery(row: &QueryResult) -> Result<Delivery, DbErr> {
    Ok(Delivery {
        id: row.try_get("", "id")?,
        webhook_id: row.try_get("", "webhook_id")?,
        event_seq: row.try_get("", "event_seq")?,
        event_type: row.try_get("", "event_type")?,
        state: row.try_get("", "state")?,
        attempts: row.try_get("", "attempts")?,
        last_status_code: row.try_get("", "last_status_code")?,
        last_error: row.try_get("", "last_error")?,
        next_attempt_at: row.try_get("", "next_attempt_at")?,
        delivered_at: row.try_get("", "delivered_at")?,
    })
}

const WEBHOOK_COLUMNS: [&str; 7] = [
    "id",
    "url",
    "event_types",
    "secret",
    "active",
    "created_by",
    "created_at",
];

const DELIVERY_COLUMNS: [&str; 10] = [
    "id",
    "webhook_id",
    "event_seq",
    "event_type",
    "state",
    "attempts",
    "last_status_code",
    "last_error",
    "next_attempt_at",
    "delivered_at",
];

#[async_trait]
impl WebhookRepository for SeaWebhookRepository {
    #[tracing::instrument(skip(self, secret, audit))]
    async fn create(
        &self,
        url: &str,
        event_types: &[String],
        secret: &str,
        by: MemberId,
        audit: &AuditEntry,
    ) -> Result<Webhook, WriteError> {
        let webhook = Webhook {
            id: Uuid::now_v7(),
            url: url.to_owned(),
            event_types: event_types.to_vec(),
            secret: secret.to_owned(),
            active: true,
            owner: Some(by),
            created_at: now(),
        };
        let insert = Query::insert()
            .into_table("webhooks")
            .columns([
                "id",
                "url",
                "event_types",
                "secret",
                "active",
                "created_by",
                "created_at",
            ])
            .values_panic([
                webhook.id.into(),
                webhook.url.clone().into(),
                webhook.event_types.join(" ").into(),
                webhook.secret.clone().into(),
                true.into(),
                Some(by.0).into(),
                webhook.created_at.into(),
            ])
            .to_owned();
        let tx = self.db.begin().await.map_err(write_error)?;
        tx.execute(&insert).await.map_err(write_error)?;
        let audit = audit.clone().target("webhook", webhook.id);
        crate::audit::insert(&tx, &audit)
            .await
            .map_err(write_error)?;
        tx.commit().await.map_err(write_error)?;
        Ok(webhook)
    }

    #[tracing::instrument(skip(self, change, audit))]
    async fn change(
        &self,
        id: Uuid,
        change: &WebhookChange,
        audit: &AuditEntry,
    ) -> Result<Option<Webhook>, WriteError> {
        let tx = self.db.begin().await.map_err(write_error)?;
        let mut update = Query::update();
        update.table("webhooks").and_where(Expr::col("id").eq(id));
        // Always one value, so an empty change still finds (and locks) the row.
        update.value("id", id);
        if let Some(active) = change.active {
            update.value("active", active);
        }
        if let Some(types) = &change.event_types {
            update.value("event_types", types.as_slice().join(" "));
        }
        if let Some(secret) = &change.secret {
            update.value("secret", secret.clone());
        }
        if tx
            .execute(&update)
            .await
            .map_err(write_error)?
            .rows_affected()
            == 0
        {
            return Ok(None);
        }
        crate::audit::insert(&tx, audit)
            .await
            .map_err(write_error)?;
        let select = Query::select()
            .columns(WEBHOOK_COLUMNS)
            .from("webhooks")
            .and_where(Expr::col("id").eq(id))
            .to_owned();
        let row = tx.query_one(&select).await.map_err(write_error)?;
        let webhook = row
            .map(|r| to_webhook(&r, ""))
            .transpose()
            .map_err(write_error)?;
        tx.commit().await.map_err(write_error)?;
        Ok(webhook)
    }

    #[tracing::instrument(skip(self, audit))]
    async fn delete(&self, id: Uuid, audit: &AuditEntry) -> Result<bool, WriteError> {
        let tx = self.db.begin().await.map_err(write_error)?;
        let deliveries = Query::delete()
            .from_table("webhook_deliveries")
            .and_where(Expr::col("webhook_id").eq(id))
            .to_owned();
        tx.execute(&deliveries).await.map_err(write_error)?;
        let webhook = Query::delete()
            .from_table("webhooks")
            .and_where(Expr::col("id").eq(id))
            .to_owned();
        if tx
            .execute(&webhook)
            .await
            .map_err(write_error)?
            .rows_affected()
            == 0
        {
            return Ok(false);
        }
        crate::audit::insert(&tx, audit)
            .await
            .map_err(write_error)?;
        tx.commit().await.map_err(write_error)?;
        Ok(true)
    }

    async fn list(&self) -> Result<Vec<Webhook>, StorageError> {
        all_webhooks(&self.db).await
    }

    async fn deliveries(&self, webhook: Uuid) -> Result<Option<Vec<Delivery>>, StorageError> {
        let exists = Query::select()
            .column("id")
            .from("webhooks")
            .and_where(Expr::col("id").eq(webhook))
            .to_owned();
        if self.db.query_one(&exists).await.map_err(storage)?.is_none() {
            return Ok(None);
        }
        let select = Query::select()
            .columns(DELIVERY_COLUMNS)
            .from("webhook_deliveries")
            .and_where(Expr::col("webhook_id").eq(webhook))
            .order_by("event_seq", Order::Asc)
            .to_owned();
        let rows = self.db.query_all(&select).await.map_err(storage)?;
        rows.iter()
            .map(to_delivery)
            .collect::<Result<_, _>>()
            .map(Some)
            .map_err(storage)
    }

    #[tracing::instrument(skip(self))]
    async fn fan_out(&self, at: DateTime<Utc>, limit: u64) -> Result<u64, StorageError> {
        crate::events::sequence_pending(&self.db)
            .await
            .map_err(storage)?;
        let tx = self.db.begin().await.map_err(storage)?;
        // Replicas fan out one at a time: the cursor row stays locked until
        // this transaction commits (SQLite has one writer anyway, and the
        // unique (webhook_id, event_seq) makes a repeated fan-out a no-op).
        let cursor = Query::select()
            .column("last_seq")
            .from("webhook_dispatch")
            .and_where(Expr::col("id").eq(1))
            .lock(LockType::Update)
            .to_owned();
        let last_seq: i64 = match tx.query_one(&cursor).await.map_err(storage)? {
            Some(row) => row.try_get("", "last_seq").map_err(storage)?,
            None => 0,
        };
        let events = Query::select()
            .columns(EVENT_COLUMNS)
            .from("outbox_events")
            .and_where(Expr::col("seq").gt(last_seq))
            .order_by("seq", Order::Asc)
            .limit(limit)
            .to_owned();
        let rows = tx.query_all(&events).await.map_err(storage)?;
        if rows.is_empty() {
            return Ok(0);
        }
        // Webhooks are read after the events: one registered before an event
        // was recorded is then always seen, whatever the timing of this poll.
        let webhooks = all_webhooks(&tx).await?;
        let mut made = 0;
        let mut high = last_seq;
        for row in &rows {
            let event = to_event(row, "").map_err(storage)?;
            let seq = event.seq;
            let event_type = event.event_type.clone();
            high = std::cmp::max(high, seq);
            // Each webhook gets what its owner may see (never another
            // member's draft), and only while it is enabled.
            for webhook in webhooks
                .iter()
                .filter(|w| w.wants(&event) && w.created_at <= event.at)
            {
                let insert = Query::insert()
                    .into_table("webhook_deliveries")
                    .columns([
                        "id",
                        "webhook_id",
                        "event_seq",
                        "event_type",
                        "state",
                        "attempts",
                        "next_attempt_at",
                    ])
                    .values_panic([
                        Uuid::now_v7().into(),
                        webhook.id.into(),
                        seq.into(),
                        event_type.clone().into(),
                        "pending".into(),
                        0.into(),
                        Some(at).into(),
                    ])
                    .on_conflict(
                        OnConflict::columns(["webhook_id", "event_seq"])
                            .do_nothing()
                            .to_owned(),
                    )
                    .to_owned();
                made += tx.execute(&insert).await.map_err(storage)?.rows_affected();
            }
        }
        let advance = Query::update()
            .table("webhook_dispatch")
            .value("last_seq", high)
            .and_where(Expr::col("id").eq(1))
            .and_where(Expr::col("last_seq").lt(high))
            .to_owned();
        tx.execute(&advance).await.map_err(storage)?;
        tx.commit().await.map_err(storage)?;
        Ok(made)
    }

    #[tracing::instrument(skip(self))]
    async fn lease_due(
        &self,
        at: DateTime<Utc>,
        lease_for: chrono::Duration,
        limit: u64,
    ) -> Result<Vec<LeasedDelivery>, StorageError> {
        let lease = Uuid::now_v7();
        let earlier_pending = Query::select()
            .expr(Expr::val(1))
            .from_as("webhook_deliveries", "p")
            .and_where(Expr::col(("p", "webhook_id")).equals(("d", "webhook_id")))
            .and_where(Expr::col(("p", "state")).eq("pending"))
            .and_where(Expr::col(("p", "event_seq")).lt(Expr::col(("d", "event_seq"))))
            .to_owned();
        let active_webhooks = Query::select()
            .column("id")
            .from("webhooks")
            .and_where(Expr::col("active").eq(true))
            .to_owned();
        // Rows another replica is leasing right now are skipped, not waited
        // for; SQLite has no row locks, and one UPDATE there is atomic.
        let due = Query::select()
            .column(("d", "id"))
            .from_as("webhook_deliveries", "d")
            .and_where(Expr::col(("d", "state")).eq("pending"))
            .and_where(Expr::col(("d", "next_attempt_at")).lte(at))
            .cond_where(
                Cond::any()
                    .add(Expr::col(("d", "leased_until")).is_null())
                    .add(Expr::col(("d", "leased_until")).lte(at)),
            )
            .and_where(Expr::exists(earlier_pending).not())
            .and_where(Expr::col(("d", "webhook_id")).in_subquery(active_webhooks))
            .order_by(("d", "next_attempt_at"), Order::Asc)
            .order_by(("d", "event_seq"), Order::Asc)
            .limit(limit)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .to_owned();
        let take = Query::update()
            .table("webhook_deliveries")
            .value("lease_id", lease)
            .value("leased_until", at + lease_for)
            .and_where(Expr::col("id").in_subquery(due))
            .to_owned();
        if self
            .db
            .execute(&take)
            .await
            .map_err(storage)?
            .rows_affected()
            == 0
        {
            return Ok(Vec::new());
        }
        let mut select = Query::select();
        for column in DELIVERY_COLUMNS {
            select.expr_as(Expr::col(("d", column)), column);
        }
        for column in WEBHOOK_COLUMNS {
            select.expr_as(Expr::col(("w", column)), format!("w_{column}"));
        }
        for column in EVENT_COLUMNS {
            select.expr_as(Expr::col(("e", column)), format!("e_{column}"));
        }
        select
            .from_as("webhook_deliveries", "d")
            .join_as(
                JoinType::InnerJoin,
                "webhooks",
                "w",
                Expr::col(("w", "id")).equals(("d", "webhook_id")),
            )
            .join_as(
                JoinType::InnerJoin,
                "outbox_events",
                "e",
                Expr::col(("e", "seq")).equals(("d", "event_seq")),
            )
            .and_where(Expr::col(("d", "lease_id")).eq(lease))
            .order_by(("d", "event_seq"), Order::Asc);
        let rows = self.db.query_all(&select).await.map_err(storage)?;
        rows.iter()
            .map(|row| -> Result<_, DbErr> {
                let delivery = to_delivery(row)?;
                let webhook = to_webhook(row, "w_")?;
                let event = to_event(row, "e_")?;
                Ok(LeasedDelivery {
                    lease,
                    delivery,
                    webhook,
                    event,
                })
            })
            .collect::<Result<_, _>>()
            .map_err(storage)
    }

    #[tracing::instrument(skip(self, error))]
    async fn record_attempt(
        &self,
        lease: Uuid,
        delivery: Uuid,
        status_code: Option<i32>,
        error: Option<String>,
        delivered: bool,
        at: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let held = |statement: &mut sea_orm::sea_query::SelectStatement| {
            statement
                .and_where(Expr::col("id").eq(delivery))
                .and_where(Expr::col("lease_id").eq(lease))
                .to_owned()
        };
        let select = held(
            Query::select()
                .column("attempts")
                .from("webhook_deliveries"),
        );
        let Some(row) = self.db.query_one(&select).await.map_err(storage)? else {
            return Ok(false);
        };
        let attempts: i32 = row.try_get("", "attempts").map_err(storage)?;
        let attempts = attempts + 1;
        let (state, next, delivered_at) = if delivered {
            ("delivered", None, Some(at))
        } else if attempts >= MAX_ATTEMPTS {
            ("failed", None, None)
        } else {
            ("pending", Some(next_attempt(attempts, at)), None)
        };
        // Guarded by the lease: a holder whose lease lapsed and was taken
        // over changes nothing, so `attempts` counts each attempt once.
        let update = Query::update()
            .table("webhook_deliveries")
            .value("attempts", attempts)
            .value("state", state)
            .value("last_status_code", status_code)
            .value("last_error", error)
            .value("next_attempt_at", next)
            .value("delivered_at", delivered_at)
            .value("lease_id", Option::<Uuid>::None)
            .value("leased_until", Option::<DateTime<Utc>>::None)
            .and_where(Expr::col("id").eq(delivery))
            .and_where(Expr::col("lease_id").eq(lease))
            .to_owned();
        let updated = self.db.execute(&update).await.map_err(storage)?;
        Ok(updated.rows_affected() == 1)
    }
}

/// Every registered webhook, newest first.
async fn all_webhooks(db: &impl ConnectionTrait) -> Result<Vec<Webhook>, StorageError> {
    let select = Query::select()
        .columns(WEBHOOK_COLUMNS)
        .from("webhooks")
        .order_by("created_at", Order::Desc)
        .to_owned();
    let rows = db.query_all(&select).await.map_err(storage)?;
    rows.iter()
        .map(|r| to_webhook(r, ""))
        .collect::<Result<_, _>>()
        .map_err(storage)
}
