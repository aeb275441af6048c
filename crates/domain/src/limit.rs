//! Limits counted in a store every replica shares: request budgets (a
//! generic cell rate algorithm: one "full again at" time per key) and counts
//! within a fixed window (login attempts). The arithmetic lives here; a
//! store only applies it atomically.

use crate::MemberId;
use crate::member::Role;
use crate::repository::StorageError;
use async_trait::async_trait;
use std::num::NonZeroU32;
use uuid::Uuid;

/// How many requests a key may make: `per_minute` sustained, `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub per_minute: NonZeroU32,
    pub burst: NonZeroU32,
}

/// What taking one request from a budget decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    Allowed { remaining: u32, reset_seconds: u64 },
    Refused { retry_after_seconds: u64 },
}

/// A sign-in session as it stood when a request's budget was taken: its
/// member and their stored role while it is live (not revoked, not expired,
/// its member not erased), `None` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionSeen {
    pub session: Uuid,
    pub live: Option<(MemberId, Role)>,
}

impl Budget {
    /// Milliseconds one request uses up.
    pub fn interval_ms(self) -> i64 {
        (60_000 / i64::from(self.per_minute.get())).max(1)
    }

    /// How far ahead of now the bucket's "full at" time may be before a request is refused.
    pub fn slack_ms(self) -> i64 {
        self.interval_ms() * (i64::from(self.burst.get()) - 1)
    }

    /// The new "full at" time if one more request fits, given the stored one.
    pub fn next_full_at(self, full_at_ms: Option<i64>, now_ms: i64) -> Option<i64> {
        let base = full_at_ms.map_or(now_ms, |at| at.max(now_ms));
        (base - now_ms <= self.slack_ms()).then(|| base + self.interval_ms())
    }

    /// The answer for an allowed request that moved "full at" to `full_at_ms`.
    pub fn allowed(self, full_at_ms: i64, now_ms: i64) -> Taken {
        let ahead = (full_at_ms - now_ms).max(0);
        let capacity = self.interval_ms() * i64::from(self.burst.get());
        let remaining = (capacity - ahead).max(0) / self.interval_ms();
        Taken::Allowed {
            remaining: u32::try_from(remaining).unwrap_or(0),
            reset_seconds: seconds_up(ahead),
        }
    }

    /// The answer for a refused request, the bucket being full at `full_at_ms`.
    pub fn refused(self, full_at_ms: i64, now_ms: i64) -> Taken {
        let wait = full_at_ms.max(now_ms) - now_ms - self.slack_ms();
        Taken::Refused {
            retry_after_seconds: seconds_up(wait).max(1),
        }
    }

    /// Takes one request given the stored "full at" time: the answer and the
    /// time to store (unchanged when refused). What an in-memory store does.
    pub fn take(self, full_at_ms: Option<i64>, now_ms: i64) -> (Taken, Option<i64>) {
        match self.next_full_at(full_at_ms, now_ms) {
            Some(next) => (self.allowed(next, now_ms), Some(next)),
            None => (
                self.refused(full_at_ms.unwrap_or(now_ms), now_ms),
                full_at_ms,
            ),
        }
    }
}

fn seconds_up(ms: i64) -> u64 {
    u64::try_from(ms.max(0)).unwrap_or(0).div_ceil(1000)
}

/// A count within a fixed window, and when the window ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub count: i64,
    pub window_ends_ms: i64,
}

impl Counted {
    /// Adds `delta` to a count stored as (count, window start), starting a
    /// new window when the stored one has ended. Never below zero.
    pub fn add(stored: Option<(i64, i64)>, delta: i64, window_ms: i64, now_ms: i64) -> (i64, i64) {
        match stored {
            Some((count, started)) if started > now_ms - window_ms => {
                ((count + delta).max(0), started)
            }
            _ => (delta.max(0), now_ms),
        }
    }

    /// Whole seconds until the window ends, at least one.
    pub fn retry_after_seconds(self, now_ms: i64) -> u64 {
        seconds_up(self.window_ends_ms - now_ms).max(1)
    }
}

/// Where limits are counted: memory for one process, PostgreSQL or Redis
/// when several replicas must count together. Each call is atomic.
#[async_trait]
pub trait LimitStore: Send + Sync {
    /// Takes one request from `key`'s budget.
    async fn take(&self, key: &str, budget: Budget, now_ms: i64) -> Result<Taken, StorageError>;
    /// Takes one request from `key`'s budget and, where the store holds the
    /// sign-in sessions too (the database), looks up `session` in the same
    /// round trip, as [`SessionRepository::live`] would at `now_ms`. `None`
    /// when it did not look: the caller then asks the session store.
    ///
    /// [`SessionRepository::live`]: crate::repository::SessionRepository::live
    async fn take_looking_up(
        &self,
        key: &str,
        budget: Budget,
        now_ms: i64,
        session: Uuid,
    ) -> Result<(Taken, Option<SessionSeen>), StorageError> {
        let _ = session;
        Ok((self.take(key, budget, now_ms).await?, None))
    }
    /// Adds `delta` (negative to give back) to `key`'s count in its window.
    async fn count(
        &self,
        key: &str,
        delta: i64,
        window_ms: i64,
        now_ms: i64,
    ) -> Result<Counted, StorageError>;
    /// Drops `key`'s count.
    async fn forget(&self, key: &str) -> Result<(), StorageError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(per_minute: u32, burst: u32) -> Budget {
        Budget {
            per_minute: NonZeroU32::new(per_minute).unwrap(),
            burst: NonZeroU32::new(burst).unwrap(),
        }
    }

    #[test]
    fn the_burst_is_allowed_then_refused_with_a_wait() {
        let budget = budget(60, 2);
        let now = 1_000_000;
        let (first, at) = budget.take(None, now);
        let (second, at) = budget.take(at, now);
        let (third, unchanged) = budget.take(at, now);

        assert_eq!(
            first,
            Taken::Allowed {
                remaining: 1,
                reset_seconds: 1
            }
        );
        assert_eq!(
            second,
            Taken::Allowed {
                remaining: 0,
                reset_seconds: 2
            }
        );
        assert_eq!(
            third,
            Taken::Refused {
                retry_after_seconds: 1
            }
        );
        assert_eq!(unchanged, at, "a refusal uses nothing up");
    }

    #[test]
    fn the_budget_refills_at_the_sustained_rate() {
        let budget = budget(60, 2);
        let (_, at) = budget.take(None, 0);
        let (_, at) = budget.take(at, 0);
        assert!(matches!(budget.take(at, 999).0, Taken::Refused { .. }));
        assert!(matches!(
            budget.take(at, 1000).0,
            Taken::Allowed { remaining: 0, .. }
        ));
        assert!(matches!(
            budget.take(at, 60_000).0,
            Taken::Allowed { remaining: 1, .. }
        ));
    }

    #[test]
    fn exactly_the_burst_fits_at_once() {
        let budget = budget(1200, 5);
        let mut at = None;
        let allowed = (0..10)
            .filter(|_| {
                let (taken, next) = budget.take(at, 42);
                at = next;
                matches!(taken, Taken::Allowed { .. })
            })
            .count();
        assert_eq!(allowed, 5);
    }

    #[test]
    fn counts_start_again_when_the_window_ends_and_never_go_below_zero() {
        assert_eq!(Counted::add(None, 1, 1000, 5000), (1, 5000));
        assert_eq!(Counted::add(Some((3, 4500)), 1, 1000, 5000), (4, 4500));
        assert_eq!(Counted::add(Some((3, 4000)), 1, 1000, 5000), (1, 5000));
        assert_eq!(Counted::add(Some((0, 4500)), -1, 1000, 5000), (0, 4500));
        let counted = Counted {
            count: 4,
            window_ends_ms: 5500,
        };
        assert_eq!(counted.retry_after_seconds(5000), 1);
        assert_eq!(counted.retry_after_seconds(3000), 3);
    }
}
