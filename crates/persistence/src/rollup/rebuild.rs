//! Counting every rollup again from the base tables, for data loaded in bulk
//! around the repositories.
//!
//! A row's bucket is the quarter that holds its instant in the UK's civil
//! time. SQL does not work that out from a timestamp: the domain computes
//! each quarter's UTC bounds into a scratch table, [`QUARTER_BOUNDS`], that
//! the statements join on (`starts_at <= instant < ends_at`).

use crate::counting::counted_sql;
use crate::rollup::{ADOPTION, COMPLETENESS, QUALITY_SCORE, REVIEW_SCORE, bucket};
use crate::tags::TAG_TABLES;
use chrono::{DateTime, Utc};
use domain::quarter::Quarter;
use domain::taxonomy::AI_DIGITAL_TOPIC;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbBackend, DbErr};

/// The scratch table of quarter bounds a rebuild joins on.
pub(crate) const QUARTER_BOUNDS: &str = "rollup_quarter_bounds";

/// Drops the scratch table at the end of a rebuild.
pub(crate) const DROP_QUARTER_BOUNDS: &str = "DROP TABLE rollup_quarter_bounds";

/// Fills [`QUARTER_BOUNDS`] with every calendar quarter from the earliest
/// submission or review to the latest: bucket, first instant, first instant
/// of the next quarter.
pub(crate) async fn fill_quarter_bounds(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let instant_type = match db.get_database_backend() {
        DbBackend::Postgres => "TIMESTAMPTZ",
        _ => "TEXT",
    };
    db.execute_unprepared(&format!(
        "CREATE TEMPORARY TABLE {QUARTER_BOUNDS} (bucket INTEGER NOT NULL PRIMARY KEY, \
         starts_at {instant_type} NOT NULL, ends_at {instant_type} NOT NULL)"
    ))
    .await?;
    let mut span: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
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
            span = Some(match span {
                Some((a, b)) => (Ord::min(a, first), Ord::max(b, last)),
                None => (first, last),
            });
        }
    }
    let Some((first, last)) = span else {
        return Ok(());
    };
    let mut quarter = Quarter::calendar_containing(first);
    let last = Quarter::calendar_containing(last);
    loop {
        let mut insert = Query::insert()
            .into_table(QUARTER_BOUNDS)
            .columns(["bucket", "starts_at", "ends_at"])
            .to_owned();
        for _ in 0..200 {
            let (starts_at, ends_at) = quarter.bounds_utc();
            insert.values_panic([bucket(quarter).into(), starts_at.into(), ends_at.into()]);
            if quarter == last {
                break;
            }
            quarter = quarter.next();
        }
        db.execute(&insert).await?;
        if quarter == last {
            return Ok(());
        }
        quarter = quarter.next();
    }
}

/// `{table}` as `{alias}`, each row with the `bucket` of the quarter that
/// holds its `{column}`.
fn in_quarter(table: &str, alias: &str, column: &str) -> String {
    format!(
        "(SELECT x.*, q.bucket AS bucket FROM {table} x JOIN {QUARTER_BOUNDS} q \
         ON x.{column} >= q.starts_at AND x.{column} < q.ends_at) {alias}"
    )
}

/// Statements that empty the rollups and count them again from the base
/// tables, by the counting rule of the summary.
pub(crate) fn rebuild_sql(backend: DbBackend) -> Vec<String> {
    let b = "s.bucket";
    let reviewed = "r.bucket";
    let subs = in_quarter("submissions", "s", "submitted_at");
    let reviews = in_quarter("reviews", "r", "created_at");
    let quality = "COALESCE(SUM(s.quality_score), 0), COUNT(s.quality_score)";
    let counted = counted_sql("s");
    let insert = "INSERT INTO report_rollup (bucket, dimension, k1, k2, n, quality_sum, quality_n)";
    let mut statements = vec![
        "DELETE FROM report_rollup".to_owned(),
        "DELETE FROM report_rollup_authors".to_owned(),
        "DELETE FROM report_rollup_cited".to_owned(),
        "DELETE FROM report_rollup_cube".to_owned(),
        format!("DELETE FROM {ADOPTION}"),
        adoption_sql(backend, &subs, &counted),
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
    statements.push(format!(
        "INSERT INTO report_rollup_cube (bucket, priority, practice_area, evidence_type, n) \
         SELECT {b}, p.code, a.code, e.code, COUNT(*) FROM submission_priorities p \
         JOIN submission_practice_areas a ON a.submission_id = p.submission_id \
         JOIN submission_evidence_types e ON e.submission_id = p.submission_id \
         JOIN {subs} ON s.id = p.submission_id WHERE {counted} \
         GROUP BY {b}, p.code, a.code, e.code"
    ));
    statements.extend([
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
            "{insert} SELECT {reviewed}, '{REVIEW_SCORE}', {score}, '', COUNT(*), 0, 0 FROM {reviews} \
             GROUP BY {reviewed}, {score}",
            score = score_key_sql(backend, "r.quality_score")
        ),
        format!(
            "{insert} SELECT {b}, '{QUALITY_SCORE}', {score}, '', COUNT(*), 0, 0 FROM {subs} \
             WHERE {counted} AND s.quality_score IS NOT NULL GROUP BY {b}, {score}",
            score = score_key_sql(backend, "s.quality_score")
        ),
        format!(
            "{insert} SELECT {b}, '{COMPLETENESS}', '', '', COUNT(*), \
             COALESCE(SUM(s.completeness_score), 0), COUNT(s.completeness_score) FROM {subs} \
             WHERE {counted} GROUP BY {b}"
        ),
    ]);
    statements
}

/// The adoption rollup's steps ([`domain::report::counting::adoption_steps`])
/// of every recommendation of a counted submission. Each recommendation has
/// a point in the bucket its submission was first counted in and in each
/// later bucket holding a follow-up that names a status; follow-ups dated
/// earlier fall into the first point. A point's status is that of its latest
/// follow-up (day, then when reported, then id), else the status written in
/// the submission; a step is where the status differs from the point before.
fn adoption_sql(backend: DbBackend, subs: &str, counted: &str) -> String {
    let day = "e.occurred_on";
    let of_day = match backend {
        DbBackend::Postgres => format!(
            "(CAST(EXTRACT(YEAR FROM {day}) AS INTEGER) * 4 + (CAST(EXTRACT(MONTH FROM {day}) AS INTEGER) - 1) / 3)"
        ),
        _ => format!(
            "(CAST(substr({day}, 1, 4) AS INTEGER) * 4 + (CAST(substr({day}, 6, 2) AS INTEGER) - 1) / 3)"
        ),
    };
    format!(
        "INSERT INTO {ADOPTION} (bucket, status, n) \
         WITH recs AS (SELECT r.id AS rid, r.adoption_status AS written, s.bucket AS first \
           FROM recommendations r JOIN {subs} ON s.id = r.submission_id WHERE {counted}), \
         points AS (SELECT c.rid AS rid, CASE WHEN {of_day} < c.first THEN c.first ELSE {of_day} END AS b, \
             1 AS w, e.occurred_on AS d, e.reported_at AS at, e.id AS eid, e.adoption_status AS st \
           FROM recommendation_events e JOIN recs c ON c.rid = e.recommendation_id \
           WHERE e.adoption_status IS NOT NULL \
           UNION ALL SELECT c.rid, c.first, 0, NULL, NULL, NULL, c.written FROM recs c), \
         chosen AS (SELECT p.rid AS rid, p.b AS b, p.st AS st FROM (SELECT q.*, ROW_NUMBER() OVER \
             (PARTITION BY q.rid, q.b ORDER BY q.w DESC, q.d DESC, q.at DESC, q.eid DESC) AS rn \
           FROM points q) p WHERE p.rn = 1), \
         steps AS (SELECT c.b AS b, c.st AS st, LAG(c.st) OVER (PARTITION BY c.rid ORDER BY c.b) AS prev \
           FROM chosen c) \
         SELECT x.b, x.st, SUM(x.n) FROM (SELECT t.b AS b, t.st AS st, 1 AS n FROM steps t \
             WHERE t.prev IS NULL OR t.prev <> t.st \
           UNION ALL SELECT t.b, t.prev, -1 FROM steps t WHERE t.prev IS NOT NULL AND t.prev <> t.st) x \
         GROUP BY x.b, x.st HAVING SUM(x.n) <> 0"
    )
}

/// A quality score as the text key of its histogram row, as
/// [`domain::report::measures::score_key`] writes it: one decimal, `3.4`.
fn score_key_sql(backend: DbBackend, column: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("TO_CHAR(ROUND(CAST({column} AS NUMERIC), 1), 'FM0.0')"),
        _ => format!("printf('%.1f', {column})"),
    }
}
