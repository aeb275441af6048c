//! Slows password guessing without letting anyone lock a victim out: login
//! attempts are counted per (account, address) pair and per address, never
//! per account alone, so guesses from elsewhere do not stop the owner signing
//! in from their own address. An address gets ten times the pair's limit,
//! since many members can share one behind a proxy. Each attempt is counted
//! before its password is checked, so concurrent guesses on any replica
//! cannot pass the limit; a correct password gives its attempt back.

use domain::limit::LimitStore;
use domain::repository::StorageError;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;

/// Login attempts counted within a window, in a store replicas share.
pub struct LoginThrottle {
    store: Arc<dyn LimitStore>,
    max_failures: u32,
    window: Duration,
}

/// The keys one login attempt is counted under. The email is hashed, so the
/// store holds no addresses of members.
pub struct LoginKeys {
    pair: String,
    address: String,
}

impl LoginKeys {
    pub fn new(email: &str, address: &str) -> Self {
        let digest = Sha256::digest(format!("{email}\n{address}").as_bytes());
        Self {
            pair: format!("login:pair:{}", hex::encode(&digest[..16])),
            address: format!("login:address:{address}"),
        }
    }
}

impl LoginThrottle {
    pub fn new(store: Arc<dyn LimitStore>, max_failures: u32, window: Duration) -> Self {
        Self {
            store,
            max_failures,
            window,
        }
    }

    fn window_ms(&self) -> i64 {
        i64::try_from(self.window.as_millis()).unwrap_or(i64::MAX)
    }

    /// Counts an attempt; `Some(seconds to wait)` when the pair or the
    /// address is past its limit, and the password must not be checked.
    pub async fn attempt(&self, keys: &LoginKeys) -> Result<Option<u64>, StorageError> {
        let now = chrono::Utc::now().timestamp_millis();
        let limits = [
            (&keys.pair, i64::from(self.max_failures)),
            (
                &keys.address,
                i64::from(self.max_failures.saturating_mul(10)),
            ),
        ];
        let mut wait = None;
        for (key, limit) in limits {
            let counted = self.store.count(key, 1, self.window_ms(), now).await?;
            if counted.count > limit {
                wait = wait.max(Some(counted.retry_after_seconds(now)));
            }
        }
        Ok(wait)
    }

    /// A correct password: the pair starts again and the address gets its attempt back.
    pub async fn succeeded(&self, keys: &LoginKeys) -> Result<(), StorageError> {
        let now = chrono::Utc::now().timestamp_millis();
        self.store.forget(&keys.pair).await?;
        self.store
            .count(&keys.address, -1, self.window_ms(), now)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::MemoryLimits;

    fn throttle(max: u32) -> LoginThrottle {
        LoginThrottle::new(
            Arc::new(MemoryLimits::default()),
            max,
            Duration::from_secs(60),
        )
    }

    #[tokio::test]
    async fn a_pair_is_refused_past_its_limit_and_the_owner_elsewhere_is_not() {
        let throttle = throttle(3);
        let attacker = LoginKeys::new("a@example.org", "10.0.0.1");
        let owner = LoginKeys::new("a@example.org", "10.0.0.2");

        for _ in 0..3 {
            assert_eq!(throttle.attempt(&attacker).await.unwrap(), None);
        }
        let refused = throttle.attempt(&attacker).await.unwrap();

        assert!(refused.is_some_and(|s| (1..=60).contains(&s)));
        assert_eq!(throttle.attempt(&owner).await.unwrap(), None);
    }

    #[tokio::test]
    async fn an_address_gets_ten_times_the_limit_and_success_gives_attempts_back() {
        let throttle = throttle(1);
        for i in 0..10 {
            let keys = LoginKeys::new(&format!("m{i}@example.org"), "10.0.0.9");
            assert_eq!(throttle.attempt(&keys).await.unwrap(), None);
            throttle.succeeded(&keys).await.unwrap();
        }
        for i in 0..10 {
            let keys = LoginKeys::new(&format!("n{i}@example.org"), "10.0.0.9");
            assert_eq!(throttle.attempt(&keys).await.unwrap(), None, "{i}");
        }
        let eleventh = LoginKeys::new("o@example.org", "10.0.0.9");
        assert!(throttle.attempt(&eleventh).await.unwrap().is_some());
    }
}
