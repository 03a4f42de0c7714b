//! Queries on `delivery_jobs`: the persistent queue of activities to send,
//! one row per (activity, inbox).
//!
//! Jobs are claimed with a lease (`locked_until`) rather than deleted on
//! pick-up: a worker that dies mid-send (even `kill -9`) leaves a lease
//! that simply runs out, and the job is claimed again.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::leased::{claim_leased, claim_leased_rows};
use crate::schema::delivery_jobs;
use crate::{DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = delivery_jobs)]
pub struct DeliveryJobRow {
    pub id: i64,
    pub activity_id: String,
    pub actor_account_id: i64,
    pub inbox_url: String,
    pub inbox_host: String,
    pub payload: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub failed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone)]
pub struct NewDeliveryJob {
    pub activity_id: String,
    pub actor_account_id: i64,
    pub inbox_url: String,
    pub inbox_host: String,
    pub payload: String,
    pub next_attempt_at: NaiveDateTime,
}

/// Queues `jobs`, skipping any (activity, inbox) already queued; returns
/// how many were new.
pub fn enqueue(conn: &mut DbConn, jobs: &[NewDeliveryJob], now: NaiveDateTime) -> Result<usize, DbError> {
    let mut added = 0;
    for job in jobs {
        let new = crate::insert_unless_duplicate(conn, |conn| {
            diesel::insert_into(delivery_jobs::table)
                .values((
                    delivery_jobs::id.eq(tertulia_core::Id::generate().0),
                    delivery_jobs::activity_id.eq(&job.activity_id),
                    delivery_jobs::actor_account_id.eq(job.actor_account_id),
                    delivery_jobs::inbox_url.eq(&job.inbox_url),
                    delivery_jobs::inbox_host.eq(&job.inbox_host),
                    delivery_jobs::payload.eq(&job.payload),
                    delivery_jobs::next_attempt_at.eq(job.next_attempt_at),
                    delivery_jobs::created_at.eq(now),
                ))
                .execute(conn)
        })?;
        added += usize::from(new);
    }
    Ok(added)
}

/// Claims up to `limit` due jobs for `lease`; jobs that failed for good are
/// never due. See [`crate::leased`] for why two workers, even in two
/// processes, never get the same job.
pub fn claim_due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
    lease: chrono::Duration,
) -> Result<Vec<DeliveryJobRow>, DbError> {
    claim_leased!(conn, delivery_jobs, DeliveryJobRow, now, limit, lease, [delivery_jobs::failed_at.is_null()])
}

/// The job was delivered: it is done.
pub fn complete(conn: &mut DbConn, id: i64) -> Result<(), DbError> {
    diesel::delete(delivery_jobs::table.find(id)).execute(conn)?;
    Ok(())
}

/// The attempt failed; try again at `next_attempt_at`.
pub fn retry_at(conn: &mut DbConn, id: i64, next_attempt_at: NaiveDateTime, error: &str) -> Result<(), DbError> {
    diesel::update(delivery_jobs::table.find(id))
        .set((
            delivery_jobs::attempts.eq(delivery_jobs::attempts + 1),
            delivery_jobs::next_attempt_at.eq(next_attempt_at),
            delivery_jobs::locked_until.eq(None::<NaiveDateTime>),
            delivery_jobs::last_error.eq(error),
        ))
        .execute(conn)?;
    Ok(())
}

/// The job failed for good; it is kept, marked, for the admin to inspect.
pub fn fail(conn: &mut DbConn, id: i64, now: NaiveDateTime, error: &str) -> Result<(), DbError> {
    diesel::update(delivery_jobs::table.find(id))
        .set((
            delivery_jobs::attempts.eq(delivery_jobs::attempts + 1),
            delivery_jobs::failed_at.eq(now),
            delivery_jobs::locked_until.eq(None::<NaiveDateTime>),
            delivery_jobs::last_error.eq(error),
        ))
        .execute(conn)?;
    Ok(())
}

/// Postpones every waiting job of `host` to `until` at the earliest: the
/// host is unreachable, so trying its other jobs sooner is wasted.
pub fn defer_host(conn: &mut DbConn, host: &str, until: NaiveDateTime) -> Result<usize, DbError> {
    Ok(diesel::update(
        delivery_jobs::table
            .filter(delivery_jobs::inbox_host.eq(host))
            .filter(delivery_jobs::failed_at.is_null())
            .filter(delivery_jobs::locked_until.is_null())
            .filter(delivery_jobs::next_attempt_at.lt(until)),
    )
    .set(delivery_jobs::next_attempt_at.eq(until))
    .execute(conn)?)
}

/// Makes every waiting job of `host` due now: it answers again.
pub fn release_host(conn: &mut DbConn, host: &str, now: NaiveDateTime) -> Result<usize, DbError> {
    Ok(diesel::update(
        delivery_jobs::table
            .filter(delivery_jobs::inbox_host.eq(host))
            .filter(delivery_jobs::failed_at.is_null())
            .filter(delivery_jobs::next_attempt_at.gt(now)),
    )
    .set(delivery_jobs::next_attempt_at.eq(now))
    .execute(conn)?)
}

/// The queue at a glance, for admins and benchmarks.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryStats {
    pub pending: i64,
    pub failed: i64,
    /// When the oldest waiting job was queued.
    pub oldest_pending: Option<NaiveDateTime>,
}

pub fn stats(conn: &mut DbConn) -> Result<DeliveryStats, DbError> {
    let waiting = delivery_jobs::table.filter(delivery_jobs::failed_at.is_null());
    let pending = waiting.count().get_result(conn)?;
    let oldest_pending = waiting.select(diesel::dsl::min(delivery_jobs::created_at)).first(conn)?;
    let failed = delivery_jobs::table.filter(delivery_jobs::failed_at.is_not_null()).count().get_result(conn)?;
    Ok(DeliveryStats { pending, failed, oldest_pending })
}

/// Deliveries given up, most recent first.
pub fn list_failed(conn: &mut DbConn, limit: i64) -> Result<Vec<DeliveryJobRow>, DbError> {
    Ok(delivery_jobs::table
        .filter(delivery_jobs::failed_at.is_not_null())
        .order(delivery_jobs::failed_at.desc())
        .limit(limit)
        .select(DeliveryJobRow::as_select())
        .load(conn)?)
}

/// Drops every queued (or given-up) delivery to `domain` or its
/// subdomains; returns how many.
pub fn delete_for_domain(conn: &mut DbConn, domain: &str) -> Result<usize, DbError> {
    let subdomains = crate::federation_policy::subdomains_of(domain);
    Ok(diesel::delete(
        delivery_jobs::table
            .filter(delivery_jobs::inbox_host.eq(domain).or(delivery_jobs::inbox_host.like(subdomains).escape('\\'))),
    )
    .execute(conn)?)
}
