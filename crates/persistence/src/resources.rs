//! Impact-evaluation resources and their downloads.

use crate::{storage, write_error};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::MemberId;
use domain::attachment::{FileName, Sha256Digest, StorageKey};
use domain::audit::AuditEntry;
use domain::repository::{ResourceRepository, StorageError, WriteError};
use domain::resource::{Approach, CheckedDetails, Download, Resource};
use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, QueryResult};
use std::collections::BTreeSet;
use std::ops::Range;
use uuid::Uuid;

/// Storage of resources.
#[derive(Clone)]
pub struct SeaResourceRepository {
    db: DatabaseConnection,
}

pub(crate) const COLUMNS: [&str; 11] = [
    "id",
    "title",
    "approach",
    "description",
    "file_name",
    "media_type",
    "size_bytes",
    "sha256",
    "storage_key",
    "published_by",
    "published_at",
];

pub(crate) const DOWNLOAD_COLUMNS: [&str; 4] = ["id", "resource_id", "member_id", "downloaded_at"];

impl SeaResourceRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn to_resource(row: &QueryResult) -> Result<Resource, DbErr> {
    let approach: String = row.try_get("", "approach")?;
    let media_type: String = row.try_get("", "media_type")?;
    let sha256: String = row.try_get("", "sha256")?;
    let size: i64 = row.try_get("", "size_bytes")?;
    let published_by: Option<Uuid> = row.try_get("", "published_by")?;
    Ok(Resource {
        id: row.try_get("", "id")?,
        details: CheckedDetails {
            title: row.try_get("", "title")?,
            approach: Approach::parse(&approach)
                .ok_or_else(|| DbErr::Custom(format!("unknown approach '{approach}' stored")))?,
            description: row.try_get("", "description")?,
        },
        file_name: FileName::from_stored(row.try_get("", "file_name")?),
        media_type: media_type
            .parse()
            .map_err(|()| DbErr::Custom(format!("unknown media type {media_type}")))?,
        size_bytes: u64::try_from(size)
            .map_err(|_| DbErr::Custom(format!("negative size {size}")))?,
        sha256: Sha256Digest::parse(&sha256)
            .ok_or_else(|| DbErr::Custom(format!("stored digest is not SHA-256: {sha256}")))?,
        storage_key: StorageKey::from_stored(row.try_get("", "storage_key")?),
        published_by: published_by.map(MemberId),
        published_at: row.try_get("", "published_at")?,
    })
}

fn select() -> SelectStatement {
    Query::select()
        .columns(COLUMNS)
        .from("resources")
        .to_owned()
}

#[async_trait]
impl ResourceRepository for SeaResourceRepository {
    #[tracing::instrument(skip_all, fields(resource = %resource.id))]
    async fn create_resource(
        &self,
        resource: &Resource,
        audit: &AuditEntry,
    ) -> Result<(), WriteError> {
        let insert = Query::insert()
            .into_table("resources")
            .columns(COLUMNS)
            .values_panic([
                resource.id.into(),
                resource.details.title.clone().into(),
                resource.details.approach.as_str().into(),
                resource.details.description.clone().into(),
                resource.file_name.as_str().into(),
                resource.media_type.as_str().into(),
                i64::try_from(resource.size_bytes)
                    .unwrap_or(i64::MAX)
                    .into(),
                resource.sha256.as_str().into(),
                resource.storage_key.as_str().into(),
                resource.published_by.map(|m| m.0).into(),
                resource.published_at.into(),
            ])
            .to_owned();
        let tx = crate::begin_write(&self.db).await.map_err(write_error)?;
        tx.execute(&insert).await.map_err(write_error)?;
        crate::audit::insert(&tx, audit)
            .await
            .map_err(write_error)?;
        crate::events::record_resource_event(
            &tx,
            resource.id,
            resource.published_by,
            resource.published_at,
        )
        .await
        .map_err(write_error)?;
        tx.commit().await.map_err(write_error)
    }

    #[tracing::instrument(skip(self))]
    async fn resources(&self, approach: Option<Approach>) -> Result<Vec<Resource>, StorageError> {
        let mut query = select();
        if let Some(approach) = approach {
            query.and_where(Expr::col("approach").eq(approach.as_str()));
        }
        query
            .order_by("published_at", Order::Desc)
            .order_by("id", Order::Desc);
        let rows = self.db.query_all(&query).await.map_err(storage)?;
        rows.iter()
            .map(to_resource)
            .collect::<Result<_, _>>()
            .map_err(storage)
    }

    #[tracing::instrument(skip(self))]
    async fn resource(&self, id: Uuid) -> Result<Option<Resource>, StorageError> {
        let query = select().and_where(Expr::col("id").eq(id)).to_owned();
        let row = self.db.query_one(&query).await.map_err(storage)?;
        row.as_ref().map(to_resource).transpose().map_err(storage)
    }

    #[tracing::instrument(skip_all, fields(resource = %download.resource_id))]
    async fn record_download(&self, download: &Download) -> Result<(), StorageError> {
        let insert = Query::insert()
            .into_table("resource_downloads")
            .columns(DOWNLOAD_COLUMNS)
            .values_panic([
                download.id.into(),
                download.resource_id.into(),
                download.member_id.0.into(),
                download.at.into(),
            ])
            .to_owned();
        self.db.execute(&insert).await.map_err(storage)?;
        Ok(())
    }

    #[tracing::instrument(skip(self))]
    async fn downloads_by(&self, member: MemberId) -> Result<Vec<Download>, StorageError> {
        let query = Query::select()
            .columns(DOWNLOAD_COLUMNS)
            .from("resource_downloads")
            .and_where(Expr::col("member_id").eq(member.0))
            .order_by("downloaded_at", Order::Asc)
            .order_by("id", Order::Asc)
            .to_owned();
        let rows = self.db.query_all(&query).await.map_err(storage)?;
        rows.iter()
            .map(|row| -> Result<Download, DbErr> {
                Ok(Download {
                    id: row.try_get("", "id")?,
                    resource_id: row.try_get("", "resource_id")?,
                    member_id: MemberId(row.try_get("", "member_id")?),
                    at: row.try_get("", "downloaded_at")?,
                })
            })
            .collect::<Result<_, _>>()
            .map_err(storage)
    }
}

/// Downloads made within `instants`: (downloads, distinct members, downloads by approach).
pub(crate) async fn download_figures(
    db: &DatabaseConnection,
    instants: Range<DateTime<Utc>>,
) -> Result<(i64, i64, domain::report::CountMap), StorageError> {
    let query = Query::select()
        .column(("d", "member_id"))
        .column(("r", "approach"))
        .from_as("resource_downloads", "d")
        .join_as(
            JoinType::InnerJoin,
            "resources",
            "r",
            Expr::col(("r", "id")).equals(("d", "resource_id")),
        )
        .and_where(Expr::col(("d", "downloaded_at")).gte(instants.start))
        .and_where(Expr::col(("d", "downloaded_at")).lt(instants.end))
        .to_owned();
    let rows = db.query_all(&query).await.map_err(storage)?;
    let tally = || -> Result<(i64, i64, domain::report::CountMap), DbErr> {
        let mut members = BTreeSet::new();
        let mut by_approach = domain::report::CountMap::new();
        for row in &rows {
            members.insert(row.try_get::<Uuid>("", "member_id")?);
            *by_approach.entry(row.try_get("", "approach")?).or_default() += 1;
        }
        Ok((rows.len() as i64, members.len() as i64, by_approach))
    };
    tally().map_err(storage)
}
