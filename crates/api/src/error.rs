//! The one place errors become HTTP responses: `{"error": "..."}` with the
//! status Mastodon uses for the same situation.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use tertulia_domain::DomainError;
use tertulia_domain::oauth::OAuthError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A request that cannot be understood (a bad streaming request).
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    /// Well-formed HTTP whose content breaks a rule (Mastodon answers 422).
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    Conflict(String),
    /// A post mentioning accounts the client did not allow: 422 with the
    /// accounts, rendered, as `unexpected_accounts`.
    #[error("{message}")]
    UnexpectedMentions { message: String, accounts: serde_json::Value },
    /// No valid token, or none given where one is needed.
    #[error("{0}")]
    Unauthorized(String),
    /// A valid token that lacks the scope, or a user who may not do this.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// The database is unreachable: the cause is logged, the client is
    /// told to retry (driver messages can name internal hosts).
    #[error("the service is temporarily unavailable; try again shortly")]
    Unavailable(String),
    /// The server is at a configured capacity (503), said in the message.
    #[error("{0}")]
    Busy(String),
    /// An OAuth endpoint's error, in RFC 6749 §5.2 form.
    #[error("{description}")]
    OAuth { status: StatusCode, code: &'static str, description: String },
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
            // Rendered with the accounts where the config is at hand (the
            // statuses handlers); this is the fallback without them.
            e @ DomainError::UnexpectedMentions(_) => ApiError::Unprocessable(e.to_string()),
            DomainError::Forbidden(message) => ApiError::Forbidden(message),
            DomainError::Unavailable(message) => ApiError::Unavailable(message),
            DomainError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<OAuthError> for ApiError {
    fn from(error: OAuthError) -> Self {
        let status = match &error {
            OAuthError::InvalidClient => StatusCode::UNAUTHORIZED,
            OAuthError::AccessDenied(_) => StatusCode::FORBIDDEN,
            _ => StatusCode::BAD_REQUEST,
        };
        match error {
            OAuthError::Domain(inner) => inner.into(),
            other => ApiError::OAuth { status, code: other.code(), description: other.to_string() },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Unprocessable(_) | ApiError::UnexpectedMentions { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) | ApiError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::OAuth { status, .. } => *status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => tracing::error!(%cause, "request failed"),
            ApiError::Unavailable(cause) => tracing::warn!(%cause, "database unavailable"),
            _ => {}
        }
        if let ApiError::OAuth { code, description, .. } = self {
            return HttpResponse::build(self.status_code())
                .json(serde_json::json!({ "error": code, "error_description": description }));
        }
        if let ApiError::UnexpectedMentions { message, accounts } = self {
            return HttpResponse::build(self.status_code())
                .json(serde_json::json!({ "error": message, "unexpected_accounts": accounts }));
        }
        HttpResponse::build(self.status_code()).json(serde_json::json!({ "error": self.to_string() }))
    }
}
