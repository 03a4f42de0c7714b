//! The delivery worker: claims due jobs from the persistent queue, signs
//! and sends each, and records the outcome.
//!
//! A job is deleted only after the receiving site answered 2xx, so a crash
//! (even `kill -9`) loses nothing: the claim is a lease, and a job whose
//! lease runs out is claimed again after a restart. The receiver drops the
//! rare duplicate by activity id. Failures back off exponentially with
//! jitter, and wait at least as long as a `Retry-After` asks; a 4xx other
//! than 401/408/429 is final. A host that keeps failing is
//! marked unreachable and retried hourly; its first success releases all
//! its waiting jobs at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tertulia_core::metrics::{self, DeliveryOutcome as Counted};
use tertulia_db::delivery::{self, DeliveryJobRow};
use tertulia_db::instances;
use tokio::sync::Semaphore;

use crate::backoff::next_attempt_after;
use crate::client::DeliveryOutcome;
use crate::{Federation, FederationError};

/// How long a claimed job is reserved for the worker sending it: longer
/// than a send can take (connect and answer timeouts, plus a margin), short
/// enough that a crashed process's jobs come back soon.
pub(crate) fn lease(request_timeout_secs: u64) -> chrono::Duration {
    chrono::Duration::seconds(i64::try_from(request_timeout_secs).unwrap_or(60).saturating_mul(2) + 5)
}
/// Consecutive failures after which a host is considered unreachable.
const UNREACHABLE_AFTER: i32 = 8;
/// How often an unreachable host is tried.
const UNREACHABLE_RETRY_SECS: i64 = 3600;

/// Runs until `shutdown` turns true. Sends in flight when it stops are
/// abandoned; their leases expire and the next start sends them.
pub async fn run(federation: Federation, shutdown: tokio::sync::watch::Receiver<bool>) {
    let settings = &federation.config().federation;
    let hosts = HostLimits::new(settings.deliveries_per_host as usize);
    let lease = lease(settings.request_timeout_secs);
    let claim = |free: usize| {
        let federation = federation.clone();
        async move {
            let (now, limit) = (tertulia_db::now(), free as i64);
            match federation.db().run(move |conn| delivery::claim_due(conn, now, limit, lease)).await {
                Ok(jobs) => jobs,
                Err(error) => {
                    tracing::error!(%error, "delivery queue: cannot claim jobs");
                    Vec::new()
                }
            }
        }
    };
    let start = |job: DeliveryJobRow| {
        let host = hosts.permit(&job.inbox_host);
        let federation = federation.clone();
        async move {
            let _host = host.acquire_owned().await;
            federation.deliver(job).await;
        }
    };
    let workers = settings.delivery_workers as usize;
    crate::worker_pool::run(workers, &federation.inner.deliveries_queued, shutdown, claim, start).await;
}

/// One semaphore per remote host, so a slow site cannot take every slot.
struct HostLimits {
    per_host: usize,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl HostLimits {
    fn new(per_host: usize) -> HostLimits {
        HostLimits { per_host, hosts: Mutex::new(HashMap::new()) }
    }

    fn permit(&self, host: &str) -> Arc<Semaphore> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        hosts.entry(host.to_owned()).or_insert_with(|| Arc::new(Semaphore::new(self.per_host))).clone()
    }
}

impl Federation {
    /// Sends one job and records what happened.
    async fn deliver(&self, job: DeliveryJobRow) {
        let outcome = match self.send(&job).await {
            Ok(outcome) => outcome,
            Err(error) => DeliveryOutcome::retry(error.to_string()),
        };
        if let Err(error) = self.record_outcome(&job, outcome).await {
            tracing::error!(job = job.id, %error, "delivery queue: cannot record a delivery's outcome");
        }
    }

    async fn send(&self, job: &DeliveryJobRow) -> Result<DeliveryOutcome, FederationError> {
        let inbox = url::Url::parse(&job.inbox_url)
            .map_err(|e| FederationError::invalid(format!("inbox '{}': {e}", job.inbox_url)))?;
        let key = self.signing_key(job.actor_account_id).await?;
        Ok(self.client().deliver(&inbox, job.payload.as_bytes(), &key).await)
    }

    async fn record_outcome(&self, job: &DeliveryJobRow, outcome: DeliveryOutcome) -> Result<(), FederationError> {
        let (id, host) = (job.id, job.inbox_host.clone());
        let now = tertulia_db::now();
        match outcome {
            DeliveryOutcome::Delivered => {
                metrics::delivery(&host, Counted::Success);
                tracing::debug!(activity = %job.activity_id, inbox = %job.inbox_url, "delivered");
                self.db()
                    .run(move |conn| {
                        tertulia_db::transaction(conn, |conn| {
                            delivery::complete(conn, id)?;
                            if instances::record_success(conn, &host, now)? {
                                tracing::info!(%host, "site reachable again: sending what waited for it");
                                delivery::release_host(conn, &host, now)?;
                            }
                            Ok::<_, tertulia_db::DbError>(())
                        })
                    })
                    .await?;
            }
            DeliveryOutcome::Refused { reason } => {
                metrics::delivery(&host, Counted::GaveUp);
                tracing::warn!(activity = %job.activity_id, inbox = %job.inbox_url, %reason, "delivery not allowed");
                self.db().write(move |conn| delivery::fail(conn, id, now, &reason)).await?;
            }
            DeliveryOutcome::Rejected { status } => {
                metrics::delivery(&host, Counted::GaveUp);
                tracing::warn!(activity = %job.activity_id, inbox = %job.inbox_url, status, "delivery refused for good");
                let error = format!("the receiving server answered HTTP {status}");
                self.db()
                    .run(move |conn| {
                        tertulia_db::transaction(conn, |conn| {
                            delivery::fail(conn, id, now, &error)?;
                            // It answered: the site itself is up.
                            instances::record_success(conn, &host, now)?;
                            Ok::<_, tertulia_db::DbError>(())
                        })
                    })
                    .await?;
            }
            DeliveryOutcome::Retry { reason, retry_after } => {
                let max_age = chrono::Duration::days(i64::from(self.config().federation.delivery_max_age_days));
                let expired = job.created_at + max_age <= now;
                metrics::delivery(&host, if expired { Counted::GaveUp } else { Counted::Failure });
                let next = next_attempt_after(now, job.attempts, retry_after);
                tracing::info!(activity = %job.activity_id, inbox = %job.inbox_url, attempt = job.attempts + 1, %reason, "delivery failed");
                self.db()
                    .run(move |conn| {
                        tertulia_db::transaction(conn, |conn| {
                            let health = instances::record_failure(conn, &host, now, UNREACHABLE_AFTER)?;
                            if expired {
                                delivery::fail(conn, id, now, &format!("gave up after retrying: {reason}"))?;
                            } else if health.unreachable_since.is_some() {
                                let later = now + chrono::Duration::seconds(UNREACHABLE_RETRY_SECS);
                                delivery::retry_at(conn, id, next.max(later), &reason)?;
                                delivery::defer_host(conn, &host, later)?;
                            } else {
                                delivery::retry_at(conn, id, next, &reason)?;
                            }
                            Ok::<_, tertulia_db::DbError>(())
                        })
                    })
                    .await?;
            }
        }
        Ok(())
    }
}
