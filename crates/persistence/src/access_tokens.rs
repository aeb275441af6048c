use crate::entities::access_tokens::{ActiveModel, Column, Entity, Model};
use crate::{now, storage, write_error};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::MemberId;
use domain::access_token::{AccessToken, NewAccessToken, Scope, Scopes, USE_RECORDED_EVERY};
use domain::audit::AuditEntry;
use domain::repository::{AccessTokenRepository, StorageError, WriteError};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set, Statement, TransactionTrait,
};
use uuid::Uuid;

/// Personal access tokens stored through sea-orm.
#[derive(Clone)]
pub struct SeaAccessTokenRepository {
    db: DatabaseConnection,
}

impl SeaAccessTokenRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn to_token(model: Model) -> AccessToken {
    AccessToken {
        id: model.id,
        member_id: MemberId(model.member_id),
        name: model.name,
        scopes: Scopes::from_stored(&model.scopes),
        created_at: model.created_at,
        expires_at: model.expires_at,
        last_used_at: model.last_used_at,
        revoked_at: model.revoked_at,
    }
}

#[async_trait]
impl AccessTokenRepository for SeaAccessTokenRepository {
    #[tracing::instrument(skip_all, fields(member = %token.member_id))]
    async fn create(
        &self,
        token: NewAccessToken,
        max_live: u64,
        audit: &AuditEntry,
    ) -> Result<Option<AccessToken>, WriteError> {
        let tx = self.db.begin().await.map_err(write_error)?;
        // A no-op update of the member's row: it locks the row on PostgreSQL
        // and takes the write lock on SQLite, so two creates by one member,
        // on any replica, count the live tokens one after the other.
        let lock = Query::update()
            .table("members")
            .value("id", Expr::col("id"))
            .and_where(Expr::col("id").eq(token.member_id.0))
            .to_owned();
        tx.execute(&lock).await.map_err(write_error)?;
        let at = now();
        let live = Entity::find()
            .filter(Column::MemberId.eq(token.member_id.0))
            .filter(Column::RevokedAt.is_null())
            .filter(Column::ExpiresAt.gt(at))
            .count(&tx)
            .await
            .map_err(write_error)?;
        if live >= max_live {
            return Ok(None);
        }
        let model = ActiveModel {
            id: Set(token.id),
            member_id: Set(token.member_id.0),
            name: Set(token.name.as_str().to_owned()),
            scopes: Set(token.scopes.to_stored()),
            secret_hash: Set(token.secret_hash),
            created_at: Set(at),
            expires_at: Set(token.expires_at),
            last_used_at: Set(None),
            revoked_at: Set(None),
        };
        let stored = model.insert(&tx).await.map_err(write_error)?;
        crate::audit::insert(&tx, audit)
            .await
            .map_err(write_error)?;
        tx.commit().await.map_err(write_error)?;
        Ok(Some(to_token(stored)))
    }

    #[tracing::instrument(skip(self))]
    async fn list(&self, member: MemberId) -> Result<Vec<AccessToken>, StorageError> {
        let models = Entity::find()
            .filter(Column::MemberId.eq(member.0))
            .order_by_desc(Column::CreatedAt)
            .order_by_desc(Column::Id)
            .all(&self.db)
            .await
            .map_err(storage)?;
        Ok(models.into_iter().map(to_token).collect())
    }

    #[tracing::instrument(skip(self))]
    async fn revoke(
        &self,
        member: MemberId,
        id: Uuid,
        audit: &AuditEntry,
    ) -> Result<(), WriteError> {
        let tx = crate::begin_write(&self.db).await.map_err(write_error)?;
        let found = Entity::find_by_id(id)
            .filter(Column::MemberId.eq(member.0))
            .one(&tx)
            .await
            .map_err(write_error)?
            .ok_or(WriteError::NotFound)?;
        if found.revoked_at.is_none() {
            Entity::update_many()
                .col_expr(Column::RevokedAt, Expr::value(now()))
                .filter(Column::Id.eq(id))
                .filter(Column::RevokedAt.is_null())
                .exec(&tx)
                .await
                .map_err(write_error)?;
        }
        crate::audit::insert(&tx, audit)
            .await
            .map_err(write_error)?;
        tx.commit().await.map_err(write_error)
    }

    #[tracing::instrument(skip_all)]
    async fn find_by_hash(&self, secret_hash: &str) -> Result<Option<AccessToken>, StorageError> {
        let model = Entity::find()
            .filter(Column::SecretHash.eq(secret_hash))
            .one(&self.db)
            .await
            .map_err(storage)?;
        Ok(model.map(to_token))
    }

    #[tracing::instrument(skip(self))]
    #[tracing::instrument(skip(self, audit))]
    async fn record_use(
        &self,
        id: Uuid,
        scope: Scope,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<bool, StorageError> {
        let backend = self.db.get_database_backend();
        // One statement decides for every replica: a row is written only when
        // none was within the last minute.
        let sql = match backend {
            DbBackend::Sqlite => {
                "INSERT INTO access_token_uses (token_id, scope, last_used_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (token_id, scope) DO UPDATE SET last_used_at = excluded.last_used_at \
                 WHERE access_token_uses.last_used_at <= ?4"
            }
            _ => {
                "INSERT INTO access_token_uses (token_id, scope, last_used_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (token_id, scope) DO UPDATE SET last_used_at = excluded.last_used_at \
                 WHERE access_token_uses.last_used_at <= $4"
            }
        };
        let tx = self.db.begin().await.map_err(storage)?;
        let written = tx
            .execute_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [
                    id.into(),
                    scope.as_str().into(),
                    at.into(),
                    (at - USE_RECORDED_EVERY).into(),
                ],
            ))
            .await
            .map_err(storage)?;
        if written.rows_affected() == 0 {
            tx.rollback().await.map_err(storage)?;
            return Ok(false);
        }
        Entity::update_many()
            .col_expr(Column::LastUsedAt, Expr::value(at))
            .filter(Column::Id.eq(id))
            .filter(
                Condition::any()
                    .add(Column::LastUsedAt.is_null())
                    .add(Column::LastUsedAt.lt(at)),
            )
            .exec(&tx)
            .await
            .map_err(storage)?;
        crate::audit::insert(&tx, audit).await.map_err(storage)?;
        tx.commit().await.map_err(storage)?;
        Ok(true)
    }
}
