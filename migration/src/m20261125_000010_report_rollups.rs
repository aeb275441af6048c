//! Per-quarter rollups of what quarterly summaries count, kept in step with
//! every write that changes a counted submission, so a summary reads a few
//! hundred rows instead of joining every tag of a quarter's submissions.
//!
//! A bucket is a calendar quarter, `year * 4 + (month - 1) / 3` of
//! `submitted_at` in UTC; a financial-year quarter is always one calendar
//! quarter, so both kinds read the same buckets.

use crate::uuid;
use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("report_rollup")
                    .col(integer("bucket"))
                    .col(string("dimension"))
                    .col(string("k1"))
                    .col(string("k2"))
                    .col(big_integer("n"))
                    .col(double("quality_sum"))
                    .col(big_integer("quality_n"))
                    .primary_key(
                        Index::create()
                            .col("bucket")
                            .col("dimension")
                            .col("k1")
                            .col("k2"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("report_rollup_authors")
                    .col(integer("bucket"))
                    .col(uuid("author_id"))
                    .col(big_integer("n"))
                    .col(big_integer("ai_n"))
                    .primary_key(Index::create().col("bucket").col("author_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(crate::index(
                "report_rollup_authors",
                &["author_id", "bucket", "n"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("report_rollup_cited")
                    .col(integer("bucket"))
                    .col(uuid("cited_id"))
                    .col(big_integer("n"))
                    .primary_key(Index::create().col("bucket").col("cited_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("report_rollup_reviewed")
                    .col(integer("bucket"))
                    .col(uuid("submission_id"))
                    .col(double_null("completeness"))
                    .primary_key(Index::create().col("bucket").col("submission_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(crate::index("report_rollup_reviewed", &["submission_id"]))
            .await?;
        let db = manager.get_connection();
        for sql in rebuild_sql(db.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "report_rollup_reviewed",
            "report_rollup_cited",
            "report_rollup_authors",
            "report_rollup",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// What a rollup counts: submitted, not a draft and not withdrawn.
const COUNTED: &str = "s.submitted_at IS NOT NULL AND s.status NOT IN ('draft', 'withdrawn')";

/// The bucket of an instant column in SQL.
fn bucket(backend: DbBackend, column: &str) -> String {
    match backend {
        DbBackend::Postgres => format!(
            "(CAST(EXTRACT(YEAR FROM {column} AT TIME ZONE 'UTC') AS INTEGER) * 4 \
             + (CAST(EXTRACT(MONTH FROM {column} AT TIME ZONE 'UTC') AS INTEGER) - 1) / 3)"
        ),
        _ => format!(
            "(CAST(strftime('%Y', {column}) AS INTEGER) * 4 \
             + (CAST(strftime('%m', {column}) AS INTEGER) - 1) / 3)"
        ),
    }
}

/// Statements that empty the rollups and count them again from the base
/// tables, as this step ran them. Frozen with the step: the service keeps its
/// own rebuild for bulk loads.
fn rebuild_sql(backend: DbBackend) -> Vec<String> {
    let b = bucket(backend, "s.submitted_at");
    let reviewed = bucket(backend, "r.created_at");
    let quality = "COALESCE(SUM(s.quality_score), 0), COUNT(s.quality_score)";
    let insert = "INSERT INTO report_rollup (bucket, dimension, k1, k2, n, quality_sum, quality_n)";
    let mut statements = vec![
        "DELETE FROM report_rollup".to_owned(),
        "DELETE FROM report_rollup_authors".to_owned(),
        "DELETE FROM report_rollup_cited".to_owned(),
        "DELETE FROM report_rollup_reviewed".to_owned(),
        format!(
            "{insert} SELECT {b}, 'total', '', '', COUNT(*), {quality} FROM submissions s \
             WHERE {COUNTED} GROUP BY {b}"
        ),
    ];
    for column in ["kind", "nation", "region"] {
        statements.push(format!(
            "{insert} SELECT {b}, '{column}', s.{column}, '', COUNT(*), {quality} FROM submissions s \
             WHERE {COUNTED} AND s.{column} IS NOT NULL GROUP BY {b}, s.{column}"
        ));
    }
    for (dimension, table) in TAG_TABLES {
        statements.push(format!(
            "{insert} SELECT {b}, '{dimension}', t.code, '', COUNT(*), {quality} FROM {table} t \
             JOIN submissions s ON s.id = t.submission_id WHERE {COUNTED} GROUP BY {b}, t.code"
        ));
    }
    for (dimension, table) in [
        ("priority_practice_area", "submission_practice_areas"),
        ("priority_evidence_type", "submission_evidence_types"),
    ] {
        statements.push(format!(
            "{insert} SELECT {b}, '{dimension}', p.code, x.code, COUNT(*), {quality} \
             FROM submission_priorities p JOIN {table} x ON x.submission_id = p.submission_id \
             JOIN submissions s ON s.id = p.submission_id WHERE {COUNTED} GROUP BY {b}, p.code, x.code"
        ));
    }
    statements.extend([
        format!(
            "{insert} SELECT {b}, 'ai', '', '', COUNT(*), {quality} FROM submission_topics t \
             JOIN submissions s ON s.id = t.submission_id WHERE {COUNTED} AND t.code = '{AI_TOPIC}' GROUP BY {b}"
        ),
        format!(
            "{insert} SELECT {b}, 'citing', '', '', COUNT(*), {quality} FROM submissions s \
             WHERE {COUNTED} AND EXISTS (SELECT 1 FROM submission_citations c WHERE c.submission_id = s.id) GROUP BY {b}"
        ),
        format!(
            "INSERT INTO report_rollup_cited (bucket, cited_id, n) SELECT {b}, c.cited_submission_id, COUNT(*) \
             FROM submission_citations c JOIN submissions s ON s.id = c.submission_id WHERE {COUNTED} \
             GROUP BY {b}, c.cited_submission_id"
        ),
        format!(
            "INSERT INTO report_rollup_authors (bucket, author_id, n, ai_n) SELECT {b}, s.author_id, COUNT(*), \
             SUM(CASE WHEN EXISTS (SELECT 1 FROM submission_topics t WHERE t.submission_id = s.id \
             AND t.code = '{AI_TOPIC}') THEN 1 ELSE 0 END) FROM submissions s \
             WHERE {COUNTED} AND s.author_id IS NOT NULL GROUP BY {b}, s.author_id"
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
            "{insert} SELECT {reviewed}, 'review_score', {score}, '', COUNT(*), 0, 0 FROM reviews r \
             GROUP BY {reviewed}, {score}",
            score = review_score_key(backend, "r.quality_score")
        ),
        format!(
            "INSERT INTO report_rollup_reviewed (bucket, submission_id, completeness) \
             SELECT DISTINCT {reviewed}, r.submission_id, s.completeness_score FROM reviews r \
             JOIN submissions s ON s.id = r.submission_id"
        ),
    ]);
    statements
}

/// A review's quality score (a mean of five whole marks, so a multiple of a
/// fifth) as the text key of its histogram row, with one decimal: `3.4`.
fn review_score_key(backend: DbBackend, column: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("TO_CHAR(ROUND(CAST({column} AS NUMERIC), 1), 'FM0.0')"),
        _ => format!("printf('%.1f', {column})"),
    }
}

/// The topic that marks AI and digital healthcare work.
const AI_TOPIC: &str = "ai_digital_healthcare";

/// Tag dimensions and the join tables that hold them.
const TAG_TABLES: [(&str, &str); 4] = [
    ("priority", "submission_priorities"),
    ("practice_area", "submission_practice_areas"),
    ("evidence_type", "submission_evidence_types"),
    ("topic", "submission_topics"),
];
