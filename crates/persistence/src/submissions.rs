use crate::entities::submissions::{ActiveModel, Column, Entity};
use crate::events::record_event;
use crate::rollup;
use crate::tags::TAG_TABLES;
use crate::{now, storage, write_error};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::audit::AuditEntry;
use domain::event::EventType;
use domain::pagination::{Cursor, Page, PageSize};
use domain::repository::{
    ListOrder, NewReview, RecommendationEvent, Revision, StorageError, SubmissionFilter,
    SubmissionRepository, Transition, TransitionRecord, WriteError,
};
use domain::review::{Decision, Review, Rubric};
use domain::submission::{
    AdoptionStatus, Completeness, Content, Status, Submission, SubmissionKind,
};
use domain::{MemberId, SubmissionId};
use sea_orm::sea_query::{
    Alias, Cond, Expr, ExprTrait, JoinType, LikeExpr, Order, Query, SelectStatement,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    DbBackend, DbErr, EntityTrait, QueryFilter, QueryResult, Set, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use uuid::Uuid;

/// Submissions stored as a document plus rows for every tag, evidence type,
/// recommendation and hub citation, all written in one transaction.
#[derive(Clone)]
pub struct SeaSubmissionRepository {
    db: DatabaseConnection,
}

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
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// A write transaction; on SQLite it takes the write lock at once so two
    /// writers queue on the busy timeout instead of failing to upgrade.
    async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        let sqlite = self.db.get_database_backend() == DbBackend::Sqlite;
        self.db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: sqlite.then_some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
    }

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

    async fn select_events(
        &self,
        condition: Expr,
    ) -> Result<Vec<RecommendationEvent>, StorageError> {
        let query = Query::select()
            .columns([
                "id",
                "recommendation_id",
                "submission_id",
                "adoption_status",
                "investment_pence",
                "investor",
                "occurred_on",
                "reported_at",
                "reported_by",
            ])
            .from("recommendation_events")
            .and_where(condition)
            .order_by("occurred_on", Order::Asc)
            .order_by("id", Order::Asc)
            .to_owned();
        let rows = self.db.query_all(&query).await.map_err(storage)?;
        rows.iter()
            .map(|row| {
                let adoption: Option<String> = row.try_get("", "adoption_status")?;
                let reported_by: Option<Uuid> = row.try_get("", "reported_by")?;
                Ok(RecommendationEvent {
                    id: row.try_get("", "id")?,
                    recommendation_id: row.try_get("", "recommendation_id")?,
                    submission_id: SubmissionId(row.try_get("", "submission_id")?),
                    adoption_status: adoption.and_then(|a| adoption_status(&a)),
                    investment_pence: row.try_get("", "investment_pence")?,
                    investor: row.try_get("", "investor")?,
                    occurred_on: row.try_get("", "occurred_on")?,
                    reported_at: row.try_get("", "reported_at")?,
                    reported_by: reported_by.map(MemberId),
                })
            })
            .collect::<Result<_, DbErr>>()
            .map_err(storage)
    }

    /// The status and version stored now, to explain why a guarded write missed.
    async fn current(
        &self,
        tx: &DatabaseTransaction,
        id: SubmissionId,
    ) -> Result<Option<(Status, i32)>, DbErr> {
        let row: Option<(String, i32)> = Entity::find_by_id(id.0)
            .select_only_columns([Column::Status, Column::Version])
            .into_tuple()
            .one(tx)
            .await?;
        Ok(row.map(|(status, version)| (status.parse().unwrap_or(Status::Draft), version)))
    }
}

trait SelectOnly {
    fn select_only_columns<const N: usize>(self, columns: [Column; N]) -> Self;
}

impl SelectOnly for sea_orm::Select<Entity> {
    fn select_only_columns<const N: usize>(self, columns: [Column; N]) -> Self {
        use sea_orm::QuerySelect;
        self.select_only().columns(columns)
    }
}

/// Rewrites the rows that mirror the document: tags, recommendations, citations.
async fn write_index_rows(
    tx: &DatabaseTransaction,
    id: SubmissionId,
    content: &Content,
) -> Result<(), DbErr> {
    for table in TAG_TABLES
        .map(|(_, table)| table)
        .into_iter()
        .chain(["recommendations", "submission_citations"])
    {
        let delete = Query::delete()
            .from_table(table)
            .and_where(Expr::col("submission_id").eq(id.0))
            .to_owned();
        tx.execute(&delete).await?;
    }
    insert_index_rows(tx, id, content).await
}

/// Writes the rows that mirror the document of a submission that has none yet.
async fn insert_index_rows(
    tx: &DatabaseTransaction,
    id: SubmissionId,
    content: &Content,
) -> Result<(), DbErr> {
    let evidence_types: Vec<String> = content
        .evidence_types()
        .iter()
        .map(|t| t.as_str().to_owned())
        .collect();
    for (dimension, table) in TAG_TABLES {
        let codes = match dimension {
            "priority" => &content.priorities,
            "practice_area" => &content.practice_areas,
            "topic" => &content.topics,
            _ => &evidence_types,
        };
        if codes.is_empty() {
            continue;
        }
        let mut insert = Query::insert()
            .into_table(table)
            .columns(["submission_id", "code"])
            .to_owned();
        for code in codes {
            insert.values_panic([id.0.into(), code.clone().into()]);
        }
        tx.execute(&insert).await?;
    }
    if !content.recommendations.is_empty() {
        let mut insert = Query::insert()
            .into_table("recommendations")
            .columns([
                "id",
                "submission_id",
                "position",
                "text",
                "adoption_status",
                "reported_investment_pence",
            ])
            .to_owned();
        for (position, rec) in content.recommendations.iter().enumerate() {
            insert.values_panic([
                rec.id.into(),
                id.0.into(),
                i32::try_from(position).unwrap_or(i32::MAX).into(),
                rec.text.clone().into(),
                rec.adoption_status.as_str().into(),
                rec.reported_investment_pence.into(),
            ]);
        }
        tx.execute(&insert).await?;
    }
    let cited = content.cited_submissions();
    if !cited.is_empty() {
        let mut insert = Query::insert()
            .into_table("submission_citations")
            .columns(["submission_id", "cited_submission_id"])
            .to_owned();
        for cited_id in cited {
            insert.values_panic([id.0.into(), cited_id.into()]);
        }
        tx.execute(&insert).await?;
    }
    Ok(())
}

fn serialize(content: &Content) -> Result<String, DbErr> {
    serde_json::to_string(content).map_err(|e| DbErr::Custom(format!("serialising content: {e}")))
}

/// The columns a submission is read with, joined to its author's name.
fn select_submissions() -> SelectStatement {
    Query::select()
        .columns([
            ("s", "id"),
            ("s", "author_id"),
            ("s", "kind"),
            ("s", "status"),
            ("s", "content"),
            ("s", "version"),
            ("s", "completeness"),
            ("s", "quality_score"),
            ("s", "reviewer_id"),
            ("s", "created_at"),
            ("s", "updated_at"),
            ("s", "submitted_at"),
            ("s", "published_revision"),
        ])
        .expr_as(Expr::col(("m", "display_name")), Alias::new("author_name"))
        .expr_as(
            Expr::cust(
                "(SELECT COUNT(*) FROM submission_citations c JOIN submissions cs ON cs.id = c.submission_id \
                 WHERE c.cited_submission_id = s.id AND cs.status NOT IN ('draft', 'withdrawn'))",
            ),
            Alias::new("times_cited"),
        )
        .from_as("submissions", "s")
        .join_as(
            JoinType::LeftJoin,
            "members",
            "m",
            Expr::col(("m", "id")).equals(("s", "author_id")),
        )
        .to_owned()
}

fn to_submission(row: &QueryResult) -> Result<Submission, DbErr> {
    let content: String = row.try_get("", "content")?;
    let completeness: Option<String> = row.try_get("", "completeness")?;
    let kind: String = row.try_get("", "kind")?;
    let status: String = row.try_get("", "status")?;
    let author_id: Option<Uuid> = row.try_get("", "author_id")?;
    let reviewer_id: Option<Uuid> = row.try_get("", "reviewer_id")?;
    Ok(Submission {
        id: SubmissionId(row.try_get("", "id")?),
        author_id: author_id.map(MemberId),
        author_name: row.try_get("", "author_name")?,
        kind: kind
            .parse()
            .map_err(|()| DbErr::Custom(format!("unknown kind {kind}")))?,
        status: status
            .parse()
            .map_err(|()| DbErr::Custom(format!("unknown status {status}")))?,
        content: serde_json::from_str(&content)
            .map_err(|e| DbErr::Custom(format!("stored content: {e}")))?,
        version: row.try_get("", "version")?,
        completeness: completeness
            .map(|c| serde_json::from_str::<Completeness>(&c))
            .transpose()
            .map_err(|e| DbErr::Custom(format!("stored completeness: {e}")))?,
        quality_score: row.try_get("", "quality_score")?,
        times_cited: row.try_get("", "times_cited")?,
        created_at: row.try_get("", "created_at")?,
        updated_at: row.try_get("", "updated_at")?,
        submitted_at: row.try_get("", "submitted_at")?,
        reviewer_id: reviewer_id.map(MemberId),
        published_revision: row.try_get("", "published_revision")?,
    })
}

/// Records who moved a submission from one status to another, and when.
async fn insert_transition(
    tx: &DatabaseTransaction,
    id: SubmissionId,
    actor: Option<MemberId>,
    from: Status,
    to: Status,
    comment: Option<String>,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let insert = Query::insert()
        .into_table("transitions")
        .columns([
            "id",
            "submission_id",
            "actor_id",
            "from_status",
            "to_status",
            "comment",
            "at",
        ])
        .values_panic([
            Uuid::now_v7().into(),
            id.0.into(),
            actor.map(|a| a.0).into(),
            from.as_str().into(),
            to.as_str().into(),
            comment.into(),
            at.into(),
        ])
        .to_owned();
    tx.execute(&insert).await?;
    Ok(())
}

/// The number of the latest revision, if any.
async fn latest_revision(
    tx: &impl ConnectionTrait,
    id: SubmissionId,
) -> Result<Option<i32>, DbErr> {
    let latest = Query::select()
        .expr_as(Expr::col("number").max(), Alias::new("latest"))
        .from("revisions")
        .and_where(Expr::col("submission_id").eq(id.0))
        .to_owned();
    match tx.query_one(&latest).await? {
        Some(row) => row.try_get("", "latest"),
        None => Ok(None),
    }
}

/// Keeps an immutable copy of what was submitted, numbered from 1.
async fn store_revision(tx: &DatabaseTransaction, record: &TransitionRecord) -> Result<(), DbErr> {
    let latest = latest_revision(tx, record.id).await?;
    let copy = Query::insert()
        .into_table("revisions")
        .columns([
            "submission_id",
            "number",
            "kind",
            "content",
            "created_by",
            "created_at",
        ])
        .select_from(
            Query::select()
                .column("id")
                .expr(Expr::value(latest.unwrap_or(0) + 1))
                .columns(["kind", "content"])
                .expr(Expr::value(record.actor.0))
                .expr(Expr::value(record.at))
                .from("submissions")
                .and_where(Expr::col("id").eq(record.id.0))
                .to_owned(),
        )
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    tx.execute(&copy).await?;
    crate::attachments::link_revision(tx, record.id, latest.unwrap_or(0) + 1).await?;
    Ok(())
}

fn adoption_status(raw: &str) -> Option<AdoptionStatus> {
    [
        AdoptionStatus::Proposed,
        AdoptionStatus::AdoptedLocally,
        AdoptionStatus::AdoptedByPartner,
        AdoptionStatus::RolledOut,
    ]
    .into_iter()
    .find(|a| a.as_str() == raw)
}

/// Escapes LIKE wildcards so a search for `50%` finds "50%", not everything.
fn like_pattern(word: &str) -> String {
    let escaped = word
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

fn tag_condition(table: &'static str, code: &str) -> Expr {
    Expr::col(("s", "id")).in_subquery(
        Query::select()
            .column("submission_id")
            .from(table)
            .and_where(Expr::col("code").eq(code))
            .to_owned(),
    )
}

fn filter_condition(filter: &SubmissionFilter) -> Cond {
    let viewer = filter.viewer.0;
    let mut visible = Cond::any()
        .add(Expr::col(("s", "author_id")).eq(viewer))
        .add(Expr::col(("s", "status")).eq(Status::Published.as_str()));
    if filter.viewer_role.can_review() {
        visible = visible.add(Expr::col(("s", "status")).ne(Status::Draft.as_str()));
    }
    let mut cond = Cond::all().add(visible);
    if filter.mine {
        cond = cond.add(Expr::col(("s", "author_id")).eq(viewer));
    }
    if let Some(kind) = filter.kind {
        cond = cond.add(Expr::col(("s", "kind")).eq(kind.as_str()));
    }
    if let Some(status) = filter.status {
        cond = cond.add(Expr::col(("s", "status")).eq(status.as_str()));
    }
    if let Some(nation) = &filter.nation {
        cond = cond.add(Expr::col(("s", "nation")).eq(nation.as_str()));
    }
    if let Some(region) = &filter.region {
        cond = cond.add(Expr::col(("s", "region")).eq(region.as_str()));
    }
    if let Some(quarter) = filter.quarter {
        cond = cond
            .add(Expr::col(("s", "submitted_at")).gte(quarter.start()))
            .add(Expr::col(("s", "submitted_at")).lt(quarter.end()));
    }
    let tags = [
        ("submission_priorities", &filter.priority),
        ("submission_practice_areas", &filter.practice_area),
        ("submission_topics", &filter.topic),
    ];
    for (table, code) in tags {
        if let Some(code) = code {
            cond = cond.add(tag_condition(table, code));
        }
    }
    if let Some(evidence_type) = filter.evidence_type {
        cond = cond.add(tag_condition(
            "submission_evidence_types",
            evidence_type.as_str(),
        ));
    }
    for word in &filter.words {
        cond = cond.add(
            Expr::col(("s", "search_text")).like(LikeExpr::new(like_pattern(word)).escape('\\')),
        );
    }
    cond
}

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
    ) -> Result<Submission, WriteError> {
        let at = now();
        let tx = self.begin_write().await.map_err(write_error)?;
        let model = ActiveModel {
            id: Set(id.0),
            author_id: Set(Some(author.0)),
            kind: Set(kind.as_str().to_owned()),
            status: Set(Status::Draft.as_str().to_owned()),
            title: Set(content.title.clone()),
            search_text: Set(content.search_text()),
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
        model.insert(&tx).await.map_err(write_error)?;
        insert_index_rows(&tx, id, content)
            .await
            .map_err(write_error)?;
        crate::audit::insert(&tx, audit)
            .await
            .map_err(write_error)?;
        // Last before the commit: on PostgreSQL the event takes the outbox's
        // ordering lock, which every writer waits for until this one commits.
        record_event(
            &tx,
            EventType::Created,
            id,
            Some(author),
            None,
            Some(Status::Draft),
            at,
        )
        .await
        .map_err(write_error)?;
        tx.commit().await.map_err(write_error)?;
        self.get(id).await?.ok_or(WriteError::NotFound)
    }

    #[tracing::instrument(skip(self))]
    async fn get(&self, id: SubmissionId) -> Result<Option<Submission>, StorageError> {
        let query = select_submissions()
            .and_where(Expr::col(("s", "id")).eq(id.0))
            .to_owned();
        let row = self.db.query_one(&query).await.map_err(storage)?;
        row.as_ref().map(to_submission).transpose().map_err(storage)
    }

    #[tracing::instrument(skip(self, content))]
    async fn update_content(
        &self,
        id: SubmissionId,
        expected_version: i32,
        content: &Content,
    ) -> Result<Submission, WriteError> {
        let tx = self.begin_write().await.map_err(write_error)?;
        let before = rollup::contribution(&tx, id).await.map_err(write_error)?;
        let updated = Entity::update_many()
            .col_expr(Column::Title, Expr::value(content.title.clone()))
            .col_expr(Column::SearchText, Expr::value(content.search_text()))
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
            .filter(
                Column::Status.is_in([Status::Draft.as_str(), Status::ChangesRequested.as_str()]),
            )
            .exec(&tx)
            .await
            .map_err(write_error)?;
        if updated.rows_affected == 0 {
            let current = self.current(&tx, id).await.map_err(write_error)?;
            tx.rollback().await.map_err(write_error)?;
            return Err(match current {
                None => WriteError::NotFound,
                Some((status, _)) if !status.is_editable() => WriteError::StatusChanged(status),
                Some((_, version)) => WriteError::VersionMismatch { current: version },
            });
        }
        let (status, _) = self
            .current(&tx, id)
            .await
            .map_err(write_error)?
            .ok_or(WriteError::NotFound)?;
        write_index_rows(&tx, id, content)
            .await
            .map_err(write_error)?;
        let after = rollup::contribution(&tx, id).await.map_err(write_error)?;
        rollup::apply(&tx, &before, &after, &[])
            .await
            .map_err(write_error)?;
        // Last before the commit, as in `create`.
        record_event(
            &tx,
            EventType::Updated,
            id,
            None,
            Some(status),
            Some(status),
            now(),
        )
        .await
        .map_err(write_error)?;
        tx.commit().await.map_err(write_error)?;
        self.get(id).await?.ok_or(WriteError::NotFound)
    }

    #[tracing::instrument(skip(self, audit))]
    async fn delete_draft(
        &self,
        id: SubmissionId,
        expected_version: Option<i32>,
        audit: &AuditEntry,
    ) -> Result<(), WriteError> {
        let tx = self.begin_write().await.map_err(write_error)?;
        let recorded = match self.current(&tx, id).await.map_err(write_error)? {
            Some((Status::Draft, version)) if expected_version.is_none_or(|v| v == version) => {
                record_event(
                    &tx,
                    EventType::Deleted,
                    id,
                    None,
                    Some(Status::Draft),
                    None,
                    now(),
                )
                .await
                .map_err(write_error)?;
                true
            }
            _ => false,
        };
        let mut delete = Entity::delete_many()
            .filter(Column::Id.eq(id.0))
            .filter(Column::Status.eq(Status::Draft.as_str()));
        if let Some(version) = expected_version {
            delete = delete.filter(Column::Version.eq(version));
        }
        let deleted = delete.exec(&tx).await.map_err(write_error)?;
        if deleted.rows_affected == 0 || !recorded {
            let current = self.current(&tx, id).await.map_err(write_error)?;
            tx.rollback().await.map_err(write_error)?;
            return Err(match current {
                None => WriteError::NotFound,
                Some((status, _)) if status != Status::Draft => WriteError::StatusChanged(status),
                Some((_, version)) => WriteError::VersionMismatch { current: version },
            });
        }
        crate::audit::insert(&tx, audit)
            .await
            .map_err(write_error)?;
        tx.commit().await.map_err(write_error)
    }

    #[tracing::instrument(skip(self, record), fields(submission = %record.id, to = record.to.as_str()))]
    async fn transition(&self, record: TransitionRecord) -> Result<Submission, WriteError> {
        let tx = self.begin_write().await.map_err(write_error)?;
        let before = rollup::contribution(&tx, record.id)
            .await
            .map_err(write_error)?;
        let mut update = Entity::update_many()
            .col_expr(Column::Status, Expr::value(record.to.as_str()))
            .col_expr(Column::Version, Expr::col(Column::Version).add(1))
            .col_expr(Column::UpdatedAt, Expr::value(record.at));
        if let Some(submitted_at) = record.submitted_at {
            update = update.col_expr(Column::SubmittedAt, Expr::value(submitted_at));
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
            .exec(&tx)
            .await
            .map_err(write_error)?;
        if updated.rows_affected == 0 {
            let current = self.current(&tx, record.id).await.map_err(write_error)?;
            tx.rollback().await.map_err(write_error)?;
            return Err(match current {
                None => WriteError::NotFound,
                Some((status, _)) => WriteError::StatusChanged(status),
            });
        }
        if let Some(completeness) = &record.completeness {
            rollup::rescored(&tx, record.id, completeness.score)
                .await
                .map_err(write_error)?;
        }
        // Rollup rows are locked before the outbox lock, as in every write.
        let after = rollup::contribution(&tx, record.id)
            .await
            .map_err(write_error)?;
        rollup::apply(&tx, &before, &after, &[])
            .await
            .map_err(write_error)?;
        insert_transition(
            &tx,
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
            store_revision(&tx, &record).await.map_err(write_error)?;
        }
        crate::audit::insert(&tx, &record.audit)
            .await
            .map_err(write_error)?;
        record_event(
            &tx,
            EventType::Moved(record.to),
            record.id,
            Some(record.actor),
            Some(record.from),
            Some(record.to),
            record.at,
        )
        .await
        .map_err(write_error)?;
        tx.commit().await.map_err(write_error)?;
        self.get(record.id).await?.ok_or(WriteError::NotFound)
    }

    #[tracing::instrument(skip(self, filter))]
    async fn list(
        &self,
        filter: &SubmissionFilter,
        after: Option<Cursor>,
        size: PageSize,
    ) -> Result<Page<Submission>, StorageError> {
        let mut cond = filter_condition(filter);
        let (column, order) = match filter.order {
            ListOrder::NewestCreated => ("created_at", Order::Desc),
            ListOrder::OldestSubmitted => ("submitted_at", Order::Asc),
        };
        if filter.order == ListOrder::OldestSubmitted {
            cond = cond.add(Expr::col(("s", "submitted_at")).is_not_null());
        }
        if let Some(cursor) = after {
            let beyond = |c: &'static str| match order {
                Order::Asc => Expr::col(("s", c)).gt(cursor.at),
                _ => Expr::col(("s", c)).lt(cursor.at),
            };
            let beyond_id = match order {
                Order::Asc => Expr::col(("s", "id")).gt(cursor.id),
                _ => Expr::col(("s", "id")).lt(cursor.id),
            };
            cond = cond.add(
                Cond::any().add(beyond(column)).add(
                    Cond::all()
                        .add(Expr::col(("s", column)).eq(cursor.at))
                        .add(beyond_id),
                ),
            );
        }
        let query = select_submissions()
            .cond_where(cond)
            .order_by(("s", column), order.clone())
            .order_by(("s", "id"), order)
            .limit(size.get() + 1)
            .to_owned();
        let rows = self.db.query_all(&query).await.map_err(storage)?;
        let mut items = rows
            .iter()
            .map(to_submission)
            .collect::<Result<Vec<_>, _>>()
            .map_err(storage)?;
        let more = items.len() as u64 > size.get();
        items.truncate(size.get() as usize);
        let next_cursor = more
            .then(|| {
                items.last().map(|last| {
                    Cursor {
                        at: last.created_at,
                        id: last.id.0,
                    }
                    .encode()
                })
            })
            .flatten();
        Ok(Page { items, next_cursor })
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

    #[tracing::instrument(skip(self, review), fields(submission = %review.submission_id))]
    async fn record_review(&self, review: NewReview) -> Result<(Submission, Review), WriteError> {
        let to = Status::InReview
            .apply(review.decision.action())
            .map_err(|_| WriteError::StatusChanged(Status::InReview))?;
        let tx = self.begin_write().await.map_err(write_error)?;
        let before = rollup::contribution(&tx, review.submission_id)
            .await
            .map_err(write_error)?;
        let revision = latest_revision(&tx, review.submission_id)
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
            .exec(&tx)
            .await
            .map_err(write_error)?;
        if updated.rows_affected == 0 {
            let current = self
                .current(&tx, review.submission_id)
                .await
                .map_err(write_error)?;
            tx.rollback().await.map_err(write_error)?;
            return Err(current.map_or(WriteError::NotFound, |(status, _)| {
                WriteError::StatusChanged(status)
            }));
        }
        // Rollup rows are locked before the outbox lock, as in every write.
        let after = rollup::contribution(&tx, review.submission_id)
            .await
            .map_err(write_error)?;
        let reviewed_in = rollup::bucket_of(review.at);
        let score = rollup::one(
            reviewed_in,
            "review_score",
            rollup::review_score_key(quality),
        );
        rollup::apply(&tx, &before, &after, &[score])
            .await
            .map_err(write_error)?;
        rollup::reviewed(&tx, reviewed_in, review.submission_id)
            .await
            .map_err(write_error)?;
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
        tx.execute(&insert).await.map_err(write_error)?;
        record_event(
            &tx,
            EventType::Moved(to),
            review.submission_id,
            Some(review.reviewer),
            Some(Status::InReview),
            Some(to),
            review.at,
        )
        .await
        .map_err(write_error)?;
        insert_transition(
            &tx,
            review.submission_id,
            Some(review.reviewer),
            Status::InReview,
            to,
            review.overall_comment.clone(),
            review.at,
        )
        .await
        .map_err(write_error)?;
        crate::audit::insert(&tx, &review.audit)
            .await
            .map_err(write_error)?;
        tx.commit().await.map_err(write_error)?;
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
        let tx = self.begin_write().await.map_err(write_error)?;
        let updated = Entity::update_many()
            .col_expr(Column::ReviewerId, Expr::value(reviewer.0))
            .col_expr(Column::Version, Expr::col(Column::Version).add(1))
            .col_expr(Column::UpdatedAt, Expr::value(at))
            .filter(Column::Id.eq(id.0))
            .filter(Column::Status.eq(Status::InReview.as_str()))
            .exec(&tx)
            .await
            .map_err(write_error)?;
        if updated.rows_affected == 0 {
            let current = self.current(&tx, id).await.map_err(write_error)?;
            tx.rollback().await.map_err(write_error)?;
            return Err(current.map_or(WriteError::NotFound, |(status, _)| {
                WriteError::StatusChanged(status)
            }));
        }
        record_event(
            &tx,
            EventType::ReviewerReassigned,
            id,
            Some(by),
            Some(Status::InReview),
            Some(Status::InReview),
            at,
        )
        .await
        .map_err(write_error)?;
        insert_transition(
            &tx,
            id,
            Some(by),
            Status::InReview,
            Status::InReview,
            Some(format!("reassigned to {reviewer}")),
            at,
        )
        .await
        .map_err(write_error)?;
        crate::audit::insert(&tx, audit)
            .await
            .map_err(write_error)?;
        tx.commit().await.map_err(write_error)?;
        self.get(id).await?.ok_or(WriteError::NotFound)
    }

    #[tracing::instrument(skip(self))]
    async fn transitions(&self, id: SubmissionId) -> Result<Vec<Transition>, StorageError> {
        let query = Query::select()
            .columns([
                ("t", "from_status"),
                ("t", "to_status"),
                ("t", "at"),
                ("t", "actor_id"),
                ("t", "comment"),
            ])
            .expr_as(Expr::col(("m", "display_name")), Alias::new("actor_name"))
            .from_as("transitions", "t")
            .join_as(
                JoinType::LeftJoin,
                "members",
                "m",
                Expr::col(("m", "id")).equals(("t", "actor_id")),
            )
            .and_where(Expr::col(("t", "submission_id")).eq(id.0))
            .order_by(("t", "at"), Order::Asc)
            .order_by(("t", "id"), Order::Asc)
            .to_owned();
        let rows = self.db.query_all(&query).await.map_err(storage)?;
        rows.iter()
            .map(|row| {
                let status = |name: &str| -> Result<Status, DbErr> {
                    let raw: String = row.try_get("", name)?;
                    raw.parse()
                        .map_err(|()| DbErr::Custom(format!("unknown status {raw}")))
                };
                let actor: Option<Uuid> = row.try_get("", "actor_id")?;
                Ok(Transition {
                    from: status("from_status")?,
                    to: status("to_status")?,
                    at: row.try_get("", "at")?,
                    actor_id: actor.map(MemberId),
                    actor_name: row.try_get("", "actor_name")?,
                    comment: row.try_get("", "comment")?,
                })
            })
            .collect::<Result<_, DbErr>>()
            .map_err(storage)
    }

    #[tracing::instrument(skip(self))]
    async fn revisions(&self, id: SubmissionId) -> Result<Vec<Revision>, StorageError> {
        let query = Query::select()
            .columns(["number", "kind", "content", "created_at", "created_by"])
            .from("revisions")
            .and_where(Expr::col("submission_id").eq(id.0))
            .order_by("number", Order::Asc)
            .to_owned();
        let rows = self.db.query_all(&query).await.map_err(storage)?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("", "kind")?;
                let content: String = row.try_get("", "content")?;
                let created_by: Option<Uuid> = row.try_get("", "created_by")?;
                Ok(Revision {
                    number: row.try_get("", "number")?,
                    kind: kind
                        .parse()
                        .map_err(|()| DbErr::Custom(format!("unknown kind {kind}")))?,
                    content: serde_json::from_str(&content)
                        .map_err(|e| DbErr::Custom(format!("stored revision: {e}")))?,
                    created_at: row.try_get("", "created_at")?,
                    created_by: created_by.map(MemberId),
                })
            })
            .collect::<Result<_, DbErr>>()
            .map_err(storage)
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

    #[tracing::instrument(skip(self))]
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

    #[tracing::instrument(skip(self, event), fields(recommendation = %event.recommendation_id))]
    async fn add_recommendation_event(
        &self,
        event: RecommendationEvent,
    ) -> Result<RecommendationEvent, WriteError> {
        let insert = Query::insert()
            .into_table("recommendation_events")
            .columns([
                "id",
                "recommendation_id",
                "submission_id",
                "adoption_status",
                "investment_pence",
                "investor",
                "occurred_on",
                "reported_at",
                "reported_by",
            ])
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
            ])
            .to_owned();
        self.db.execute(&insert).await.map_err(write_error)?;
        Ok(event)
    }

    #[tracing::instrument(skip(self))]
    async fn recommendation_events(
        &self,
        id: SubmissionId,
    ) -> Result<Vec<RecommendationEvent>, StorageError> {
        self.select_events(Expr::col("submission_id").eq(id.0))
            .await
    }

    #[tracing::instrument(skip(self))]
    async fn recommendation_events_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<RecommendationEvent>, StorageError> {
        self.select_events(
            Expr::col("occurred_on")
                .gte(from)
                .and(Expr::col("occurred_on").lt(to)),
        )
        .await
    }
}
