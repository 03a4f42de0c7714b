//! The URL → handler table: every route of the server is listed here.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::{ApiError, AppState, accounts, health, instance, nodeinfo, oauth, request_log, static_files};

/// Registers every route, the shared state, body limits and JSON errors.
pub fn configure(state: AppState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        let limit = usize::try_from(state.config.limits.max_request_bytes).unwrap_or(usize::MAX);
        cfg.app_data(web::Data::new(state))
            .app_data(web::JsonConfig::default().limit(limit).error_handler(|e, _| json_error(e)))
            .app_data(web::FormConfig::default().limit(limit).error_handler(|e, _| form_error(e)))
            .app_data(web::PayloadConfig::default().limit(limit))
            .app_data(web::PathConfig::default().error_handler(|e, _| ApiError::NotFound(e.to_string()).into()))
            .app_data(web::QueryConfig::default().error_handler(|e, _| ApiError::Unprocessable(e.to_string()).into()))
            .service(
                web::scope("")
                    .wrap(actix_web::middleware::from_fn(request_log::request_log))
                    .route("/healthz", web::get().to(health::healthz))
                    .route("/api/v1/instance", web::get().to(instance::v1))
                    .route("/api/v2/instance", web::get().to(instance::v2))
                    .route("/.well-known/nodeinfo", web::get().to(nodeinfo::well_known))
                    .route("/.well-known/host-meta", web::get().to(nodeinfo::host_meta))
                    .route("/nodeinfo/{version}", web::get().to(nodeinfo::document))
                    .route("/.well-known/oauth-authorization-server", web::get().to(oauth::metadata))
                    .route("/oauth/authorize", web::get().to(oauth::authorize::show))
                    .route("/oauth/authorize", web::post().to(oauth::authorize::submit))
                    .route("/oauth/token", web::post().to(oauth::token::token))
                    .route("/oauth/revoke", web::post().to(oauth::token::revoke))
                    .route("/api/v1/apps", web::post().to(oauth::apps::create))
                    .route("/api/v1/apps/verify_credentials", web::get().to(oauth::apps::verify_credentials))
                    .route("/api/v1/accounts/verify_credentials", web::get().to(accounts::verify_credentials))
                    .route(static_files::MISSING_AVATAR_PATH, web::get().to(static_files::missing_avatar))
                    .route(static_files::MISSING_HEADER_PATH, web::get().to(static_files::missing_header))
                    .default_service(web::to(not_found)),
            );
    }
}

async fn not_found(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!("no such endpoint: {} {}", request.method(), request.path())))
}

fn json_error(error: actix_web::error::JsonPayloadError) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    match error {
        E::Overflow { limit } | E::OverflowKnownLength { limit, .. } => {
            ApiError::PayloadTooLarge(format!("request body is larger than the {limit}-byte limit")).into()
        }
        E::ContentType => ApiError::Unprocessable("expected Content-Type: application/json".into()).into(),
        other => ApiError::Unprocessable(format!("invalid JSON: {other}")).into(),
    }
}

fn form_error(error: actix_web::error::UrlencodedError) -> actix_web::Error {
    use actix_web::error::UrlencodedError as E;
    match error {
        E::Overflow { limit, .. } => {
            ApiError::PayloadTooLarge(format!("request body is larger than the {limit}-byte limit")).into()
        }
        other => ApiError::Unprocessable(format!("invalid form: {other}")).into(),
    }
}
