//! Every write to a submission goes the same way, in one transaction: begin
//! (taking SQLite's write lock at once), read what the submission counts for
//! in the report rollups, run the statement guarded by the status (and
//! version) the caller saw, explain a miss from what is stored, add the
//! rollups' difference, then the audit entry, then the outbox event, and
//! commit. The outbox event takes no lock: on PostgreSQL it is numbered after
//! the commit (see `events::sequence_pending`), so writers commit side by side.

use super::current;
use crate::events::record_event;
use crate::rollup::{self, Contribution};
use crate::write_error;
use chrono::{DateTime, Utc};
use domain::audit::AuditEntry;
use domain::event::EventType;
use domain::repository::WriteError;
use domain::submission::Status;
use domain::{MemberId, SubmissionId};
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};

/// A rollup row to add to beyond the submission's own contribution.
pub(super) type RollupDelta = ((i32, (String, String, String)), i64);

/// What to tell a caller whose guarded statement touched nothing.
#[derive(Debug, Clone, Copy)]
pub(super) enum Guard {
    /// The statement was guarded by status alone.
    Status,
    /// Guarded by these statuses and a version: a stored status among them
    /// means the version moved on.
    StatusAndVersion(&'static [Status]),
}

/// The outbox event a write records.
#[derive(Debug, Clone, Copy)]
pub(super) struct Outbox {
    pub event_type: EventType,
    pub actor: Option<MemberId>,
    pub from: Option<Status>,
    pub to: Option<Status>,
    pub at: DateTime<Utc>,
}

/// One write in progress; see the module documentation.
pub(super) struct GuardedWrite {
    tx: DatabaseTransaction,
    id: SubmissionId,
    /// What the submission counted for before the write, while the rollups
    /// still have to be brought in step.
    before: Option<Contribution>,
}

impl GuardedWrite {
    /// Begins a write to `id`; with `rollups`, reads what it counts for now.
    pub(super) async fn begin(
        db: &DatabaseConnection,
        id: SubmissionId,
        rollups: bool,
    ) -> Result<Self, WriteError> {
        let tx = crate::begin_write(db).await.map_err(write_error)?;
        let before = if rollups {
            Some(rollup::contribution(&tx, id).await.map_err(write_error)?)
        } else {
            None
        };
        Ok(Self { tx, id, before })
    }

    pub(super) fn tx(&self) -> &DatabaseTransaction {
        &self.tx
    }

    /// Goes on when the guarded statement `done` its work; otherwise rolls
    /// back and says why from what is stored now.
    pub(super) async fn guarded(self, done: bool, guard: Guard) -> Result<Self, WriteError> {
        if done {
            return Ok(self);
        }
        let stored = current(&self.tx, self.id).await.map_err(write_error)?;
        self.tx.rollback().await.map_err(write_error)?;
        Err(match (stored, guard) {
            (None, _) => WriteError::NotFound,
            (Some((status, _)), Guard::Status) => WriteError::StatusChanged(status),
            (Some((status, _)), Guard::StatusAndVersion(allowed)) if !allowed.contains(&status) => {
                WriteError::StatusChanged(status)
            }
            (Some((_, version)), Guard::StatusAndVersion(_)) => {
                WriteError::VersionMismatch { current: version }
            }
        })
    }

    /// Adds to the rollups what the write changed in the submission's
    /// contribution, plus `extra`. Done by `commit` when not done before.
    pub(super) async fn apply_rollups(&mut self, extra: &[RollupDelta]) -> Result<(), WriteError> {
        let Some(before) = self.before.take() else {
            return Ok(());
        };
        let after = rollup::contribution(&self.tx, self.id)
            .await
            .map_err(write_error)?;
        rollup::apply(&self.tx, &before, &after, extra)
            .await
            .map_err(write_error)
    }

    /// Brings the rollups in step, writes the audit entry, then the outbox
    /// event, and commits.
    pub(super) async fn commit(
        mut self,
        audit: Option<&AuditEntry>,
        event: Option<Outbox>,
    ) -> Result<(), WriteError> {
        self.apply_rollups(&[]).await?;
        if let Some(audit) = audit {
            crate::audit::insert(&self.tx, audit)
                .await
                .map_err(write_error)?;
        }
        if let Some(event) = event {
            self.record(event).await.map_err(write_error)?;
        }
        self.tx.commit().await.map_err(write_error)
    }

    /// Records an outbox event now, for a write that must record it before
    /// the row it reads the author from is gone.
    pub(super) async fn record(&self, event: Outbox) -> Result<(), DbErr> {
        record_event(
            &self.tx,
            event.event_type,
            self.id,
            event.actor,
            event.from,
            event.to,
            event.at,
        )
        .await
    }
}
