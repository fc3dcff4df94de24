//! The retry schedule of a failing delivery: exponential backoff with jitter, capped, for a
//! bounded window after which the subscription is marked `failing`.

use std::time::Duration;

/// When to try again after a failed attempt, and when to give up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Delay before the first retry (contract: about 1 s).
    pub first_delay: Duration,
    /// Longest delay between two attempts (contract: at most 1 h).
    pub max_delay: Duration,
    /// How long an event is retried, counted from its first failure (contract: at least 24 h).
    pub window: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(3600),
            window: Duration::from_secs(24 * 3600),
        }
    }
}

impl RetryPolicy {
    /// The delay after the `failures`-th consecutive failure (1 = the first): `first_delay`
    /// doubled each time, capped at `max_delay`, then scaled by a jitter factor in [0.75, 1.25)
    /// taken from `jitter` ∈ [0, 1) (random in the worker, fixed in tests) and capped again.
    pub fn delay(&self, failures: u32, jitter: f64) -> Duration {
        let doublings = failures.saturating_sub(1).min(32);
        let base = self
            .first_delay
            .saturating_mul(1u32 << doublings.min(31))
            .min(self.max_delay);
        let factor = 0.75 + 0.5 * jitter.clamp(0.0, 1.0);
        base.mul_f64(factor).min(self.max_delay)
    }

    /// Whether an event failing for `failing_for` has used up the window.
    pub fn gives_up(&self, failing_for: Duration) -> bool {
        failing_for >= self.window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_retry_comes_about_a_second_after_the_first_failure() {
        let p = RetryPolicy::default();
        for jitter in [0.0, 0.5, 0.999] {
            let d = p.delay(1, jitter);
            assert!(
                d >= Duration::from_millis(750) && d < Duration::from_millis(1250),
                "{d:?}"
            );
        }
    }

    #[test]
    fn delays_double_then_stop_at_an_hour() {
        let p = RetryPolicy::default();
        let mid: Vec<u64> = (1..=6)
            .map(|n| p.delay(n, 0.5).as_millis() as u64)
            .collect();
        assert_eq!(mid, [1000, 2000, 4000, 8000, 16000, 32000]);
        for n in [13, 20, 40, u32::MAX] {
            assert!(p.delay(n, 0.999) <= Duration::from_secs(3600));
            assert!(p.delay(n, 0.0) >= Duration::from_secs(2700));
        }
    }

    #[test]
    fn jitter_spreads_retries_of_the_same_failure() {
        let p = RetryPolicy::default();
        assert!(p.delay(4, 0.0) < p.delay(4, 0.9));
    }

    #[test]
    fn the_default_schedule_retries_for_a_day_with_many_attempts() {
        let p = RetryPolicy::default();
        let (mut elapsed, mut attempts) = (Duration::ZERO, 0u32);
        while !p.gives_up(elapsed) {
            attempts += 1;
            elapsed += p.delay(attempts, 0.999);
        }
        assert!(elapsed >= Duration::from_secs(24 * 3600));
        assert!(attempts >= 30, "{attempts} attempts");
        assert!(!p.gives_up(Duration::from_secs(24 * 3600 - 1)));
    }
}
