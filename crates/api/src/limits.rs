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

/// Limits in Redis (`HUB_REDIS_URL`), shared by every replica using it. Each
/// check is one Lua script, which Redis runs atomically.
#[derive(Clone)]
pub struct RedisLimits {
    connection: redis::aio::ConnectionManager,
    prefix: String,
}

/// The same rule as `Budget::next_full_at`: returns {allowed, full at}.
const TAKE: &str = r"
local now, interval, slack = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local base = tonumber(redis.call('GET', KEYS[1])) or now
if base < now then base = now end
if base - now <= slack then
  local full_at = base + interval
  redis.call('SET', KEYS[1], full_at, 'PX', full_at - now + 1000)
  return {1, full_at}
end
return {0, base}
";

/// The same rule as `Counted::add`: returns {count, window start}.
const COUNT: &str = r"
local now, delta, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local stored = redis.call('HMGET', KEYS[1], 'count', 'started')
local count, started = tonumber(stored[1]), tonumber(stored[2])
if count == nil or started == nil or started <= now - window then
  count, started = math.max(delta, 0), now
else
  count = math.max(count + delta, 0)
end
redis.call('HSET', KEYS[1], 'count', count, 'started', started)
redis.call('PEXPIRE', KEYS[1], started + window - now + 1000)
return {count, started}
";

fn redis_error(error: redis::RedisError) -> StorageError {
    StorageError(Box::new(error))
}

impl RedisLimits {
    /// Connects to `url`; every key starts with `prefix`.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, StorageError> {
        let client = redis::Client::open(url).map_err(redis_error)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(std::time::Duration::from_secs(1))
            .set_response_timeout(std::time::Duration::from_secs(1))
            .set_number_of_retries(1);
        let connection = redis::aio::ConnectionManager::new_with_config(client, config)
            .await
            .map_err(redis_error)?;
        Ok(Self {
            connection,
            prefix: prefix.to_owned(),
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

#[async_trait]
impl LimitStore for RedisLimits {
    async fn take(&self, key: &str, budget: Budget, now_ms: i64) -> Result<Taken, StorageError> {
        let mut connection = self.connection.clone();
        let (allowed, full_at): (i64, i64) = redis::Script::new(TAKE)
            .key(self.key(key))
            .arg(now_ms)
            .arg(budget.interval_ms())
            .arg(budget.slack_ms())
            .invoke_async(&mut connection)
            .await
            .map_err(redis_error)?;
        Ok(if allowed == 1 {
            budget.allowed(full_at, now_ms)
        } else {
            budget.refused(full_at, now_ms)
        })
    }

    async fn count(
        &self,
        key: &str,
        delta: i64,
        window_ms: i64,
        now_ms: i64,
    ) -> Result<Counted, StorageError> {
        let mut connection = self.connection.clone();
        let (count, started): (i64, i64) = redis::Script::new(COUNT)
            .key(self.key(key))
            .arg(now_ms)
            .arg(delta)
            .arg(window_ms)
            .invoke_async(&mut connection)
            .await
            .map_err(redis_error)?;
        Ok(Counted {
            count,
            window_ends_ms: started + window_ms,
        })
    }

    async fn forget(&self, key: &str) -> Result<(), StorageError> {
        let mut connection = self.connection.clone();
        redis::cmd("DEL")
            .arg(self.key(key))
            .exec_async(&mut connection)
            .await
            .map_err(redis_error)
    }
}
