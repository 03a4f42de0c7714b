//! `GET /metrics`: the operations metrics in the Prometheus text format
//! (docs/metrics.md), on the main address behind `metrics.token` or alone
//! on `metrics.listen`. The metrics themselves are declared in
//! `tertulia_core::metrics`; this module only adds what is read at scrape
//! time and checks the token.

mod process;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use subtle::ConstantTimeEq;
use tertulia_core::metrics::{self, CONTENT_TYPE, Snapshot};

use crate::{ApiError, AppState, routes};

pub(crate) const PATH: &str = "/metrics";

/// The routes of the separate metrics address (`metrics.listen`): only
/// `/metrics`, so nothing else of the site is reachable there.
pub fn configure_listener(state: AppState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(state))
            .route(PATH, web::get().to(scrape))
            .default_service(web::to(routes::not_found));
    }
}

/// Registers `/metrics` on the main address when the configuration puts
/// it there (a token and no separate address).
pub(crate) fn configure_main(on_main_address: bool) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        if on_main_address {
            cfg.route(PATH, web::get().to(scrape));
        }
    }
}

async fn scrape(state: web::Data<AppState>, request: HttpRequest) -> Result<HttpResponse, ApiError> {
    check_token(&state.ctx.config.metrics.token, &request)?;
    let metrics = metrics::installed().ok_or_else(|| ApiError::Internal("metrics are not set up".into()))?;
    let snapshot = Snapshot {
        pool: tertulia_domain::metrics::pool_usage(&state.ctx),
        queues: tertulia_domain::metrics::queue_depths(&state.ctx).await?,
        streaming_connections: state.streaming_slots.open().into(),
        process: process::usage(),
    };
    let text = metrics.render(&snapshot).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok().content_type(CONTENT_TYPE).body(text))
}

/// With a token configured, the scraper must send it as a bearer token.
/// Compared in constant time, so timing the answer does not reveal it.
fn check_token(token: &str, request: &HttpRequest) -> Result<(), ApiError> {
    if token.is_empty() {
        return Ok(());
    }
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    if bool::from(given.as_bytes().ct_eq(token.as_bytes())) {
        return Ok(());
    }
    Err(ApiError::Unauthorized(
        "The metrics need the metrics token: have the scraper send `Authorization: Bearer <token>` with the \
         value of metrics.token from this server's configuration (see docs/metrics.md)"
            .into(),
    ))
}
