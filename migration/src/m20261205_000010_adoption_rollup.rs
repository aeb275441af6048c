//! Recommendations by status as of a quarter's end, bounded. Every
//! recommendation of a counted submission counts once, by its latest status
//! reported before the quarter ends. `report_rollup_adoption` holds steps: `n`
//! added to `status` from `bucket` on (`+1` where a recommendation is first
//! counted, `-1`/`+1` in a later quarter where a follow-up changes its
//! status), so a quarter's counts are the sums of the steps up to it: a few
//! rows a quarter instead of every recommendation of the hub. Filled here
//! from the base tables.
//!
//! The summary's investment statement reads the investment written with
//! each recommendation of a quarter's submissions and that of each follow-up
//! dated in it; the indexes it searches now hold those amounts too, so it
//! reads no table rows.
//!
//! The statement is frozen with this step: the service keeps its own rebuild
//! for bulk loads.

use crate::m20261203_000010_report_measures_in_uk_quarters::{
    BOUNDS, COUNTED, fill_bounds, in_quarter,
};
use crate::{index, index_name};
use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "report_rollup_adoption";

/// Indexes that gain the amount the investment statement sums: table, the
/// columns before, the columns after.
const WIDENED: [(&str, &[&str], &[&str]); 2] = [
    (
        "recommendations",
        &["submission_id"],
        &["submission_id", "reported_investment_pence"],
    ),
    (
        "recommendation_events",
        &["occurred_on"],
        &["occurred_on", "investment_pence"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One transaction, so that every statement sees the scratch table
        // (a temporary table lives on one connection).
        let tx = manager.begin().await?;
        tx.create_table(
            Table::create()
                .table(TABLE)
                .col(integer("bucket"))
                .col(string("status"))
                .col(big_integer("n"))
                .primary_key(Index::create().col("bucket").col("status"))
                .to_owned(),
        )
        .await?;
        for (table, narrow, wide) in WIDENED {
            tx.drop_index(
                Index::drop()
                    .name(index_name(table, narrow))
                    .table(table)
                    .to_owned(),
            )
            .await?;
            tx.create_index(index(table, wide)).await?;
        }
        let db = tx.get_connection();
        fill_bounds(db).await?;
        db.execute_unprepared(&fill_sql(db.get_database_backend()))
            .await?;
        db.execute_unprepared(&format!("DROP TABLE {BOUNDS}"))
            .await?;
        tx.commit().await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, narrow, wide) in WIDENED {
            manager
                .drop_index(
                    Index::drop()
                        .name(index_name(table, wide))
                        .table(table)
                        .to_owned(),
                )
                .await?;
            manager.create_index(index(table, narrow)).await?;
        }
        manager
            .drop_table(Table::drop().table(TABLE).to_owned())
            .await
    }
}

/// The steps of every recommendation of a counted submission: a point in the
/// bucket its submission was first counted in and in each later bucket with
/// a follow-up naming a status (earlier follow-ups fall into the first
/// point); a point's status is that of its latest follow-up (day, then when
/// reported, then id), else the one written in the submission; a step is
/// where the status differs from the point before.
fn fill_sql(backend: DbBackend) -> String {
    let subs = in_quarter("submissions", "s", "submitted_at");
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
        "INSERT INTO {TABLE} (bucket, status, n) \
         WITH recs AS (SELECT r.id AS rid, r.adoption_status AS written, s.bucket AS first \
           FROM recommendations r JOIN {subs} ON s.id = r.submission_id WHERE {COUNTED}), \
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
