//! OAuth 2 (RFC 6749) as Mastodon clients use it: app registration, the
//! authorization-code grant with PKCE (RFC 7636), the password,
//! client-credentials and refresh-token grants, revocation (RFC 7009), and
//! turning a bearer token into a [`Session`].

mod apps;
mod secrets;
mod session;
mod sign_in;
mod staff_session;
mod tokens;

pub use apps::{NewApp, OOB_REDIRECT_URI, RegisterApp, RegisteredApp, find_app, find_app_by_id, register_app};
pub use session::{Session, SessionUser, authenticate};
pub use sign_in::{CompanySignIn, SignInThrottle, company_sign_in};
pub use staff_session::{STAFF_SESSION_LIFETIME, close_staff_session, form_token, open_staff_session};
pub use tokens::{
    AuthorizationTarget, AuthorizeRequest, Grant, IssuedToken, SignIn, authorize, check_authorization_request,
    is_out_of_band, issue_token, register, revoke,
};

use crate::DomainError;

/// OAuth errors with the codes of RFC 6749 §5.2, which clients show or act
/// on; the description is for the person reading it.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("client authentication failed: unknown client_id or wrong client_secret")]
    InvalidClient,
    #[error("{0}")]
    InvalidGrant(String),
    #[error("{0}")]
    UnsupportedGrantType(String),
    #[error("{0}")]
    InvalidScope(String),
    #[error("{0}")]
    AccessDenied(String),
    /// Sign-in depends on a service that is down (the company directory).
    #[error("{0}")]
    TemporarilyUnavailable(String),
    #[error(transparent)]
    Domain(#[from] DomainError),
}

impl OAuthError {
    /// The RFC 6749 error code.
    pub fn code(&self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(_) => "invalid_request",
            OAuthError::InvalidClient => "invalid_client",
            OAuthError::InvalidGrant(_) => "invalid_grant",
            OAuthError::UnsupportedGrantType(_) => "unsupported_grant_type",
            OAuthError::InvalidScope(_) => "invalid_scope",
            OAuthError::AccessDenied(_) => "access_denied",
            OAuthError::TemporarilyUnavailable(_) => "temporarily_unavailable",
            OAuthError::Domain(_) => "server_error",
        }
    }
}

impl From<tertulia_db::DbError> for OAuthError {
    fn from(error: tertulia_db::DbError) -> Self {
        OAuthError::Domain(error.into())
    }
}
