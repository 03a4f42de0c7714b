//! The one place errors become HTTP responses: `{"error": "..."}` with the
//! status Mastodon uses for the same situation.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use tertulia_domain::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    NotFound(String),
    /// Well-formed HTTP whose content breaks a rule (Mastodon answers 422).
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    Unavailable(String),
    /// A fault of ours: the cause is logged with the request id; the client
    /// is told only that it happened.
    #[error("internal error")]
    Internal(String),
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::NotFound(what) => ApiError::NotFound(format!("{what} not found")),
            e @ DomainError::Invalid { .. } => ApiError::Unprocessable(e.to_string()),
            DomainError::Conflict(message) => ApiError::Conflict(message),
            DomainError::Unavailable(message) => ApiError::Unavailable(message),
            DomainError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => tracing::error!(%cause, "request failed"),
            ApiError::Unavailable(cause) => tracing::warn!(%cause, "database unavailable"),
            _ => {}
        }
        HttpResponse::build(self.status_code()).json(serde_json::json!({ "error": self.to_string() }))
    }
}
