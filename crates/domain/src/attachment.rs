//! Files on submissions: posters, reports, run-chart images and data files.
//!
//! The bytes live in a [`FileStore`] (a folder, or S3-compatible object storage);
//! what is known about them lives in an [`AttachmentRepository`]. A file is
//! stored and checksummed before its row is written, and a row only ever
//! points at bytes that exist.

mod file_name;
mod sniff;
mod use_cases;

pub use file_name::FileName;
pub use sniff::{MediaType, UnsupportedContent};
pub use use_cases::{
    AttachmentError, AttachmentService, UploadAllowance, UploadedFile, ensure_editable,
};

use crate::audit::AuditEntry;
use crate::ids::{MemberId, SubmissionId};
use crate::repository::{StorageError, WriteError};
use crate::submission::Status;
use crate::validation::{ValidationErrors, check_length};
use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::fmt;
use std::ops::Range;
use uuid::Uuid;

/// Identifies one attached file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AttachmentId(pub Uuid);

impl AttachmentId {
    /// A new, time-ordered id.
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }
}

impl fmt::Display for AttachmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The SHA-256 of a file's bytes, as 64 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sha256Digest(String);

impl Sha256Digest {
    pub fn of(bytes: &[u8]) -> Self {
        Self(hex::encode(sha2::Sha256::digest(bytes)))
    }

    /// A digest read back from storage; `None` unless it is 64 hex digits.
    pub fn parse(hex: &str) -> Option<Self> {
        (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Self(hex.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the author says a file shows: at most 500 characters, no control
/// characters but line breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caption(String);

impl Caption {
    pub const MAX_CHARS: usize = 500;

    /// A caption, or none for blank text.
    pub fn parse(field: &str, raw: &str) -> Result<Option<Self>, ValidationErrors> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        let mut errors = ValidationErrors::new();
        check_length(&mut errors, field, trimmed, 1, Self::MAX_CHARS);
        if trimmed
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r'))
        {
            errors.add(
                field,
                "invalid_characters",
                "must not contain control characters",
            );
        }
        errors
            .into_result()
            .map(|()| Some(Self(trimmed.to_owned())))
    }

    /// A caption read back from storage, where it was checked on the way in.
    pub fn from_stored(caption: String) -> Self {
        Self(caption)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a file's bytes live in a [`FileStore`]: `submissions/{submission}/{attachment}`.
/// Never derived from anything a client sends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StorageKey(String);

impl StorageKey {
    pub fn for_attachment(submission: SubmissionId, attachment: AttachmentId) -> Self {
        Self(format!("{}{attachment}", Self::prefix_of(submission)))
    }

    /// The prefix every file of one submission is stored under.
    pub fn prefix_of(submission: SubmissionId) -> String {
        format!("submissions/{submission}/")
    }

    /// A key read back from storage or listed by a store.
    pub fn from_stored(key: String) -> Self {
        Self(key)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StorageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A file attached to a submission.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub id: AttachmentId,
    pub submission_id: SubmissionId,
    pub name: FileName,
    pub media_type: MediaType,
    pub size_bytes: u64,
    pub sha256: Sha256Digest,
    pub caption: Option<Caption>,
    pub storage_key: StorageKey,
    pub uploaded_by: Option<MemberId>,
    pub uploaded_at: DateTime<Utc>,
    /// Set when the author removed it but a revision still refers to it.
    pub removed_at: Option<DateTime<Utc>>,
}

/// A file already written to the store, to be recorded.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub id: AttachmentId,
    pub submission_id: SubmissionId,
    pub name: FileName,
    pub media_type: MediaType,
    pub size_bytes: u64,
    pub sha256: Sha256Digest,
    pub caption: Option<Caption>,
    pub storage_key: StorageKey,
    pub uploaded_by: MemberId,
    pub uploaded_at: DateTime<Utc>,
}

/// The most a single file and all of one submission's current files may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachmentLimits {
    pub max_file_bytes: u64,
    pub max_submission_bytes: u64,
    /// The most all files one member uploaded may take together, counting
    /// files kept for a submitted revision (they are still stored).
    pub member_quota_bytes: u64,
}

impl AttachmentLimits {
    pub const DEFAULT_FILE_BYTES: u64 = 25 * 1024 * 1024;
    pub const DEFAULT_SUBMISSION_BYTES: u64 = 100 * 1024 * 1024;
    pub const DEFAULT_MEMBER_QUOTA_BYTES: u64 = 250 * 1024 * 1024;

    /// Why a member who already stores `used` bytes may not add `size` more, if so.
    pub fn quota_refusal(&self, used: u64, size: u64) -> Option<AttachError> {
        (used.saturating_add(size) > self.member_quota_bytes).then_some(
            AttachError::QuotaExceeded {
                used,
                allowed: self.member_quota_bytes,
            },
        )
    }

    /// How large the next file may be when the submission's files already take `used`.
    pub fn room_for_next(&self, used: u64) -> u64 {
        self.max_file_bytes
            .min(self.max_submission_bytes.saturating_sub(used))
    }
}

impl Default for AttachmentLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: Self::DEFAULT_FILE_BYTES,
            max_submission_bytes: Self::DEFAULT_SUBMISSION_BYTES,
            member_quota_bytes: Self::DEFAULT_MEMBER_QUOTA_BYTES,
        }
    }
}

/// Why a file store call failed.
#[derive(Debug, thiserror::Error)]
pub enum FileStoreError {
    #[error("no stored file at {0}")]
    NotFound(StorageKey),
    #[error("the requested range is outside the file")]
    InvalidRange,
    #[error(transparent)]
    Other(Box<dyn std::error::Error + Send + Sync>),
}

/// Where files' bytes are kept: a folder on disk, object storage, or memory in tests.
#[async_trait]
pub trait FileStore: Send + Sync {
    /// Writes the whole file; once this returns the bytes are durable under `key`.
    async fn put(&self, key: &StorageKey, bytes: Bytes) -> Result<(), FileStoreError>;
    /// The file's bytes, or only those in `range`.
    async fn get(
        &self,
        key: &StorageKey,
        range: Option<Range<u64>>,
    ) -> Result<Bytes, FileStoreError>;
    /// Removes the file; removing one that is not there is not an error.
    async fn delete(&self, key: &StorageKey) -> Result<(), FileStoreError>;
    /// Every key under `prefix`, to clean up a deleted draft or audit for orphans.
    async fn keys(&self, prefix: &str) -> Result<Vec<StorageKey>, FileStoreError>;
}

/// Why an upload could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    #[error("the submission does not exist")]
    SubmissionNotFound,
    #[error("the submission is {} and can no longer be changed", .0.as_str())]
    NotEditable(Status),
    #[error("the submission's files would take {would_use} bytes; the limit is {limit}")]
    SubmissionFull { would_use: u64, limit: u64 },
    /// The member's files already take `used` bytes of the `allowed`; this one does not fit.
    #[error("your files take {used} of the {allowed} bytes you may store; this file does not fit")]
    QuotaExceeded { used: u64, allowed: u64 },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// What removing an attachment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removal {
    /// No revision refers to it: the row is gone and its bytes may be deleted.
    Deleted(StorageKey),
    /// A revision refers to it: it left the current list but the bytes stay.
    Retained,
}

#[async_trait]
pub trait AttachmentRepository: Send + Sync {
    /// Records a stored file, with `audit`, in one transaction if the
    /// submission is still editable, its current files with this one stay
    /// within `limits.max_submission_bytes`, and everything its uploader
    /// stores stays within `limits.member_quota_bytes` (checked while the
    /// member's uploads take turns, so two at once cannot both pass).
    async fn create(
        &self,
        attachment: NewAttachment,
        limits: AttachmentLimits,
        audit: &AuditEntry,
    ) -> Result<Attachment, AttachError>;
    /// The submission's current files, oldest first.
    async fn list_current(&self, submission: SubmissionId)
    -> Result<Vec<Attachment>, StorageError>;
    /// The files a revision contained, or `None` when there is no such revision.
    async fn list_for_revision(
        &self,
        submission: SubmissionId,
        revision: i32,
    ) -> Result<Option<Vec<Attachment>>, StorageError>;
    /// One file of the submission, current or kept for a revision.
    async fn get(
        &self,
        submission: SubmissionId,
        id: AttachmentId,
    ) -> Result<Option<Attachment>, StorageError>;
    /// Bytes taken by the submission's current files.
    async fn current_total(&self, submission: SubmissionId) -> Result<u64, StorageError>;
    /// Removes a current file while the submission is editable: deletes its row
    /// unless a revision refers to it, in which case it is only marked removed.
    /// `audit` is written in the same transaction.
    async fn remove(
        &self,
        submission: SubmissionId,
        id: AttachmentId,
        audit: &AuditEntry,
    ) -> Result<Removal, WriteError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_lower_case_hex_of_sha256() {
        assert_eq!(
            Sha256Digest::of(b"abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(Sha256Digest::parse(&"A".repeat(64)).is_some_and(|d| d.as_str() == "a".repeat(64)));
        assert!(Sha256Digest::parse("abc").is_none());
        assert!(Sha256Digest::parse(&"g".repeat(64)).is_none());
    }

    #[test]
    fn captions_are_trimmed_optional_and_bounded() {
        assert_eq!(Caption::parse("caption", "  "), Ok(None));
        assert_eq!(
            Caption::parse("caption", " Run chart, weeks 1–40 \n").map(|c| c.map(|c| c.0)),
            Ok(Some("Run chart, weeks 1–40".to_owned()))
        );
        assert!(Caption::parse("caption", &"x".repeat(501)).is_err());
        assert!(Caption::parse("caption", "bell\u{7}").is_err());
        assert!(Caption::parse("caption", "two\nlines").is_ok());
    }

    #[test]
    fn storage_keys_are_made_from_ids_only() {
        let submission = SubmissionId(Uuid::nil());
        let attachment = AttachmentId(Uuid::max());
        let key = StorageKey::for_attachment(submission, attachment);
        assert_eq!(
            key.as_str(),
            "submissions/00000000-0000-0000-0000-000000000000/ffffffff-ffff-ffff-ffff-ffffffffffff"
        );
        assert!(key.as_str().starts_with(&StorageKey::prefix_of(submission)));
    }

    #[test]
    fn the_next_file_may_take_what_is_left_up_to_the_file_limit() {
        let limits = AttachmentLimits {
            max_file_bytes: 25,
            max_submission_bytes: 100,
            member_quota_bytes: 150,
        };
        assert_eq!(limits.room_for_next(0), 25);
        assert_eq!(limits.room_for_next(90), 10);
        assert_eq!(limits.room_for_next(120), 0);
    }

    #[test]
    fn a_member_may_store_up_to_the_quota_and_no_byte_more() {
        let limits = AttachmentLimits {
            max_file_bytes: 25,
            max_submission_bytes: 100,
            member_quota_bytes: 150,
        };
        assert!(limits.quota_refusal(0, 150).is_none());
        assert!(limits.quota_refusal(140, 10).is_none());
        assert!(matches!(
            limits.quota_refusal(141, 10),
            Some(AttachError::QuotaExceeded {
                used: 141,
                allowed: 150
            })
        ));
        assert!(limits.quota_refusal(u64::MAX, 1).is_some());
    }
}
