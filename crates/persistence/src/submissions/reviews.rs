//! Reviews: recorded with the decision they make, and who reviews what.

use super::SeaSubmissionRepository;
use super::guarded::{Guard, GuardedWrite, Outbox};
use super::history::{insert_transition, latest_revision};
use crate::entities::submissions::{Column, Entity};
use crate::rollup;
use crate::{storage, write_error};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::audit::AuditEntry;
use domain::event::EventType;
use domain::report::measures;
use domain::repository::{
    NewReview, ReviewRepository, StorageError, SubmissionRepository, WriteError,
};
use domain::review::{Decision, Review, Rubric};
use domain::submission::{Status, Submission};
use domain::{MemberId, SubmissionId};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Order, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

/// The columns of a review row, in the order reviews are written.
pub(crate) const REVIEW_COLUMNS: [&str; 9] = [
    "id",
    "submission_id",
    "reviewer_id",
    "revision",
    "rubric",
    "overall_comment",
    "decision",
    "quality_score",
    "created_at",
];

impl SeaSubmissionRepository {
    async fn select_reviews(&self, condition: Expr) -> Result<Vec<Review>, StorageError> {
        let query = Query::select()
            .columns([
                ("r", "id"),
                ("r", "submission_id"),
                ("r", "reviewer_id"),
                ("r", "revision"),
                ("r", "rubric"),
                ("r", "overall_comment"),
                ("r", "decision"),
                ("r", "quality_score"),
                ("r", "created_at"),
            ])
            .expr_as(
                Expr::col(("m", "display_name")),
                Alias::new("reviewer_name"),
            )
            .from_as("reviews", "r")
            .join_as(
                JoinType::LeftJoin,
                "members",
                "m",
                Expr::col(("m", "id")).equals(("r", "reviewer_id")),
            )
            .and_where(condition)
            .order_by(("r", "created_at"), Order::Asc)
            .order_by(("r", "id"), Order::Asc)
            .to_owned();
        let rows = self.db.query_all(&query).await.map_err(storage)?;
        rows.iter()
            .map(|row| {
                let rubric: String = row.try_get("", "rubric")?;
                let decision: String = row.try_get("", "decision")?;
                let reviewer: Option<Uuid> = row.try_get("", "reviewer_id")?;
                Ok(Review {
                    id: row.try_get("", "id")?,
                    submission_id: SubmissionId(row.try_get("", "submission_id")?),
                    reviewer_id: reviewer.map(MemberId),
                    reviewer_name: row.try_get("", "reviewer_name")?,
                    revision: row.try_get("", "revision")?,
                    rubric: serde_json::from_str::<Rubric>(&rubric)
                        .map_err(|e| DbErr::Custom(format!("stored rubric: {e}")))?,
                    overall_comment: row.try_get("", "overall_comment")?,
                    decision: decision
                        .parse()
                        .map_err(|()| DbErr::Custom(format!("unknown decision {decision}")))?,
                    quality_score: row.try_get("", "quality_score")?,
                    created_at: row.try_get("", "created_at")?,
                })
            })
            .collect::<Result<_, DbErr>>()
            .map_err(storage)
    }
}

#[async_trait]
impl ReviewRepository for SeaSubmissionRepository {
    #[tracing::instrument(skip(self, review), fields(submission = %review.submission_id))]
    async fn record_review(&self, review: NewReview) -> Result<(Submission, Review), WriteError> {
        let to = Status::InReview
            .apply(review.decision.action())
            .map_err(|_| WriteError::StatusChanged(Status::InReview))?;
        let write = GuardedWrite::begin(&self.db, review.submission_id, true).await?;
        let revision = latest_revision(write.tx(), review.submission_id)
            .await
            .map_err(write_error)?
            .unwrap_or(0);
        let quality = review.rubric.mean();
        let mut update = Entity::update_many()
            .col_expr(Column::Status, Expr::value(to.as_str()))
            .col_expr(Column::Version, Expr::col(Column::Version).add(1))
            .col_expr(Column::UpdatedAt, Expr::value(review.at))
            .col_expr(Column::QualityScore, Expr::value(quality));
        if review.decision == Decision::Publish {
            update = update.col_expr(Column::PublishedRevision, Expr::value(revision));
        }
        let updated = update
            .filter(Column::Id.eq(review.submission_id.0))
            .filter(Column::Status.eq(Status::InReview.as_str()))
            .exec(write.tx())
            .await
            .map_err(write_error)?;
        let mut write = write
            .guarded(updated.rows_affected > 0, Guard::Status)
            .await?;
        let reviewed_in = rollup::bucket_of(review.at);
        let score = rollup::one(
            reviewed_in,
            rollup::REVIEW_SCORE,
            measures::score_key(quality),
        );
        write.apply_rollups(&[score]).await?;
        let rubric = serde_json::to_string(&review.rubric)
            .map_err(|e| write_error(DbErr::Custom(e.to_string())))?;
        let insert = Query::insert()
            .into_table("reviews")
            .columns(REVIEW_COLUMNS)
            .values_panic([
                review.id.into(),
                review.submission_id.0.into(),
                review.reviewer.0.into(),
                revision.into(),
                rubric.into(),
                review.overall_comment.clone().into(),
                review.decision.as_str().into(),
                quality.into(),
                review.at.into(),
            ])
            .to_owned();
        write.tx().execute(&insert).await.map_err(write_error)?;
        insert_transition(
            write.tx(),
            review.submission_id,
            Some(review.reviewer),
            Status::InReview,
            to,
            review.overall_comment.clone(),
            review.at,
        )
        .await
        .map_err(write_error)?;
        let event = Outbox {
            event_type: EventType::Moved(to),
            actor: Some(review.reviewer),
            from: Some(Status::InReview),
            to: Some(to),
            at: review.at,
        };
        write.commit(Some(&review.audit), Some(event)).await?;
        let submission = self
            .get(review.submission_id)
            .await?
            .ok_or(WriteError::NotFound)?;
        let recorded = self
            .reviews(review.submission_id)
            .await?
            .into_iter()
            .find(|r| r.id == review.id)
            .ok_or(WriteError::NotFound)?;
        Ok((submission, recorded))
    }

    #[tracing::instrument(skip(self, audit))]
    async fn reassign(
        &self,
        id: SubmissionId,
        reviewer: MemberId,
        by: MemberId,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<Submission, WriteError> {
        let write = GuardedWrite::begin(&self.db, id, false).await?;
        let updated = Entity::update_many()
            .col_expr(Column::ReviewerId, Expr::value(reviewer.0))
            .col_expr(Column::Version, Expr::col(Column::Version).add(1))
            .col_expr(Column::UpdatedAt, Expr::value(at))
            .filter(Column::Id.eq(id.0))
            .filter(Column::Status.eq(Status::InReview.as_str()))
            .exec(write.tx())
            .await
            .map_err(write_error)?;
        let write = write
            .guarded(updated.rows_affected > 0, Guard::Status)
            .await?;
        insert_transition(
            write.tx(),
            id,
            Some(by),
            Status::InReview,
            Status::InReview,
            Some(format!("reassigned to {reviewer}")),
            at,
        )
        .await
        .map_err(write_error)?;
        let event = Outbox {
            event_type: EventType::ReviewerReassigned,
            actor: Some(by),
            from: Some(Status::InReview),
            to: Some(Status::InReview),
            at,
        };
        write.commit(Some(audit), Some(event)).await?;
        self.get(id).await?.ok_or(WriteError::NotFound)
    }

    #[tracing::instrument(skip(self))]
    async fn reviews(&self, id: SubmissionId) -> Result<Vec<Review>, StorageError> {
        self.select_reviews(Expr::col(("r", "submission_id")).eq(id.0))
            .await
    }

    #[tracing::instrument(skip(self))]
    async fn reviews_by(&self, reviewer: MemberId) -> Result<Vec<Review>, StorageError> {
        self.select_reviews(Expr::col(("r", "reviewer_id")).eq(reviewer.0))
            .await
    }
}
