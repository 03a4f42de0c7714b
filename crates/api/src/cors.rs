//! Cross-origin access for web clients served from another site (Elk,
//! Phanpy, an intranet portal), following the CORS protocol of the Fetch
//! standard (<https://fetch.spec.whatwg.org/#http-cors-protocol>) with the
//! policy Mastodon has, so web clients written for Mastodon work unchanged.
//!
//! Any origin may read the client API, the token endpoints and the public
//! documents: they are authorised by a bearer token the page sends on
//! purpose, never by cookies, and the answer is `*` without credentials, so
//! a page from another site can do nothing with a visitor's browser that it
//! could not do from its own server. Every other path, above all the HTML
//! sign-in and consent page (`/oauth/authorize`), gets no CORS header at all.
//!
//! This middleware sits before the route handlers, the token check and the
//! rate limits: a preflight is answered here, so a browser's preflights do
//! not use up the address's request budget, and every answer of an open
//! path, errors and 429s included, carries the headers.

use std::rc::Rc;

use actix_cors::{Cors, CorsMiddleware};
use actix_web::Error;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::Method;
use futures_util::future::LocalBoxFuture;

/// Paths open to other origins: exactly these, or everything below those
/// that end in `/`. The actor and post documents (`/users/…`, `/actor`) are
/// JSON for scripts; a browser that navigates there is sent to the web
/// page, which is not listed.
const OPEN_PATHS: [&str; 7] =
    ["/api/", "/oauth/token", "/oauth/revoke", "/.well-known/", "/nodeinfo/", "/users/", "/actor"];

/// Headers a page's script may read from an answer. Without `Link` a web
/// client cannot see the next page's address and silently stops paging.
const EXPOSED_HEADERS: [&str; 6] =
    ["link", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-request-id", "retry-after"];

/// How long a browser may reuse a preflight's answer, in seconds: two
/// hours, the longest Chromium keeps one.
const PREFLIGHT_MAX_AGE_SECS: usize = 7200;

/// Whether CORS applies to `path`, a route pattern or a request path.
fn is_open(path: &str) -> bool {
    OPEN_PATHS.iter().any(|open| if open.ends_with('/') { path.starts_with(open) } else { path == *open })
}

/// Decided on the route the request will reach, as the rate limits are (see
/// `rate_limit::route_limit`), so no spelling of `/oauth/authorize` is
/// taken for an open path; a path no route matches (a 404) by its own text.
fn is_open_request(request: &ServiceRequest) -> bool {
    match request.resource_map().match_pattern(request.match_info().as_str()) {
        Some(route) => is_open(&route),
        None => is_open(request.match_info().as_str()),
    }
}

/// The one CORS policy. Any requested header is allowed (echoed back), as
/// clients send `Authorization`, `Content-Type`, `Idempotency-Key` and
/// others of their own.
fn policy() -> Cors {
    Cors::default()
        .allow_any_origin()
        .send_wildcard()
        .allowed_methods([Method::GET, Method::HEAD, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allow_any_header()
        .expose_headers(EXPOSED_HEADERS)
        .max_age(PREFLIGHT_MAX_AGE_SECS)
}

/// The middleware (`wrap` it once, outside the rate limits): the CORS
/// policy for open paths, and nothing for the others.
pub struct CrossOrigin;

impl<S, B> Transform<S, ServiceRequest> for CrossOrigin
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type InitError = ();
    type Transform = CrossOriginMiddleware<S>;
    type Future = LocalBoxFuture<'static, Result<Self::Transform, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        let service = Rc::new(service);
        let cors = policy().new_transform(service.clone());
        Box::pin(async move { Ok(CrossOriginMiddleware { cors: cors.await?, service }) })
    }
}

pub struct CrossOriginMiddleware<S> {
    cors: CorsMiddleware<Rc<S>>,
    service: Rc<S>,
}

impl<S, B> Service<ServiceRequest> for CrossOriginMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Error>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        if is_open_request(&request) {
            return Box::pin(self.cors.call(request));
        }
        let answer = self.service.call(request);
        Box::pin(async move { Ok(answer.await?.map_into_left_body()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_tokens_and_public_documents_are_open_and_the_sign_in_page_is_not() {
        for open in [
            "/api/v1/timelines/home",
            "/api/v2/media",
            "/oauth/token",
            "/oauth/revoke",
            "/.well-known/webfinger",
            "/nodeinfo/2.0",
            "/users/{name}",
            "/users/{name}/statuses/{id}",
            "/actor",
        ] {
            assert!(is_open(open), "{open}");
        }
        for closed in [
            "/oauth/authorize",
            "/oauth/token/x",
            "/@{name}",
            "/@{name}/{id}",
            "/healthz",
            "/media/{path:.*}",
            "/apix",
            "/",
        ] {
            assert!(!is_open(closed), "{closed}");
        }
    }
}
