//! Counting every rollup again from the base tables, for data loaded in bulk
//! around the repositories.

use crate::counting::counted_sql;
use crate::tags::TAG_TABLES;
use domain::taxonomy::AI_DIGITAL_TOPIC;
use sea_orm::DbBackend;

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
/// tables, by the counting rule of the summary.
pub(crate) fn rebuild_sql(backend: DbBackend) -> Vec<String> {
    let b = bucket(backend, "s.submitted_at");
    let reviewed = bucket(backend, "r.created_at");
    let quality = "COALESCE(SUM(s.quality_score), 0), COUNT(s.quality_score)";
    let counted = counted_sql("s");
    let insert = "INSERT INTO report_rollup (bucket, dimension, k1, k2, n, quality_sum, quality_n)";
    let mut statements = vec![
        "DELETE FROM report_rollup".to_owned(),
        "DELETE FROM report_rollup_authors".to_owned(),
        "DELETE FROM report_rollup_cited".to_owned(),
        "DELETE FROM report_rollup_reviewed".to_owned(),
        "DELETE FROM report_rollup_cube".to_owned(),
        format!(
            "{insert} SELECT {b}, 'total', '', '', COUNT(*), {quality} FROM submissions s \
             WHERE {counted} GROUP BY {b}"
        ),
    ];
    for column in ["kind", "nation", "region"] {
        statements.push(format!(
            "{insert} SELECT {b}, '{column}', s.{column}, '', COUNT(*), {quality} FROM submissions s \
             WHERE {counted} AND s.{column} IS NOT NULL GROUP BY {b}, s.{column}"
        ));
    }
    for (dimension, table) in TAG_TABLES {
        statements.push(format!(
            "{insert} SELECT {b}, '{dimension}', t.code, '', COUNT(*), {quality} FROM {table} t \
             JOIN submissions s ON s.id = t.submission_id WHERE {counted} GROUP BY {b}, t.code"
        ));
    }
    for (dimension, table) in [
        ("priority_practice_area", "submission_practice_areas"),
        ("priority_evidence_type", "submission_evidence_types"),
    ] {
        statements.push(format!(
            "{insert} SELECT {b}, '{dimension}', p.code, x.code, COUNT(*), {quality} \
             FROM submission_priorities p JOIN {table} x ON x.submission_id = p.submission_id \
             JOIN submissions s ON s.id = p.submission_id WHERE {counted} GROUP BY {b}, p.code, x.code"
        ));
    }
    statements.push(format!(
        "INSERT INTO report_rollup_cube (bucket, priority, practice_area, evidence_type, n) \
         SELECT {b}, p.code, a.code, e.code, COUNT(*) FROM submission_priorities p \
         JOIN submission_practice_areas a ON a.submission_id = p.submission_id \
         JOIN submission_evidence_types e ON e.submission_id = p.submission_id \
         JOIN submissions s ON s.id = p.submission_id WHERE {counted} \
         GROUP BY {b}, p.code, a.code, e.code"
    ));
    statements.extend([
        format!(
            "{insert} SELECT {b}, 'ai', '', '', COUNT(*), {quality} FROM submission_topics t \
             JOIN submissions s ON s.id = t.submission_id WHERE {counted} AND t.code = '{AI_DIGITAL_TOPIC}' GROUP BY {b}"
        ),
        format!(
            "{insert} SELECT {b}, 'citing', '', '', COUNT(*), {quality} FROM submissions s \
             WHERE {counted} AND EXISTS (SELECT 1 FROM submission_citations c WHERE c.submission_id = s.id) GROUP BY {b}"
        ),
        format!(
            "INSERT INTO report_rollup_cited (bucket, cited_id, n) SELECT {b}, c.cited_submission_id, COUNT(*) \
             FROM submission_citations c JOIN submissions s ON s.id = c.submission_id WHERE {counted} \
             GROUP BY {b}, c.cited_submission_id"
        ),
        format!(
            "INSERT INTO report_rollup_authors (bucket, author_id, n, ai_n) SELECT {b}, s.author_id, COUNT(*), \
             SUM(CASE WHEN EXISTS (SELECT 1 FROM submission_topics t WHERE t.submission_id = s.id \
             AND t.code = '{AI_DIGITAL_TOPIC}') THEN 1 ELSE 0 END) FROM submissions s \
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
            "{insert} SELECT {reviewed}, 'review_score', {score}, '', COUNT(*), 0, 0 FROM reviews r \
             GROUP BY {reviewed}, {score}",
            score = review_score_key_sql(backend, "r.quality_score")
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
fn review_score_key_sql(backend: DbBackend, column: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("TO_CHAR(ROUND(CAST({column} AS NUMERIC), 1), 'FM0.0')"),
        _ => format!("printf('%.1f', {column})"),
    }
}
