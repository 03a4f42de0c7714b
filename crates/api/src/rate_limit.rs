//! Request limits in fixed five-minute windows (Mastodon's scheme), with
//! `X-RateLimit-*` headers on every answer:
//!
//! - the client API (`/api/…`, `/oauth/…`): per valid access token, or per
//!   address for requests without one or with a token that is not valid;
//!   sign-in attempts also count per address under a lower limit;
//! - the routes other sites call (inboxes, actors, posts, collections,
//!   WebFinger, NodeInfo): per address, under their own, higher limit;
//! - health probes and stored files: not limited.
//!
//! Which limit applies is decided on the route the request will reach, so
//! no spelling of a path (`/%6Fauth/token`) escapes its limit.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};
use chrono::{DateTime, Utc};
use tertulia_core::config::RateLimitsConfig;
use tertulia_core::window_counters::{Counted, WindowCounters};

use crate::auth::{Bearer, check_bearer};
use crate::client_address::ClientAddress;
use crate::{ApiError, AppState, routes};

const WINDOW_SECS: u32 = 300;
/// Counters kept at most: tokens and addresses come from strangers, so the
/// map is capped (see `WindowCounters` for what is forgotten first).
const MAX_TRACKED: usize = 100_000;
/// Where a sign-in form or the token endpoint checks a password.
const SIGN_IN_ROUTES: [&str; 3] = ["/oauth/token", "/oauth/authorize", "/admin/sign_in"];

/// What a request is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Bucket {
    /// A valid access token, by its id.
    Token(i64),
    Address(ClientAddress),
    SignIn(ClientAddress),
    /// Requests from other sites' servers.
    Server(ClientAddress),
}

/// The limit a route falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RouteLimit {
    ClientApi { sign_in: bool },
    ServerToServer,
}

/// In-memory counters shared by all workers.
#[derive(Debug)]
pub struct RateLimiter {
    config: RateLimitsConfig,
    counters: WindowCounters<Bucket>,
}

impl RateLimiter {
    pub fn new(config: &RateLimitsConfig) -> RateLimiter {
        RateLimiter { config: config.clone(), counters: WindowCounters::new(WINDOW_SECS, MAX_TRACKED) }
    }

    fn count(&self, bucket: Bucket, now: i64) -> Verdict {
        let limit = match bucket {
            Bucket::Token(_) => self.config.per_token,
            Bucket::Address(_) => self.config.per_ip,
            Bucket::SignIn(_) => self.config.sign_in_per_ip,
            Bucket::Server(_) => self.config.server_per_ip,
        };
        Verdict { limit, counted: self.counters.try_add(&bucket, limit, now) }
    }
}

/// The outcome of counting one request.
struct Verdict {
    limit: u32,
    counted: Counted,
}

impl Verdict {
    fn reset(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.counted.window_end, 0).unwrap_or_else(Utc::now)
    }
}

/// The limit for the route this request will reach, if any. The router matches the
/// percent-decoded path (`/%6Fauth/token` reaches `/oauth/token`), while
/// `match_pattern()` before routing, as in a middleware, matches the raw
/// one: so the route is looked up here for the decoded path, as the router
/// will look it up, in the same route table.
fn route_limit(request: &ServiceRequest) -> Option<RouteLimit> {
    let pattern = request.resource_map().match_pattern(request.match_info().as_str());
    match pattern.as_deref() {
        Some(route) if routes::UNLIMITED.contains(&route) => None,
        Some(route) if route.starts_with("/api/") || route.starts_with("/oauth/") || route.starts_with("/admin") => {
            Some(RouteLimit::ClientApi { sign_in: request.method() == Method::POST && SIGN_IN_ROUTES.contains(&route) })
        }
        Some(_) => Some(RouteLimit::ServerToServer),
        // No such route: a 404, counted like the client API.
        None => Some(RouteLimit::ClientApi { sign_in: false }),
    }
}

/// The middleware: counts the request, refuses it with 429 past a limit,
/// and adds the `X-RateLimit-*` headers.
pub async fn rate_limit(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = request.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(request).await?.map_into_boxed_body());
    };
    let limiter = &state.rate_limiter;
    let limit = route_limit(&request).filter(|_| limiter.config.enabled);
    let (Some(limit), Some(address)) = (limit, state.proxies.client_of(request.request())) else {
        return Ok(next.call(request).await?.map_into_boxed_body());
    };
    let now = Utc::now().timestamp();
    let bucket = match limit {
        RouteLimit::ServerToServer => Bucket::Server(address),
        RouteLimit::ClientApi { sign_in } => {
            if sign_in {
                let verdict = limiter.count(Bucket::SignIn(address), now);
                if !verdict.counted.allowed {
                    return Ok(refuse(request, &verdict, now));
                }
            }
            // Only a token that is valid has a budget of its own: made-up
            // tokens count against the address they come from.
            match check_bearer(request.request()).await {
                Ok(Bearer::Valid(session)) => Bucket::Token(session.token_id.0),
                _ => Bucket::Address(address),
            }
        }
    };
    let verdict = limiter.count(bucket, now);
    if !verdict.counted.allowed {
        return Ok(refuse(request, &verdict, now));
    }
    let mut response = next.call(request).await?.map_into_boxed_body();
    add_headers(response.headers_mut(), &verdict);
    Ok(response)
}

fn refuse(request: ServiceRequest, verdict: &Verdict, now: i64) -> ServiceResponse<BoxBody> {
    let retry_after = (verdict.counted.window_end - now).max(1);
    let error = ApiError::TooManyRequests(format!("Too many requests: try again in {retry_after} seconds"));
    let mut response = error.error_response();
    add_headers(response.headers_mut(), verdict);
    if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
        response.headers_mut().insert(HeaderName::from_static("retry-after"), value);
    }
    request.into_response(response)
}

fn add_headers(headers: &mut HeaderMap, verdict: &Verdict) {
    let reset = crate::entities::timestamp(verdict.reset());
    for (name, value) in [
        ("x-ratelimit-limit", verdict.limit.to_string()),
        ("x-ratelimit-remaining", verdict.limit.saturating_sub(verdict.counted.count).to_string()),
        ("x-ratelimit-reset", reset),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use actix_web::test::{self, TestRequest};
    use actix_web::{App, HttpResponse};

    use super::*;

    /// The limit the middleware picks for `method path`, in an app shaped
    /// like `configure`'s: one scope, the client API in a scope of its own,
    /// `tidy_path` in front.
    async fn limit_for(method: Method, path: &str) -> Option<Option<RouteLimit>> {
        let seen = Rc::new(Cell::new(None));
        let recorder = seen.clone();
        let app = test::init_service(
            App::new().service(
                web::scope("")
                    .wrap(actix_web::middleware::from_fn(move |request: ServiceRequest, next: Next<BoxBody>| {
                        recorder.set(Some(route_limit(&request)));
                        next.call(request)
                    }))
                    .wrap(actix_web::middleware::from_fn(crate::tidy_path::tidy_path))
                    .service(web::scope("/api").route("/v1/accounts/{id}", web::get().to(HttpResponse::Ok)))
                    .route("/healthz", web::get().to(HttpResponse::Ok))
                    .route("/oauth/token", web::post().to(HttpResponse::Ok))
                    .route("/users/{name}/inbox", web::post().to(HttpResponse::Ok)),
            ),
        )
        .await;
        test::call_service(&app, TestRequest::default().method(method).uri(path).to_request()).await;
        seen.get()
    }

    #[actix_web::test]
    async fn the_limit_follows_the_route_reached_however_the_path_is_spelled() {
        let sign_in = Some(Some(RouteLimit::ClientApi { sign_in: true }));
        for spelling in ["/oauth/token", "/%6Fauth/token", "/oauth/%74oken", "/oauth//token/", "/%6f%61uth/token"] {
            assert_eq!(limit_for(Method::POST, spelling).await, sign_in, "{spelling}");
        }
        let client_api = Some(Some(RouteLimit::ClientApi { sign_in: false }));
        assert_eq!(limit_for(Method::GET, "/%61pi/v1/accounts/1").await, client_api);
        assert_eq!(limit_for(Method::POST, "/users/ana/%69nbox").await, Some(Some(RouteLimit::ServerToServer)));
        assert_eq!(limit_for(Method::GET, "/no/such/route").await, client_api, "a 404 counts as client API");
        assert_eq!(limit_for(Method::GET, "/healthz").await, Some(None), "not limited");
    }
}
