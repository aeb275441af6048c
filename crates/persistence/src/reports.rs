//! Quarterly figures, aggregated in SQL on either database. The statements are
//! plain SQL so the benchmark can run them directly in psql and sqlite3.

use crate::{storage, write_error};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::MemberId;
use domain::quarter::Quarter;
use domain::report::{Cell, CountMap, QuarterFigures, QuarterHeadline, SubmitterFigures};
use domain::repository::{ReportRepository, Snapshot, StorageError, WriteError};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, QueryResult, Statement, Value,
};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Reads quarterly figures and stores snapshots.
#[derive(Clone)]
pub struct SeaReportRepository {
    db: DatabaseConnection,
    /// Bounds how many report statements run at once, so a report never
    /// starves the pool that ordinary requests need.
    running: std::sync::Arc<tokio::sync::Semaphore>,
}

/// Report statements run at once per replica.
const REPORT_CONCURRENCY: usize = 3;

/// What is counted: submitted in [$1, $2), not a draft and not withdrawn.
const COUNTED: &str =
    "s.submitted_at >= $1 AND s.submitted_at < $2 AND s.status NOT IN ('draft', 'withdrawn')";
const AI_TOPIC: &str = "s.id IN (SELECT t.submission_id FROM submission_topics t WHERE t.code = 'ai_digital_healthcare')";

/// Tag dimensions and their tables.
pub const TAG_TABLES: [(&str, &str); 4] = [
    ("priority", "submission_priorities"),
    ("practice_area", "submission_practice_areas"),
    ("evidence_type", "submission_evidence_types"),
    ("topic", "submission_topics"),
];

/// Member demographic columns counted for submitters.
pub const DEMOGRAPHIC_COLUMNS: [&str; 5] = [
    "career_stage",
    "level_of_practice",
    "sector",
    "nation",
    "region",
];

/// Every statement one quarter's figures need, with `$1`/`$2` the quarter's
/// start and end instants and `$1` `$2` as dates for follow-ups.
pub fn quarter_statements() -> Vec<(String, String)> {
    let mut statements = vec![
        (
            "total".to_owned(),
            format!("SELECT COUNT(*) AS n FROM submissions s WHERE {COUNTED}"),
        ),
        (
            "kind".to_owned(),
            format!(
                "SELECT s.kind AS k, COUNT(*) AS n FROM submissions s WHERE {COUNTED} GROUP BY s.kind"
            ),
        ),
        (
            "nation".to_owned(),
            format!(
                "SELECT s.nation AS k, COUNT(*) AS n FROM submissions s WHERE {COUNTED} AND s.nation IS NOT NULL GROUP BY s.nation"
            ),
        ),
        (
            "region".to_owned(),
            format!(
                "SELECT s.region AS k, COUNT(*) AS n FROM submissions s WHERE {COUNTED} AND s.region IS NOT NULL GROUP BY s.region"
            ),
        ),
    ];
    for (dimension, table) in TAG_TABLES {
        statements.push((
            dimension.to_owned(),
            format!("SELECT t.code AS k, COUNT(*) AS n FROM {table} t JOIN submissions s ON s.id = t.submission_id WHERE {COUNTED} GROUP BY t.code"),
        ));
    }
    for (name, table) in [
        ("priority_practice_area", "submission_practice_areas"),
        ("priority_evidence_type", "submission_evidence_types"),
    ] {
        statements.push((
            name.to_owned(),
            format!(
                "SELECT p.code AS r, x.code AS c, COUNT(*) AS n, SUM(s.quality_score) AS qs, COUNT(s.quality_score) AS qn \
                 FROM submission_priorities p JOIN {table} x ON x.submission_id = p.submission_id \
                 JOIN submissions s ON s.id = p.submission_id WHERE {COUNTED} GROUP BY p.code, x.code"
            ),
        ));
    }
    statements.extend([
        ("reviews".to_owned(), "SELECT r.quality_score AS q FROM reviews r WHERE r.created_at >= $1 AND r.created_at < $2".to_owned()),
        (
            "completeness".to_owned(),
            "SELECT AVG(s.completeness_score) AS m FROM submissions s WHERE s.id IN \
             (SELECT r.submission_id FROM reviews r WHERE r.created_at >= $1 AND r.created_at < $2)"
                .to_owned(),
        ),
        ("submitters".to_owned(), format!("SELECT COUNT(DISTINCT s.author_id) AS n FROM submissions s WHERE {COUNTED}")),
        (
            "first_time".to_owned(),
            format!(
                "SELECT COUNT(DISTINCT s.author_id) AS n FROM submissions s WHERE {COUNTED} AND NOT EXISTS \
                 (SELECT 1 FROM submissions e WHERE e.author_id = s.author_id AND e.submitted_at < $1 \
                 AND e.status NOT IN ('draft', 'withdrawn'))"
            ),
        ),
        ("joined".to_owned(), "SELECT COUNT(*) AS n FROM members m WHERE m.created_at >= $1 AND m.created_at < $2".to_owned()),
        ("ai_total".to_owned(), format!("SELECT COUNT(*) AS n FROM submissions s WHERE {COUNTED} AND {AI_TOPIC}")),
        (
            "ai_submitters".to_owned(),
            format!(
                "SELECT m.career_stage AS career_stage, m.region AS region, m.job_title AS job_title FROM members m \
                 WHERE m.id IN (SELECT s.author_id FROM submissions s WHERE {COUNTED} AND {AI_TOPIC})"
            ),
        ),
        (
            "adoption".to_owned(),
            "SELECT e.adoption_status AS k, COUNT(*) AS n FROM recommendation_events e \
             WHERE e.occurred_on >= $1 AND e.occurred_on < $2 AND e.adoption_status IS NOT NULL GROUP BY e.adoption_status"
                .to_owned(),
        ),
        (
            "investment".to_owned(),
            "SELECT COUNT(e.investment_pence) AS n, CAST(COALESCE(SUM(e.investment_pence), 0) AS BIGINT) AS total \
             FROM recommendation_events e WHERE e.occurred_on >= $1 AND e.occurred_on < $2"
                .to_owned(),
        ),
        (
            "citations".to_owned(),
            format!(
                "SELECT COUNT(DISTINCT c.submission_id) AS citing, COUNT(DISTINCT c.cited_submission_id) AS cited \
                 FROM submission_citations c JOIN submissions s ON s.id = c.submission_id WHERE {COUNTED}"
            ),
        ),
    ]);
    for column in DEMOGRAPHIC_COLUMNS {
        statements.push((
            format!("submitters_{column}"),
            format!(
                "SELECT COALESCE(m.{column}, 'not_stated') AS k, COUNT(*) AS n FROM members m \
                 WHERE m.id IN (SELECT s.author_id FROM submissions s WHERE {COUNTED}) GROUP BY COALESCE(m.{column}, 'not_stated')"
            ),
        ));
    }
    statements
}

/// Statements about people, needed only for the reported quarter.
pub fn about_people(name: &str) -> bool {
    name == "first_time" || name == "ai_submitters" || name.starts_with("submitters_")
}

/// The statements a headline (series, trend) needs.
pub const HEADLINE_STATEMENTS: [&str; 5] = ["total", "kind", "priority", "submitters", "reviews"];

/// Follow-ups are dated; the others are instants.
pub fn uses_dates(name: &str) -> bool {
    matches!(name, "adoption" | "investment")
}

/// Groups job titles as people write them: case and spacing do not matter.
pub fn job_title_group(raw: Option<&str>) -> String {
    match raw.map(|t| {
        t.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    }) {
        Some(title) if !title.is_empty() => title,
        _ => "not_stated".to_owned(),
    }
}

impl SeaReportRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            running: std::sync::Arc::new(tokio::sync::Semaphore::new(REPORT_CONCURRENCY)),
        }
    }

    /// Runs a quarter's statements concurrently on the pool. Comparison
    /// quarters skip the statements about people, which only the reported
    /// quarter shows.
    async fn figures_of(
        &self,
        quarter: Quarter,
        full: bool,
    ) -> Result<QuarterFigures, StorageError> {
        let (start, end): (DateTime<Utc>, DateTime<Utc>) = (quarter.start(), quarter.end());
        let (start_day, end_day): (NaiveDate, NaiveDate) = (start.date_naive(), end.date_naive());
        let statements: Vec<(String, String)> = quarter_statements()
            .into_iter()
            .filter(|(name, _)| full || !about_people(name))
            .collect();
        let runs = statements.iter().map(|(name, sql)| {
            let params = if uses_dates(name) {
                vec![start_day.into(), end_day.into()]
            } else {
                vec![start.into(), end.into()]
            };
            self.run(sql, params)
        });
        let outcomes = futures_util::future::join_all(runs).await;
        let mut results: BTreeMap<String, Vec<QueryResult>> = BTreeMap::new();
        for ((name, _), outcome) in statements.into_iter().zip(outcomes) {
            results.insert(name, outcome.map_err(storage)?);
        }
        let get = |name: &str| results.get(name).map(Vec::as_slice).unwrap_or(&[]);
        let build = || -> Result<QuarterFigures, DbErr> {
            let mut by = BTreeMap::new();
            for dimension in ["kind", "nation", "region"]
                .into_iter()
                .chain(TAG_TABLES.iter().map(|(d, _)| *d))
            {
                by.insert(dimension.to_owned(), counts(get(dimension))?);
            }
            let mut submitters_by = BTreeMap::new();
            for column in DEMOGRAPHIC_COLUMNS {
                submitters_by.insert(
                    column.to_owned(),
                    counts(get(&format!("submitters_{column}")))?,
                );
            }
            let mut ai_by: BTreeMap<String, CountMap> = BTreeMap::new();
            let ai_rows = get("ai_submitters");
            for row in ai_rows {
                let career: Option<String> = row.try_get("", "career_stage")?;
                let region: Option<String> = row.try_get("", "region")?;
                let title: Option<String> = row.try_get("", "job_title")?;
                for (dimension, key) in [
                    (
                        "career_stage",
                        career.unwrap_or_else(|| "not_stated".into()),
                    ),
                    ("region", region.unwrap_or_else(|| "not_stated".into())),
                    ("job_title", job_title_group(title.as_deref())),
                ] {
                    *ai_by
                        .entry(dimension.to_owned())
                        .or_default()
                        .entry(key)
                        .or_default() += 1;
                }
            }
            let review_scores = get("reviews")
                .iter()
                .map(|r| r.try_get::<f64>("", "q"))
                .collect::<Result<Vec<_>, _>>()?;
            let completeness: Option<f64> = match get("completeness").first() {
                Some(row) => row.try_get("", "m")?,
                None => None,
            };
            Ok(QuarterFigures {
                total: single(get("total"), "n")?,
                by,
                priority_practice_area: cells(get("priority_practice_area"))?,
                priority_evidence_type: cells(get("priority_evidence_type"))?,
                review_scores,
                mean_completeness: completeness.map(|m| (m * 1000.0).round() / 1000.0),
                submitters: SubmitterFigures {
                    distinct: single(get("submitters"), "n")?,
                    first_time: single(get("first_time"), "n")?,
                    by: submitters_by,
                },
                members_joined: single(get("joined"), "n")?,
                ai_submissions: single(get("ai_total"), "n")?,
                ai_submitters: SubmitterFigures {
                    distinct: ai_rows.len() as i64,
                    first_time: 0,
                    by: ai_by,
                },
                adoption_reported: counts(get("adoption"))?,
                investments_reported: single(get("investment"), "n")?,
                investment_pence: single(get("investment"), "total")?,
                citing_submissions: single(get("citations"), "citing")?,
                hub_items_cited: single(get("citations"), "cited")?,
            })
        };
        build().map_err(storage)
    }

    async fn run(&self, sql: &str, params: Vec<Value>) -> Result<Vec<QueryResult>, DbErr> {
        let _permit = self
            .running
            .acquire()
            .await
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        let backend = self.db.get_database_backend();
        let sql = match backend {
            DbBackend::Sqlite => sql.replace("$1", "?1").replace("$2", "?2"),
            _ => sql.to_owned(),
        };
        self.db
            .query_all_raw(Statement::from_sql_and_values(backend, sql, params))
            .await
    }
}

fn counts(rows: &[QueryResult]) -> Result<CountMap, DbErr> {
    rows.iter()
        .map(|r| Ok((r.try_get::<String>("", "k")?, r.try_get::<i64>("", "n")?)))
        .collect()
}

fn single(rows: &[QueryResult], column: &str) -> Result<i64, DbErr> {
    rows.first()
        .map(|r| r.try_get::<i64>("", column))
        .transpose()
        .map(Option::unwrap_or_default)
}

fn cells(rows: &[QueryResult]) -> Result<BTreeMap<(String, String), Cell>, DbErr> {
    rows.iter()
        .map(|r| {
            Ok((
                (r.try_get("", "r")?, r.try_get("", "c")?),
                Cell {
                    count: r.try_get("", "n")?,
                    quality_sum: r.try_get::<Option<f64>>("", "qs")?.unwrap_or(0.0),
                    quality_n: r.try_get("", "qn")?,
                },
            ))
        })
        .collect()
}

#[async_trait]
impl ReportRepository for SeaReportRepository {
    #[tracing::instrument(skip(self), fields(quarter = %quarter))]
    async fn figures(&self, quarter: Quarter) -> Result<QuarterFigures, StorageError> {
        self.figures_of(quarter, true).await
    }

    #[tracing::instrument(skip(self), fields(quarter = %quarter))]
    async fn comparison_figures(&self, quarter: Quarter) -> Result<QuarterFigures, StorageError> {
        self.figures_of(quarter, false).await
    }

    #[tracing::instrument(skip(self), fields(quarter = %quarter))]
    async fn headline(&self, quarter: Quarter) -> Result<QuarterHeadline, StorageError> {
        let params = || vec![Value::from(quarter.start()), Value::from(quarter.end())];
        let statements: Vec<(String, String)> = quarter_statements()
            .into_iter()
            .filter(|(n, _)| HEADLINE_STATEMENTS.contains(&n.as_str()))
            .collect();
        let sql = |name: &str| {
            statements
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, s)| s.clone())
                .unwrap_or_default()
        };
        let build = async {
            let total = single(&self.run(&sql("total"), params()).await?, "n")?;
            let by_kind = counts(&self.run(&sql("kind"), params()).await?)?;
            let by_priority = counts(&self.run(&sql("priority"), params()).await?)?;
            let distinct_submitters = single(&self.run(&sql("submitters"), params()).await?, "n")?;
            let review_scores = self
                .run(&sql("reviews"), params())
                .await?
                .iter()
                .map(|r| r.try_get::<f64>("", "q"))
                .collect::<Result<Vec<_>, _>>()?;
            Ok::<_, DbErr>(QuarterHeadline {
                total,
                by_kind,
                by_priority,
                distinct_submitters,
                review_scores,
            })
        };
        build.await.map_err(storage)
    }

    #[tracing::instrument(skip(self, snapshot), fields(quarter = %snapshot.quarter))]
    async fn save_snapshot(&self, snapshot: &Snapshot) -> Result<(), WriteError> {
        let insert = Query::insert()
            .into_table("report_snapshots")
            .columns([
                "id",
                "quarter",
                "created_at",
                "created_by",
                "content_hash",
                "body",
            ])
            .values_panic([
                snapshot.id.into(),
                snapshot.quarter.clone().into(),
                snapshot.created_at.into(),
                snapshot.created_by.map(|m| m.0).into(),
                snapshot.content_hash.clone().into(),
                snapshot.body.clone().into(),
            ])
            .to_owned();
        self.db.execute(&insert).await.map_err(write_error)?;
        Ok(())
    }

    #[tracing::instrument(skip(self))]
    async fn snapshots(&self, quarter: &str) -> Result<Vec<Snapshot>, StorageError> {
        let query = Query::select()
            .columns([
                "id",
                "quarter",
                "created_at",
                "created_by",
                "content_hash",
                "body",
            ])
            .from("report_snapshots")
            .and_where(Expr::col("quarter").eq(quarter))
            .order_by("created_at", Order::Desc)
            .order_by("id", Order::Desc)
            .to_owned();
        let rows = self.db.query_all(&query).await.map_err(storage)?;
        rows.iter()
            .map(to_snapshot)
            .collect::<Result<_, _>>()
            .map_err(storage)
    }

    #[tracing::instrument(skip(self))]
    async fn snapshot(&self, id: Uuid) -> Result<Option<Snapshot>, StorageError> {
        let query = Query::select()
            .columns([
                "id",
                "quarter",
                "created_at",
                "created_by",
                "content_hash",
                "body",
            ])
            .from("report_snapshots")
            .and_where(Expr::col("id").eq(id))
            .to_owned();
        let row = self.db.query_one(&query).await.map_err(storage)?;
        row.as_ref().map(to_snapshot).transpose().map_err(storage)
    }
}

fn to_snapshot(row: &QueryResult) -> Result<Snapshot, DbErr> {
    let created_by: Option<Uuid> = row.try_get("", "created_by")?;
    Ok(Snapshot {
        id: row.try_get("", "id")?,
        quarter: row.try_get("", "quarter")?,
        created_at: row.try_get("", "created_at")?,
        created_by: created_by.map(MemberId),
        content_hash: row.try_get("", "content_hash")?,
        body: row.try_get("", "body")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_titles_group_regardless_of_case_and_spacing() {
        assert_eq!(
            job_title_group(Some("  Clinical   Lead OT ")),
            "clinical lead ot"
        );
        assert_eq!(
            job_title_group(Some("CLINICAL LEAD OT")),
            "clinical lead ot"
        );
        assert_eq!(job_title_group(Some("   ")), "not_stated");
        assert_eq!(job_title_group(None), "not_stated");
    }

    #[test]
    fn every_statement_is_bounded_by_the_quarter() {
        for (name, sql) in quarter_statements() {
            assert!(sql.contains("$1") && sql.contains("$2"), "{name}");
        }
    }
}
