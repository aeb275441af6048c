//! Submissions themselves: created, read, changed, deleted and moved along
//! their lifecycle, each write guarded by what the caller saw.

use super::guarded::{Guard, GuardedWrite, Outbox};
use super::history::{insert_transition, store_revision};
use super::index::{insert_index_rows, serialize, write_index_rows};
use super::{
    SeaSubmissionRepository, current, list, search, select_submissions, stored, to_submission,
};
use crate::entities::submissions::{ActiveModel, Column, Entity};
use crate::idempotency::keep_answer;
use crate::{now, storage, to_micros, write_error};
use async_trait::async_trait;
use domain::audit::AuditEntry;
use domain::event::EventType;
use domain::idempotency::KeepAnswer;
use domain::member::RecordedDemographics;
use domain::pagination::{Cursor, Page, PageSize};
use domain::repository::{
    StorageError, SubmissionFilter, SubmissionRepository, TransitionRecord, WriteError,
};
use domain::submission::search::Likeness;
use domain::submission::{
    Audience, Content, DELETABLE, EDITABLE, Status, Submission, SubmissionKind,
};
use domain::{MemberId, SubmissionId};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

#[async_trait]
impl SubmissionRepository for SeaSubmissionRepository {
    #[tracing::instrument(skip(self, content))]
    async fn create(
        &self,
        id: SubmissionId,
        author: MemberId,
        kind: SubmissionKind,
        content: &Content,
        audit: &AuditEntry,
        keep: Option<&KeepAnswer<Submission>>,
    ) -> Result<Submission, WriteError> {
        let at = now();
        let write = GuardedWrite::begin(&self.db, id, false).await?;
        let search_body = search::body(write.tx(), content)
            .await
            .map_err(write_error)?;
        let model = ActiveModel {
            id: Set(id.0),
            author_id: Set(Some(author.0)),
            kind: Set(kind.as_str().to_owned()),
            status: Set(Status::Draft.as_str().to_owned()),
            title: Set(content.title.clone()),
            search_text: Set(content.search_text()),
            search_body: Set(search_body),
            content: Set(serialize(content).map_err(write_error)?),
            version: Set(1),
            nation: Set(content.nation.clone()),
            region: Set(content.region.clone()),
            completeness_score: Set(None),
            completeness: Set(None),
            quality_score: Set(None),
            reviewer_id: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
            submitted_at: Set(None),
            published_revision: Set(None),
        };
        model.insert(write.tx()).await.map_err(write_error)?;
        insert_index_rows(write.tx(), id, content)
            .await
            .map_err(write_error)?;
        let created = stored(write.tx(), id)
            .await
            .map_err(write_error)?
            .ok_or(WriteError::NotFound)?;
        if let Some(keep) = keep {
            keep_answer(
                write.tx(),
                keep.key.caller,
                &keep.key.key,
                &keep.answer(&created),
            )
            .await
            .map_err(write_error)?;
        }
        let event = Outbox {
            event_type: EventType::Created,
            actor: Some(author),
            from: None,
            to: Some(Status::Draft),
            at,
        };
        write.commit(Some(audit), Some(event)).await?;
        Ok(created)
    }

    #[tracing::instrument(skip(self))]
    async fn get(&self, id: SubmissionId) -> Result<Option<Submission>, StorageError> {
        stored(&self.db, id).await.map_err(storage)
    }

    #[tracing::instrument(skip(self, content))]
    async fn update_content(
        &self,
        id: SubmissionId,
        expected_version: i32,
        content: &Content,
        audit: &AuditEntry,
    ) -> Result<Submission, WriteError> {
        let write = GuardedWrite::begin(&self.db, id, true).await?;
        let search_body = search::body(write.tx(), content)
            .await
            .map_err(write_error)?;
        let updated = Entity::update_many()
            .col_expr(Column::Title, Expr::value(content.title.clone()))
            .col_expr(Column::SearchText, Expr::value(content.search_text()))
            .col_expr(Column::SearchBody, Expr::value(search_body))
            .col_expr(
                Column::Content,
                Expr::value(serialize(content).map_err(write_error)?),
            )
            .col_expr(Column::Nation, Expr::value(content.nation.clone()))
            .col_expr(Column::Region, Expr::value(content.region.clone()))
            .col_expr(Column::Version, Expr::col(Column::Version).add(1))
            .col_expr(Column::UpdatedAt, Expr::value(now()))
            .filter(Column::Id.eq(id.0))
            .filter(Column::Version.eq(expected_version))
            .filter(Column::Status.is_in(EDITABLE.map(Status::as_str)))
            .exec(write.tx())
            .await
            .map_err(write_error)?;
        let mut write = write
            .guarded(
                updated.rows_affected > 0,
                Guard::StatusAndVersion(&EDITABLE),
            )
            .await?;
        let (status, _) = current(write.tx(), id)
            .await
            .map_err(write_error)?
            .ok_or(WriteError::NotFound)?;
        write_index_rows(write.tx(), id, content)
            .await
            .map_err(write_error)?;
        write.apply_rollups(&[]).await?;
        let event = Outbox {
            event_type: EventType::Updated,
            actor: None,
            from: Some(status),
            to: Some(status),
            at: now(),
        };
        write.commit(Some(audit), Some(event)).await?;
        self.get(id).await?.ok_or(WriteError::NotFound)
    }

    #[tracing::instrument(skip(self, audit))]
    async fn delete_draft(
        &self,
        id: SubmissionId,
        expected_version: Option<i32>,
        audit: &AuditEntry,
    ) -> Result<(), WriteError> {
        let write = GuardedWrite::begin(&self.db, id, false).await?;
        // The event reads the author from the row, so it is recorded before
        // the row goes.
        let recorded = match current(write.tx(), id).await.map_err(write_error)? {
            Some((status, version))
                if DELETABLE.contains(&status) && expected_version.is_none_or(|v| v == version) =>
            {
                let event = Outbox {
                    event_type: EventType::Deleted,
                    actor: None,
                    from: Some(status),
                    to: None,
                    at: now(),
                };
                write.record(event).await.map_err(write_error)?;
                true
            }
            _ => false,
        };
        let mut delete = Entity::delete_many()
            .filter(Column::Id.eq(id.0))
            .filter(Column::Status.is_in(DELETABLE.map(Status::as_str)));
        if let Some(version) = expected_version {
            delete = delete.filter(Column::Version.eq(version));
        }
        let deleted = delete.exec(write.tx()).await.map_err(write_error)?;
        let write = write
            .guarded(
                deleted.rows_affected > 0 && recorded,
                Guard::StatusAndVersion(&DELETABLE),
            )
            .await?;
        write.commit(Some(audit), None).await
    }

    #[tracing::instrument(skip(self, record), fields(submission = %record.id, to = record.to.as_str()))]
    async fn transition(&self, record: TransitionRecord) -> Result<Submission, WriteError> {
        let write = GuardedWrite::begin(&self.db, record.id, true).await?;
        let mut update = Entity::update_many()
            .col_expr(Column::Status, Expr::value(record.to.as_str()))
            .col_expr(Column::Version, Expr::col(Column::Version).add(1))
            .col_expr(Column::UpdatedAt, Expr::value(record.at));
        if let Some(submitted_at) = record.submitted_at {
            update = update.col_expr(Column::SubmittedAt, Expr::value(to_micros(submitted_at)));
        }
        if let Some(completeness) = &record.completeness {
            let json = serde_json::to_string(completeness)
                .map_err(|e| write_error(DbErr::Custom(e.to_string())))?;
            update = update
                .col_expr(Column::Completeness, Expr::value(json))
                .col_expr(Column::CompletenessScore, Expr::value(completeness.score));
        }
        if let Some(reviewer) = record.reviewer {
            update = update.col_expr(Column::ReviewerId, Expr::value(reviewer.0));
        }
        let updated = update
            .filter(Column::Id.eq(record.id.0))
            .filter(Column::Status.eq(record.from.as_str()))
            .exec(write.tx())
            .await
            .map_err(write_error)?;
        let mut write = write
            .guarded(updated.rows_affected > 0, Guard::Status)
            .await?;
        if record.record_demographics {
            crate::demographics::record(write.tx(), record.id)
                .await
                .map_err(write_error)?;
        }
        write.apply_rollups(&[]).await?;
        insert_transition(
            write.tx(),
            record.id,
            Some(record.actor),
            record.from,
            record.to,
            record.comment.clone(),
            record.at,
        )
        .await
        .map_err(write_error)?;
        if record.to == Status::Submitted {
            store_revision(write.tx(), &record)
                .await
                .map_err(write_error)?;
        }
        let event = Outbox {
            event_type: EventType::Moved(record.to),
            actor: Some(record.actor),
            from: Some(record.from),
            to: Some(record.to),
            at: record.at,
        };
        write.commit(Some(&record.audit), Some(event)).await?;
        self.get(record.id).await?.ok_or(WriteError::NotFound)
    }

    #[tracing::instrument(skip(self, filter))]
    async fn list(
        &self,
        filter: &SubmissionFilter,
        after: Option<Cursor>,
        size: PageSize,
    ) -> Result<Page<Submission>, StorageError> {
        list::page(&self.db, filter, after, size).await
    }

    #[tracing::instrument(skip(self, source, audience), fields(submission = %source.id))]
    async fn related_candidates(
        &self,
        source: &Submission,
        audience: &Audience,
    ) -> Result<Vec<(SubmissionId, Likeness)>, StorageError> {
        search::related(&self.db, source, audience)
            .await
            .map_err(storage)
    }

    #[tracing::instrument(skip(self))]
    async fn published_among(&self, ids: &[Uuid]) -> Result<Vec<Uuid>, StorageError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let query = Query::select()
            .column("id")
            .from("submissions")
            .and_where(Expr::col("id").is_in(ids.iter().copied()))
            .and_where(Expr::col("status").eq(Status::Published.as_str()))
            .to_owned();
        let rows = self.db.query_all(&query).await.map_err(storage)?;
        rows.iter()
            .map(|r| r.try_get::<Uuid>("", "id"))
            .collect::<Result<_, _>>()
            .map_err(storage)
    }

    #[tracing::instrument(skip(self))]
    async fn recorded_demographics(
        &self,
        author: MemberId,
    ) -> Result<Vec<RecordedDemographics>, StorageError> {
        crate::demographics::recorded_for(&self.db, author)
            .await
            .map_err(storage)
    }

    async fn authored_by(&self, author: MemberId) -> Result<Vec<Submission>, StorageError> {
        let query = select_submissions()
            .and_where(Expr::col(("s", "author_id")).eq(author.0))
            .order_by(("s", "created_at"), Order::Desc)
            .to_owned();
        let rows = self.db.query_all(&query).await.map_err(storage)?;
        rows.iter()
            .map(to_submission)
            .collect::<Result<_, _>>()
            .map_err(storage)
    }
}
