//! Publishing, listing and downloading resources. Bytes are stored before
//! the row that points at them, and removed again when the row is not written.

use super::{Approach, Download, Resource, ResourceDetails, check_details};
use crate::actor::Context;
use crate::attachment::{
    FileName, FileStore, FileStoreError, MediaType, Sha256Digest, UnsupportedContent,
};
use crate::audit::AuditEntry;
use crate::repository::{ResourceRepository, StorageError, WriteError};
use crate::validation::ValidationErrors;
use bytes::Bytes;
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

/// Why a resource use case failed.
#[derive(Debug, thiserror::Error)]
pub enum ResourceError {
    #[error("only admins publish resources")]
    NotAdmin,
    #[error(transparent)]
    Invalid(ValidationErrors),
    #[error("the file is empty")]
    EmptyFile,
    #[error("a file may be at most {max} bytes")]
    FileTooLarge { max: u64 },
    #[error("{0}")]
    UnsupportedFile(UnsupportedContent),
    #[error("no resource with this id")]
    NotFound,
    /// The store holds other bytes than were recorded.
    #[error("the stored resource {id} has {actual} bytes where {expected} were expected")]
    StoredSizeMismatch {
        id: Uuid,
        actual: u64,
        expected: u64,
    },
    #[error("file storage failed")]
    FileStore(#[source] FileStoreError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The file of a resource as the admin sent it.
#[derive(Debug, Clone)]
pub struct NewResourceFile {
    pub bytes: Bytes,
    /// The name the client gave; cleaned before it is kept.
    pub file_name: Option<String>,
}

/// The use cases of resources, over the ports they need.
#[derive(Clone)]
pub struct ResourceService {
    resources: Arc<dyn ResourceRepository>,
    files: Arc<dyn FileStore>,
    max_file_bytes: u64,
}

impl ResourceService {
    pub fn new(
        resources: Arc<dyn ResourceRepository>,
        files: Arc<dyn FileStore>,
        max_file_bytes: u64,
    ) -> Self {
        Self {
            resources,
            files,
            max_file_bytes,
        }
    }

    /// The largest file a resource may have.
    pub fn max_file_bytes(&self) -> u64 {
        self.max_file_bytes
    }

    /// Only admins publish; checked before the body is read.
    pub fn ensure_publisher(&self, ctx: &Context) -> Result<(), ResourceError> {
        if ctx.actor.role.is_admin() {
            Ok(())
        } else {
            Err(ResourceError::NotAdmin)
        }
    }

    /// Publishes a resource: details checked, file judged by its content,
    /// bytes stored, then the row and its audit entry written together.
    pub async fn publish(
        &self,
        ctx: &Context,
        details: ResourceDetails,
        file: Option<NewResourceFile>,
    ) -> Result<Resource, ResourceError> {
        self.ensure_publisher(ctx)?;
        let mut errors = ValidationErrors::new();
        let checked = errors.collect(check_details(&details));
        if file.is_none() {
            errors.add(
                "file",
                "required",
                "send the file in a form field named 'file'",
            );
        }
        errors.into_result().map_err(ResourceError::Invalid)?;
        let (Some(details), Some(file)) = (checked, file) else {
            return Err(ResourceError::Invalid(ValidationErrors::single(
                "file",
                "required",
                "send the file in a form field named 'file'",
            )));
        };
        if file.bytes.len() as u64 > self.max_file_bytes {
            return Err(ResourceError::FileTooLarge {
                max: self.max_file_bytes,
            });
        }
        let media_type = MediaType::sniff(&file.bytes).map_err(|e| match e {
            UnsupportedContent::Empty => ResourceError::EmptyFile,
            other => ResourceError::UnsupportedFile(other),
        })?;
        let id = Uuid::now_v7();
        let resource = Resource {
            id,
            details,
            file_name: FileName::clean(file.file_name.as_deref(), media_type),
            media_type,
            size_bytes: file.bytes.len() as u64,
            sha256: Sha256Digest::of(&file.bytes),
            storage_key: Resource::storage_key_for(id),
            published_by: Some(ctx.actor.id),
            published_at: ctx.now,
        };
        let audit = AuditEntry::new("resource_published", Some(ctx.actor.id))
            .target("resource", id)
            .request(ctx.request_id.clone())
            .details(json!({
                "approach": resource.details.approach.as_str(),
                "size_bytes": resource.size_bytes,
                "media_type": media_type.as_str(),
            }));
        self.files
            .put(&resource.storage_key, file.bytes)
            .await
            .map_err(ResourceError::FileStore)?;
        if let Err(error) = self.resources.create_resource(&resource, &audit).await {
            if let Err(cleanup) = self.files.delete(&resource.storage_key).await {
                tracing::error!(key = %resource.storage_key, error = %cleanup, "could not delete a stored file; it is an orphan");
            }
            return Err(error.into());
        }
        Ok(resource)
    }

    /// Every resource, or those of one approach, newest first.
    pub async fn list(&self, approach: Option<Approach>) -> Result<Vec<Resource>, ResourceError> {
        Ok(self.resources.resources(approach).await?)
    }

    pub async fn get(&self, id: Uuid) -> Result<Resource, ResourceError> {
        self.resources
            .resource(id)
            .await?
            .ok_or(ResourceError::NotFound)
    }

    /// The resource's bytes for the caller, and the download counted for
    /// them in the quarter it happens.
    pub async fn download(
        &self,
        ctx: &Context,
        id: Uuid,
    ) -> Result<(Resource, Bytes), ResourceError> {
        let resource = self.get(id).await?;
        let bytes = self
            .files
            .get(&resource.storage_key, None)
            .await
            .map_err(ResourceError::FileStore)?;
        if bytes.len() as u64 != resource.size_bytes {
            return Err(ResourceError::StoredSizeMismatch {
                id,
                actual: bytes.len() as u64,
                expected: resource.size_bytes,
            });
        }
        self.resources
            .record_download(&Download {
                id: Uuid::now_v7(),
                resource_id: id,
                member_id: ctx.actor.id,
                at: ctx.now,
            })
            .await?;
        Ok((resource, bytes))
    }
}
