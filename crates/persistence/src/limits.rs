use crate::storage;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::limit::{Budget, Counted, LimitStore, SessionSeen, Taken};
use domain::repository::StorageError;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use uuid::Uuid;

/// Limits counted in the database, so every replica on it counts together.
/// Each check is one statement: the row lock of `INSERT … ON CONFLICT DO
/// UPDATE` makes concurrent checks on one key take turns.
pub struct SeaLimitStore {
    db: DatabaseConnection,
    calls: AtomicU64,
}

/// One call in this many also deletes rows that no longer limit anyone.
const PRUNE_EVERY: u64 = 1024;

impl SeaLimitStore {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            calls: AtomicU64::new(0),
        }
    }

    /// `sql` written for PostgreSQL, adapted to this database.
    fn statement(&self, sql: &str, values: Vec<Value>) -> Statement {
        let backend = self.db.get_database_backend();
        let sql = match backend {
            DbBackend::Sqlite => (1..=9)
                .rev()
                .fold(sql.replace("GREATEST(", "MAX("), |s, i| {
                    s.replace(&format!("${i}"), &format!("?{i}"))
                }),
            _ => sql.to_owned(),
        };
        Statement::from_sql_and_values(backend, sql, values)
    }

    /// What a refused take answers: how long until the bucket has room.
    async fn refused(&self, key: &str, budget: Budget, now_ms: i64) -> Result<Taken, StorageError> {
        let stored = self.statement(
            "SELECT full_at_ms FROM rate_limit_buckets WHERE key = $1",
            vec![key.into()],
        );
        let full_at = match self.db.query_one_raw(stored).await.map_err(storage)? {
            Some(row) => row.try_get("", "full_at_ms").map_err(storage)?,
            None => now_ms,
        };
        Ok(budget.refused(full_at, now_ms))
    }

    async fn prune(&self, sql: &str, values: Vec<Value>) -> Result<(), StorageError> {
        if self.calls.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.db
                .execute_raw(self.statement(sql, values))
                .await
                .map_err(storage)?;
        }
        Ok(())
    }
}

#[async_trait]
impl LimitStore for SeaLimitStore {
    #[tracing::instrument(skip(self))]
    async fn take(&self, key: &str, budget: Budget, now_ms: i64) -> Result<Taken, StorageError> {
        self.prune(
            "DELETE FROM rate_limit_buckets WHERE full_at_ms < $1",
            vec![now_ms.into()],
        )
        .await?;
        // The same rule as `Budget::next_full_at`, applied under the row lock.
        let take = self.statement(
            "INSERT INTO rate_limit_buckets (key, full_at_ms) VALUES ($1, $2 + $3) \
             ON CONFLICT (key) DO UPDATE \
             SET full_at_ms = GREATEST(rate_limit_buckets.full_at_ms, $2) + $3 \
             WHERE GREATEST(rate_limit_buckets.full_at_ms, $2) - $2 <= $4 \
             RETURNING full_at_ms",
            vec![
                key.into(),
                now_ms.into(),
                budget.interval_ms().into(),
                budget.slack_ms().into(),
            ],
        );
        if let Some(row) = self.db.query_one_raw(take).await.map_err(storage)? {
            let full_at: i64 = row.try_get("", "full_at_ms").map_err(storage)?;
            return Ok(budget.allowed(full_at, now_ms));
        }
        self.refused(key, budget, now_ms).await
    }

    /// On PostgreSQL one statement: the take above as a data-modifying
    /// `WITH`, and the session's row joined to its member's as
    /// `SeaSessionRepository::live` reads them. A get then makes two round
    /// trips to the database instead of three.
    #[tracing::instrument(skip(self))]
    async fn take_looking_up(
        &self,
        key: &str,
        budget: Budget,
        now_ms: i64,
        session: Uuid,
    ) -> Result<(Taken, Option<SessionSeen>), StorageError> {
        if self.db.get_database_backend() != DbBackend::Postgres {
            return Ok((self.take(key, budget, now_ms).await?, None));
        }
        self.prune(
            "DELETE FROM rate_limit_buckets WHERE full_at_ms < $1",
            vec![now_ms.into()],
        )
        .await?;
        let statement = self.statement(
            "WITH taken AS ( \
                 INSERT INTO rate_limit_buckets (key, full_at_ms) VALUES ($1, $2 + $3) \
                 ON CONFLICT (key) DO UPDATE \
                 SET full_at_ms = GREATEST(rate_limit_buckets.full_at_ms, $2) + $3 \
                 WHERE GREATEST(rate_limit_buckets.full_at_ms, $2) - $2 <= $4 \
                 RETURNING full_at_ms \
             ) \
             SELECT (SELECT full_at_ms FROM taken) AS full_at_ms, \
                    members.id AS member_id, members.role AS role, \
                    sessions.expires_at AS expires_at \
             FROM (SELECT 1) AS one \
             LEFT JOIN sessions ON sessions.id = $5 AND sessions.revoked_at IS NULL \
             LEFT JOIN members ON members.id = sessions.member_id \
                 AND members.erased_at IS NULL",
            vec![
                key.into(),
                now_ms.into(),
                budget.interval_ms().into(),
                budget.slack_ms().into(),
                session.into(),
            ],
        );
        let row = self
            .db
            .query_one_raw(statement)
            .await
            .map_err(storage)?
            .ok_or_else(|| storage(sea_orm::DbErr::RecordNotFound(key.to_owned())))?;
        let now = DateTime::<Utc>::from_timestamp_millis(now_ms).unwrap_or_else(Utc::now);
        let seen = SessionSeen {
            session,
            live: crate::sessions::live_member(&row, now).map_err(storage)?,
        };
        let taken = match row
            .try_get::<Option<i64>>("", "full_at_ms")
            .map_err(storage)?
        {
            Some(full_at) => budget.allowed(full_at, now_ms),
            None => self.refused(key, budget, now_ms).await?,
        };
        Ok((taken, Some(seen)))
    }

    #[tracing::instrument(skip(self))]
    async fn count(
        &self,
        key: &str,
        delta: i64,
        window_ms: i64,
        now_ms: i64,
    ) -> Result<Counted, StorageError> {
        self.prune(
            "DELETE FROM login_failure_windows WHERE window_started_ms <= $1",
            vec![(now_ms - window_ms).into()],
        )
        .await?;
        // The same rule as `Counted::add`, applied under the row lock.
        let count = self.statement(
            "INSERT INTO login_failure_windows (key, failures, window_started_ms) \
             VALUES ($1, GREATEST($2, 0), $3) \
             ON CONFLICT (key) DO UPDATE SET \
             failures = CASE WHEN login_failure_windows.window_started_ms > $3 - $4 \
                 THEN GREATEST(login_failure_windows.failures + $2, 0) ELSE GREATEST($2, 0) END, \
             window_started_ms = CASE WHEN login_failure_windows.window_started_ms > $3 - $4 \
                 THEN login_failure_windows.window_started_ms ELSE $3 END \
             RETURNING failures, window_started_ms",
            vec![key.into(), delta.into(), now_ms.into(), window_ms.into()],
        );
        let row = self
            .db
            .query_one_raw(count)
            .await
            .map_err(storage)?
            .ok_or_else(|| storage(sea_orm::DbErr::RecordNotFound(key.to_owned())))?;
        let count: i32 = row.try_get("", "failures").map_err(storage)?;
        let started: i64 = row.try_get("", "window_started_ms").map_err(storage)?;
        Ok(Counted {
            count: i64::from(count),
            window_ends_ms: started + window_ms,
        })
    }

    async fn forget(&self, key: &str) -> Result<(), StorageError> {
        let forget = self.statement(
            "DELETE FROM login_failure_windows WHERE key = $1",
            vec![key.into()],
        );
        self.db.execute_raw(forget).await.map_err(storage)?;
        Ok(())
    }
}
