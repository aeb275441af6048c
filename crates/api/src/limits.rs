//! Where request budgets and login counts are kept: in this process's memory
//! when it runs alone (SQLite), in PostgreSQL or Redis when replicas share them.

use async_trait::async_trait;
use domain::limit::{Budget, Counted, LimitStore, Taken};
use domain::repository::StorageError;
use std::collections::HashMap;
use std::sync::Mutex;

/// Keys kept before expired ones are swept.
const SWEEP_AT: usize = 100_000;

/// Limits in this process's memory: right for one process only.
#[derive(Default)]
pub struct MemoryLimits {
    buckets: Mutex<HashMap<String, i64>>,
    windows: Mutex<HashMap<String, (i64, i64)>>,
}

fn poisoned() -> StorageError {
    StorageError(Box::from("the in-memory limits were poisoned by a panic"))
}

#[async_trait]
impl LimitStore for MemoryLimits {
    async fn take(&self, key: &str, budget: Budget, now_ms: i64) -> Result<Taken, StorageError> {
        let mut buckets = self.buckets.lock().map_err(|_| poisoned())?;
        if buckets.len() > SWEEP_AT {
            buckets.retain(|_, full_at| *full_at > now_ms);
        }
        let (taken, full_at) = budget.take(buckets.get(key).copied(), now_ms);
        if let Some(full_at) = full_at {
            buckets.insert(key.to_owned(), full_at);
        }
        Ok(taken)
    }

    async fn count(
        &self,
        key: &str,
        delta: i64,
        window_ms: i64,
        now_ms: i64,
    ) -> Result<Counted, StorageError> {
        let mut windows = self.windows.lock().map_err(|_| poisoned())?;
        if windows.len() > SWEEP_AT {
            windows.retain(|_, (_, started)| *started > now_ms - window_ms);
        }
        let (count, started) = Counted::add(windows.get(key).copied(), delta, window_ms, now_ms);
        windows.insert(key.to_owned(), (count, started));
        Ok(Counted {
            count,
            window_ends_ms: started + window_ms,
        })
    }

    async fn forget(&self, key: &str) -> Result<(), StorageError> {
        self.windows.lock().map_err(|_| poisoned())?.remove(key);
        Ok(())
    }
}
