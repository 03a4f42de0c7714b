//! Web Push, sent for real: the worker that takes queued pushes
//! (`push_deliveries`, queued by `tertulia_domain::push::queue` in the
//! transaction of each notification), encrypts each for its subscription
//! (RFC 8291, [`ece`]), signs it for the push service (RFC 8292, [`vapid`])
//! and posts it (RFC 8030).
//!
//! It lives beside the delivery worker because it shares what makes
//! outgoing requests safe and durable: the address guard (a push endpoint
//! is a URL any client chooses, so it must not reach this server's network),
//! the worker pool, the lease-based claim and the backoff. It does not use
//! the federation switch or allowlist: push services are not sites this
//! one federates with.

pub mod ece;
pub mod vapid;

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE};
use serde_json::json;
use tertulia_core::{Config, Id};
use tertulia_db::Db;
use tertulia_db::push as subscriptions;
use tertulia_db::push_deliveries::{self, PushDeliveryRow};
use tertulia_domain::push::{PushMessage, message};
use tokio::sync::Notify;
use url::Url;

use crate::address_guard::{GuardedResolver, check_destination};
use crate::backoff::{next_attempt_after, retry_after};
use crate::urls::Urls;
pub use vapid::VapidKey;

/// Where a sender without an avatar points `icon`; served by the API.
const MISSING_AVATAR_PATH: &str = "/avatars/original/missing.png";

/// What became of one push.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// Accepted by the push service, or nothing left to send.
    Done,
    /// The push service forgot the subscription (404, 410): it goes.
    SubscriptionGone,
    /// Will never work (refused address, bad keys, a 4xx): dropped.
    Dropped(String),
    /// Worth trying again (timeout, 429, 5xx) while the TTL lasts, and not
    /// before the push service's `Retry-After` if it sent one.
    Retry(String, Option<chrono::TimeDelta>),
}

/// The Web Push sender: the key, an HTTP client behind the address guard,
/// and the queue. Cheap to clone.
#[derive(Clone)]
pub struct Pusher {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    config: Arc<Config>,
    site: Urls,
    key: VapidKey,
    http: reqwest::Client,
    /// Never rung: the pool's polling is soon enough for a push.
    wake: Notify,
}

impl Pusher {
    /// Loads (or makes, on the very first start) the VAPID key.
    pub async fn new(db: Db, config: Arc<Config>) -> Result<Pusher, crate::FederationError> {
        let key = VapidKey::ensure(&db).await?;
        let settings = &config.federation;
        let timeout = Duration::from_secs(settings.request_timeout_secs);
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(format!("Tertulia/{} (+{})", env!("CARGO_PKG_VERSION"), config.base_url()))
            // A redirect would send the push to an address nobody checked.
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(GuardedResolver { allow_private: settings.allow_private_addresses })
            .build()
            .map_err(|e| crate::FederationError::Internal(format!("the Web Push HTTP client cannot start: {e}")))?;
        let site = Urls::new(&config.base_url());
        Ok(Pusher { inner: Arc::new(Inner { db, config, site, key, http, wake: Notify::new() }) })
    }

    pub fn public_key(&self) -> &str {
        self.inner.key.public_key()
    }

    /// Sends queued pushes until `shutdown` turns true; what is in flight
    /// then is sent again after the next start (the claims are leases).
    pub async fn run(self, shutdown: tokio::sync::watch::Receiver<bool>) {
        let settings = &self.inner.config.federation;
        let lease = crate::delivery::lease(settings.request_timeout_secs);
        let workers = settings.delivery_workers as usize;
        let claim = |free: usize| {
            let db = self.inner.db.clone();
            async move {
                let (now, limit) = (tertulia_db::now(), free as i64);
                match db.run(move |conn| push_deliveries::claim_due(conn, now, limit, lease)).await {
                    Ok(jobs) => jobs,
                    Err(error) => {
                        tracing::error!(%error, "push queue: cannot claim pushes");
                        Vec::new()
                    }
                }
            }
        };
        let start = |job: PushDeliveryRow| {
            let pusher = self.clone();
            async move { pusher.deliver(job).await }
        };
        crate::worker_pool::run(workers, &self.inner.wake, shutdown, claim, start).await;
    }

    async fn deliver(&self, job: PushDeliveryRow) {
        let outcome = self.attempt(&job).await;
        if let Err(error) = self.record(&job, outcome).await {
            tracing::error!(push = job.id, %error, "push queue: cannot record a push's outcome");
        }
    }

    async fn attempt(&self, job: &PushDeliveryRow) -> Outcome {
        let now = tertulia_db::now();
        if job.expires_at <= now {
            return Outcome::Dropped("its TTL ran out before the push service took it".into());
        }
        let found = message(&self.inner.db, Id(job.subscription_id), Id(job.notification_id)).await;
        match found {
            Ok(Some(message)) => {
                let ttl = (job.expires_at - now).num_seconds().max(0);
                self.send(&message, ttl).await
            }
            Ok(None) => Outcome::Done,
            Err(error) => Outcome::Retry(error.to_string(), None),
        }
    }

    async fn send(&self, message: &PushMessage, ttl: i64) -> Outcome {
        let Ok(endpoint) = Url::parse(&message.endpoint) else {
            return Outcome::Dropped(format!("the endpoint {} is not a URL", message.endpoint));
        };
        if self.inner.site.is_local(endpoint.as_str()) {
            return Outcome::Dropped(format!("refusing {endpoint}: it is on this site, not a push service"));
        }
        let allow_private = self.inner.config.federation.allow_private_addresses;
        if let Err(error) = check_destination(&endpoint, allow_private).await {
            return Outcome::Dropped(error.to_string());
        }
        let body = match ece::encrypt(self.payload(message).to_string().as_bytes(), &message.p256dh, &message.auth) {
            Ok(body) => body,
            Err(error) => return Outcome::Dropped(error.to_string()),
        };
        let authorization = match self.inner.key.authorization(&endpoint, &self.subject(), chrono::Utc::now()) {
            Ok(header) => header,
            Err(error) => return Outcome::Retry(error.to_string(), None),
        };
        let request = self
            .inner
            .http
            .post(endpoint.as_str())
            .header(AUTHORIZATION, authorization)
            .header("TTL", ttl.to_string())
            .header("Urgency", "normal")
            .header(CONTENT_ENCODING, "aes128gcm")
            .header(CONTENT_TYPE, "application/octet-stream")
            .body(body);
        match request.send().await {
            Ok(response) => outcome_of(response.status(), retry_after(response.headers(), chrono::Utc::now())),
            Err(error) => Outcome::Retry(format!("cannot reach the push service: {error}"), None),
        }
    }

    /// The fields Mastodon's web push payload has, bar `access_token`:
    /// tokens are stored only as hashes here, and the client that
    /// subscribed already holds its own.
    fn payload(&self, message: &PushMessage) -> serde_json::Value {
        let icon = message.icon.clone().unwrap_or_else(|| format!("{}{MISSING_AVATAR_PATH}", self.inner.site.base()));
        json!({
            "notification_id": message.notification_id.to_string(),
            "notification_type": message.notification_type,
            "title": message.title,
            "body": message.body,
            "icon": icon,
            "preferred_locale": message.preferred_locale,
        })
    }

    /// Who the push service can contact about this sender (RFC 8292
    /// section 2.1): the admin's address, else the site.
    fn subject(&self) -> String {
        let email = &self.inner.config.instance.contact_email;
        if email.is_empty() { self.inner.site.base().to_owned() } else { format!("mailto:{email}") }
    }

    async fn record(&self, job: &PushDeliveryRow, outcome: Outcome) -> Result<(), crate::FederationError> {
        let (id, subscription) = (job.id, job.subscription_id);
        let db = &self.inner.db;
        match outcome {
            Outcome::Done => db.write(move |conn| push_deliveries::complete(conn, id)).await?,
            Outcome::SubscriptionGone => {
                tracing::info!(subscription, "the push service no longer knows a subscription: removed it");
                db.write(move |conn| subscriptions::delete_by_id(conn, subscription)).await?;
            }
            Outcome::Dropped(reason) => {
                tracing::warn!(subscription, %reason, "push not sent, and will not be retried");
                db.write(move |conn| push_deliveries::complete(conn, id)).await?;
            }
            Outcome::Retry(reason, asked) => {
                let next = next_attempt_after(tertulia_db::now(), job.attempts, asked);
                if next >= job.expires_at {
                    tracing::warn!(subscription, %reason, "push not sent before its TTL ran out: dropped");
                    db.write(move |conn| push_deliveries::complete(conn, id)).await?;
                } else {
                    tracing::info!(subscription, attempt = job.attempts + 1, %reason, "push failed; will retry");
                    db.write(move |conn| push_deliveries::retry_at(conn, id, next, &reason)).await?;
                }
            }
        }
        Ok(())
    }
}

/// RFC 8030 section 7.3 and 8: 404 and 410 mean the subscription is over;
/// 429 and 5xx are temporary; any other 4xx (a bad request, a key the push
/// service refuses, a message too large) would fail the same way again.
/// `asked` is the wait the service gave with `Retry-After`.
fn outcome_of(status: StatusCode, asked: Option<chrono::TimeDelta>) -> Outcome {
    match status {
        status if status.is_success() => Outcome::Done,
        StatusCode::NOT_FOUND | StatusCode::GONE => Outcome::SubscriptionGone,
        StatusCode::TOO_MANY_REQUESTS => Outcome::Retry("the push service answered HTTP 429".into(), asked),
        status if status.is_server_error() => Outcome::Retry(format!("the push service answered HTTP {status}"), asked),
        status => Outcome::Dropped(format!("the push service answered HTTP {status}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_service_answers_map_to_outcomes() {
        let minute = Some(chrono::TimeDelta::minutes(1));
        assert_eq!(outcome_of(StatusCode::CREATED, None), Outcome::Done);
        assert_eq!(outcome_of(StatusCode::GONE, None), Outcome::SubscriptionGone);
        assert_eq!(outcome_of(StatusCode::NOT_FOUND, None), Outcome::SubscriptionGone);
        assert!(matches!(outcome_of(StatusCode::TOO_MANY_REQUESTS, minute), Outcome::Retry(_, wait) if wait == minute));
        assert!(
            matches!(outcome_of(StatusCode::SERVICE_UNAVAILABLE, minute), Outcome::Retry(_, wait) if wait == minute)
        );
        assert!(matches!(outcome_of(StatusCode::BAD_GATEWAY, None), Outcome::Retry(_, None)));
        assert!(matches!(outcome_of(StatusCode::FORBIDDEN, None), Outcome::Dropped(_)));
    }
}
