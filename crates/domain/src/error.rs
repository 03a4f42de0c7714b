//! Errors of the business rules, each with a message fit for the person who
//! caused it (an admin at the CLI, a user in a client).

use tertulia_core::stored::UnknownName;
use tertulia_db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The thing asked for does not exist, or the caller may not know it does.
    #[error("{0} not found")]
    NotFound(String),
    /// Input that breaks a rule; `field` names the input at fault and
    /// `kind` which rule it breaks.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, kind: Invalidity, reason: String },
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

/// Which rule an input breaks: the validators Mastodon reports as error
/// codes (`ERR_BLANK`…), so clients can tell the cases apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalidity {
    /// Required, and missing or empty.
    Blank,
    TooLong,
    TooShort,
    /// Already used by someone else (a username, an e-mail address).
    Taken,
    /// Must be accepted (the server rules at sign-up).
    Accepted,
    /// Not one of the allowed values.
    Inclusion,
    /// Beyond a limit on how many (pins, attachments, profile fields).
    AboveLimit,
    /// Any other malformed value.
    Invalid,
}

impl DomainError {
    /// Whether this is a failure of ours (the database unreachable, a
    /// fault) rather than a refusal of the request: worth trying again.
    pub fn is_ours(&self) -> bool {
        matches!(self, DomainError::Unavailable(_) | DomainError::Internal(_))
    }

    /// A value that breaks a rule not covered by a more precise kind.
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        DomainError::invalid_as(Invalidity::Invalid, field, reason)
    }

    pub(crate) fn invalid_as(kind: Invalidity, field: &'static str, reason: impl Into<String>) -> Self {
        DomainError::Invalid { field, kind, reason: reason.into() }
    }

    /// A required value that is missing or empty.
    pub(crate) fn blank(field: &'static str) -> Self {
        DomainError::invalid_as(Invalidity::Blank, field, "can't be blank")
    }

    /// A name a client sent for `field` that is not one of its values.
    pub(crate) fn not_one_of(field: &'static str, unknown: UnknownName) -> Self {
        let reason = format!("'{}' is not one of {}", unknown.name, unknown.expected);
        DomainError::invalid_as(Invalidity::Inclusion, field, reason)
    }

    /// A text longer than `max` characters.
    pub(crate) fn too_long(field: &'static str, max: usize) -> Self {
        DomainError::invalid_as(Invalidity::TooLong, field, format!("is too long: at most {max} characters"))
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
            other @ (DbError::Migration(_) | DbError::Unreadable(_) | DbError::Query(_)) => {
                DomainError::Internal(other.to_string())
            }
        }
    }
}
