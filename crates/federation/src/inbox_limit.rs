//! How many activities one remote host may post to our inboxes
//! (`rate_limits.inbox_per_host`), so one site cannot flood the queue.
//!
//! Counted after the signature is verified, against the signer's host:
//! only a site that holds the key can spend its own allowance. Each host
//! has a five-minute window that its first activity opens. Per-IP limits
//! on the same routes, which apply before any verification, live in the
//! API's rate limiter.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tertulia_core::config::RateLimitsConfig;
use tertulia_db::actors::ActorRow;

use crate::urls::host_of;
use crate::{Federation, FederationError};

const WINDOW: Duration = Duration::from_secs(300);
/// Hosts counted at once, which bounds the memory used. Only hosts whose
/// signatures verified are counted, so a full table means activities from
/// thousands of sites within five minutes; a host new to a full table then
/// waits until a window ends.
const MAX_HOSTS: usize = 10_000;

/// Activities counted per host in the current window.
#[derive(Debug)]
pub(crate) struct InboxLimiter {
    /// `None` when rate limits are switched off.
    per_host: Option<u32>,
    windows: Mutex<HashMap<String, Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    opened: Instant,
    count: u32,
}

impl InboxLimiter {
    pub(crate) fn new(config: &RateLimitsConfig) -> InboxLimiter {
        InboxLimiter { per_host: config.enabled.then_some(config.inbox_per_host), windows: Mutex::default() }
    }

    /// Counts one activity from `host` at `now`; past the limit, how long
    /// until the host's window ends instead.
    fn count(&self, host: &str, now: Instant) -> Result<(), Duration> {
        let Some(limit) = self.per_host else {
            return Ok(());
        };
        let left_of = |window: &Window| WINDOW.saturating_sub(now.duration_since(window.opened));
        let mut windows = self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if !windows.contains_key(host) && windows.len() >= MAX_HOSTS {
            windows.retain(|_, window| !left_of(window).is_zero());
            if windows.len() >= MAX_HOSTS {
                return Err(windows.values().map(left_of).min().unwrap_or(WINDOW));
            }
        }
        let window = windows.entry(host.to_owned()).or_insert(Window { opened: now, count: 0 });
        if left_of(window).is_zero() {
            *window = Window { opened: now, count: 0 };
        }
        if window.count >= limit {
            return Err(left_of(window));
        }
        window.count += 1;
        Ok(())
    }
}

impl Federation {
    /// Counts an activity whose signature `signer` made; refused past the
    /// signer's host's allowance.
    pub(crate) fn count_activity_from(&self, signer: &ActorRow) -> Result<(), FederationError> {
        let host = host_of(&signer.uri).unwrap_or_default();
        self.inner.inbox_limiter.count(&host, Instant::now()).map_err(|wait| FederationError::TooManyActivities {
            host,
            limit: self.config().rate_limits.inbox_per_host,
            // Whole seconds, rounded up: retrying at the second given works.
            retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_host: u32) -> InboxLimiter {
        InboxLimiter::new(&RateLimitsConfig { inbox_per_host: per_host, ..RateLimitsConfig::default() })
    }

    #[test]
    fn a_host_gets_its_limit_per_window_and_other_hosts_are_unaffected() {
        let limiter = limiter(3);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.count("busy.example", start), Ok(()));
        }
        let later = start + Duration::from_secs(100);
        assert_eq!(limiter.count("busy.example", later), Err(Duration::from_secs(200)), "until its window ends");
        assert_eq!(limiter.count("quiet.example", later), Ok(()));
        assert_eq!(limiter.count("busy.example", start + WINDOW), Ok(()), "a new window");
    }

    #[test]
    fn switched_off_with_the_other_rate_limits() {
        let limiter =
            InboxLimiter::new(&RateLimitsConfig { enabled: false, inbox_per_host: 1, ..RateLimitsConfig::default() });
        let now = Instant::now();
        assert!((0..10).all(|_| limiter.count("busy.example", now).is_ok()));
    }

    #[test]
    fn memory_stays_bounded_and_ended_windows_make_room() {
        let limiter = limiter(5);
        let start = Instant::now();
        for n in 0..MAX_HOSTS {
            assert!(limiter.count(&format!("h{n}.example"), start).is_ok());
        }
        let soon = start + Duration::from_secs(60);
        assert_eq!(limiter.count("new.example", soon), Err(WINDOW - Duration::from_secs(60)), "the table is full");
        assert_eq!(limiter.count("h1.example", soon), Ok(()), "hosts already counted go on");
        assert_eq!(limiter.count("new.example", start + WINDOW), Ok(()), "ended windows are dropped");
        assert_eq!(limiter.windows.lock().unwrap().len(), 1);
    }
}
