use crate::{now, storage, write_error};
use async_trait::async_trait;
use domain::attachment::{
    AttachError, Attachment, AttachmentId, AttachmentLimits, AttachmentRepository, Caption,
    FileName, NewAttachment, Removal, Sha256Digest, StorageKey,
};
use domain::audit::AuditEntry;
use domain::repository::{StorageError, WriteError};
use domain::submission::Status;
use domain::{MemberId, SubmissionId};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, LockType, Order, Query, SelectStatement};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, QueryResult,
};
use uuid::Uuid;

/// What is known about attached files; their bytes live in a `FileStore`.
#[derive(Clone)]
pub struct SeaAttachmentRepository {
    db: DatabaseConnection,
}

const COLUMNS: [&str; 11] = [
    "id",
    "submission_id",
    "name",
    "media_type",
    "size_bytes",
    "sha256",
    "caption",
    "storage_key",
    "uploaded_by",
    "uploaded_at",
    "removed_at",
];

impl SeaAttachmentRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// See [`crate::begin_write`].
    async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        crate::begin_write(&self.db).await
    }

    /// Locks the member's row on PostgreSQL until the transaction ends.
    async fn lock_member(&self, tx: &DatabaseTransaction, member: MemberId) -> Result<(), DbErr> {
        if self.db.get_database_backend() == DbBackend::Postgres {
            let query = Query::select()
                .column("id")
                .from("members")
                .and_where(Expr::col("id").eq(member.0))
                .lock(LockType::Update)
                .to_owned();
            tx.query_one(&query).await?;
        }
        Ok(())
    }

    /// The submission's status, locking its row on PostgreSQL so uploads,
    /// removals and transitions of one submission take turns.
    async fn lock_status(
        &self,
        tx: &DatabaseTransaction,
        submission: SubmissionId,
    ) -> Result<Option<Status>, DbErr> {
        let mut query = Query::select()
            .column("status")
            .from("submissions")
            .and_where(Expr::col("id").eq(submission.0))
            .to_owned();
        if self.db.get_database_backend() == DbBackend::Postgres {
            query.lock(LockType::Update);
        }
        let Some(row) = tx.query_one(&query).await? else {
            return Ok(None);
        };
        let status: String = row.try_get("", "status")?;
        status
            .parse()
            .map(Some)
            .map_err(|()| DbErr::Custom(format!("unknown status {status}")))
    }
}

fn select_attachments() -> SelectStatement {
    Query::select()
        .columns(COLUMNS.map(|c| (Alias::new("a"), Alias::new(c))))
        .from_as("attachments", "a")
        .order_by(("a", "uploaded_at"), Order::Asc)
        .order_by(("a", "id"), Order::Asc)
        .to_owned()
}

fn to_attachment(row: &QueryResult) -> Result<Attachment, DbErr> {
    let media_type: String = row.try_get("", "media_type")?;
    let sha256: String = row.try_get("", "sha256")?;
    let size: i64 = row.try_get("", "size_bytes")?;
    let caption: Option<String> = row.try_get("", "caption")?;
    let uploaded_by: Option<Uuid> = row.try_get("", "uploaded_by")?;
    Ok(Attachment {
        id: AttachmentId(row.try_get("", "id")?),
        submission_id: SubmissionId(row.try_get("", "submission_id")?),
        name: FileName::from_stored(row.try_get("", "name")?),
        media_type: media_type
            .parse()
            .map_err(|()| DbErr::Custom(format!("unknown media type {media_type}")))?,
        size_bytes: u64::try_from(size)
            .map_err(|_| DbErr::Custom(format!("negative size {size}")))?,
        sha256: Sha256Digest::parse(&sha256)
            .ok_or_else(|| DbErr::Custom(format!("stored digest is not SHA-256: {sha256}")))?,
        caption: caption.map(Caption::from_stored),
        storage_key: StorageKey::from_stored(row.try_get("", "storage_key")?),
        uploaded_by: uploaded_by.map(MemberId),
        uploaded_at: row.try_get("", "uploaded_at")?,
        removed_at: row.try_get("", "removed_at")?,
    })
}

/// Bytes taken by a submission's current files.
async fn total_of(db: &impl ConnectionTrait, submission: SubmissionId) -> Result<u64, DbErr> {
    let query = Query::select()
        .expr_as(
            Expr::cust("CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT)"),
            Alias::new("total"),
        )
        .from("attachments")
        .and_where(Expr::col("submission_id").eq(submission.0))
        .and_where(Expr::col("removed_at").is_null())
        .to_owned();
    let total: i64 = match db.query_one(&query).await? {
        Some(row) => row.try_get("", "total")?,
        None => 0,
    };
    Ok(u64::try_from(total).unwrap_or(0))
}

/// Bytes stored for files the member uploaded, current or kept for a revision.
async fn stored_by(db: &impl ConnectionTrait, member: MemberId) -> Result<u64, DbErr> {
    let query = Query::select()
        .expr_as(
            Expr::cust("CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT)"),
            Alias::new("total"),
        )
        .from("attachments")
        .and_where(Expr::col("uploaded_by").eq(member.0))
        .to_owned();
    let total: i64 = match db.query_one(&query).await? {
        Some(row) => row.try_get("", "total")?,
        None => 0,
    };
    Ok(u64::try_from(total).unwrap_or(0))
}

fn to_i64(value: u64) -> Result<i64, DbErr> {
    i64::try_from(value).map_err(|_| DbErr::Custom(format!("size {value} is too large")))
}

#[async_trait]
impl AttachmentRepository for SeaAttachmentRepository {
    #[tracing::instrument(skip(self, attachment), fields(submission = %attachment.submission_id, attachment = %attachment.id))]
    async fn create(
        &self,
        attachment: NewAttachment,
        limits: AttachmentLimits,
        audit: &AuditEntry,
    ) -> Result<Attachment, AttachError> {
        let fail = |e: DbErr| AttachError::Storage(storage(e));
        // Both databases keep microseconds; answer with what is stored.
        let uploaded_at =
            chrono::DateTime::from_timestamp_micros(attachment.uploaded_at.timestamp_micros())
                .unwrap_or(attachment.uploaded_at);
        let tx = self.begin_write().await.map_err(fail)?;
        // The member's uploads take turns (on SQLite every write does), so
        // two at once cannot both fit in what is left of the quota.
        self.lock_member(&tx, attachment.uploaded_by)
            .await
            .map_err(fail)?;
        let status = self
            .lock_status(&tx, attachment.submission_id)
            .await
            .map_err(fail)?;
        let refusal = match status {
            None => Some(AttachError::SubmissionNotFound),
            Some(status) if !status.is_editable() => Some(AttachError::NotEditable(status)),
            Some(_) => {
                let used = total_of(&tx, attachment.submission_id)
                    .await
                    .map_err(fail)?;
                let would_use = used.saturating_add(attachment.size_bytes);
                let stored = stored_by(&tx, attachment.uploaded_by).await.map_err(fail)?;
                (would_use > limits.max_submission_bytes)
                    .then_some(AttachError::SubmissionFull {
                        would_use,
                        limit: limits.max_submission_bytes,
                    })
                    .or_else(|| limits.quota_refusal(stored, attachment.size_bytes))
            }
        };
        if let Some(refusal) = refusal {
            tx.rollback().await.map_err(fail)?;
            return Err(refusal);
        }
        let insert = Query::insert()
            .into_table("attachments")
            .columns(COLUMNS)
            .values_panic([
                attachment.id.0.into(),
                attachment.submission_id.0.into(),
                attachment.name.as_str().into(),
                attachment.media_type.as_str().into(),
                to_i64(attachment.size_bytes).map_err(fail)?.into(),
                attachment.sha256.as_str().into(),
                attachment
                    .caption
                    .as_ref()
                    .map(|c| c.as_str().to_owned())
                    .into(),
                attachment.storage_key.as_str().into(),
                Some(attachment.uploaded_by.0).into(),
                uploaded_at.into(),
                Option::<chrono::DateTime<chrono::Utc>>::None.into(),
            ])
            .to_owned();
        tx.execute(&insert).await.map_err(fail)?;
        crate::audit::insert(&tx, audit).await.map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        Ok(Attachment {
            id: attachment.id,
            submission_id: attachment.submission_id,
            name: attachment.name,
            media_type: attachment.media_type,
            size_bytes: attachment.size_bytes,
            sha256: attachment.sha256,
            caption: attachment.caption,
            storage_key: attachment.storage_key,
            uploaded_by: Some(attachment.uploaded_by),
            uploaded_at,
            removed_at: None,
        })
    }

    #[tracing::instrument(skip(self))]
    async fn list_current(
        &self,
        submission: SubmissionId,
    ) -> Result<Vec<Attachment>, StorageError> {
        let query = select_attachments()
            .and_where(Expr::col(("a", "submission_id")).eq(submission.0))
            .and_where(Expr::col(("a", "removed_at")).is_null())
            .to_owned();
        let rows = self.db.query_all(&query).await.map_err(storage)?;
        rows.iter()
            .map(to_attachment)
            .collect::<Result<_, _>>()
            .map_err(storage)
    }

    #[tracing::instrument(skip(self))]
    async fn list_for_revision(
        &self,
        submission: SubmissionId,
        revision: i32,
    ) -> Result<Option<Vec<Attachment>>, StorageError> {
        let exists = Query::select()
            .column("number")
            .from("revisions")
            .and_where(Expr::col("submission_id").eq(submission.0))
            .and_where(Expr::col("number").eq(revision))
            .to_owned();
        if self.db.query_one(&exists).await.map_err(storage)?.is_none() {
            return Ok(None);
        }
        let query = select_attachments()
            .inner_join(
                "revision_attachments",
                Expr::col(("revision_attachments", "attachment_id")).equals(("a", "id")),
            )
            .and_where(Expr::col(("revision_attachments", "submission_id")).eq(submission.0))
            .and_where(Expr::col(("revision_attachments", "revision_number")).eq(revision))
            .to_owned();
        let rows = self.db.query_all(&query).await.map_err(storage)?;
        rows.iter()
            .map(to_attachment)
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
            .map_err(storage)
    }

    #[tracing::instrument(skip(self))]
    async fn get(
        &self,
        submission: SubmissionId,
        id: AttachmentId,
    ) -> Result<Option<Attachment>, StorageError> {
        let query = select_attachments()
            .and_where(Expr::col(("a", "submission_id")).eq(submission.0))
            .and_where(Expr::col(("a", "id")).eq(id.0))
            .to_owned();
        let row = self.db.query_one(&query).await.map_err(storage)?;
        row.as_ref().map(to_attachment).transpose().map_err(storage)
    }

    #[tracing::instrument(skip(self))]
    async fn current_total(&self, submission: SubmissionId) -> Result<u64, StorageError> {
        total_of(&self.db, submission).await.map_err(storage)
    }

    #[tracing::instrument(skip(self))]
    async fn remove(
        &self,
        submission: SubmissionId,
        id: AttachmentId,
        audit: &AuditEntry,
    ) -> Result<Removal, WriteError> {
        let tx = self.begin_write().await.map_err(write_error)?;
        let refusal = match self
            .lock_status(&tx, submission)
            .await
            .map_err(write_error)?
        {
            None => Some(WriteError::NotFound),
            Some(status) if !status.is_editable() => Some(WriteError::StatusChanged(status)),
            Some(_) => None,
        };
        let current = match refusal {
            Some(_) => None,
            None => {
                let query = Query::select()
                    .column("storage_key")
                    .from("attachments")
                    .and_where(Expr::col("id").eq(id.0))
                    .and_where(Expr::col("submission_id").eq(submission.0))
                    .and_where(Expr::col("removed_at").is_null())
                    .to_owned();
                tx.query_one(&query).await.map_err(write_error)?
            }
        };
        let Some(row) = current else {
            tx.rollback().await.map_err(write_error)?;
            return Err(refusal.unwrap_or(WriteError::NotFound));
        };
        let key = StorageKey::from_stored(row.try_get("", "storage_key").map_err(write_error)?);
        let referenced = Query::select()
            .column("attachment_id")
            .from("revision_attachments")
            .and_where(Expr::col("attachment_id").eq(id.0))
            .limit(1)
            .to_owned();
        let removal = if tx
            .query_one(&referenced)
            .await
            .map_err(write_error)?
            .is_some()
        {
            let mark = Query::update()
                .table("attachments")
                .value("removed_at", now())
                .and_where(Expr::col("id").eq(id.0))
                .to_owned();
            tx.execute(&mark).await.map_err(write_error)?;
            Removal::Retained
        } else {
            let delete = Query::delete()
                .from_table("attachments")
                .and_where(Expr::col("id").eq(id.0))
                .to_owned();
            tx.execute(&delete).await.map_err(write_error)?;
            Removal::Deleted(key)
        };
        crate::audit::insert(&tx, audit)
            .await
            .map_err(write_error)?;
        tx.commit().await.map_err(write_error)?;
        Ok(removal)
    }
}

/// Records which current files a new revision contained.
pub(crate) async fn link_revision(
    tx: &DatabaseTransaction,
    submission: SubmissionId,
    revision: i32,
) -> Result<(), DbErr> {
    let link = Query::insert()
        .into_table("revision_attachments")
        .columns(["submission_id", "revision_number", "attachment_id"])
        .select_from(
            Query::select()
                .column("submission_id")
                .expr(Expr::value(revision))
                .column("id")
                .from("attachments")
                .and_where(Expr::col("submission_id").eq(submission.0))
                .and_where(Expr::col("removed_at").is_null())
                .to_owned(),
        )
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    tx.execute(&link).await?;
    Ok(())
}
