//! Request ids, one log line per request, and the request metrics.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tertulia_core::metrics;
use tracing::Instrument;

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Tags the request with an id (the caller's `X-Request-Id` when it is a
/// short token, so a proxy's id carries through; a fresh one otherwise),
/// runs it inside a span carrying that id, echoes the id in the response,
/// and logs method, path, status and duration; counts it in the metrics
/// by its route's pattern (the path would make a series per status id).
pub async fn request_log(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .map(str::to_owned)
        .unwrap_or_else(new_request_id);
    let span = tracing::info_span!("request", id = %id);
    let method = request.method().clone();
    let path = request.path().to_owned();
    let started = Instant::now();
    let mut response = next.call(request).instrument(span.clone()).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID.clone(), value);
    }
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    // Asked of the answered request: routing has trimmed its trailing slash.
    metrics::http_request(response.request().match_pattern().as_deref(), method.as_str(), status, elapsed);
    let elapsed_ms = format!("{:.1}", elapsed.as_secs_f64() * 1000.0);
    span.in_scope(|| tracing::info!(%method, %path, status, %elapsed_ms, "request"));
    Ok(response)
}

fn new_request_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}
