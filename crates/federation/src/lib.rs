//! Tertulia's ActivityPub side: what other sites see of this one (actors,
//! notes, collections), how requests between sites are signed and checked
//! (HTTP Signatures), and the queues that make federation survive
//! restarts: the outbox of changes to announce, the deliveries to make,
//! and the activities received.
//!
//! Flow out: a domain service records an `Outgoing` in its transaction;
//! [`outbox`] renders it and queues one delivery per inbox; [`delivery`]
//! signs and sends each, retrying with backoff. Flow in: [`routes`]
//! verifies a signed POST and stores it; [`inbox`] applies it through
//! `tertulia_domain::remote`.
// `serde_json::json!` recurses once per key: the JSON-LD context
// (`protocol::context`) has more terms than the default limit of 128 allows.
#![recursion_limit = "256"]

mod activities;
pub mod address_guard;
mod adoption;
mod announcements;
mod backoff;
pub mod client;
pub mod delivery;
mod error;
pub mod fuzzing;
mod groups;
pub mod inbox;
mod inbox_limit;
#[cfg(test)]
mod interop_tests;
mod keys;
mod moves;
pub mod outbox;
pub mod protocol;
pub mod push;
mod quotes;
mod relays;
mod render;
mod reports;
mod resolver;
pub mod routes;
pub mod signatures;
mod site_identity;
mod sites;
pub mod urls;
mod verify;
mod worker_pool;

use std::sync::Arc;

use tertulia_core::Config;
use tertulia_db::Db;
use tertulia_db::actors::ActorRow;
use tertulia_domain::federation_policy::Limits;
use tertulia_domain::{Context, Events};
use tokio::sync::Notify;

pub use error::FederationError;
pub use sites::SiteFollow;

use crate::client::{ClientSettings, FederationClient};
use crate::inbox_limit::InboxLimiter;
use crate::keys::KeyCache;
use crate::signatures::SigningKey;
use crate::urls::Urls;

/// Everything federation needs, shared by the routes and the workers.
/// Cloning gives another handle to the same state.
#[derive(Clone)]
pub struct Federation {
    inner: Arc<Inner>,
}

struct Inner {
    ctx: Context,
    urls: Urls,
    client: FederationClient,
    keys: KeyCache,
    /// Actors re-fetched lately because a request's key failed.
    refetches: verify::Refetches,
    instance_actor: ActorRow,
    /// Rung when deliveries were queued, so they go out at once.
    deliveries_queued: Notify,
    /// Rung when an activity was received.
    activities_received: Notify,
    /// Activities counted per remote host.
    inbox_limiter: InboxLimiter,
}

impl Federation {
    /// Prepares federation: makes sure the site's own actor and its key
    /// exist. Workers are started separately with [`Federation::spawn_workers`].
    pub async fn new(ctx: Context) -> Result<Federation, FederationError> {
        let config = &ctx.config;
        ctx.policy.refresh(&ctx.db).await?;
        let urls = Urls::new(&config.base_url());
        let instance_actor = keys::ensure_instance_actor(&ctx.db, &urls, &config.domain).await?;
        let settings = &config.federation;
        if settings.allow_private_addresses {
            tracing::warn!(
                "federation.allow_private_addresses is ON: http://, localhost and private addresses are accepted. \
                 This is for development and tests only; never run a production site like this."
            );
        }
        let client = FederationClient::new(ClientSettings {
            federation: settings.clone(),
            policy: ctx.policy.clone(),
            site: urls.clone(),
            user_agent: format!("Tertulia/{} (+{})", env!("CARGO_PKG_VERSION"), config.base_url()),
        })
        .map_err(|e| FederationError::Internal(e.to_string()))?;
        let inbox_limiter = InboxLimiter::new(&config.rate_limits);
        Ok(Federation {
            inner: Arc::new(Inner {
                ctx,
                urls,
                client,
                keys: KeyCache::default(),
                refetches: verify::Refetches::default(),
                instance_actor,
                deliveries_queued: Notify::new(),
                activities_received: Notify::new(),
                inbox_limiter,
            }),
        })
    }

    pub fn db(&self) -> &Db {
        &self.inner.ctx.db
    }

    pub fn config(&self) -> &Config {
        &self.inner.ctx.config
    }

    /// What domain operations that write and announce need.
    pub(crate) fn ctx(&self) -> &Context {
        &self.inner.ctx
    }

    pub fn urls(&self) -> &Urls {
        &self.inner.urls
    }

    pub(crate) fn events(&self) -> &Events {
        &self.inner.ctx.events
    }

    pub(crate) fn client(&self) -> &FederationClient {
        &self.inner.client
    }

    pub(crate) fn instance_actor(&self) -> &ActorRow {
        &self.inner.instance_actor
    }

    /// The key the site's own actor signs fetches with.
    pub(crate) async fn instance_key(&self) -> Result<SigningKey, FederationError> {
        self.signing_key(self.inner.instance_actor.id).await
    }

    /// The key a local account signs with, made on first use.
    pub(crate) async fn signing_key(&self, account: i64) -> Result<SigningKey, FederationError> {
        self.inner.keys.signing_key(&self.inner.ctx.db, account).await
    }

    /// Whether, and with which limits, this site federates with `host` (a
    /// host with its port, if any): the federation policy's answer.
    pub fn admit(&self, host: &str) -> Result<Limits, FederationError> {
        self.inner.ctx.policy.check(host).map_err(|refusal| FederationError::Forbidden(refusal.to_string()))
    }

    /// Starts the outbox, delivery and inbox workers; they stop when
    /// `shutdown` fires.
    pub fn spawn_workers(&self, shutdown: tokio::sync::watch::Receiver<bool>) -> Vec<tokio::task::JoinHandle<()>> {
        vec![
            tokio::spawn(outbox::run(self.clone(), shutdown.clone())),
            tokio::spawn(delivery::run(self.clone(), shutdown.clone())),
            tokio::spawn(inbox::run(self.clone(), shutdown)),
        ]
    }
}
