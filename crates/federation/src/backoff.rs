//! When a failed attempt is tried again; one schedule for the delivery
//! queue, the inbox and Web Push.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use rand::Rng;
use reqwest::header::{HeaderMap, RETRY_AFTER};

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

/// When to try again after `attempts` failures, when the other server may
/// have said how long to wait (`asked`): never sooner than it asked.
pub(crate) fn next_attempt_after(now: NaiveDateTime, attempts: i32, asked: Option<TimeDelta>) -> NaiveDateTime {
    let backoff = next_attempt(now, attempts);
    asked.map_or(backoff, |wait| backoff.max(now + wait))
}

/// How long a server asked us to wait with `Retry-After` (RFC 9110 section
/// 10.2.3), sent with 429 and 503: delay-seconds or an HTTP date. Capped at
/// the longest backoff, so one answer cannot park a queue for days; a value
/// that is neither form is ignored and the usual backoff applies.
pub(crate) fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<TimeDelta> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => TimeDelta::seconds(i64::try_from(seconds).unwrap_or(i64::MAX).min(MAX_BACKOFF_SECS)),
        Err(_) => DateTime::parse_from_rfc2822(value).ok()?.with_timezone(&Utc) - now,
    };
    Some(wait.clamp(TimeDelta::zero(), TimeDelta::seconds(MAX_BACKOFF_SECS)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn asked(value: &str, now: DateTime<Utc>) -> Option<TimeDelta> {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
        retry_after(&headers, now)
    }

    #[test]
    fn retry_after_is_read_in_both_forms_and_capped() {
        let now = DateTime::parse_from_rfc3339("2026-12-06T10:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(asked("120", now), Some(TimeDelta::seconds(120)));
        assert_eq!(asked("Sun, 06 Dec 2026 10:05:00 GMT", now), Some(TimeDelta::minutes(5)));
        assert_eq!(asked("Sun, 06 Dec 2026 09:00:00 GMT", now), Some(TimeDelta::zero()), "a date passed");
        assert_eq!(asked("99999999999", now), Some(TimeDelta::seconds(MAX_BACKOFF_SECS)));
        assert_eq!(asked("soon", now), None);
        assert_eq!(asked("-5", now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn an_asked_wait_longer_than_the_backoff_is_honoured() {
        let now = tertulia_db::now();
        let hour = TimeDelta::hours(1);
        assert!(next_attempt_after(now, 0, Some(hour)) == now + hour);
        assert!(next_attempt_after(now, 0, Some(TimeDelta::seconds(1))) > now + TimeDelta::seconds(1));
        assert!(next_attempt_after(now, 0, None) <= now + TimeDelta::seconds(13));
    }

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
