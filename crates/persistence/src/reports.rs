//! Quarterly figures. The live summary reads the per-quarter rollups that
//! every write keeps in step (see `rollup`), plus a few small indexed counts;
//! the same figures can be recounted from the base tables, which is how tests
//! prove the rollups right. Statements are plain SQL so the benchmark can run
//! them directly in psql and sqlite3.

use crate::counting::{
    adoption_as_of_end_sql, counted_before_sql, counted_between_sql, counted_record_sql,
    counted_status_sql, investment_in_quarter_sql,
};
use crate::rollup;
use crate::tags::TAG_TABLES;
use crate::{storage, write_error};
use async_trait::async_trait;
use domain::MemberId;
use domain::audit::AuditEntry;
use domain::member::NOT_STATED;
use domain::quarter::Quarter;
use domain::report::{Cell, CountMap, QuarterFigures, QuarterHeadline, SubmitterFigures};
use domain::report::{counting, measures};
use domain::repository::{ReportRepository, Snapshot, StorageError, WriteError};
use domain::taxonomy::AI_DIGITAL_TOPIC;
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

/// Demographic columns counted for submitters, as recorded with their work
/// (`submission_demographics`).
pub const DEMOGRAPHIC_COLUMNS: [&str; 5] = [
    "career_stage",
    "level_of_practice",
    "sector",
    "nation",
    "region",
];

/// What a statement's placeholders stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bounds {
    /// `$1`, `$2`: the quarter's first instant and the next quarter's.
    Instants,
    /// `$1`, `$2`: the instants, then `$3`, `$4`: the same as days, for
    /// dated follow-ups.
    InstantsAndDays,
    /// `$1`: the instant the quarter ends; `$2`: the first day after it.
    End,
    /// `$1`: the quarter's rollup bucket.
    Bucket,
    /// `$1`: the bucket; `$2`, `$3`: the quarter's first instant and the next
    /// quarter's.
    BucketAndInstants,
}

impl Bounds {
    /// The values of the placeholders for `quarter`.
    pub fn values(self, quarter: Quarter) -> Vec<Value> {
        match self {
            Bounds::Instants => vec![quarter.start().into(), quarter.end().into()],
            Bounds::InstantsAndDays => {
                let days = counting::days(quarter);
                vec![
                    quarter.start().into(),
                    quarter.end().into(),
                    days.start.into(),
                    days.end.into(),
                ]
            }
            Bounds::End => vec![quarter.end().into(), counting::days(quarter).end.into()],
            Bounds::Bucket => vec![rollup::bucket(quarter).into()],
            Bounds::BucketAndInstants => vec![
                rollup::bucket(quarter).into(),
                quarter.start().into(),
                quarter.end().into(),
            ],
        }
    }
}

/// Statements read straight from indexed base tables by both ways of
/// counting: investment and members joined.
fn shared_statements() -> Vec<(String, String, Bounds)> {
    vec![
        (
            "joined".to_owned(),
            "SELECT COUNT(*) AS n FROM members m WHERE m.created_at >= $1 AND m.created_at < $2"
                .to_owned(),
            Bounds::Instants,
        ),
        (
            "investment".to_owned(),
            investment_in_quarter_sql(),
            Bounds::InstantsAndDays,
        ),
    ]
}

/// Every statement the live summary runs for one quarter.
pub fn quarter_statements() -> Vec<(String, String, Bounds)> {
    let mut statements = vec![
        (
            "rollup".to_owned(),
            "SELECT r.dimension AS d, r.k1 AS k1, r.k2 AS k2, r.n AS n, r.quality_sum AS qs, r.quality_n AS qn \
             FROM report_rollup r WHERE r.bucket = $1 AND r.n <> 0"
                .to_owned(),
            Bounds::Bucket,
        ),
        (
            "cube".to_owned(),
            "SELECT c.priority AS p, c.practice_area AS a, c.evidence_type AS e, c.n AS n \
             FROM report_rollup_cube c WHERE c.bucket = $1 AND c.n <> 0"
                .to_owned(),
            Bounds::Bucket,
        ),
        // Each submitter once, with what was recorded with their first work
        // counted in the quarter: the quarter's counted submissions (a range
        // of an index), numbered per author, the first of each joined to its
        // record and to the author's rollup row.
        (
            "people".to_owned(),
            people_statement(&format!(
                "SELECT {}, d.job_title AS job_title, a.ai_n AS ai_n FROM \
                 (SELECT s.id AS id, s.author_id AS author_id, ROW_NUMBER() OVER \
                 (PARTITION BY s.author_id ORDER BY s.submitted_at, s.id) AS nth FROM submissions s \
                 WHERE s.submitted_at >= $2 AND s.submitted_at < $3 AND {} AND s.author_id IS NOT NULL) f \
                 JOIN report_rollup_authors a ON a.author_id = f.author_id AND a.bucket = $1 \
                 LEFT JOIN submission_demographics d ON d.submission_id = f.id \
                 WHERE f.nth = 1 AND a.n > 0",
                DEMOGRAPHIC_COLUMNS.map(|c| format!("d.{c} AS {c}")).join(", "),
                counted_status_sql("s")
            )),
            Bounds::BucketAndInstants,
        ),
        (
            "cited".to_owned(),
            "SELECT COUNT(*) AS n FROM report_rollup_cited c WHERE c.bucket = $1 AND c.n > 0"
                .to_owned(),
            Bounds::Bucket,
        ),
        // Recommendations by the status counted as of the quarter's end: the
        // steps of every bucket up to it (see `rollup::ADOPTION`).
        (
            "adoption".to_owned(),
            format!(
                "SELECT a.status AS k, CAST(SUM(a.n) AS BIGINT) AS n FROM {} a \
                 WHERE a.bucket <= $1 GROUP BY a.status HAVING SUM(a.n) <> 0",
                rollup::ADOPTION
            ),
            Bounds::Bucket,
        ),
    ];
    statements.extend(shared_statements());
    statements
}

/// Counts the submitters that `people` (one row a person, with the
/// demographic columns, `job_title` and `ai_n`) lists, by each demographic
/// and, for those with AI and digital healthcare work, by career stage,
/// region and job title as written: rows `d, k, n`. Each person is read once.
fn people_statement(people: &str) -> String {
    let mut counts: Vec<String> = DEMOGRAPHIC_COLUMNS
        .iter()
        .map(|c| {
            format!(
                "SELECT '{c}' AS d, COALESCE(p.{c}, '{NOT_STATED}') AS k, COUNT(*) AS n FROM p \
                 GROUP BY COALESCE(p.{c}, '{NOT_STATED}')"
            )
        })
        .collect();
    for (name, key) in [
        (
            "ai_career_stage",
            format!("COALESCE(p.career_stage, '{NOT_STATED}')"),
        ),
        ("ai_region", format!("COALESCE(p.region, '{NOT_STATED}')")),
        ("ai_job_title", "COALESCE(p.job_title, '')".to_owned()),
    ] {
        counts.push(format!(
            "SELECT '{name}' AS d, {key} AS k, COUNT(*) AS n FROM p WHERE p.ai_n > 0 GROUP BY {key}"
        ));
    }
    counts
        .push("SELECT 'ai_total' AS d, '' AS k, COUNT(*) AS n FROM p WHERE p.ai_n > 0".to_owned());
    format!(
        "WITH p AS MATERIALIZED ({people}) {}",
        counts.join(" UNION ALL ")
    )
}

/// Statements about people, needed only for the reported quarter.
pub fn about_people(name: &str) -> bool {
    name == "people"
}

/// The statements a headline (series, trend) needs.
pub const HEADLINE_STATEMENTS: [&str; 1] = ["rollup"];

/// The same figures counted from the base tables alone, with `$1`/`$2` the
/// quarter's bounds: slow on a large hub, and the reference the rollups must
/// always equal.
pub fn recount_statements() -> Vec<(String, String, Bounds)> {
    let counted = counted_between_sql("s");
    let ai = format!(
        "s.id IN (SELECT t.submission_id FROM submission_topics t WHERE t.code = '{AI_DIGITAL_TOPIC}')"
    );
    let mut statements = vec![
        (
            "total".to_owned(),
            format!("SELECT COUNT(*) AS n FROM submissions s WHERE {counted}"),
        ),
        (
            "kind".to_owned(),
            format!(
                "SELECT s.kind AS k, COUNT(*) AS n FROM submissions s WHERE {counted} GROUP BY s.kind"
            ),
        ),
        (
            "nation".to_owned(),
            format!(
                "SELECT s.nation AS k, COUNT(*) AS n FROM submissions s WHERE {counted} AND s.nation IS NOT NULL GROUP BY s.nation"
            ),
        ),
        (
            "region".to_owned(),
            format!(
                "SELECT s.region AS k, COUNT(*) AS n FROM submissions s WHERE {counted} AND s.region IS NOT NULL GROUP BY s.region"
            ),
        ),
    ];
    for (dimension, table) in TAG_TABLES {
        statements.push((
            dimension.to_owned(),
            format!("SELECT t.code AS k, COUNT(*) AS n FROM {table} t JOIN submissions s ON s.id = t.submission_id WHERE {counted} GROUP BY t.code"),
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
                 JOIN submissions s ON s.id = p.submission_id WHERE {counted} GROUP BY p.code, x.code"
            ),
        ));
    }
    statements.push((
        "cube".to_owned(),
        format!(
            "SELECT p.code AS p, a.code AS a, e.code AS e, COUNT(*) AS n FROM submission_priorities p \
             JOIN submission_practice_areas a ON a.submission_id = p.submission_id \
             JOIN submission_evidence_types e ON e.submission_id = p.submission_id \
             JOIN submissions s ON s.id = p.submission_id WHERE {counted} GROUP BY p.code, a.code, e.code"
        ),
    ));
    statements.extend([
        ("submitters".to_owned(), format!("SELECT COUNT(DISTINCT s.author_id) AS n FROM submissions s WHERE {counted}")),
        (
            "first_time".to_owned(),
            format!(
                "SELECT COUNT(DISTINCT s.author_id) AS n FROM submissions s WHERE {counted} AND NOT EXISTS \
                 (SELECT 1 FROM submissions e WHERE e.author_id = s.author_id AND {})",
                counted_before_sql("e")
            ),
        ),
        ("ai_total".to_owned(), format!("SELECT COUNT(*) AS n FROM submissions s WHERE {counted} AND {ai}")),
        (
            "people".to_owned(),
            people_statement(&format!(
                "SELECT {}, d.job_title AS job_title, \
                 (SELECT COUNT(*) FROM submissions s WHERE s.author_id = w.author_id AND {counted} AND {ai}) AS ai_n \
                 FROM (SELECT DISTINCT s.author_id AS author_id FROM submissions s \
                 WHERE {counted} AND s.author_id IS NOT NULL) w \
                 LEFT JOIN submission_demographics d ON d.submission_id = {}",
                DEMOGRAPHIC_COLUMNS.map(|c| format!("d.{c} AS {c}")).join(", "),
                counted_record_sql("w.author_id", "$1", "$2")
            )),
        ),
        (
            "citations".to_owned(),
            format!(
                "SELECT COUNT(DISTINCT c.submission_id) AS citing, COUNT(DISTINCT c.cited_submission_id) AS cited \
                 FROM submission_citations c JOIN submissions s ON s.id = c.submission_id WHERE {counted}"
            ),
        ),
        (
            "reviews".to_owned(),
            "SELECT COUNT(*) AS n FROM reviews r WHERE r.created_at >= $1 AND r.created_at < $2"
                .to_owned(),
        ),
        // The quality measures (domain::report::measures): latest scores of
        // the submissions counted in the quarter.
        (
            "quality".to_owned(),
            format!(
                "SELECT s.quality_score AS q FROM submissions s WHERE {counted} \
                 AND s.quality_score IS NOT NULL ORDER BY s.quality_score"
            ),
        ),
        (
            "completeness".to_owned(),
            format!(
                "SELECT SUM(s.completeness_score) AS total, \
                 COUNT(s.completeness_score) AS n FROM submissions s WHERE {counted}"
            ),
        ),
    ]);
    statements
        .into_iter()
        .map(|(name, sql)| (name, sql, Bounds::Instants))
        .chain([("adoption".to_owned(), adoption_as_of_end_sql(), Bounds::End)])
        .chain(shared_statements())
        .collect()
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
        _ => NOT_STATED.to_owned(),
    }
}

/// Results of one quarter's statements, by statement name.
struct Results(BTreeMap<String, Vec<QueryResult>>);

impl Results {
    fn get(&self, name: &str) -> &[QueryResult] {
        self.0.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Mean latest completeness of the counted submissions, recounted.
    fn mean_completeness(&self) -> Result<Option<f64>, DbErr> {
        let (sum, n) = match self.get("completeness").first() {
            Some(row) => (
                rounded(row.try_get::<Option<f64>>("", "total")?.unwrap_or(0.0)),
                row.try_get::<i64>("", "n")?,
            ),
            None => (0.0, 0),
        };
        Ok(measures::mean_completeness(sum, n))
    }

    /// Distinct submitters and, for the reported quarter, their demographics
    /// and those of the AI and digital healthcare submitters.
    fn people(
        &self,
        distinct: i64,
        first_time: i64,
    ) -> Result<(SubmitterFigures, SubmitterFigures), DbErr> {
        let mut submitters = SubmitterFigures {
            distinct,
            first_time,
            by: BTreeMap::new(),
        };
        let mut ai = SubmitterFigures::default();
        for column in DEMOGRAPHIC_COLUMNS {
            submitters.by.insert(column.to_owned(), CountMap::new());
        }
        for row in self.get("people") {
            let dimension: String = row.try_get("", "d")?;
            let key: String = row.try_get("", "k")?;
            let n: i64 = row.try_get("", "n")?;
            let (figures, dimension, key) = match dimension.as_str() {
                "ai_total" => {
                    ai.distinct += n;
                    continue;
                }
                "ai_job_title" => (&mut ai, "job_title", job_title_group(Some(&key))),
                other => match other.strip_prefix("ai_") {
                    Some(column) => (&mut ai, column, key),
                    None => (&mut submitters, other, key),
                },
            };
            *figures
                .by
                .entry(dimension.to_owned())
                .or_default()
                .entry(key)
                .or_default() += n;
        }
        Ok((submitters, ai))
    }

    /// The figures every way of counting reads alike.
    fn shared(&self, figures: &mut QuarterFigures) -> Result<(), DbErr> {
        figures.members_joined = single(self.get("joined"), "n")?;
        figures.adoption_reported = counts(self.get("adoption"))?;
        figures.investments_reported = single(self.get("investment"), "n")?;
        figures.investment_pence = single(self.get("investment"), "total")?;
        Ok(())
    }
}

/// Rollup rows by dimension: `(k1, k2) → (n, quality sum, quality n)`.
type Rollup = BTreeMap<String, BTreeMap<(String, String), (i64, f64, i64)>>;

fn rollup_rows(rows: &[QueryResult]) -> Result<Rollup, DbErr> {
    let mut rollup = Rollup::new();
    for row in rows {
        rollup.entry(row.try_get("", "d")?).or_default().insert(
            (row.try_get("", "k1")?, row.try_get("", "k2")?),
            (
                row.try_get("", "n")?,
                row.try_get("", "qs")?,
                row.try_get("", "qn")?,
            ),
        );
    }
    Ok(rollup)
}

fn rollup_counts(rollup: &Rollup, dimension: &str) -> CountMap {
    rollup
        .get(dimension)
        .map(|rows| {
            rows.iter()
                .map(|((k1, _), (n, _, _))| (k1.clone(), *n))
                .collect()
        })
        .unwrap_or_default()
}

fn rollup_single(rollup: &Rollup, dimension: &str) -> i64 {
    rollup_counts(rollup, dimension)
        .values()
        .copied()
        .sum::<i64>()
}

fn rollup_cells(rollup: &Rollup, dimension: &str) -> BTreeMap<(String, String), Cell> {
    rollup
        .get(dimension)
        .map(|rows| {
            rows.iter()
                .map(|(key, (n, quality_sum, quality_n))| {
                    (
                        key.clone(),
                        Cell {
                            count: *n,
                            quality_sum: rounded(*quality_sum),
                            quality_n: *quality_n,
                        },
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The latest quality score of each counted submission of the bucket,
/// lowest first, from its histogram.
fn rollup_quality_scores(rollup: &Rollup) -> Vec<f64> {
    rollup_counts(rollup, rollup::QUALITY_SCORE)
        .into_iter()
        .flat_map(|(score, n)| {
            let score: f64 = score.parse().unwrap_or(f64::NAN);
            std::iter::repeat_n(score, usize::try_from(n).unwrap_or(0))
        })
        .filter(|score| score.is_finite())
        .collect()
}

/// Mean latest completeness of the bucket's counted submissions.
fn rollup_mean_completeness(rollup: &Rollup) -> Option<f64> {
    rollup
        .get(rollup::COMPLETENESS)
        .and_then(|rows| rows.values().next())
        .and_then(|(_, sum, n)| measures::mean_completeness(rounded(*sum), *n))
}

/// Dimensions counted one code at a time.
fn count_dimensions() -> impl Iterator<Item = &'static str> {
    ["kind", "nation", "region"]
        .into_iter()
        .chain(TAG_TABLES.iter().map(|(d, _)| *d))
}

impl SeaReportRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            running: std::sync::Arc::new(tokio::sync::Semaphore::new(REPORT_CONCURRENCY)),
        }
    }

    /// Runs the chosen statements of a quarter concurrently on the pool.
    async fn results(
        &self,
        quarter: Quarter,
        statements: Vec<(String, String, Bounds)>,
    ) -> Result<Results, StorageError> {
        let runs = statements
            .iter()
            .map(|(_, sql, bounds)| self.run(sql, bounds.values(quarter)));
        let outcomes = futures_util::future::join_all(runs).await;
        let mut results = BTreeMap::new();
        for ((name, _, _), outcome) in statements.into_iter().zip(outcomes) {
            results.insert(name, outcome.map_err(storage)?);
        }
        Ok(Results(results))
    }

    /// A quarter's figures from the rollups. Comparison quarters skip the
    /// statements about people, which only the reported quarter shows.
    async fn figures_of(
        &self,
        quarter: Quarter,
        full: bool,
    ) -> Result<QuarterFigures, StorageError> {
        let statements = quarter_statements()
            .into_iter()
            .filter(|(name, _, _)| full || !about_people(name))
            .collect();
        let results = self.results(quarter, statements).await?;
        let build = || -> Result<QuarterFigures, DbErr> {
            let rollup = rollup_rows(results.get("rollup"))?;
            let first_time = if full {
                rollup_single(&rollup, "first_time")
            } else {
                0
            };
            let (submitters, ai_submitters) =
                results.people(rollup_single(&rollup, "submitters"), first_time)?;
            let mut figures = QuarterFigures {
                total: rollup_single(&rollup, "total"),
                reviews: rollup_single(&rollup, rollup::REVIEW_SCORE),
                quality_scores: rollup_quality_scores(&rollup),
                mean_completeness: rollup_mean_completeness(&rollup),
                by: count_dimensions()
                    .map(|d| (d.to_owned(), rollup_counts(&rollup, d)))
                    .collect(),
                priority_practice_area: rollup_cells(&rollup, "priority_practice_area"),
                priority_evidence_type: rollup_cells(&rollup, "priority_evidence_type"),
                evidence_cube: cube(results.get("cube"))?,
                submitters,
                ai_submissions: rollup_single(&rollup, "ai"),
                ai_submitters,
                citing_submissions: rollup_single(&rollup, "citing"),
                hub_items_cited: single(results.get("cited"), "n")?,
                ..QuarterFigures::default()
            };
            results.shared(&mut figures)?;
            Ok(figures)
        };
        build().map_err(storage)
    }

    /// A quarter's full figures counted from the base tables, without the
    /// rollups: what the rollups must always equal.
    pub async fn recount(&self, quarter: Quarter) -> Result<QuarterFigures, StorageError> {
        let results = self.results(quarter, recount_statements()).await?;
        let build = || -> Result<QuarterFigures, DbErr> {
            let (submitters, ai_submitters) = results.people(
                single(results.get("submitters"), "n")?,
                single(results.get("first_time"), "n")?,
            )?;
            let mut figures = QuarterFigures {
                total: single(results.get("total"), "n")?,
                reviews: single(results.get("reviews"), "n")?,
                quality_scores: results
                    .get("quality")
                    .iter()
                    .map(|r| r.try_get::<f64>("", "q"))
                    .collect::<Result<_, _>>()?,
                mean_completeness: results.mean_completeness()?,
                by: count_dimensions()
                    .map(|d| Ok((d.to_owned(), counts(results.get(d))?)))
                    .collect::<Result<_, DbErr>>()?,
                priority_practice_area: cells(results.get("priority_practice_area"))?,
                priority_evidence_type: cells(results.get("priority_evidence_type"))?,
                evidence_cube: cube(results.get("cube"))?,
                submitters,
                ai_submissions: single(results.get("ai_total"), "n")?,
                ai_submitters,
                citing_submissions: single(results.get("citations"), "citing")?,
                hub_items_cited: single(results.get("citations"), "cited")?,
                ..QuarterFigures::default()
            };
            results.shared(&mut figures)?;
            Ok(figures)
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
            DbBackend::Sqlite => ["$1", "$2", "$3", "$4"]
                .iter()
                .fold(sql.to_owned(), |sql, p| {
                    sql.replace(p, &p.replace('$', "?"))
                }),
            _ => sql.to_owned(),
        };
        self.db
            .query_all_raw(Statement::from_sql_and_values(backend, sql, params))
            .await
    }
}

/// Quality sums rounded well below a score's precision (a fifth of a point),
/// so that sums kept by adding and subtracting scores compare exactly.
fn rounded(sum: f64) -> f64 {
    (sum * 1e6).round() / 1e6
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
                    quality_sum: rounded(r.try_get::<Option<f64>>("", "qs")?.unwrap_or(0.0)),
                    quality_n: r.try_get("", "qn")?,
                },
            ))
        })
        .collect()
}

/// Rows `p, a, e, n` of the evidence cube.
fn cube(rows: &[QueryResult]) -> Result<BTreeMap<(String, String, String), i64>, DbErr> {
    rows.iter()
        .map(|r| {
            Ok((
                (
                    r.try_get("", "p")?,
                    r.try_get("", "a")?,
                    r.try_get("", "e")?,
                ),
                r.try_get("", "n")?,
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
    async fn strategy_figures(
        &self,
        quarter: Quarter,
    ) -> Result<domain::report::StrategyFigures, StorageError> {
        let (start, end) = quarter.bounds_utc();
        let (days, downloads) = futures_util::try_join!(
            crate::spread::strategy_figures(&self.db, domain::report::counting::days(quarter)),
            crate::resources::download_figures(&self.db, start..end),
        )?;
        let (resource_downloads, resource_downloaders, downloads_by_approach) = downloads;
        Ok(domain::report::StrategyFigures {
            resource_downloads,
            resource_downloaders,
            downloads_by_approach,
            ..days
        })
    }

    #[tracing::instrument(skip(self), fields(quarter = %quarter))]
    async fn headline(&self, quarter: Quarter) -> Result<QuarterHeadline, StorageError> {
        let statements = quarter_statements()
            .into_iter()
            .filter(|(n, _, _)| HEADLINE_STATEMENTS.contains(&n.as_str()))
            .collect();
        let results = self.results(quarter, statements).await?;
        let build = || -> Result<QuarterHeadline, DbErr> {
            let rollup = rollup_rows(results.get("rollup"))?;
            Ok(QuarterHeadline {
                total: rollup_single(&rollup, "total"),
                by_kind: rollup_counts(&rollup, "kind"),
                by_priority: rollup_counts(&rollup, "priority"),
                distinct_submitters: rollup_single(&rollup, "submitters"),
                quality_scores: rollup_quality_scores(&rollup),
            })
        };
        build().map_err(storage)
    }

    #[tracing::instrument(skip(self, snapshot), fields(quarter = %snapshot.quarter))]
    async fn save_snapshot(
        &self,
        snapshot: &Snapshot,
        audit: &AuditEntry,
    ) -> Result<(), WriteError> {
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
        let tx = sea_orm::TransactionTrait::begin(&self.db)
            .await
            .map_err(write_error)?;
        tx.execute(&insert).await.map_err(write_error)?;
        crate::audit::insert(&tx, audit)
            .await
            .map_err(write_error)?;
        tx.commit().await.map_err(write_error)
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
        assert_eq!(job_title_group(Some("   ")), NOT_STATED);
        assert_eq!(job_title_group(None), NOT_STATED);
    }

    #[test]
    fn every_statement_is_bounded_by_the_quarter() {
        for (name, sql, bounds) in quarter_statements().into_iter().chain(recount_statements()) {
            assert!(sql.contains("$1"), "{name}");
            assert_eq!(sql.contains("$2"), bounds != Bounds::Bucket, "{name}");
        }
    }
}
