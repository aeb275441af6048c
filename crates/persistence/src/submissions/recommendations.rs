//! Follow-ups reported on published recommendations.

use super::SeaSubmissionRepository;
use crate::rollup;
use crate::{storage, write_error};
use async_trait::async_trait;
use chrono::NaiveDate;
use domain::repository::{RecommendationEvent, RecommendationRepository, StorageError, WriteError};
use domain::submission::AdoptionStatus;
use domain::{MemberId, SubmissionId};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

/// The columns of a follow-up row, in the order they are written and read.
const EVENT_COLUMNS: [&str; 11] = [
    "id",
    "recommendation_id",
    "submission_id",
    "adoption_status",
    "investment_pence",
    "investor",
    "occurred_on",
    "reported_at",
    "reported_by",
    "reason",
    "moved_back_from",
];

/// The follow-ups matching `condition`, oldest first, as
/// `domain::recommendation::report_order` has it.
pub(crate) async fn events_where(
    db: &impl ConnectionTrait,
    condition: Expr,
) -> Result<Vec<RecommendationEvent>, DbErr> {
    let query = Query::select()
        .columns(EVENT_COLUMNS)
        .from("recommendation_events")
        .and_where(condition)
        .order_by("occurred_on", Order::Asc)
        .order_by("reported_at", Order::Asc)
        .order_by("id", Order::Asc)
        .to_owned();
    db.query_all(&query)
        .await?
        .iter()
        .map(|row| {
            let adoption: Option<String> = row.try_get("", "adoption_status")?;
            let reported_by: Option<Uuid> = row.try_get("", "reported_by")?;
            let moved_back_from: Option<String> = row.try_get("", "moved_back_from")?;
            Ok(RecommendationEvent {
                id: row.try_get("", "id")?,
                recommendation_id: row.try_get("", "recommendation_id")?,
                submission_id: SubmissionId(row.try_get("", "submission_id")?),
                adoption_status: adoption.and_then(|a| AdoptionStatus::parse(&a)),
                investment_pence: row.try_get("", "investment_pence")?,
                investor: row.try_get("", "investor")?,
                occurred_on: row.try_get("", "occurred_on")?,
                reported_at: row.try_get("", "reported_at")?,
                reported_by: reported_by.map(MemberId),
                reason: row.try_get("", "reason")?,
                moved_back_from: moved_back_from.and_then(|a| AdoptionStatus::parse(&a)),
            })
        })
        .collect()
}

#[async_trait]
impl RecommendationRepository for SeaSubmissionRepository {
    #[tracing::instrument(skip(self, event), fields(recommendation = %event.recommendation_id))]
    async fn add_recommendation_event(
        &self,
        event: RecommendationEvent,
    ) -> Result<RecommendationEvent, WriteError> {
        let insert = Query::insert()
            .into_table("recommendation_events")
            .columns(EVENT_COLUMNS)
            .values_panic([
                event.id.into(),
                event.recommendation_id.into(),
                event.submission_id.0.into(),
                event.adoption_status.map(AdoptionStatus::as_str).into(),
                event.investment_pence.into(),
                event.investor.clone().into(),
                event.occurred_on.into(),
                event.reported_at.into(),
                event.reported_by.map(|m| m.0).into(),
                event.reason.clone().into(),
                event.moved_back_from.map(AdoptionStatus::as_str).into(),
            ])
            .to_owned();
        // The follow-up changes what its submission counts for in the
        // adoption rollup: the same write shape as every submission write.
        let tx = crate::begin_write(&self.db).await.map_err(write_error)?;
        let before = rollup::contribution(&tx, event.submission_id)
            .await
            .map_err(write_error)?;
        tx.execute(&insert).await.map_err(write_error)?;
        let after = rollup::contribution(&tx, event.submission_id)
            .await
            .map_err(write_error)?;
        rollup::apply(&tx, &before, &after, &[])
            .await
            .map_err(write_error)?;
        tx.commit().await.map_err(write_error)?;
        Ok(event)
    }

    #[tracing::instrument(skip(self))]
    async fn recommendation_events(
        &self,
        id: SubmissionId,
    ) -> Result<Vec<RecommendationEvent>, StorageError> {
        events_where(&self.db, Expr::col("submission_id").eq(id.0))
            .await
            .map_err(storage)
    }

    #[tracing::instrument(skip(self))]
    async fn recommendation_events_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<RecommendationEvent>, StorageError> {
        events_where(
            &self.db,
            Expr::col("occurred_on")
                .gte(from)
                .and(Expr::col("occurred_on").lt(to)),
        )
        .await
        .map_err(storage)
    }
}
