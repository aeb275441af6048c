use crate::entities::members;
use crate::entities::sessions::{ActiveModel, Column, Entity};
use crate::{storage, to_micros, write_error};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::MemberId;
use domain::audit::AuditEntry;
use domain::member::Role;
use domain::repository::{SessionRepository, StorageError, WriteError};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryResult, QuerySelect, Set,
};
use uuid::Uuid;

/// Sign-in sessions and password hashes stored through sea-orm.
#[derive(Clone)]
pub struct SeaSessionRepository {
    db: DatabaseConnection,
}

impl SeaSessionRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[async_trait]
impl SessionRepository for SeaSessionRepository {
    #[tracing::instrument(skip_all, fields(member = %member))]
    async fn start(
        &self,
        id: Uuid,
        member: MemberId,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        // The member's sessions that have expired are of no more use: a login
        // clears them, so the table holds about one row per live session.
        Entity::delete_many()
            .filter(Column::MemberId.eq(member.0))
            .filter(Column::ExpiresAt.lt(crate::now()))
            .exec(&self.db)
            .await
            .map_err(storage)?;
        ActiveModel {
            id: Set(id),
            member_id: Set(member.0),
            created_at: Set(crate::now()),
            expires_at: Set(to_micros(expires_at)),
            revoked_at: Set(None),
        }
        .insert(&self.db)
        .await
        .map_err(storage)?;
        Ok(())
    }

    /// One query by the session's primary key, joined to its member's row.
    async fn live(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<(MemberId, Role)>, StorageError> {
        let query = Query::select()
            .expr_as(Expr::col(("members", "id")), "member_id")
            .expr_as(Expr::col(("members", "role")), "role")
            .expr_as(Expr::col(("sessions", "expires_at")), "expires_at")
            .from("sessions")
            .inner_join(
                "members",
                Expr::col(("members", "id")).equals(("sessions", "member_id")),
            )
            .and_where(Expr::col(("sessions", "id")).eq(id))
            .and_where(Expr::col(("sessions", "revoked_at")).is_null())
            .and_where(Expr::col(("members", "erased_at")).is_null())
            .to_owned();
        let Some(row) = self.db.query_one(&query).await.map_err(storage)? else {
            return Ok(None);
        };
        live_member(&row, now).map_err(storage)
    }

    #[tracing::instrument(skip_all, fields(member = %member))]
    async fn revoke(
        &self,
        member: MemberId,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), WriteError> {
        Entity::update_many()
            .col_expr(Column::RevokedAt, Expr::value(to_micros(now)))
            .filter(Column::Id.eq(id))
            .filter(Column::MemberId.eq(member.0))
            .filter(Column::RevokedAt.is_null())
            .exec(&self.db)
            .await
            .map_err(write_error)?;
        Ok(())
    }

    async fn password_hash(&self, member: MemberId) -> Result<Option<String>, StorageError> {
        let hash: Option<Option<String>> = members::Entity::find_by_id(member.0)
            .filter(members::Column::ErasedAt.is_null())
            .select_only()
            .column(members::Column::PasswordHash)
            .into_tuple()
            .one(&self.db)
            .await
            .map_err(storage)?;
        Ok(hash.flatten())
    }

    #[tracing::instrument(skip_all, fields(member = %member))]
    async fn change_password(
        &self,
        member: MemberId,
        password_hash: String,
        keep: Uuid,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<(), WriteError> {
        let tx = crate::begin_write(&self.db).await.map_err(write_error)?;
        let changed = members::Entity::update_many()
            .col_expr(members::Column::PasswordHash, Expr::value(password_hash))
            .col_expr(members::Column::UpdatedAt, Expr::value(crate::now()))
            .filter(members::Column::Id.eq(member.0))
            .filter(members::Column::ErasedAt.is_null())
            .exec(&tx)
            .await
            .map_err(write_error)?;
        if changed.rows_affected == 0 {
            return Err(WriteError::NotFound);
        }
        let revoke = Query::update()
            .table("sessions")
            .value("revoked_at", to_micros(now))
            .and_where(Expr::col("member_id").eq(member.0))
            .and_where(Expr::col("id").ne(keep))
            .and_where(Expr::col("revoked_at").is_null())
            .to_owned();
        tx.execute(&revoke).await.map_err(write_error)?;
        crate::audit::insert(&tx, audit)
            .await
            .map_err(write_error)?;
        tx.commit().await.map_err(write_error)?;
        Ok(())
    }
}

/// The member and role of a session row read with `member_id`, `role` and
/// `expires_at` (all null when no live session matched), if it has not expired.
pub(crate) fn live_member(
    row: &QueryResult,
    now: DateTime<Utc>,
) -> Result<Option<(MemberId, Role)>, sea_orm::DbErr> {
    let member: Option<Uuid> = row.try_get("", "member_id")?;
    let role: Option<String> = row.try_get("", "role")?;
    let expires_at: Option<DateTime<Utc>> = row.try_get("", "expires_at")?;
    let (Some(member), Some(role), Some(expires_at)) = (member, role, expires_at) else {
        return Ok(None);
    };
    if expires_at < now {
        return Ok(None);
    }
    Ok(role.parse().ok().map(|role| (MemberId(member), role)))
}
