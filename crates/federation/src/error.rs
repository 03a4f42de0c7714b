//! Federation errors, mapped once to HTTP answers for other servers.

use tertulia_db::DbError;
use tertulia_domain::DomainError;

use crate::address_guard::GuardError;
use crate::client::FetchError;
use crate::signatures::SignatureError;

#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    /// The request's signature is missing or does not hold.
    #[error("{0}")]
    Signature(#[from] SignatureError),
    /// The signature holds, but the signer may not do this (a forged actor,
    /// a domain outside the allowlist).
    #[error("{0}")]
    Forbidden(String),
    /// The document is not ActivityPub we can read.
    #[error("{0}")]
    Invalid(String),
    /// No such actor or object here.
    #[error("{0} not found")]
    NotFound(String),
    /// It existed and was deleted (answered 410, so others forget it).
    #[error("{0} was deleted")]
    Gone(String),
    /// A remote host sent more activities than `rate_limits.inbox_per_host`
    /// allows in five minutes.
    #[error(
        "{host} sent more than {limit} activities in five minutes (this site's rate_limits.inbox_per_host); \
         try again in {retry_after_secs} seconds"
    )]
    TooManyActivities { host: String, limit: u32, retry_after_secs: u64 },
    /// Another server could not give us something we needed.
    #[error("{0}")]
    Fetch(#[from] FetchError),
    #[error("{0}")]
    Domain(#[from] DomainError),
    #[error("{0}")]
    Db(#[from] DbError),
    #[error("{0}")]
    Internal(String),
}

impl FederationError {
    pub fn invalid(message: impl Into<String>) -> Self {
        FederationError::Invalid(message.into())
    }

    /// A short fixed name of what went wrong, for the metrics' `reason`
    /// label (the message itself varies without end).
    pub(crate) fn reason(&self) -> &'static str {
        match self {
            FederationError::Signature(_) => "signature",
            FederationError::Forbidden(_) => "forbidden",
            FederationError::Invalid(_) => "invalid",
            FederationError::NotFound(_) => "not_found",
            FederationError::Gone(_) => "gone",
            FederationError::TooManyActivities { .. } => "rate_limited",
            FederationError::Fetch(_) => "fetch",
            FederationError::Domain(_) => "domain",
            FederationError::Db(_) => "database",
            FederationError::Internal(_) => "internal",
        }
    }

    /// Whether doing the same again later may succeed: a site down or slow,
    /// a busy database, a race with another writer (two senders bringing
    /// in the same post). Refusals (forged, invalid, not allowed, unknown,
    /// deleted) would only be refused again.
    pub(crate) fn may_pass(&self) -> bool {
        match self {
            FederationError::Signature(_)
            | FederationError::Forbidden(_)
            | FederationError::Invalid(_)
            | FederationError::NotFound(_)
            | FederationError::Gone(_) => false,
            FederationError::TooManyActivities { .. } | FederationError::Internal(_) => true,
            FederationError::Fetch(error) => error.may_pass(),
            FederationError::Domain(error) => {
                matches!(error, DomainError::Conflict(_) | DomainError::Unavailable(_) | DomainError::Internal(_))
            }
            FederationError::Db(error) => !matches!(error, DbError::NotFound),
        }
    }
}

impl FetchError {
    /// Whether fetching again later may succeed (see [`FederationError::may_pass`]).
    fn may_pass(&self) -> bool {
        match self {
            // DNS trouble passes; a forbidden destination stays forbidden.
            FetchError::Refused(guard) => matches!(guard, GuardError::Resolve { .. }),
            FetchError::Status(status) => !crate::client::is_final_refusal(*status),
            FetchError::Transport(_) => true,
            // Policy (federation off, a site not allowed) changes only by an
            // admin's hand; retrying before then would only fail again.
            FetchError::NotAllowed(_)
            | FetchError::Gone
            | FetchError::TooManyRedirects
            | FetchError::TooLarge { .. }
            | FetchError::NotJson(_)
            | FetchError::Signing(_) => false,
        }
    }
}
