//! Queries on `push_deliveries`: the persistent queue of Web Push messages,
//! one row per (notification, subscription). Claimed with a lease like
//! `delivery_jobs` (see [`crate::delivery`]), so a crash loses nothing.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::leased::{claim_leased, claim_leased_rows};
use crate::schema::push_deliveries;
use crate::{DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = push_deliveries)]
pub struct PushDeliveryRow {
    pub id: i64,
    pub subscription_id: i64,
    pub notification_id: i64,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    /// After this the message is stale (the TTL sent with it): dropped.
    pub expires_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
}

/// Queues one push of `notification_id` per subscription, due now.
pub fn enqueue(
    conn: &mut DbConn,
    subscription_ids: &[i64],
    notification_id: i64,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<(), DbError> {
    for subscription_id in subscription_ids {
        diesel::insert_into(push_deliveries::table)
            .values((
                push_deliveries::id.eq(tertulia_core::Id::generate().0),
                push_deliveries::subscription_id.eq(subscription_id),
                push_deliveries::notification_id.eq(notification_id),
                push_deliveries::next_attempt_at.eq(now),
                push_deliveries::expires_at.eq(expires_at),
                push_deliveries::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Claims up to `limit` due pushes for `lease`; see [`crate::leased`] for
/// why two workers, even in two processes, never get the same one.
pub fn claim_due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
    lease: chrono::Duration,
) -> Result<Vec<PushDeliveryRow>, DbError> {
    claim_leased!(conn, push_deliveries, PushDeliveryRow, now, limit, lease, [])
}

/// Sent, or not worth sending any more: the row goes.
pub fn complete(conn: &mut DbConn, id: i64) -> Result<(), DbError> {
    diesel::delete(push_deliveries::table.find(id)).execute(conn)?;
    Ok(())
}

/// The attempt failed; try again at `next_attempt_at`.
pub fn retry_at(conn: &mut DbConn, id: i64, next_attempt_at: NaiveDateTime, error: &str) -> Result<(), DbError> {
    diesel::update(push_deliveries::table.find(id))
        .set((
            push_deliveries::attempts.eq(push_deliveries::attempts + 1),
            push_deliveries::next_attempt_at.eq(next_attempt_at),
            push_deliveries::locked_until.eq(None::<NaiveDateTime>),
            push_deliveries::last_error.eq(error),
        ))
        .execute(conn)?;
    Ok(())
}

/// Pushes waiting, for tests and admins.
pub fn pending(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(push_deliveries::table.count().get_result(conn)?)
}
