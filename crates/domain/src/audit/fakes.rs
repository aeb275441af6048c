//! An audit log in memory, for use case tests.

use super::{AuditEntry, AuditFilter};
use crate::pagination::{Page, PageSize};
use crate::repository::{AuditRepository, StorageError};
use async_trait::async_trait;
use std::sync::Mutex;
use uuid::Uuid;

/// Holds entries in memory, newest last.
#[derive(Default)]
pub struct MemoryAudit(pub Mutex<Vec<AuditEntry>>);

#[async_trait]
impl AuditRepository for MemoryAudit {
    async fn record(&self, entry: AuditEntry) -> Result<(), StorageError> {
        self.0.lock().unwrap().push(entry);
        Ok(())
    }

    async fn list(
        &self,
        filter: &AuditFilter,
        after: Option<Uuid>,
        size: PageSize,
    ) -> Result<Page<AuditEntry>, StorageError> {
        let entries = self.0.lock().unwrap();
        let newest_first = entries.iter().rev().filter(|e| {
            filter.actor_id.is_none_or(|a| e.actor_id == Some(a))
                && filter.action.as_ref().is_none_or(|a| &e.action == a)
        });
        let after_cursor: Vec<&AuditEntry> = match after {
            Some(id) => newest_first.skip_while(|e| e.id != id).skip(1).collect(),
            None => newest_first.collect(),
        };
        let size = usize::try_from(size.get()).unwrap();
        let items: Vec<AuditEntry> = after_cursor
            .iter()
            .take(size)
            .map(|e| (*e).clone())
            .collect();
        let next_cursor = (after_cursor.len() > size).then(|| items.last().unwrap().id.to_string());
        Ok(Page { items, next_cursor })
    }
}
