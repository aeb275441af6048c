//! Files' bytes in object storage through the `object_store` crate: a folder on
//! disk for the embedded default, any S3-compatible bucket in production, and
//! memory in tests. All three go through the same [`FileStore`] code.

use async_trait::async_trait;
use bytes::Bytes;
use domain::attachment::{FileStore, FileStoreError, StorageKey};
use futures_util::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::ops::Range;
use std::sync::Arc;

/// Where an S3-compatible bucket is. Credentials are read from the standard
/// `AWS_*` variables (or the instance's role) and never pass through here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    /// For MinIO, Ceph, Garage, R2 and the like; AWS itself needs none.
    pub endpoint: Option<String>,
    pub region: Option<String>,
    /// Allows an `http://` endpoint (a bucket on the same private network).
    pub allow_http: bool,
}

/// A [`FileStore`] backed by any `object_store` implementation.
#[derive(Debug, Clone)]
pub struct ObjectFileStore {
    store: Arc<dyn ObjectStore>,
}

impl ObjectFileStore {
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        Self { store }
    }

    /// Files in a folder on this machine, created when missing. Writes go to a
    /// temporary file that is synced and then renamed, so a file is either
    /// complete or absent.
    pub fn local(dir: &std::path::Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the file folder {}", dir.display()))?;
        let store = LocalFileSystem::new_with_prefix(dir)
            .with_context(|| format!("opening the file folder {}", dir.display()))?
            .with_automatic_cleanup(true)
            .with_fsync(true);
        Ok(Self::new(Arc::new(store)))
    }

    /// Files in an S3-compatible bucket.
    pub fn s3(location: &S3Location) -> anyhow::Result<Self> {
        use anyhow::Context;
        crate::install_tls_provider();
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(&location.bucket)
            .with_allow_http(location.allow_http);
        if let Some(endpoint) = &location.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        if let Some(region) = &location.region {
            builder = builder.with_region(region);
        }
        let store = builder
            .build()
            .with_context(|| format!("configuring the S3 bucket {}", location.bucket))?;
        Ok(Self::new(Arc::new(store)))
    }

    /// Files in memory, gone when the process ends; for tests.
    pub fn in_memory() -> Self {
        Self::new(Arc::new(InMemory::new()))
    }
}

fn path_of(key: &StorageKey) -> Result<Path, FileStoreError> {
    Path::parse(key.as_str()).map_err(|e| FileStoreError::Other(Box::new(e)))
}

fn failure(key: &StorageKey, error: object_store::Error) -> FileStoreError {
    match error {
        object_store::Error::NotFound { .. } => FileStoreError::NotFound(key.clone()),
        other => FileStoreError::Other(Box::new(other)),
    }
}

#[async_trait]
impl FileStore for ObjectFileStore {
    #[tracing::instrument(skip(self, bytes), fields(key = %key, size = bytes.len()))]
    async fn put(&self, key: &StorageKey, bytes: Bytes) -> Result<(), FileStoreError> {
        self.store
            .put(&path_of(key)?, PutPayload::from_bytes(bytes))
            .await
            .map(|_| ())
            .map_err(|e| failure(key, e))
    }

    #[tracing::instrument(skip(self), fields(key = %key))]
    async fn get(
        &self,
        key: &StorageKey,
        range: Option<Range<u64>>,
    ) -> Result<Bytes, FileStoreError> {
        let path = path_of(key)?;
        match range {
            Some(range) if range.start >= range.end => Err(FileStoreError::InvalidRange),
            Some(range) => self
                .store
                .get_range(&path, range)
                .await
                .map_err(|e| failure(key, e)),
            None => match self.store.get(&path).await {
                Ok(result) => result.bytes().await.map_err(|e| failure(key, e)),
                Err(e) => Err(failure(key, e)),
            },
        }
    }

    #[tracing::instrument(skip(self), fields(key = %key))]
    async fn delete(&self, key: &StorageKey) -> Result<(), FileStoreError> {
        match self.store.delete(&path_of(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(failure(key, e)),
        }
    }

    #[tracing::instrument(skip(self))]
    async fn keys(&self, prefix: &str) -> Result<Vec<StorageKey>, FileStoreError> {
        let prefix = Path::parse(prefix.trim_end_matches('/'))
            .map_err(|e| FileStoreError::Other(Box::new(e)))?;
        let listed: Vec<_> = match self.store.list(Some(&prefix)).try_collect().await {
            Ok(listed) => listed,
            // A folder store that never held a file under the prefix has no folder for it.
            Err(object_store::Error::NotFound { .. }) => Vec::new(),
            Err(e) => return Err(FileStoreError::Other(Box::new(e))),
        };
        Ok(listed
            .into_iter()
            .map(|meta| StorageKey::from_stored(meta.location.to_string()))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::SubmissionId;
    use domain::attachment::AttachmentId;

    async fn round_trip(store: ObjectFileStore) {
        let submission = SubmissionId::generate();
        let key = StorageKey::for_attachment(submission, AttachmentId::generate());
        let other = StorageKey::for_attachment(SubmissionId::generate(), AttachmentId::generate());

        store
            .put(&key, Bytes::from_static(b"week,falls\n1,14\n"))
            .await
            .unwrap_or_else(|e| panic!("put: {e}"));
        store
            .put(&other, Bytes::from_static(b"other"))
            .await
            .unwrap_or_else(|e| panic!("put: {e}"));
        let whole = store.get(&key, None).await.map_err(|e| e.to_string());
        let part = store
            .get(&key, Some(5..10))
            .await
            .map_err(|e| e.to_string());
        let listed = store
            .keys(&StorageKey::prefix_of(submission))
            .await
            .map_err(|e| e.to_string());
        store
            .delete(&key)
            .await
            .unwrap_or_else(|e| panic!("delete: {e}"));
        let again = store.delete(&key).await;
        let gone = store.get(&key, None).await;
        let none_left = store
            .keys(&StorageKey::prefix_of(submission))
            .await
            .map_err(|e| e.to_string());

        assert_eq!(whole, Ok(Bytes::from_static(b"week,falls\n1,14\n")));
        assert_eq!(part, Ok(Bytes::from_static(b"falls")));
        assert_eq!(listed, Ok(vec![key]));
        assert!(again.is_ok());
        assert!(matches!(gone, Err(FileStoreError::NotFound(_))));
        assert_eq!(none_left, Ok(Vec::new()));
    }

    #[tokio::test]
    async fn memory_store_round_trips() {
        round_trip(ObjectFileStore::in_memory()).await;
    }

    #[tokio::test]
    async fn folder_store_round_trips_and_keeps_files_under_its_folder() {
        let dir = std::env::temp_dir().join(format!("hub-files-{}", uuid::Uuid::new_v4()));
        let store = ObjectFileStore::local(&dir).unwrap_or_else(|e| panic!("{e:#}"));
        let empty = store.keys("submissions/nothing-here/").await;

        round_trip(store).await;

        assert!(empty.is_ok_and(|k| k.is_empty()));
        assert!(dir.is_dir());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_bucket_is_configured_without_touching_the_network() {
        let store = ObjectFileStore::s3(&S3Location {
            bucket: "hub-files".into(),
            endpoint: Some("http://127.0.0.1:9000".into()),
            region: Some("eu-west-2".into()),
            allow_http: true,
        });
        assert!(store.is_ok_and(|s| s.store.to_string().contains("hub-files")));
    }
}
