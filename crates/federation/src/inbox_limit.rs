//! How many activities one remote host may post to our inboxes
//! (`rate_limits.inbox_per_host`), so one site cannot flood the queue.
//!
//! Counted after the signature is verified, against the signer's host:
//! only a site that holds the key can spend its own allowance. Hosts are
//! counted in five-minute windows by the same bounded counters as the API's
//! per-IP limits, which apply before any verification.

use chrono::Utc;
use tertulia_core::config::RateLimitsConfig;
use tertulia_core::window_counters::WindowCounters;
use tertulia_db::actors::ActorRow;

use crate::urls::host_of;
use crate::{Federation, FederationError};

const WINDOW_SECS: u32 = 300;
/// Hosts counted at once, which bounds the memory used. Only hosts whose
/// signatures verified are counted, so a full table means activities from
/// thousands of sites within five minutes.
const MAX_HOSTS: usize = 10_000;

/// Activities counted per host in the current window.
#[derive(Debug)]
pub(crate) struct InboxLimiter {
    /// `None` when rate limits are switched off.
    per_host: Option<u32>,
    counters: WindowCounters<String>,
}

impl InboxLimiter {
    pub(crate) fn new(config: &RateLimitsConfig) -> InboxLimiter {
        InboxLimiter {
            per_host: config.enabled.then_some(config.inbox_per_host),
            counters: WindowCounters::new(WINDOW_SECS, MAX_HOSTS),
        }
    }

    /// Counts one activity from `host` at `now` (Unix seconds); past the
    /// limit, the whole seconds until the host's window ends instead.
    fn count(&self, host: &str, now: i64) -> Result<(), u64> {
        let Some(limit) = self.per_host else {
            return Ok(());
        };
        let counted = self.counters.try_add(&host.to_owned(), limit, now);
        if counted.allowed { Ok(()) } else { Err(u64::try_from(counted.window_end - now).unwrap_or(0)) }
    }
}

impl Federation {
    /// Counts an activity whose signature `signer` made; refused past the
    /// signer's host's allowance.
    pub(crate) fn count_activity_from(&self, signer: &ActorRow) -> Result<(), FederationError> {
        let host = host_of(&signer.uri).unwrap_or_default();
        self.inner.inbox_limiter.count(&host, Utc::now().timestamp()).map_err(|retry_after_secs| {
            FederationError::TooManyActivities {
                host,
                limit: self.config().rate_limits.inbox_per_host,
                retry_after_secs,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The start of a five-minute window.
    const START: i64 = 1_800_000_000;

    fn limiter(per_host: u32) -> InboxLimiter {
        InboxLimiter::new(&RateLimitsConfig { inbox_per_host: per_host, ..RateLimitsConfig::default() })
    }

    #[test]
    fn a_host_gets_its_limit_per_window_and_other_hosts_are_unaffected() {
        let limiter = limiter(3);
        for _ in 0..3 {
            assert_eq!(limiter.count("busy.example", START), Ok(()));
        }
        assert_eq!(limiter.count("busy.example", START + 100), Err(200), "seconds until its window ends");
        assert_eq!(limiter.count("quiet.example", START + 100), Ok(()));
        assert_eq!(limiter.count("busy.example", START + 300), Ok(()), "a new window");
    }

    #[test]
    fn switched_off_with_the_other_rate_limits() {
        let limiter =
            InboxLimiter::new(&RateLimitsConfig { enabled: false, inbox_per_host: 1, ..RateLimitsConfig::default() });
        assert!((0..10).all(|_| limiter.count("busy.example", START).is_ok()));
    }

    #[test]
    fn memory_stays_bounded() {
        let limiter = limiter(5);
        for n in 0..MAX_HOSTS * 2 {
            assert!(limiter.count(&format!("h{n}.example"), START).is_ok());
        }
        assert!(limiter.counters.len() <= MAX_HOSTS);
    }
}
