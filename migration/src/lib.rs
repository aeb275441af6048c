//! The schema of the Innovation hub, one step per file. This is the only place
//! the schema is defined; `innovation-hub migrate up` and `serve` apply it.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_members_and_taxonomy;
mod m20261125_000002_submissions;
mod m20261125_000003_reviews_and_audit;
mod m20261125_000004_attachments;
mod m20261125_000005_reports;
mod m20261125_000006_access_tokens;
mod m20261125_000007_outbox;
mod m20261125_000008_idempotency;
mod m20261125_000009_webhooks;
mod m20261125_000010_report_rollups;
mod m20261201_000001_delivery_leases;
mod m20261201_000002_shared_limits;
mod m20261202_000001_follow_up_moves_back;
mod m20261202_000002_report_rollup_cube;
mod m20261202_000002_submission_demographics;
mod m20261202_000005_sessions;
mod m20261203_000010_report_measures_in_uk_quarters;
mod m20261203_000030_webhook_active;
mod m20261203_000031_attachments_by_uploader;
mod m20261203_000040_spread_and_idea_clinics;
mod m20261203_000050_full_text_search;
mod m20261203_000060_mail_deliveries;
mod m20261203_000070_outbox_pending;
mod m20261203_000071_unlogged_rate_buckets;
mod m20261203_000080_impact_resources;
mod m20261203_000081_access_token_uses;
mod m20261204_000010_resource_events;
mod m20261205_000010_adoption_rollup;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_members_and_taxonomy::Migration),
            Box::new(m20261125_000002_submissions::Migration),
            Box::new(m20261125_000003_reviews_and_audit::Migration),
            Box::new(m20261125_000004_attachments::Migration),
            Box::new(m20261125_000005_reports::Migration),
            Box::new(m20261125_000006_access_tokens::Migration),
            Box::new(m20261125_000007_outbox::Migration),
            Box::new(m20261125_000008_idempotency::Migration),
            Box::new(m20261125_000009_webhooks::Migration),
            Box::new(m20261125_000010_report_rollups::Migration),
            Box::new(m20261201_000001_delivery_leases::Migration),
            Box::new(m20261201_000002_shared_limits::Migration),
            Box::new(m20261202_000001_follow_up_moves_back::Migration),
            Box::new(m20261202_000002_report_rollup_cube::Migration),
            Box::new(m20261202_000002_submission_demographics::Migration),
            Box::new(m20261202_000005_sessions::Migration),
            Box::new(m20261203_000010_report_measures_in_uk_quarters::Migration),
            Box::new(m20261203_000030_webhook_active::Migration),
            Box::new(m20261203_000031_attachments_by_uploader::Migration),
            Box::new(m20261203_000040_spread_and_idea_clinics::Migration),
            Box::new(m20261203_000050_full_text_search::Migration),
            Box::new(m20261203_000060_mail_deliveries::Migration),
            Box::new(m20261203_000070_outbox_pending::Migration),
            Box::new(m20261203_000071_unlogged_rate_buckets::Migration),
            Box::new(m20261203_000080_impact_resources::Migration),
            Box::new(m20261203_000081_access_token_uses::Migration),
            Box::new(m20261204_000010_resource_events::Migration),
            Box::new(m20261205_000010_adoption_rollup::Migration),
        ]
    }
}

/// A secondary index, named after its table and columns.
pub(crate) fn index(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut statement = Index::create();
    statement.name(index_name(table, columns)).table(table);
    for column in columns {
        statement.col(*column);
    }
    statement.to_owned()
}

/// The name [`index`] gives an index of `table` on `columns`.
pub(crate) fn index_name(table: &str, columns: &[&str]) -> String {
    format!("ix_{table}_{}", columns.join("_"))
}

/// A column holding a UUID.
pub(crate) fn uuid(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).uuid().not_null().to_owned()
}

/// A column holding a UTC instant.
pub(crate) fn instant(name: &'static str) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}
