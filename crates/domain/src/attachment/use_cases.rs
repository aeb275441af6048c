//! The use cases of files on submissions: what may be uploaded to which
//! submission and how much, listing, fetching and removing. The caller's
//! right to see or change the submission is settled before these are called;
//! these apply the rules of the files themselves.

use super::{
    AttachError, Attachment, AttachmentId, AttachmentLimits, AttachmentRepository, Caption,
    FileName, FileStore, FileStoreError, MediaType, NewAttachment, Removal, Sha256Digest,
    StorageKey, UnsupportedContent,
};
use crate::actor::Context;
use crate::audit::AuditEntry;
use crate::ids::SubmissionId;
use crate::repository::{StorageError, WriteError};
use crate::submission::{Status, Submission};
use bytes::Bytes;
use std::ops::Range;
use std::sync::Arc;

/// Why a file use case failed.
#[derive(Debug, thiserror::Error)]
pub enum AttachmentError {
    /// Files change only while the submission is the author's to work on.
    #[error(
        "files can be changed only while the submission is a draft or has changes requested; it is {}",
        .0.as_str()
    )]
    NotEditable(Status),
    #[error("a file may be at most {max} bytes")]
    FileTooLarge { max: u64 },
    /// The submission's files leave no room for this one.
    #[error(
        "this submission's files already take {used} of the {max} bytes they may take; this file does not fit"
    )]
    SubmissionFull { used: u64, max: u64 },
    /// The member's files, with this one, would pass their storage quota.
    #[error("your files take {used} of the {allowed} bytes you may store; this file does not fit")]
    QuotaExceeded { used: u64, allowed: u64 },
    /// Another upload filled the submission while this one was read.
    #[error(
        "with this file the submission's files would take {would_use} bytes; they may take at most {limit}"
    )]
    WouldOverfill { would_use: u64, limit: u64 },
    #[error("the file is empty")]
    EmptyFile,
    #[error("{0}")]
    UnsupportedFile(UnsupportedContent),
    #[error("no submission with this id")]
    SubmissionNotFound,
    #[error("this submission has no revision {0}")]
    NoSuchRevision(i32),
    #[error("no file with this id on this submission")]
    FileNotFound,
    #[error("no current file with this id")]
    NoCurrentFile,
    /// The store holds other bytes than were recorded.
    #[error("the stored file {key} has {actual} bytes where {expected} were expected")]
    StoredSizeMismatch {
        key: StorageKey,
        actual: u64,
        expected: u64,
    },
    #[error("file storage failed")]
    FileStore(#[source] FileStoreError),
    #[error(transparent)]
    Write(WriteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// How much the next file of a submission may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadAllowance {
    limits: AttachmentLimits,
    used: u64,
}

impl UploadAllowance {
    pub fn new(limits: AttachmentLimits, used: u64) -> Self {
        Self { limits, used }
    }

    /// The most bytes the next file may have.
    pub fn room(&self) -> u64 {
        self.limits.room_for_next(self.used)
    }

    /// Refuses a body before it is read when there is no room at all, or when
    /// its declared length passes the room and `overhead` for what wraps the file.
    pub fn admits(
        &self,
        declared_length: Option<u64>,
        overhead: u64,
    ) -> Result<(), AttachmentError> {
        let room = self.room();
        if room == 0 || declared_length.is_some_and(|n| n > room + overhead) {
            Err(self.too_large())
        } else {
            Ok(())
        }
    }

    /// Why a file over [`Self::room`] is refused: the submission is full, or
    /// the file is over the per-file limit.
    pub fn too_large(&self) -> AttachmentError {
        if self.room() < self.limits.max_file_bytes {
            AttachmentError::SubmissionFull {
                used: self.used,
                max: self.limits.max_submission_bytes,
            }
        } else {
            AttachmentError::FileTooLarge {
                max: self.limits.max_file_bytes,
            }
        }
    }
}

/// A file as the author sent it.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub bytes: Bytes,
    /// The name the client gave; cleaned before it is kept.
    pub file_name: Option<String>,
    pub caption: Option<Caption>,
}

/// Keeps the files of submissions: their rows and their bytes.
#[derive(Clone)]
pub struct AttachmentService {
    attachments: Arc<dyn AttachmentRepository>,
    files: Arc<dyn FileStore>,
    limits: AttachmentLimits,
}

impl AttachmentService {
    pub fn new(
        attachments: Arc<dyn AttachmentRepository>,
        files: Arc<dyn FileStore>,
        limits: AttachmentLimits,
    ) -> Self {
        Self {
            attachments,
            files,
            limits,
        }
    }

    pub fn limits(&self) -> AttachmentLimits {
        self.limits
    }

    /// How large a file the author may add to `submission` now.
    pub async fn upload_allowance(
        &self,
        submission: &Submission,
    ) -> Result<UploadAllowance, AttachmentError> {
        ensure_editable(submission.status)?;
        let used = self.attachments.current_total(submission.id).await?;
        Ok(UploadAllowance::new(self.limits, used))
    }

    /// Judges the file by its content, stores it, then records it: a row only
    /// ever points at bytes that exist, and bytes no row took are deleted.
    pub async fn attach(
        &self,
        ctx: &Context,
        submission: SubmissionId,
        file: UploadedFile,
    ) -> Result<Attachment, AttachmentError> {
        let media_type = MediaType::sniff(&file.bytes).map_err(|e| match e {
            UnsupportedContent::Empty => AttachmentError::EmptyFile,
            other => AttachmentError::UnsupportedFile(other),
        })?;
        let id = AttachmentId::generate();
        let new = NewAttachment {
            id,
            submission_id: submission,
            name: FileName::clean(file.file_name.as_deref(), media_type),
            media_type,
            size_bytes: file.bytes.len() as u64,
            sha256: Sha256Digest::of(&file.bytes),
            caption: file.caption,
            storage_key: StorageKey::for_attachment(submission, id),
            uploaded_by: ctx.actor.id,
            uploaded_at: ctx.now,
        };
        let key = new.storage_key.clone();
        let audit = AuditEntry::new("attachment_uploaded", Some(ctx.actor.id))
            .target("submission", submission.0)
            .request(ctx.request_id.clone())
            .details(serde_json::json!({
                "attachment_id": id.0,
                "size_bytes": new.size_bytes,
                "media_type": media_type.as_str(),
            }));
        self.files
            .put(&key, file.bytes)
            .await
            .map_err(AttachmentError::FileStore)?;
        match self.attachments.create(new, self.limits, &audit).await {
            Ok(attachment) => Ok(attachment),
            Err(error) => {
                self.discard(&key).await;
                Err(match error {
                    AttachError::SubmissionNotFound => AttachmentError::SubmissionNotFound,
                    AttachError::NotEditable(status) => AttachmentError::NotEditable(status),
                    AttachError::SubmissionFull { would_use, limit } => {
                        AttachmentError::WouldOverfill { would_use, limit }
                    }
                    AttachError::QuotaExceeded { used, allowed } => {
                        AttachmentError::QuotaExceeded { used, allowed }
                    }
                    AttachError::Storage(error) => AttachmentError::Storage(error),
                })
            }
        }
    }

    /// The submission's current files, or those a revision contained.
    pub async fn list(
        &self,
        submission: &Submission,
        revision: Option<i32>,
    ) -> Result<Vec<Attachment>, AttachmentError> {
        match revision {
            None => Ok(self.attachments.list_current(submission.id).await?),
            Some(revision) => self
                .attachments
                .list_for_revision(submission.id, revision)
                .await?
                .ok_or(AttachmentError::NoSuchRevision(revision)),
        }
    }

    /// One file of the submission, current or kept for a revision.
    pub async fn file(
        &self,
        submission: &Submission,
        id: AttachmentId,
    ) -> Result<Attachment, AttachmentError> {
        self.attachments
            .get(submission.id, id)
            .await?
            .ok_or(AttachmentError::FileNotFound)
    }

    /// The file's bytes, or those of `range`, checked against what was recorded.
    pub async fn bytes(
        &self,
        attachment: &Attachment,
        range: Option<Range<u64>>,
    ) -> Result<Bytes, AttachmentError> {
        let expected = range
            .as_ref()
            .map_or(attachment.size_bytes, |r| r.end - r.start);
        let bytes = self
            .files
            .get(&attachment.storage_key, range)
            .await
            .map_err(AttachmentError::FileStore)?;
        if bytes.len() as u64 == expected {
            Ok(bytes)
        } else {
            Err(AttachmentError::StoredSizeMismatch {
                key: attachment.storage_key.clone(),
                actual: bytes.len() as u64,
                expected,
            })
        }
    }

    /// Removes a current file while the submission is editable. A file a
    /// submitted revision contained leaves the list but is kept for it.
    pub async fn remove(
        &self,
        ctx: &Context,
        submission: &Submission,
        id: AttachmentId,
    ) -> Result<Removal, AttachmentError> {
        let audit = AuditEntry::new("attachment_removed", Some(ctx.actor.id))
            .target("submission", submission.id.0)
            .request(ctx.request_id.clone())
            .details(serde_json::json!({"attachment_id": id.0}));
        let removal = self
            .attachments
            .remove(submission.id, id, &audit)
            .await
            .map_err(|e| match e {
                WriteError::NotFound => AttachmentError::NoCurrentFile,
                WriteError::StatusChanged(status) => AttachmentError::NotEditable(status),
                other => AttachmentError::Write(other),
            })?;
        match &removal {
            Removal::Deleted(key) => {
                self.discard(key).await;
                tracing::info!("file deleted");
            }
            Removal::Retained => {
                tracing::info!("file removed from the draft; kept for its revision");
            }
        }
        Ok(removal)
    }

    /// Deletes every stored file of a submission whose rows are gone (a deleted draft).
    pub async fn discard_all(&self, submission: SubmissionId) {
        match self.files.keys(&StorageKey::prefix_of(submission)).await {
            Ok(keys) => {
                for key in &keys {
                    self.discard(key).await;
                }
                tracing::info!(files = keys.len(), "deleted the draft's files");
            }
            Err(error) => {
                tracing::error!(submission = %submission, error = %error, "could not list a deleted draft's files; they are orphans");
            }
        }
    }

    /// Deletes a stored file no row refers to. A failure leaves an orphan,
    /// which is logged with its key for a sweep; it never affects what clients see.
    async fn discard(&self, key: &StorageKey) {
        if let Err(error) = self.files.delete(key).await {
            tracing::error!(key = %key, error = %error, "could not delete a stored file; it is an orphan");
        }
    }
}

/// Files change only while the submission is a draft or has changes requested.
pub fn ensure_editable(status: Status) -> Result<(), AttachmentError> {
    if status.is_editable() {
        Ok(())
    } else {
        Err(AttachmentError::NotEditable(status))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::actor::Actor;
    use crate::ids::MemberId;
    use crate::member::Role;

    use async_trait::async_trait;
    use chrono::{DateTime, TimeZone, Utc};
    use std::collections::BTreeMap;
    use std::sync::Mutex;
    use uuid::Uuid;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    /// Files in memory; `fail_puts` makes every write fail.
    #[derive(Default)]
    struct MemoryFiles {
        stored: Mutex<BTreeMap<String, Bytes>>,
        fail_puts: bool,
    }

    #[async_trait]
    impl FileStore for MemoryFiles {
        async fn put(&self, key: &StorageKey, bytes: Bytes) -> Result<(), FileStoreError> {
            if self.fail_puts {
                return Err(FileStoreError::Other("disk full".into()));
            }
            self.stored
                .lock()
                .unwrap()
                .insert(key.as_str().to_owned(), bytes);
            Ok(())
        }
        async fn get(
            &self,
            key: &StorageKey,
            range: Option<Range<u64>>,
        ) -> Result<Bytes, FileStoreError> {
            let bytes = self.stored.lock().unwrap().get(key.as_str()).cloned();
            let bytes = bytes.ok_or_else(|| FileStoreError::NotFound(key.clone()))?;
            Ok(match range {
                Some(r) => bytes.slice(r.start as usize..r.end as usize),
                None => bytes,
            })
        }
        async fn delete(&self, key: &StorageKey) -> Result<(), FileStoreError> {
            self.stored.lock().unwrap().remove(key.as_str());
            Ok(())
        }
        async fn keys(&self, prefix: &str) -> Result<Vec<StorageKey>, FileStoreError> {
            let stored = self.stored.lock().unwrap();
            Ok(stored
                .keys()
                .filter(|k| k.starts_with(prefix))
                .map(|k| StorageKey::from_stored(k.clone()))
                .collect())
        }
    }

    /// Rows in memory, with the answers a test wants from `create` and `remove`.
    #[derive(Default)]
    struct MemoryRows {
        rows: Mutex<Vec<Attachment>>,
        refuse_create: Option<fn() -> AttachError>,
        removal: Option<fn() -> Result<Removal, WriteError>>,
    }

    #[async_trait]
    impl AttachmentRepository for MemoryRows {
        async fn create(
            &self,
            new: NewAttachment,
            _: AttachmentLimits,
            _: &AuditEntry,
        ) -> Result<Attachment, AttachError> {
            if let Some(refusal) = self.refuse_create {
                return Err(refusal());
            }
            let attachment = Attachment {
                id: new.id,
                submission_id: new.submission_id,
                name: new.name,
                media_type: new.media_type,
                size_bytes: new.size_bytes,
                sha256: new.sha256,
                caption: new.caption,
                storage_key: new.storage_key,
                uploaded_by: Some(new.uploaded_by),
                uploaded_at: new.uploaded_at,
                removed_at: None,
            };
            self.rows.lock().unwrap().push(attachment.clone());
            Ok(attachment)
        }
        async fn list_current(&self, _: SubmissionId) -> Result<Vec<Attachment>, StorageError> {
            Ok(self.rows.lock().unwrap().clone())
        }
        async fn list_for_revision(
            &self,
            _: SubmissionId,
            revision: i32,
        ) -> Result<Option<Vec<Attachment>>, StorageError> {
            Ok((revision == 1).then(|| self.rows.lock().unwrap().clone()))
        }
        async fn get(
            &self,
            _: SubmissionId,
            id: AttachmentId,
        ) -> Result<Option<Attachment>, StorageError> {
            let rows = self.rows.lock().unwrap();
            Ok(rows.iter().find(|a| a.id == id).cloned())
        }
        async fn current_total(&self, _: SubmissionId) -> Result<u64, StorageError> {
            Ok(self.rows.lock().unwrap().iter().map(|a| a.size_bytes).sum())
        }
        async fn remove(
            &self,
            _: SubmissionId,
            _: AttachmentId,
            _: &AuditEntry,
        ) -> Result<Removal, WriteError> {
            self.removal
                .map_or(Err(WriteError::NotFound), |answer| answer())
        }
    }

    fn limits() -> AttachmentLimits {
        AttachmentLimits {
            max_file_bytes: 25,
            max_submission_bytes: 100,
            member_quota_bytes: 1000,
        }
    }

    fn service_with(rows: MemoryRows, files: MemoryFiles) -> (AttachmentService, Arc<MemoryFiles>) {
        let files = Arc::new(files);
        let service = AttachmentService::new(Arc::new(rows), files.clone(), limits());
        (service, files)
    }

    fn service() -> (AttachmentService, Arc<MemoryFiles>) {
        service_with(MemoryRows::default(), MemoryFiles::default())
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 9, 1, 10, 15, 0)
            .single()
            .unwrap()
    }

    fn author() -> Context {
        Context {
            actor: Actor::new(MemberId(Uuid::from_u128(1)), Role::Member),
            request_id: None,
            now: now(),
        }
    }

    fn submission(status: Status) -> Submission {
        Submission::blank(
            SubmissionId(Uuid::from_u128(9)),
            author().actor.id,
            status,
            now(),
        )
    }

    fn file(bytes: &[u8]) -> UploadedFile {
        UploadedFile {
            bytes: Bytes::copy_from_slice(bytes),
            file_name: Some("../../run chart".into()),
            caption: None,
        }
    }

    #[tokio::test]
    async fn files_change_only_while_the_submission_is_editable() {
        let (service, _) = service();

        for status in Status::ALL {
            let allowed = service.upload_allowance(&submission(status)).await;
            assert_eq!(allowed.is_ok(), status.is_editable(), "{status:?}");
            if let Err(error) = allowed {
                assert!(matches!(error, AttachmentError::NotEditable(s) if s == status));
            }
        }
    }

    #[test]
    fn an_upload_is_refused_by_the_file_limit_or_by_what_the_submission_holds() {
        let fresh = UploadAllowance::new(limits(), 0);
        let nearly_full = UploadAllowance::new(limits(), 90);
        let full = UploadAllowance::new(limits(), 100);

        assert_eq!(fresh.room(), 25);
        assert_eq!(nearly_full.room(), 10);
        assert!(fresh.admits(Some(25 + 16), 16).is_ok());
        assert!(fresh.admits(None, 16).is_ok());
        assert!(matches!(
            fresh.admits(Some(25 + 17), 16),
            Err(AttachmentError::FileTooLarge { max: 25 })
        ));
        assert!(matches!(
            nearly_full.too_large(),
            AttachmentError::SubmissionFull { used: 90, max: 100 }
        ));
        assert!(matches!(
            full.admits(None, 16),
            Err(AttachmentError::SubmissionFull {
                used: 100,
                max: 100
            })
        ));
        assert_eq!(
            nearly_full.too_large().to_string(),
            "this submission's files already take 90 of the 100 bytes they may take; this file does not fit"
        );
    }

    #[tokio::test]
    async fn a_file_is_judged_by_its_content_stored_then_recorded() {
        let (service, files) = service();
        let ctx = author();

        let attachment = service
            .attach(&ctx, submission(Status::Draft).id, file(PNG))
            .await
            .unwrap();

        assert_eq!(attachment.media_type, MediaType::Png);
        assert_eq!(attachment.name.as_str(), "run chart.png");
        assert_eq!(attachment.uploaded_by, Some(ctx.actor.id));
        assert_eq!(attachment.uploaded_at, ctx.now);
        assert_eq!(attachment.sha256, Sha256Digest::of(PNG));
        assert_eq!(
            attachment.storage_key,
            StorageKey::for_attachment(attachment.submission_id, attachment.id)
        );
        assert_eq!(
            service.bytes(&attachment, Some(1..4)).await.unwrap(),
            Bytes::from_static(b"PNG")
        );
        assert_eq!(files.stored.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn empty_and_unsafe_files_are_refused_before_anything_is_stored() {
        let (service, files) = service();
        let id = submission(Status::Draft).id;

        let empty = service.attach(&author(), id, file(b"")).await;
        let page = service
            .attach(&author(), id, file(b"<html><script>x()</script>"))
            .await;

        assert!(matches!(empty, Err(AttachmentError::EmptyFile)));
        assert!(matches!(
            page,
            Err(AttachmentError::UnsupportedFile(
                UnsupportedContent::UnsafeText
            ))
        ));
        assert!(files.stored.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn bytes_no_row_took_are_deleted() {
        let rows = MemoryRows {
            refuse_create: Some(|| AttachError::SubmissionFull {
                would_use: 120,
                limit: 100,
            }),
            ..MemoryRows::default()
        };
        let (service, files) = service_with(rows, MemoryFiles::default());

        let refused = service
            .attach(&author(), submission(Status::Draft).id, file(PNG))
            .await;

        assert!(matches!(
            refused,
            Err(AttachmentError::WouldOverfill {
                would_use: 120,
                limit: 100
            })
        ));
        assert!(files.stored.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_file_that_could_not_be_stored_is_not_recorded() {
        let files = MemoryFiles {
            fail_puts: true,
            ..MemoryFiles::default()
        };
        let (service, _) = service_with(MemoryRows::default(), files);
        let draft = submission(Status::Draft);

        let failed = service.attach(&author(), draft.id, file(PNG)).await;

        assert!(matches!(failed, Err(AttachmentError::FileStore(_))));
        assert!(service.list(&draft, None).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_revision_that_does_not_exist_has_no_files_to_list() {
        let (service, _) = service();
        let draft = submission(Status::Draft);

        let listed = service.list(&draft, Some(2)).await;

        assert!(matches!(listed, Err(AttachmentError::NoSuchRevision(2))));
        assert!(service.list(&draft, Some(1)).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn bytes_that_differ_from_the_record_are_an_error() {
        let (service, files) = service();
        let attachment = service
            .attach(&author(), submission(Status::Draft).id, file(PNG))
            .await
            .unwrap();
        files.stored.lock().unwrap().insert(
            attachment.storage_key.as_str().to_owned(),
            Bytes::from_static(b"short"),
        );

        let read = service.bytes(&attachment, None).await;

        assert!(matches!(
            read,
            Err(AttachmentError::StoredSizeMismatch {
                actual: 5,
                expected: 16,
                ..
            })
        ));
    }

    #[tokio::test]
    async fn removing_deletes_the_bytes_unless_a_revision_keeps_them() {
        let key = || StorageKey::from_stored("submissions/s/a".into());
        let removed = |removal: fn() -> Result<Removal, WriteError>| async move {
            let rows = MemoryRows {
                removal: Some(removal),
                ..MemoryRows::default()
            };
            let (service, files) = service_with(rows, MemoryFiles::default());
            files.put(&key(), Bytes::from_static(PNG)).await.unwrap();
            let outcome = service
                .remove(
                    &author(),
                    &submission(Status::Draft),
                    AttachmentId(Uuid::nil()),
                )
                .await;
            let kept = files.stored.lock().unwrap().len();
            (outcome, kept)
        };

        let (deleted, kept_after_delete) = removed(|| {
            Ok(Removal::Deleted(StorageKey::from_stored(
                "submissions/s/a".into(),
            )))
        })
        .await;
        let (retained, kept_after_retain) = removed(|| Ok(Removal::Retained)).await;
        let (missing, _) = removed(|| Err(WriteError::NotFound)).await;
        let (locked, _) = removed(|| Err(WriteError::StatusChanged(Status::Submitted))).await;

        assert!(matches!(deleted, Ok(Removal::Deleted(_))));
        assert_eq!(kept_after_delete, 0);
        assert!(matches!(retained, Ok(Removal::Retained)));
        assert_eq!(kept_after_retain, 1);
        assert!(matches!(missing, Err(AttachmentError::NoCurrentFile)));
        assert!(matches!(
            locked,
            Err(AttachmentError::NotEditable(Status::Submitted))
        ));
    }

    #[tokio::test]
    async fn a_deleted_drafts_files_are_all_discarded() {
        let (service, files) = service();
        let draft = submission(Status::Draft);
        for _ in 0..2 {
            service
                .attach(&author(), draft.id, file(PNG))
                .await
                .unwrap();
        }
        files
            .put(
                &StorageKey::from_stored("submissions/other/x".into()),
                Bytes::from_static(PNG),
            )
            .await
            .unwrap();

        service.discard_all(draft.id).await;

        let left: Vec<String> = files.stored.lock().unwrap().keys().cloned().collect();
        assert_eq!(left, ["submissions/other/x"]);
    }
}
