//! Tertulia's storage layer: one schema and one query path over SQLite and
//! PostgreSQL, the connection pool, and the embedded migrations.
//!
//! Query modules hold queries only; rules (who may see what, limits) live in
//! `tertulia-domain`. Finders return `Result<Option<T>, DbError>` so that a
//! failed query is never mistaken for "not found".

mod conn;
mod error;
mod leased;
mod migrations;
pub mod schema;
mod stable_plans;

pub mod account_notes;
pub mod accounts;
pub mod actors;
pub mod analytics;
pub mod announcements;
pub mod audit_log;
pub mod blocks;
pub mod bulk;
pub mod cacheable;
pub mod calendar;
pub mod campaigns;
pub mod cluster;
pub mod conversations;
pub mod delivery;
pub mod directory;
pub mod domain_blocks;
pub mod edits;
pub mod external_identities;
pub mod featured_tags;
pub mod federation_policy;
pub mod feeds;
pub mod filters;
pub mod groups;
pub mod inbox;
pub mod instances;
pub mod kudos;
pub mod lists;
pub mod markers;
pub mod media;
pub mod moderation;
pub mod notification_policies;
pub mod notifications;
pub mod oauth;
pub mod oidc_sign_ins;
pub mod outbox;
pub mod page;
pub mod pins;
pub mod polls;
pub mod push;
pub mod push_deliveries;
pub mod queues;
pub mod quotes;
pub mod relays;
pub mod reports;
pub mod rules;
pub mod scheduled;
pub mod search;
pub mod sign_in_addresses;
pub mod sign_up_blocks;
pub mod site_adoption;
pub mod social;
pub mod stats;
pub mod statuses;
pub mod suggestions;
pub mod tags;
pub mod users;

pub use conn::{Db, DbConn, count_statements, transaction};
pub use error::DbError;
pub use migrations::MigrationReport;

/// Current time as stored in the database: UTC without a zone.
pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// Runs an insert and reports a unique-constraint conflict as `false`
/// instead of an error. The insert runs in a savepoint, so on PostgreSQL a
/// conflict does not abort the caller's transaction (or, outside one, in a
/// write transaction of its own). (`ON CONFLICT` is not
/// available through the two-backend connection.)
pub(crate) fn insert_unless_duplicate(
    conn: &mut DbConn,
    insert: impl FnOnce(&mut DbConn) -> diesel::QueryResult<usize>,
) -> Result<bool, DbError> {
    match conn::write_transaction(conn, insert).map_err(DbError::from) {
        Ok(inserted) => Ok(inserted > 0),
        Err(DbError::Conflict { .. }) => Ok(false),
        Err(other) => Err(other),
    }
}

/// `text` with `LIKE`'s wildcards escaped (with a backslash), so user input
/// matches literally; pair with `.escape('\\')`.
pub fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
