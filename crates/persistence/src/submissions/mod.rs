//! Submissions, their reviews, their history and the follow-ups on their
//! recommendations, stored as a document plus rows for every tag, evidence
//! type, recommendation and hub citation, all written in one transaction.

mod guarded;
mod history;
mod index;
mod list;
pub(crate) mod recommendations;
mod reviews;
mod search;
mod store;

pub(crate) use reviews::REVIEW_COLUMNS;

use crate::counting::counted_status_sql;
use crate::entities::submissions::{Column, Entity};
use domain::submission::{Completeness, Status, Submission};
use domain::{MemberId, SubmissionId};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query, SelectStatement};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, QueryResult,
};
use uuid::Uuid;

/// Implements the submission, review, history and recommendation repositories.
#[derive(Clone)]
pub struct SeaSubmissionRepository {
    db: DatabaseConnection,
}

impl SeaSubmissionRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// The status and version stored now, to explain why a guarded write missed.
async fn current(
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

trait SelectOnly {
    fn select_only_columns<const N: usize>(self, columns: [Column; N]) -> Self;
}

impl SelectOnly for sea_orm::Select<Entity> {
    fn select_only_columns<const N: usize>(self, columns: [Column; N]) -> Self {
        use sea_orm::QuerySelect;
        self.select_only().columns(columns)
    }
}

/// The submission as stored, read through `db` (which may be a write's own
/// transaction).
async fn stored<C: ConnectionTrait>(db: &C, id: SubmissionId) -> Result<Option<Submission>, DbErr> {
    let query = select_submissions()
        .and_where(Expr::col(("s", "id")).eq(id.0))
        .to_owned();
    db.query_one(&query)
        .await?
        .as_ref()
        .map(to_submission)
        .transpose()
}

/// The columns a submission is read with, joined to its author's name. An
/// erased author's work is kept under a tombstone whose id is not shown either.
fn select_submissions() -> SelectStatement {
    Query::select()
        .expr_as(
            Expr::cust("CASE WHEN m.erased_at IS NULL THEN s.author_id END"),
            Alias::new("author_id"),
        )
        .columns([
            ("s", "id"),
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
            Expr::cust(format!(
                "(SELECT COUNT(*) FROM submission_citations c JOIN submissions cs ON cs.id = c.submission_id \
                 WHERE c.cited_submission_id = s.id AND {})",
                counted_status_sql("cs")
            )),
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
        search_match: None,
    })
}
