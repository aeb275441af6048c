//! Slows password guessing: too many failed logins for one account, or from
//! one address, within a window answer 429 until the window passes.
//! Keys starting `ip:` get ten times the account limit, since many members
//! can share an address behind one proxy.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed-login counts per key (an email or an address) within a window.
pub struct LoginThrottle {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginThrottle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds to wait if any key is over its limit.
    pub fn retry_after(&self, keys: &[&str]) -> Option<u64> {
        let failures = self.failures.lock().ok()?;
        let now = Instant::now();
        keys.iter()
            .filter_map(|key| failures.get(*key).map(|entry| (self.limit_for(key), entry)))
            .filter(|(limit, (count, since))| {
                count >= limit && now.duration_since(*since) < self.window
            })
            .map(|(_, (_, since))| (self.window - now.duration_since(*since)).as_secs().max(1))
            .max()
    }

    fn limit_for(&self, key: &str) -> u32 {
        if key.starts_with("ip:") {
            self.max_failures.saturating_mul(10)
        } else {
            self.max_failures
        }
    }

    pub fn record_failure(&self, keys: &[&str]) {
        let Ok(mut failures) = self.failures.lock() else {
            return;
        };
        let now = Instant::now();
        if failures.len() > 100_000 {
            failures.retain(|_, (_, since)| now.duration_since(*since) < self.window);
        }
        for key in keys {
            let entry = failures.entry((*key).to_owned()).or_insert((0, now));
            if now.duration_since(entry.1) >= self.window {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
    }

    pub fn record_success(&self, key: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_and_success_clears_the_account() {
        let throttle = LoginThrottle::new(3, Duration::from_secs(60));
        for _ in 0..2 {
            throttle.record_failure(&["a@example.org", "ip:10.0.0.1"]);
        }
        assert_eq!(throttle.retry_after(&["a@example.org"]), None);
        throttle.record_failure(&["a@example.org", "ip:10.0.0.1"]);
        assert!(
            throttle
                .retry_after(&["a@example.org"])
                .is_some_and(|s| s <= 60)
        );
        assert_eq!(
            throttle.retry_after(&["b@example.org", "ip:10.0.0.1"]),
            None,
            "addresses allow more"
        );
        for _ in 0..27 {
            throttle.record_failure(&["ip:10.0.0.1"]);
        }
        assert!(
            throttle
                .retry_after(&["b@example.org", "ip:10.0.0.1"])
                .is_some()
        );
        throttle.record_success("a@example.org");
        assert_eq!(throttle.retry_after(&["a@example.org"]), None);
    }

    #[test]
    fn the_window_expires() {
        let throttle = LoginThrottle::new(1, Duration::from_millis(1));
        throttle.record_failure(&["k"]);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(throttle.retry_after(&["k"]), None);
    }
}
