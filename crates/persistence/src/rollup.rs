//! Keeps the per-quarter report rollups in step with the submissions they
//! count. Every write that can change what a counted submission contributes
//! reads its contribution before and after the change, inside the same
//! transaction, and adds the difference: the rollups commit or roll back with
//! the change itself, and concurrent writers only ever add deltas.

use chrono::{DateTime, Utc};
use domain::SubmissionId;
use domain::quarter::Quarter;
use domain::report::counting::{self, RecommendationFacts};
use domain::report::measures;
use domain::submission::{AdoptionStatus, Status};
use domain::taxonomy::AI_DIGITAL_TOPIC;
use sea_orm::sea_query::{Expr, ExprTrait, LockType, OnConflict, Query};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, TransactionTrait};
use std::collections::BTreeMap;
use uuid::Uuid;

mod rebuild;

use crate::tags::TAG_TABLES;

/// The rollup bucket of an instant: the index of the calendar quarter that
/// holds it in the UK's civil time, as the domain defines it. Computed here,
/// at write time, never from a timestamp in SQL.
pub fn bucket_of(instant: DateTime<Utc>) -> i32 {
    bucket(Quarter::calendar_containing(instant))
}

/// The bucket a quarter reads. Every quarter, calendar or financial, is one
/// calendar quarter.
pub fn bucket(quarter: Quarter) -> i32 {
    quarter.calendar_index()
}

/// A rollup row's key: dimension and one or two codes.
type Key = (String, String, String);

/// What one submission adds to the rollups.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Contribution {
    bucket: Option<i32>,
    rows: BTreeMap<Key, (i64, f64, i64)>,
    author: Option<(Uuid, i64)>,
    cited: Vec<Uuid>,
    /// Cells of the evidence cube: priority, practice area, evidence type.
    cube: Vec<(String, String, String)>,
    /// Steps of its recommendations' counted statuses, by bucket and status
    /// ([`counting::adoption_steps`]).
    adoption: BTreeMap<(i32, String), i64>,
}

/// Reads what submission `id` contributes now, as `db` sees it. On
/// PostgreSQL the submission's row stays locked to the end of the
/// transaction, so that no other write to it (a follow-up included) can
/// change what it counts for between this read and the next.
pub(crate) async fn contribution(
    db: &impl ConnectionTrait,
    id: SubmissionId,
) -> Result<Contribution, DbErr> {
    let select = Query::select()
        .columns([
            "status",
            "submitted_at",
            "kind",
            "nation",
            "region",
            "quality_score",
            "completeness_score",
            "author_id",
        ])
        .from("submissions")
        .and_where(Expr::col("id").eq(id.0))
        .lock(LockType::Update)
        .to_owned();
    let Some(row) = db.query_one(&select).await? else {
        return Ok(Contribution::default());
    };
    let status: String = row.try_get("", "status")?;
    let submitted_at: Option<DateTime<Utc>> = row.try_get("", "submitted_at")?;
    let Some(status) = status
        .parse::<Status>()
        .ok()
        .filter(|status| counting::is_counted(*status, submitted_at))
    else {
        return Ok(Contribution::default());
    };
    let Some(submitted_at) = submitted_at else {
        return Ok(Contribution::default());
    };
    let adoption = adoption_steps(db, id, status, submitted_at).await?;
    let quality: Option<f64> = row.try_get("", "quality_score")?;
    let completeness: Option<f64> = row.try_get("", "completeness_score")?;
    let author: Option<Uuid> = row.try_get("", "author_id")?;
    let mut singles: Vec<(String, String)> = vec![
        ("total".into(), String::new()),
        ("kind".into(), row.try_get("", "kind")?),
    ];
    for column in ["nation", "region"] {
        if let Some(code) = row.try_get::<Option<String>>("", column)? {
            singles.push((column.to_owned(), code));
        }
    }
    let backend = db.get_database_backend();
    let placeholder = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?1"
    };
    let union = TAG_TABLES
        .iter()
        .map(|(dimension, table)| {
            format!(
                "SELECT '{dimension}' AS d, code FROM {table} WHERE submission_id = {placeholder}"
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let tags: Vec<(String, String)> = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            union,
            [id.0.into()],
        ))
        .await?
        .iter()
        .map(|r| Ok((r.try_get("", "d")?, r.try_get("", "code")?)))
        .collect::<Result<_, DbErr>>()?;
    let cited_query = Query::select()
        .column("cited_submission_id")
        .from("submission_citations")
        .and_where(Expr::col("submission_id").eq(id.0))
        .to_owned();
    let cited: Vec<Uuid> = db
        .query_all(&cited_query)
        .await?
        .iter()
        .map(|r| r.try_get("", "cited_submission_id"))
        .collect::<Result<_, _>>()?;

    let ai = tags
        .iter()
        .any(|(d, c)| d == "topic" && c == AI_DIGITAL_TOPIC);
    let codes = |dimension: &str| -> Vec<&String> {
        tags.iter()
            .filter(|(d, _)| d == dimension)
            .map(|(_, c)| c)
            .collect()
    };
    let mut keys: Vec<Key> = singles
        .into_iter()
        .chain(tags.iter().cloned())
        .map(|(d, c)| (d, c, String::new()))
        .collect();
    for (dimension, other) in [
        ("priority_practice_area", "practice_area"),
        ("priority_evidence_type", "evidence_type"),
    ] {
        for priority in codes("priority") {
            for code in codes(other) {
                keys.push((dimension.to_owned(), priority.clone(), code.clone()));
            }
        }
    }
    let mut cube = Vec::new();
    for priority in codes("priority") {
        for area in codes("practice_area") {
            for evidence in codes("evidence_type") {
                cube.push((priority.clone(), area.clone(), evidence.clone()));
            }
        }
    }
    if ai {
        keys.push(("ai".into(), String::new(), String::new()));
    }
    if !cited.is_empty() {
        keys.push(("citing".into(), String::new(), String::new()));
    }
    let figures = (1, quality.unwrap_or(0.0), i64::from(quality.is_some()));
    let mut rows: BTreeMap<Key, (i64, f64, i64)> = keys.into_iter().map(|k| (k, figures)).collect();
    // The quality measures: a histogram of latest scores, and the sum of
    // latest completeness (domain::report::measures).
    if let Some(quality) = quality {
        rows.insert(
            (
                QUALITY_SCORE.into(),
                measures::score_key(quality),
                String::new(),
            ),
            (1, 0.0, 0),
        );
    }
    rows.insert(
        (COMPLETENESS.into(), String::new(), String::new()),
        (
            1,
            completeness.unwrap_or(0.0),
            i64::from(completeness.is_some()),
        ),
    );
    Ok(Contribution {
        bucket: Some(bucket_of(submitted_at)),
        rows,
        author: author.map(|a| (a, i64::from(ai))),
        cited,
        cube,
        adoption,
    })
}

/// The adoption rollup's steps for the recommendations of a counted
/// submission, summed by bucket and status.
async fn adoption_steps(
    db: &impl ConnectionTrait,
    id: SubmissionId,
    status: Status,
    submitted_at: DateTime<Utc>,
) -> Result<BTreeMap<(i32, String), i64>, DbErr> {
    let recommendations = Query::select()
        .columns(["id", "adoption_status"])
        .from("recommendations")
        .and_where(Expr::col("submission_id").eq(id.0))
        .to_owned();
    let recommendations = db.query_all(&recommendations).await?;
    let mut steps = BTreeMap::new();
    if recommendations.is_empty() {
        return Ok(steps);
    }
    let events =
        crate::submissions::recommendations::events_where(db, Expr::col("submission_id").eq(id.0))
            .await?;
    for row in &recommendations {
        let recommendation: Uuid = row.try_get("", "id")?;
        let written: String = row.try_get("", "adoption_status")?;
        let written_status = AdoptionStatus::parse(&written).ok_or_else(|| {
            DbErr::Custom(format!(
                "recommendation {recommendation}: status {written:?}"
            ))
        })?;
        let own: Vec<_> = events
            .iter()
            .filter(|e| e.recommendation_id == recommendation)
            .cloned()
            .collect();
        let facts = RecommendationFacts {
            submission_status: status,
            submitted_at: Some(submitted_at),
            written_status,
            written_investment_pence: None,
            events: &own,
        };
        for (bucket, status, n) in counting::adoption_steps(facts) {
            *steps
                .entry((bucket, status.as_str().to_owned()))
                .or_default() += n;
        }
    }
    steps.retain(|_, n| *n != 0);
    Ok(steps)
}

/// Rollup rows of the latest quality scores of counted submissions: `k1` is
/// the score's key, `n` how many have it.
pub(crate) const QUALITY_SCORE: &str = "quality_score";

/// The rollup row of latest completeness: `quality_sum` sums the scores of
/// counted submissions, `quality_n` counts those that have one.
pub(crate) const COMPLETENESS: &str = "completeness";

/// Rollup rows counting reviews made in a bucket, by score.
pub(crate) const REVIEW_SCORE: &str = "review_score";

/// One more count for a rollup row that no submission's contribution holds,
/// such as a review's score in the quarter it was made.
pub(crate) fn one(bucket: i32, dimension: &str, k1: String) -> ((i32, Key), i64) {
    ((bucket, (dimension.to_owned(), k1, String::new())), 1)
}

/// Adds `after - before` (and `extra`) to the rollups, in a fixed order so
/// that concurrent writers take row locks alike: authors, then counts, then
/// cube cells, then cited items, then adoption steps, each sorted.
pub(crate) async fn apply(
    db: &impl ConnectionTrait,
    before: &Contribution,
    after: &Contribution,
    extra: &[((i32, Key), i64)],
) -> Result<(), DbErr> {
    if before == after && extra.is_empty() {
        return Ok(());
    }
    let mut rows: BTreeMap<(i32, Key), (i64, f64, i64)> = BTreeMap::new();
    let mut authors: BTreeMap<(i32, Uuid), (i64, i64)> = BTreeMap::new();
    let mut cited: BTreeMap<(i32, Uuid), i64> = BTreeMap::new();
    let mut cube: BTreeMap<(i32, (String, String, String)), i64> = BTreeMap::new();
    let mut adoption: BTreeMap<(i32, String), i64> = BTreeMap::new();
    for (key, n) in extra {
        rows.entry(key.clone()).or_default().0 += n;
    }
    for (contribution, sign) in [(before, -1_i64), (after, 1)] {
        for (key, n) in &contribution.adoption {
            *adoption.entry(key.clone()).or_default() += sign * n;
        }
        let Some(bucket) = contribution.bucket else {
            continue;
        };
        for (key, (n, quality_sum, quality_n)) in &contribution.rows {
            let entry = rows.entry((bucket, key.clone())).or_default();
            entry.0 += sign * n;
            entry.1 += sign as f64 * quality_sum;
            entry.2 += sign * quality_n;
        }
        if let Some((author, ai)) = contribution.author {
            let entry = authors.entry((bucket, author)).or_default();
            entry.0 += sign;
            entry.1 += sign * ai;
        }
        for id in &contribution.cited {
            *cited.entry((bucket, *id)).or_default() += sign;
        }
        for cell in &contribution.cube {
            *cube.entry((bucket, cell.clone())).or_default() += sign;
        }
    }
    for ((bucket, author), (n, ai_n)) in authors {
        if n == 0 && ai_n == 0 {
            continue;
        }
        let first_before = first_bucket(db, author).await?;
        let current = Query::select()
            .column("n")
            .from("report_rollup_authors")
            .and_where(Expr::col("bucket").eq(bucket))
            .and_where(Expr::col("author_id").eq(author))
            .to_owned();
        let old: i64 = match db.query_one(&current).await? {
            Some(row) => row.try_get("", "n")?,
            None => 0,
        };
        let upsert = Query::insert()
            .into_table("report_rollup_authors")
            .columns(["bucket", "author_id", "n", "ai_n"])
            .values_panic([bucket.into(), author.into(), n.into(), ai_n.into()])
            .on_conflict(
                OnConflict::columns(["bucket", "author_id"])
                    .values(["n", "ai_n"].map(|c| (c, added("report_rollup_authors", c))))
                    .to_owned(),
            )
            .to_owned();
        db.execute(&upsert).await?;
        // Distinct submitters of the bucket change when an author's count
        // crosses zero; first-time submitters when their first bucket moves.
        let submitting = i64::from(old + n > 0) - i64::from(old > 0);
        if submitting != 0 {
            rows.entry((bucket, ("submitters".into(), String::new(), String::new())))
                .or_default()
                .0 += submitting;
        }
        let first_after = first_bucket(db, author).await?;
        if first_before != first_after {
            for (first, sign) in [(first_before, -1), (first_after, 1)] {
                if let Some(first) = first {
                    rows.entry((first, ("first_time".into(), String::new(), String::new())))
                        .or_default()
                        .0 += sign;
                }
            }
        }
    }
    for ((bucket, (dimension, k1, k2)), (n, quality_sum, quality_n)) in rows {
        if n == 0 && quality_n == 0 && quality_sum == 0.0 {
            continue;
        }
        let upsert = Query::insert()
            .into_table("report_rollup")
            .columns([
                "bucket",
                "dimension",
                "k1",
                "k2",
                "n",
                "quality_sum",
                "quality_n",
            ])
            .values_panic([
                bucket.into(),
                dimension.into(),
                k1.into(),
                k2.into(),
                n.into(),
                quality_sum.into(),
                quality_n.into(),
            ])
            .on_conflict(
                OnConflict::columns(["bucket", "dimension", "k1", "k2"])
                    .values(
                        ["n", "quality_sum", "quality_n"].map(|c| (c, added("report_rollup", c))),
                    )
                    .to_owned(),
            )
            .to_owned();
        db.execute(&upsert).await?;
    }
    for ((bucket, (priority, area, evidence)), n) in cube {
        if n == 0 {
            continue;
        }
        let upsert = Query::insert()
            .into_table("report_rollup_cube")
            .columns(["bucket", "priority", "practice_area", "evidence_type", "n"])
            .values_panic([
                bucket.into(),
                priority.into(),
                area.into(),
                evidence.into(),
                n.into(),
            ])
            .on_conflict(
                OnConflict::columns(["bucket", "priority", "practice_area", "evidence_type"])
                    .value("n", added("report_rollup_cube", "n"))
                    .to_owned(),
            )
            .to_owned();
        db.execute(&upsert).await?;
    }
    for ((bucket, id), n) in cited {
        if n == 0 {
            continue;
        }
        let upsert = Query::insert()
            .into_table("report_rollup_cited")
            .columns(["bucket", "cited_id", "n"])
            .values_panic([bucket.into(), id.into(), n.into()])
            .on_conflict(
                OnConflict::columns(["bucket", "cited_id"])
                    .value("n", added("report_rollup_cited", "n"))
                    .to_owned(),
            )
            .to_owned();
        db.execute(&upsert).await?;
    }
    for ((bucket, status), n) in adoption {
        if n == 0 {
            continue;
        }
        let upsert = Query::insert()
            .into_table(ADOPTION)
            .columns(["bucket", "status", "n"])
            .values_panic([bucket.into(), status.into(), n.into()])
            .on_conflict(
                OnConflict::columns(["bucket", "status"])
                    .value("n", added(ADOPTION, "n"))
                    .to_owned(),
            )
            .to_owned();
        db.execute(&upsert).await?;
    }
    Ok(())
}

/// The rollup of recommendations' counted statuses: each row adds `n` to
/// `status` from `bucket` on, so the statuses counted as of a quarter's end
/// are the sums of every bucket up to it.
pub(crate) const ADOPTION: &str = "report_rollup_adoption";

/// The first bucket in which `author` has counted work.
async fn first_bucket(db: &impl ConnectionTrait, author: Uuid) -> Result<Option<i32>, DbErr> {
    let select = Query::select()
        .expr_as(Expr::col("bucket").min(), "first")
        .from("report_rollup_authors")
        .and_where(Expr::col("author_id").eq(author))
        .and_where(Expr::col("n").gt(0))
        .to_owned();
    match db.query_one(&select).await? {
        Some(row) => row.try_get("", "first"),
        None => Ok(None),
    }
}

/// `table.column + excluded.column`, for an upsert that adds.
fn added(table: &'static str, column: &'static str) -> Expr {
    Expr::col((table, column)).add(Expr::cust(format!("excluded.{column}")))
}

/// Counts every rollup again from the base tables, in one transaction: for
/// data loaded in bulk around the repositories. Buckets come from a table of
/// each quarter's UTC bounds, computed by the domain, that the statements
/// join on.
pub async fn rebuild(db: &sea_orm::DatabaseConnection) -> Result<(), DbErr> {
    let tx = db.begin().await?;
    rebuild::fill_quarter_bounds(&tx).await?;
    for sql in rebuild::rebuild_sql(db.get_database_backend()) {
        tx.execute_unprepared(&sql).await?;
    }
    tx.execute_unprepared(rebuild::DROP_QUARTER_BOUNDS).await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn buckets_are_calendar_quarters_and_financial_quarters_share_them() {
        let at = |y, m, d| {
            Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
                .single()
                .unwrap_or_default()
        };
        assert_eq!(bucket_of(at(2025, 1, 1)), 2025 * 4);
        assert_eq!(bucket_of(at(2025, 3, 31)), 2025 * 4);
        let london_april: DateTime<Utc> = "2025-03-31T23:30:00Z".parse().unwrap_or_default();
        assert_eq!(
            bucket_of(london_april),
            2025 * 4 + 1,
            "00:30 BST on 1 April"
        );
        assert_eq!(bucket_of(at(2025, 4, 1)), 2025 * 4 + 1);
        assert_eq!(bucket_of(at(2025, 12, 31)), 2025 * 4 + 3);
        let calendar: Quarter = "2025-Q2".parse().unwrap_or_else(|e| panic!("{e:?}"));
        let financial: Quarter = "FY2025-Q1".parse().unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(bucket(calendar), bucket(financial));
        let last_fy: Quarter = "FY2025-Q4".parse().unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(bucket(last_fy), 2026 * 4);
    }
}
