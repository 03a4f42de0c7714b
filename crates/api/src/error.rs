//! The one place errors become HTTP responses: `{"error": "..."}` with the
//! status Mastodon uses for the same situation. Parameters that cannot be
//! read are a 400; readable input that breaks a rule is a 422 shaped like
//! Mastodon's validation errors, with `details` naming each field at fault
//! and the rule as Mastodon's error code (`ERR_BLANK`, `ERR_TAKEN`…).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use tertulia_domain::oauth::OAuthError;
use tertulia_domain::{DomainError, Invalidity};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A request that cannot be understood: unreadable parameters (bad
    /// JSON, text where a number is wanted), a bad streaming request.
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    /// Readable input that breaks a rule of one field (422 with details).
    #[error("Validation failed: {field}: {reason}")]
    Invalid { field: String, kind: Invalidity, reason: String },
    /// A request Mastodon also refuses with 422 that no field is at fault
    /// for (an app token where a user is needed).
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
            DomainError::Invalid { field, kind, reason } => ApiError::Invalid { field: field.into(), kind, reason },
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
            OAuthError::TemporarilyUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
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
            ApiError::Invalid { .. } | ApiError::Unprocessable(_) | ApiError::UnexpectedMentions { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
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
        let body = match self {
            ApiError::Invalid { field, kind, reason } => serde_json::json!({
                "error": self.to_string(),
                "details": { field: [{ "error": error_code(*kind), "description": reason }] },
            }),
            // Every 422 has `details`, as clients and the API description
            // expect of a validation error, even with no field to name.
            ApiError::Unprocessable(message) => serde_json::json!({ "error": message, "details": {} }),
            ApiError::UnexpectedMentions { message, accounts } => {
                serde_json::json!({ "error": message, "unexpected_accounts": accounts })
            }
            other => serde_json::json!({ "error": other.to_string() }),
        };
        HttpResponse::build(self.status_code()).json(body)
    }
}

impl ApiError {
    /// Input of `field` that breaks a rule checked at the API edge.
    pub fn invalid(kind: Invalidity, field: &str, reason: impl Into<String>) -> Self {
        ApiError::Invalid { field: field.to_owned(), kind, reason: reason.into() }
    }
}

/// Mastodon's code for the rule, as its `ValidationErrorFormatter` names
/// the Rails validator that failed.
fn error_code(kind: Invalidity) -> &'static str {
    match kind {
        Invalidity::Blank => "ERR_BLANK",
        Invalidity::TooLong => "ERR_TOO_LONG",
        Invalidity::TooShort => "ERR_TOO_SHORT",
        Invalidity::Taken => "ERR_TAKEN",
        Invalidity::Accepted => "ERR_ACCEPTED",
        Invalidity::Inclusion => "ERR_INCLUSION",
        Invalidity::AboveLimit => "ERR_ABOVE_LIMIT",
        Invalidity::Invalid => "ERR_INVALID",
    }
}
