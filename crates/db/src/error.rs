//! Storage errors, normalised across SQLite and PostgreSQL.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A row that had to exist (an update's target) did not.
    #[error("record not found")]
    NotFound,
    /// A unique constraint refused the write. `constraint` is the
    /// constraint's name on PostgreSQL and SQLite's message (which contains
    /// the index or column names) on SQLite.
    #[error("conflicts with an existing record ({constraint})")]
    Conflict { constraint: String },
    /// The database could not be reached or no pooled connection was free.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Migrations failed; the message comes from the migration runner.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// A stored value this program cannot read, such as a visibility
    /// whose name it does not know: the row is refused rather than read
    /// as a guess. The message names the value and what it should be.
    #[error("unreadable stored value: {0}")]
    Unreadable(String),
    #[error("database query failed: {0}")]
    Query(DieselError),
}

impl DbError {
    /// Whether a conflict came from the named constraint or index.
    pub fn is_conflict_on(&self, name: &str) -> bool {
        matches!(self, DbError::Conflict { constraint } if constraint.contains(name))
    }
}

impl From<DieselError> for DbError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => DbError::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => DbError::Conflict {
                constraint: info.constraint_name().map(str::to_owned).unwrap_or_else(|| info.message().to_owned()),
            },
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                DbError::Unavailable(info.message().to_owned())
            }
            DieselError::DeserializationError(cause) => DbError::Unreadable(with_sources(&*cause)),
            other => DbError::Query(other),
        }
    }
}

/// An error's message followed by its causes': diesel names the field
/// that failed and keeps the value's own complaint as the source.
fn with_sources(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

impl From<diesel::r2d2::PoolError> for DbError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        DbError::Unavailable(error.to_string())
    }
}
