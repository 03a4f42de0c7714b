//! Errors of the business rules, each with a message fit for the person who
//! caused it (an admin at the CLI, a user in a client).

use tertulia_db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The thing asked for does not exist, or the caller may not know it does.
    #[error("{0} not found")]
    NotFound(String),
    /// Input that breaks a rule; `field` names the input at fault.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// The caller is known but may not do this (a suspended account, a
    /// status that is not theirs).
    #[error("{0}")]
    Forbidden(String),
    /// The request clashes with existing data (a taken username).
    #[error("{0}")]
    Conflict(String),
    /// A status would mention accounts outside the `allowed_mentions` the
    /// client sent (Mastodon's check against posting to the wrong people).
    #[error("Post would be sent to unexpected accounts")]
    UnexpectedMentions(Vec<crate::AccountView>),
    /// The database is unreachable or overloaded; worth retrying.
    #[error("{0}")]
    Unavailable(String),
    /// A fault of ours; the cause is logged, not shown to end users.
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        DomainError::Invalid { field, reason: reason.into() }
    }
}

impl From<DbError> for DomainError {
    fn from(error: DbError) -> Self {
        match error {
            DbError::NotFound => DomainError::NotFound("record".into()),
            DbError::Conflict { constraint } => {
                DomainError::Conflict(format!("conflicts with an existing record ({constraint})"))
            }
            DbError::Unavailable(message) => DomainError::Unavailable(message),
            other @ (DbError::Migration(_) | DbError::Query(_)) => DomainError::Internal(other.to_string()),
        }
    }
}
