//! When a failed attempt is tried again; one schedule for the delivery
//! queue and the inbox.

use chrono::NaiveDateTime;
use rand::Rng;

/// First retry delay; doubled per failure up to [`MAX_BACKOFF_SECS`].
const FIRST_BACKOFF_SECS: i64 = 10;
const MAX_BACKOFF_SECS: i64 = 6 * 3600;

/// When to try again after `attempts` failures: exponential, with ±25 %
/// jitter so the jobs of one outage do not all return at the same second.
pub(crate) fn next_attempt(now: NaiveDateTime, attempts: i32) -> NaiveDateTime {
    let exponent = attempts.clamp(0, 20) as u32;
    let base = FIRST_BACKOFF_SECS.saturating_mul(1_i64 << exponent).min(MAX_BACKOFF_SECS);
    let jitter = rand::thread_rng().gen_range(-base / 4..=base / 4);
    now + chrono::Duration::seconds(base + jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_attempts_stays_jittered_and_is_capped() {
        let now = tertulia_db::now();
        for attempts in 0..30 {
            let delay = (next_attempt(now, attempts) - now).num_seconds();
            let base = (FIRST_BACKOFF_SECS << attempts.min(20)).min(MAX_BACKOFF_SECS);
            assert!(delay >= base - base / 4 && delay <= base + base / 4, "attempt {attempts}: {delay}s");
        }
    }
}
