//! The three-way rollup of the quarterly summary's evidence cube: submissions
//! per calendar-quarter bucket by priority × practice area × evidence type,
//! kept in step with every write like the other rollups, and filled here from
//! the submissions already counted.
//!
//! A bucket is `year * 4 + (month - 1) / 3` of `submitted_at` in UTC, as in
//! the report rollups.

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
                    .table("report_rollup_cube")
                    .col(integer("bucket"))
                    .col(string("priority"))
                    .col(string("practice_area"))
                    .col(string("evidence_type"))
                    .col(big_integer("n"))
                    .primary_key(
                        Index::create()
                            .col("bucket")
                            .col("priority")
                            .col("practice_area")
                            .col("evidence_type"),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(&fill_sql(db.get_database_backend()))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("report_rollup_cube").to_owned())
            .await
    }
}

/// What a rollup counts: submitted, not a draft and not withdrawn.
const COUNTED: &str = "s.submitted_at IS NOT NULL AND s.status NOT IN ('draft', 'withdrawn')";

/// Counts the cube from the submissions counted so far, as this step ran it.
fn fill_sql(backend: DbBackend) -> String {
    let b = match backend {
        DbBackend::Postgres => {
            "(CAST(EXTRACT(YEAR FROM s.submitted_at AT TIME ZONE 'UTC') AS INTEGER) * 4 \
             + (CAST(EXTRACT(MONTH FROM s.submitted_at AT TIME ZONE 'UTC') AS INTEGER) - 1) / 3)"
        }
        _ => {
            "(CAST(strftime('%Y', s.submitted_at) AS INTEGER) * 4 \
             + (CAST(strftime('%m', s.submitted_at) AS INTEGER) - 1) / 3)"
        }
    };
    format!(
        "INSERT INTO report_rollup_cube (bucket, priority, practice_area, evidence_type, n) \
         SELECT {b}, p.code, a.code, e.code, COUNT(*) FROM submission_priorities p \
         JOIN submission_practice_areas a ON a.submission_id = p.submission_id \
         JOIN submission_evidence_types e ON e.submission_id = p.submission_id \
         JOIN submissions s ON s.id = p.submission_id WHERE {COUNTED} \
         GROUP BY {b}, p.code, a.code, e.code"
    )
}
