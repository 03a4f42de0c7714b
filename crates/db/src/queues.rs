//! How much work waits in each durable queue, for the metrics: one
//! statement over all of them, run at every scrape.
//!
//! Each part reads only the items still waiting, which the queues' partial
//! indexes select (`delivery_jobs_due`, `inbox_activities_waiting`); the
//! outbox and Web Push queues delete what they finish, so they hold only
//! waiting items anyway. The cost follows the backlog, not the history.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use tertulia_core::metrics::QueueDepth;

use crate::{DbConn, DbError, outbox};

/// The queues, as the metrics name them, in the order of [`depth_sql`].
const QUEUES: [&str; 4] = ["delivery", "inbox", "outbox", "push"];

/// Raw SQL because diesel cannot unite aggregates of different tables; the
/// same text runs on both backends (no parameters).
fn depth_sql() -> String {
    format!(
        "SELECT 'delivery' AS queue, COUNT(*) AS depth, MIN(created_at) AS oldest \
           FROM delivery_jobs WHERE failed_at IS NULL \
         UNION ALL SELECT 'inbox', COUNT(*), MIN(received_at) \
           FROM inbox_activities WHERE processed_at IS NULL AND failed_at IS NULL \
         UNION ALL SELECT 'outbox', COUNT(*), MIN(created_at) \
           FROM federation_outbox WHERE attempts < {max_attempts} \
         UNION ALL SELECT 'push', COUNT(*), MIN(created_at) FROM push_deliveries",
        max_attempts = outbox::MAX_ATTEMPTS,
    )
}

#[derive(QueryableByName)]
struct DepthRow {
    #[diesel(sql_type = Text)]
    queue: String,
    #[diesel(sql_type = BigInt)]
    depth: i64,
    #[diesel(sql_type = Nullable<Timestamp>)]
    oldest: Option<NaiveDateTime>,
}

/// Every queue's depth and the age of its oldest waiting item at `now`.
pub fn depths(conn: &mut DbConn, now: NaiveDateTime) -> Result<Vec<QueueDepth>, DbError> {
    let sql = depth_sql();
    let rows: Vec<DepthRow> = match conn {
        DbConn::Postgres(pg) => diesel::sql_query(sql).load(pg)?,
        DbConn::Sqlite(sqlite) => diesel::sql_query(sql).load(sqlite)?,
    };
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let queue = QUEUES.into_iter().find(|name| *name == row.queue)?;
            let waited = row.oldest.map(|oldest| (now - oldest).num_milliseconds().max(0));
            Some(QueueDepth { queue, depth: row.depth, oldest_age_seconds: waited.unwrap_or(0) as f64 / 1000.0 })
        })
        .collect())
}
