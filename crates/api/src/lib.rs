//! Tertulia's HTTP surface: the Mastodon client API, instance metadata,
//! nodeinfo and health checks. Handlers parse, call `tertulia-domain`, and
//! render entities; they hold no business rules.

mod accounts;
mod admin;
mod announcements;
mod auth;
mod campaigns;
mod client_address;
mod conversations;
mod cors;
mod csv;
mod dashboard;
mod directory;
mod domain_blocks;
mod entities;
mod error;
mod events;
mod featured_tags;
mod filters;
mod forms;
pub mod fuzzing;
mod groups;
mod health;
mod ics;
mod instance;
mod instance_pages;
mod instance_policy;
mod kudos;
mod lists;
mod markers;
mod media;
pub mod metrics;
mod nodeinfo;
mod notification_requests;
mod notifications;
mod oauth;
mod pagination;
mod polls;
mod profile;
mod public_pages;
mod push;
mod rate_limit;
mod reports;
mod request_log;
mod routes;
mod scheduled;
mod search;
mod startup;
mod static_files;
mod statuses;
mod streaming;
mod suggestions;
mod tags;
mod tidy_path;
mod timelines;
mod uploads;
mod web;

use std::sync::Arc;

use tertulia_domain::Context;
use tertulia_domain::oauth::SignInThrottle;
use tertulia_domain::remote::RemoteResolver;

use crate::client_address::TrustedProxies;
use crate::streaming::{StreamingRenders, StreamingSlots};

pub use error::ApiError;
pub use rate_limit::RateLimiter;
pub use routes::configure;

/// What handlers built by a function (one per action or list kind) return.
type HandlerFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Result<actix_web::HttpResponse, ApiError>>>>;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    /// The database, the event hub the streaming API listens to, and the
    /// configuration; made once per process.
    pub ctx: Context,
    pub rate_limiter: Arc<RateLimiter>,
    /// Slows password guessing per account.
    pub sign_ins: Arc<SignInThrottle>,
    pub(crate) proxies: TrustedProxies,
    pub(crate) streaming_slots: Arc<StreamingSlots>,
    /// Streaming events rendered once per viewer situation.
    pub(crate) streaming_renders: Arc<StreamingRenders>,
    /// Finds accounts on other sites; `None` when federation is off.
    pub resolver: Option<Arc<dyn RemoteResolver>>,
}

impl AppState {
    pub fn new(ctx: Context) -> AppState {
        let config = &ctx.config;
        AppState {
            rate_limiter: Arc::new(RateLimiter::new(&config.rate_limits)),
            sign_ins: Arc::new(SignInThrottle::new(&config.rate_limits)),
            proxies: TrustedProxies::new(&config.rate_limits),
            streaming_slots: Arc::new(StreamingSlots::new(&config.limits)),
            streaming_renders: Arc::default(),
            ctx,
            resolver: None,
        }
    }

    /// Lets searches with `resolve=true` look up accounts on other sites.
    pub fn with_resolver(mut self, resolver: Arc<dyn RemoteResolver>) -> AppState {
        self.resolver = Some(resolver);
        self
    }
}

/// Version string in Mastodon's format, so clients that parse it for
/// feature detection see a Mastodon release they understand.
pub const MASTODON_COMPATIBLE_VERSION: &str = concat!("4.3.0 (compatible; Tertulia ", env!("CARGO_PKG_VERSION"), ")");
