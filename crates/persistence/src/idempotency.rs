use crate::storage;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::MemberId;
use domain::idempotency::{Claim, IdempotencyKey, StoredResponse, lease_left, still_holds};
use domain::repository::{IdempotencyRepository, StorageError};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};

/// Idempotency keys stored through sea-orm.
#[derive(Clone)]
pub struct SeaIdempotencyRepository {
    db: DatabaseConnection,
    /// How long an unanswered claim stays with its request.
    lease: chrono::Duration,
}

impl SeaIdempotencyRepository {
    pub fn new(db: DatabaseConnection, lease: chrono::Duration) -> Self {
        Self { db, lease }
    }

    fn in_progress(&self) -> Claim {
        Claim::InProgress {
            retry_after_seconds: Ord::max(u64::try_from(self.lease.num_seconds()).unwrap_or(1), 1),
        }
    }

    /// Takes over an unanswered claim whose lease ran out; true when this
    /// call took it (of two concurrent takers exactly one does).
    async fn take_over(
        &self,
        caller: MemberId,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<bool, DbErr> {
        let update = Query::update()
            .table("idempotency_keys")
            .value("created_at", now)
            .and_where(Expr::col("member_id").eq(caller.0))
            .and_where(Expr::col("key").eq(key.as_str()))
            .and_where(Expr::col("status").is_null())
            .and_where(Expr::col("created_at").lte(now - self.lease))
            .to_owned();
        Ok(self.db.execute(&update).await?.rows_affected() == 1)
    }

    /// Inserts the claim unless one exists; true when this call made it.
    async fn insert(
        &self,
        caller: MemberId,
        key: &IdempotencyKey,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, DbErr> {
        let insert = Query::insert()
            .into_table("idempotency_keys")
            .columns(["member_id", "key", "fingerprint", "created_at"])
            .values_panic([
                caller.0.into(),
                key.as_str().into(),
                fingerprint.into(),
                now.into(),
            ])
            .on_conflict(
                OnConflict::columns(["member_id", "key"])
                    .do_nothing()
                    .to_owned(),
            )
            .to_owned();
        Ok(self.db.execute(&insert).await?.rows_affected() == 1)
    }
}

#[async_trait]
impl IdempotencyRepository for SeaIdempotencyRepository {
    #[tracing::instrument(skip(self, key, fingerprint))]
    async fn claim(
        &self,
        caller: MemberId,
        key: &IdempotencyKey,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<Claim, StorageError> {
        if self
            .insert(caller, key, fingerprint, now)
            .await
            .map_err(storage)?
        {
            return Ok(Claim::Started);
        }
        let select = Query::select()
            .columns(["fingerprint", "created_at", "status", "headers", "body"])
            .from("idempotency_keys")
            .and_where(Expr::col("member_id").eq(caller.0))
            .and_where(Expr::col("key").eq(key.as_str()))
            .to_owned();
        let Some(row) = self.db.query_one(&select).await.map_err(storage)? else {
            // Released between our insert and this read: try once more.
            let started = self
                .insert(caller, key, fingerprint, now)
                .await
                .map_err(storage)?;
            return Ok(if started {
                Claim::Started
            } else {
                self.in_progress()
            });
        };
        let stored_fingerprint: String = row.try_get("", "fingerprint").map_err(storage)?;
        let created_at: DateTime<Utc> = row.try_get("", "created_at").map_err(storage)?;
        if !still_holds(created_at, now) {
            let expired = Query::delete()
                .from_table("idempotency_keys")
                .and_where(Expr::col("member_id").eq(caller.0))
                .and_where(Expr::col("key").eq(key.as_str()))
                .and_where(Expr::col("created_at").eq(created_at))
                .to_owned();
            self.db.execute(&expired).await.map_err(storage)?;
            let started = self
                .insert(caller, key, fingerprint, now)
                .await
                .map_err(storage)?;
            return Ok(if started {
                Claim::Started
            } else {
                self.in_progress()
            });
        }
        if stored_fingerprint != fingerprint {
            return Ok(Claim::Mismatch);
        }
        let status: Option<i32> = row.try_get("", "status").map_err(storage)?;
        let Some(status) = status else {
            if let Some(retry_after_seconds) = lease_left(created_at, now, self.lease) {
                return Ok(Claim::InProgress {
                    retry_after_seconds,
                });
            }
            let taken = self.take_over(caller, key, now).await.map_err(storage)?;
            tracing::warn!(taken, "an unanswered idempotency claim outlived its lease");
            return Ok(if taken {
                Claim::Started
            } else {
                self.in_progress()
            });
        };
        let headers: Option<String> = row.try_get("", "headers").map_err(storage)?;
        let body: Option<Vec<u8>> = row.try_get("", "body").map_err(storage)?;
        let headers: Vec<(String, String)> =
            serde_json::from_str(headers.as_deref().unwrap_or("[]"))
                .map_err(|e| storage(DbErr::Custom(e.to_string())))?;
        Ok(Claim::Replay(StoredResponse {
            status: u16::try_from(status).unwrap_or(500),
            headers,
            body: body.unwrap_or_default(),
        }))
    }

    #[tracing::instrument(skip_all)]
    async fn complete(
        &self,
        caller: MemberId,
        key: &IdempotencyKey,
        response: &StoredResponse,
    ) -> Result<(), StorageError> {
        keep_answer(&self.db, caller, key, response)
            .await
            .map_err(storage)
    }

    #[tracing::instrument(skip_all)]
    async fn release(&self, caller: MemberId, key: &IdempotencyKey) -> Result<(), StorageError> {
        let delete = Query::delete()
            .from_table("idempotency_keys")
            .and_where(Expr::col("member_id").eq(caller.0))
            .and_where(Expr::col("key").eq(key.as_str()))
            .and_where(Expr::col("status").is_null())
            .to_owned();
        self.db.execute(&delete).await.map_err(storage)?;
        Ok(())
    }
}

/// Keeps the answer to a held key through `db`, which may be the write's own
/// transaction: then the answer commits with the write or not at all, and a
/// committed write always replays its answer. The first answer kept wins,
/// should a claim taken over after its lease be answered twice.
pub async fn keep_answer<C: ConnectionTrait>(
    db: &C,
    caller: MemberId,
    key: &IdempotencyKey,
    response: &StoredResponse,
) -> Result<(), DbErr> {
    let headers =
        serde_json::to_string(&response.headers).map_err(|e| DbErr::Custom(e.to_string()))?;
    let update = Query::update()
        .table("idempotency_keys")
        .value("status", i32::from(response.status))
        .value("headers", headers)
        .value("body", response.body.clone())
        .and_where(Expr::col("member_id").eq(caller.0))
        .and_where(Expr::col("key").eq(key.as_str()))
        .and_where(Expr::col("status").is_null())
        .to_owned();
    db.execute(&update).await?;
    Ok(())
}
