//! Counts the report rollups again for two changes in what they hold:
//!
//! - **One definition per measure.** Mean and median quality are those of
//!   the latest quality score of each submission counted in the quarter, and
//!   mean completeness that of their latest completeness score. The rollups
//!   gain a histogram of latest scores (`dimension = 'quality_score'`, `k1`
//!   the score with one decimal) and a completeness row
//!   (`dimension = 'completeness'`: `quality_sum` the sum of scores,
//!   `quality_n` how many have one); `report_rollup_reviewed`, which held the
//!   completeness of what was reviewed in a quarter, is dropped.
//! - **Quarters in the UK's civil time.** A bucket is the calendar quarter
//!   that holds an instant in `Europe/London` (GMT or BST), not in UTC. The
//!   quarters' UTC bounds are computed here with the IANA time-zone rules
//!   into a scratch table the statements join on; SQL never converts a
//!   timestamp itself.
//!
//! The statements are frozen with this step: the service keeps its own
//! rebuild for bulk loads.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::London;
use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One transaction, so that every statement sees the scratch table
        // (a temporary table lives on one connection).
        let tx = manager.begin().await?;
        tx.drop_table(Table::drop().table("report_rollup_reviewed").to_owned())
            .await?;
        let db = tx.get_connection();
        fill_bounds(db).await?;
        for sql in rebuild_sql(db.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        db.execute_unprepared(&format!("DROP TABLE {BOUNDS}"))
            .await?;
        tx.commit().await
    }

    /// Brings back the table of reviewed completeness, empty: the summaries
    /// of the earlier steps read it as the completeness of what was reviewed.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("report_rollup_reviewed")
                    .col(integer("bucket"))
                    .col(crate::uuid("submission_id"))
                    .col(double_null("completeness"))
                    .primary_key(Index::create().col("bucket").col("submission_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(crate::index("report_rollup_reviewed", &["submission_id"]))
            .await
    }
}

/// The scratch table of quarter bounds.
pub(crate) const BOUNDS: &str = "migration_quarter_bounds";

/// What a rollup counts: submitted, not a draft and not withdrawn.
pub(crate) const COUNTED: &str =
    "s.submitted_at IS NOT NULL AND s.status NOT IN ('draft', 'withdrawn')";

/// Tag tables by dimension, as they stand at this step.
const TAG_TABLES: [(&str, &str); 4] = [
    ("priority", "submission_priorities"),
    ("practice_area", "submission_practice_areas"),
    ("evidence_type", "submission_evidence_types"),
    ("topic", "submission_topics"),
];

const AI_DIGITAL_TOPIC: &str = "ai_digital_healthcare";

/// Midnight at the start of `day` in the UK, in UTC.
fn uk_midnight(day: NaiveDate) -> DateTime<Utc> {
    let local = day.and_time(NaiveTime::MIN);
    London
        .from_local_datetime(&local)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&local))
}

/// The first day of calendar quarter `index` (`year * 4 + quarter - 1`).
fn first_day(index: i32) -> Option<NaiveDate> {
    let month = <u32 as TryFrom<i32>>::try_from(index.rem_euclid(4) * 3 + 1).ok()?;
    NaiveDate::from_ymd_opt(index.div_euclid(4), month, 1)
}

/// The calendar quarter of an instant in the UK.
fn index_of(instant: DateTime<Utc>) -> i32 {
    let day = instant.with_timezone(&London).date_naive();
    day.year() * 4 + <i32 as TryFrom<u32>>::try_from(day.month0() / 3).unwrap_or(0)
}

/// Fills the scratch table with every quarter from the earliest submission
/// or review to the latest.
pub(crate) async fn fill_bounds(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let instant_type = match db.get_database_backend() {
        DbBackend::Postgres => "TIMESTAMPTZ",
        _ => "TEXT",
    };
    db.execute_unprepared(&format!(
        "CREATE TEMPORARY TABLE {BOUNDS} (bucket INTEGER NOT NULL PRIMARY KEY, \
         starts_at {instant_type} NOT NULL, ends_at {instant_type} NOT NULL)"
    ))
    .await?;
    let mut span: Option<(i32, i32)> = None;
    for (table, column) in [("submissions", "submitted_at"), ("reviews", "created_at")] {
        let select = Query::select()
            .expr_as(Expr::col(column).min(), "first")
            .expr_as(Expr::col(column).max(), "last")
            .from(table)
            .to_owned();
        let Some(row) = db.query_one(&select).await? else {
            continue;
        };
        let first: Option<DateTime<Utc>> = row.try_get("", "first")?;
        let last: Option<DateTime<Utc>> = row.try_get("", "last")?;
        if let (Some(first), Some(last)) = (first, last) {
            let (first, last) = (index_of(first), index_of(last));
            span = Some(match span {
                Some((a, b)) => (Ord::min(a, first), Ord::max(b, last)),
                None => (first, last),
            });
        }
    }
    let Some((first, last)) = span else {
        return Ok(());
    };
    for chunk in (first..=last).collect::<Vec<_>>().chunks(200) {
        let mut insert = Query::insert()
            .into_table(BOUNDS)
            .columns(["bucket", "starts_at", "ends_at"])
            .to_owned();
        for &index in chunk {
            let (Some(start), Some(end)) = (first_day(index), first_day(index + 1)) else {
                continue;
            };
            insert.values_panic([
                index.into(),
                uk_midnight(start).into(),
                uk_midnight(end).into(),
            ]);
        }
        db.execute(&insert).await?;
    }
    Ok(())
}

/// `{table}` as `{alias}`, each row with the bucket that holds its `{column}`.
pub(crate) fn in_quarter(table: &str, alias: &str, column: &str) -> String {
    format!(
        "(SELECT x.*, q.bucket AS bucket FROM {table} x JOIN {BOUNDS} q \
         ON x.{column} >= q.starts_at AND x.{column} < q.ends_at) {alias}"
    )
}

/// A quality score as the text key of its histogram row: one decimal.
fn score_key(backend: DbBackend, column: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("TO_CHAR(ROUND(CAST({column} AS NUMERIC), 1), 'FM0.0')"),
        _ => format!("printf('%.1f', {column})"),
    }
}

/// Statements that empty the rollups and count them again.
fn rebuild_sql(backend: DbBackend) -> Vec<String> {
    let b = "s.bucket";
    let subs = in_quarter("submissions", "s", "submitted_at");
    let reviews = in_quarter("reviews", "r", "created_at");
    let quality = "COALESCE(SUM(s.quality_score), 0), COUNT(s.quality_score)";
    let counted = COUNTED;
    let insert = "INSERT INTO report_rollup (bucket, dimension, k1, k2, n, quality_sum, quality_n)";
    let mut statements = vec![
        "DELETE FROM report_rollup".to_owned(),
        "DELETE FROM report_rollup_authors".to_owned(),
        "DELETE FROM report_rollup_cited".to_owned(),
        "DELETE FROM report_rollup_cube".to_owned(),
        format!(
            "{insert} SELECT {b}, 'total', '', '', COUNT(*), {quality} FROM {subs} \
             WHERE {counted} GROUP BY {b}"
        ),
    ];
    for column in ["kind", "nation", "region"] {
        statements.push(format!(
            "{insert} SELECT {b}, '{column}', s.{column}, '', COUNT(*), {quality} FROM {subs} \
             WHERE {counted} AND s.{column} IS NOT NULL GROUP BY {b}, s.{column}"
        ));
    }
    for (dimension, table) in TAG_TABLES {
        statements.push(format!(
            "{insert} SELECT {b}, '{dimension}', t.code, '', COUNT(*), {quality} FROM {table} t \
             JOIN {subs} ON s.id = t.submission_id WHERE {counted} GROUP BY {b}, t.code"
        ));
    }
    for (dimension, table) in [
        ("priority_practice_area", "submission_practice_areas"),
        ("priority_evidence_type", "submission_evidence_types"),
    ] {
        statements.push(format!(
            "{insert} SELECT {b}, '{dimension}', p.code, x.code, COUNT(*), {quality} \
             FROM submission_priorities p JOIN {table} x ON x.submission_id = p.submission_id \
             JOIN {subs} ON s.id = p.submission_id WHERE {counted} GROUP BY {b}, p.code, x.code"
        ));
    }
    statements.extend([
        format!(
            "INSERT INTO report_rollup_cube (bucket, priority, practice_area, evidence_type, n) \
             SELECT {b}, p.code, a.code, e.code, COUNT(*) FROM submission_priorities p \
             JOIN submission_practice_areas a ON a.submission_id = p.submission_id \
             JOIN submission_evidence_types e ON e.submission_id = p.submission_id \
             JOIN {subs} ON s.id = p.submission_id WHERE {counted} \
             GROUP BY {b}, p.code, a.code, e.code"
        ),
        format!(
            "{insert} SELECT {b}, 'ai', '', '', COUNT(*), {quality} FROM submission_topics t \
             JOIN {subs} ON s.id = t.submission_id WHERE {counted} AND t.code = '{AI_DIGITAL_TOPIC}' GROUP BY {b}"
        ),
        format!(
            "{insert} SELECT {b}, 'citing', '', '', COUNT(*), {quality} FROM {subs} \
             WHERE {counted} AND EXISTS (SELECT 1 FROM submission_citations c WHERE c.submission_id = s.id) GROUP BY {b}"
        ),
        format!(
            "INSERT INTO report_rollup_cited (bucket, cited_id, n) SELECT {b}, c.cited_submission_id, COUNT(*) \
             FROM submission_citations c JOIN {subs} ON s.id = c.submission_id WHERE {counted} \
             GROUP BY {b}, c.cited_submission_id"
        ),
        format!(
            "INSERT INTO report_rollup_authors (bucket, author_id, n, ai_n) SELECT {b}, s.author_id, COUNT(*), \
             SUM(CASE WHEN EXISTS (SELECT 1 FROM submission_topics t WHERE t.submission_id = s.id \
             AND t.code = '{AI_DIGITAL_TOPIC}') THEN 1 ELSE 0 END) FROM {subs} \
             WHERE {counted} AND s.author_id IS NOT NULL GROUP BY {b}, s.author_id"
        ),
        format!(
            "{insert} SELECT a.bucket, 'submitters', '', '', COUNT(*), 0, 0 FROM report_rollup_authors a \
             WHERE a.n > 0 GROUP BY a.bucket"
        ),
        format!(
            "{insert} SELECT f.first, 'first_time', '', '', COUNT(*), 0, 0 FROM \
             (SELECT MIN(a.bucket) AS first FROM report_rollup_authors a WHERE a.n > 0 GROUP BY a.author_id) f \
             GROUP BY f.first"
        ),
        format!(
            "{insert} SELECT r.bucket, 'review_score', {score}, '', COUNT(*), 0, 0 FROM {reviews} \
             GROUP BY r.bucket, {score}",
            score = score_key(backend, "r.quality_score")
        ),
        format!(
            "{insert} SELECT {b}, 'quality_score', {score}, '', COUNT(*), 0, 0 FROM {subs} \
             WHERE {counted} AND s.quality_score IS NOT NULL GROUP BY {b}, {score}",
            score = score_key(backend, "s.quality_score")
        ),
        format!(
            "{insert} SELECT {b}, 'completeness', '', '', COUNT(*), \
             COALESCE(SUM(s.completeness_score), 0), COUNT(s.completeness_score) FROM {subs} \
             WHERE {counted} GROUP BY {b}"
        ),
    ]);
    statements
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_start_at_uk_midnight() {
        let at = |raw: &str| raw.parse::<DateTime<Utc>>().unwrap_or_default();
        let q3 = 2026 * 4 + 2;
        assert_eq!(
            first_day(q3).map(uk_midnight),
            Some(at("2026-06-30T23:00:00Z"))
        );
        assert_eq!(
            first_day(q3 + 2).map(uk_midnight),
            Some(at("2027-01-01T00:00:00Z"))
        );
        assert_eq!(index_of(at("2026-06-30T23:30:00Z")), q3);
        assert_eq!(index_of(at("2026-12-31T23:30:00Z")), q3 + 1);
    }
}
