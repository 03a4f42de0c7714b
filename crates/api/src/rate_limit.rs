//! Request limits per token and per IP address, in fixed five-minute
//! windows (Mastodon's scheme), with `X-RateLimit-*` headers on every answer.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};
use chrono::{DateTime, Utc};
use tertulia_core::config::RateLimitsConfig;

use crate::auth::bearer_token;
use crate::{ApiError, AppState};

const WINDOW: Duration = Duration::from_secs(300);
/// Forget counters this many windows old; keeps memory bounded.
const PRUNE_EVERY_CHECKS: u64 = 10_000;

/// What a request is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Bucket {
    /// A hash of the token: the token itself is never kept.
    Token(u64),
    Ip(IpAddr),
    SignIn(IpAddr),
}

/// In-memory counters shared by all workers.
#[derive(Debug)]
pub struct RateLimiter {
    config: RateLimitsConfig,
    trusted: Vec<IpAddr>,
    hasher: RandomState,
    state: Mutex<Counters>,
}

#[derive(Debug, Default)]
struct Counters {
    windows: HashMap<Bucket, (i64, u32)>,
    checks: u64,
}

/// The outcome of counting one request.
struct Verdict {
    limit: u32,
    remaining: u32,
    reset: DateTime<Utc>,
    allowed: bool,
}

impl RateLimiter {
    pub fn new(config: &RateLimitsConfig) -> RateLimiter {
        RateLimiter {
            trusted: config.trusted_proxies.iter().filter_map(|p| p.parse().ok()).collect(),
            config: config.clone(),
            hasher: RandomState::new(),
            state: Mutex::new(Counters::default()),
        }
    }

    /// Counts one request against `bucket` at `now` (Unix seconds).
    fn check(&self, bucket: Bucket, limit: u32, now: i64) -> Verdict {
        let window_secs = WINDOW.as_secs() as i64;
        let window = now - now.rem_euclid(window_secs);
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        state.checks += 1;
        if state.checks.is_multiple_of(PRUNE_EVERY_CHECKS) {
            state.windows.retain(|_, (start, _)| *start >= window);
        }
        let entry = state.windows.entry(bucket).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        let allowed = entry.1 < limit;
        if allowed {
            entry.1 += 1;
        }
        Verdict {
            limit,
            remaining: limit.saturating_sub(entry.1),
            reset: DateTime::from_timestamp(window + window_secs, 0).unwrap_or_else(Utc::now),
            allowed,
        }
    }

    /// The caller's address: the peer, or the last address a trusted
    /// proxy appended to `X-Forwarded-For`.
    fn client_ip(&self, request: &ServiceRequest) -> Option<IpAddr> {
        let peer = request.peer_addr()?.ip();
        if !self.trusted.contains(&peer) {
            return Some(peer);
        }
        let forwarded = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok());
        Some(forwarded.unwrap_or(peer))
    }
}

fn is_client_api(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/oauth/")
}

fn is_sign_in(request: &ServiceRequest) -> bool {
    request.method() == actix_web::http::Method::POST && matches!(request.path(), "/oauth/token" | "/oauth/authorize")
}

/// The middleware: counts the request, refuses it with 429 past a limit,
/// and adds the `X-RateLimit-*` headers.
pub async fn rate_limit(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(limiter) = request.app_data::<web::Data<AppState>>().map(|s| s.rate_limiter.clone()) else {
        return Ok(next.call(request).await?.map_into_boxed_body());
    };
    // Only what clients call is limited: health probes, and the requests of
    // other sites (bounded by their own delivery queues), are not.
    if !limiter.config.enabled || !is_client_api(request.path()) {
        return Ok(next.call(request).await?.map_into_boxed_body());
    }
    let now = Utc::now().timestamp();
    let ip = limiter.client_ip(&request);
    if is_sign_in(&request)
        && let Some(ip) = ip
    {
        let verdict = limiter.check(Bucket::SignIn(ip), limiter.config.sign_in_per_ip, now);
        if !verdict.allowed {
            return Ok(refuse(request, &verdict, now));
        }
    }
    let bucket = match bearer_token(request.request()) {
        Some(token) => Some((Bucket::Token(limiter.hasher.hash_one(token)), limiter.config.per_token)),
        None => ip.map(|ip| (Bucket::Ip(ip), limiter.config.per_ip)),
    };
    let Some((bucket, limit)) = bucket else {
        return Ok(next.call(request).await?.map_into_boxed_body());
    };
    let verdict = limiter.check(bucket, limit, now);
    if !verdict.allowed {
        return Ok(refuse(request, &verdict, now));
    }
    let mut response = next.call(request).await?.map_into_boxed_body();
    add_headers(response.headers_mut(), &verdict);
    Ok(response)
}

fn refuse(request: ServiceRequest, verdict: &Verdict, now: i64) -> ServiceResponse<BoxBody> {
    let retry_after = (verdict.reset.timestamp() - now).max(1);
    let error = ApiError::TooManyRequests(format!("Too many requests: try again in {retry_after} seconds"));
    let mut response = error.error_response();
    add_headers(response.headers_mut(), verdict);
    if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
        response.headers_mut().insert(HeaderName::from_static("retry-after"), value);
    }
    request.into_response(response)
}

fn add_headers(headers: &mut actix_web::http::header::HeaderMap, verdict: &Verdict) {
    let reset = crate::entities::timestamp(verdict.reset);
    for (name, value) in [
        ("x-ratelimit-limit", verdict.limit.to_string()),
        ("x-ratelimit-remaining", verdict.remaining.to_string()),
        ("x-ratelimit-reset", reset),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_limit_then_refuses_until_the_next_window() {
        let limiter = RateLimiter::new(&RateLimitsConfig::default());
        let bucket = Bucket::Ip("10.0.0.1".parse().unwrap());
        let start = 1_800_000_100 - 1_800_000_100 % 300;
        for expected_remaining in (0..3).rev() {
            let verdict = limiter.check(bucket, 3, start + 10);
            assert!(verdict.allowed);
            assert_eq!(verdict.remaining, expected_remaining);
        }
        assert!(!limiter.check(bucket, 3, start + 20).allowed);
        assert!(limiter.check(Bucket::Ip("10.0.0.2".parse().unwrap()), 3, start + 20).allowed, "others unaffected");
        let next_window = limiter.check(bucket, 3, start + 300);
        assert!(next_window.allowed);
        assert_eq!(next_window.reset.timestamp(), start + 600);
    }
}
