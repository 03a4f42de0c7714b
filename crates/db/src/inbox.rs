//! Queries on `inbox_activities`: activities received from other sites,
//! kept until applied (or given up) and then for a while to recognise
//! redeliveries.
//!
//! Workers claim one sender's activities at a time with a lease
//! (`locked_until`), like the delivery queue: a worker that dies leaves a
//! lease that runs out, and the activities are claimed again. A sender's
//! activities are handed out strictly in the order they were received,
//! and none of them while an earlier one is claimed or waits for a retry,
//! so a Create and then a Delete of the same post are applied in that order.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::dsl::not;
use diesel::prelude::*;

use crate::schema::inbox_activities;
use crate::{DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inbox_activities)]
pub struct InboxActivityRow {
    pub id: i64,
    pub activity_uri: String,
    pub actor_uri: String,
    pub kind: String,
    pub payload: String,
    pub received_at: NaiveDateTime,
    pub processed_at: Option<NaiveDateTime>,
    pub attempts: i32,
    pub last_error: Option<String>,
    /// The signer's host (with its port, if any).
    pub actor_host: String,
    pub next_attempt_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    /// Set when the activity was given up; `last_error` says why.
    pub failed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone)]
pub struct NewInboxActivity {
    pub activity_uri: String,
    pub actor_uri: String,
    pub actor_host: String,
    pub kind: String,
    pub payload: String,
    pub received_at: NaiveDateTime,
}

/// Stores a received activity, due at once; false (and nothing stored) if
/// one with the same id came before.
pub fn record(conn: &mut DbConn, activity: &NewInboxActivity) -> Result<bool, DbError> {
    crate::transaction(conn, |conn| {
        crate::insert_unless_duplicate(conn, |conn| {
            diesel::insert_into(inbox_activities::table)
                .values((
                    inbox_activities::id.eq(tertulia_core::Id::generate().0),
                    inbox_activities::activity_uri.eq(&activity.activity_uri),
                    inbox_activities::actor_uri.eq(&activity.actor_uri),
                    inbox_activities::actor_host.eq(&activity.actor_host),
                    inbox_activities::kind.eq(&activity.kind),
                    inbox_activities::payload.eq(&activity.payload),
                    inbox_activities::received_at.eq(activity.received_at),
                    inbox_activities::next_attempt_at.eq(activity.received_at),
                ))
                .execute(conn)
        })
    })
}

/// Activities neither applied nor given up.
#[diesel::dsl::auto_type]
fn waiting() -> _ {
    inbox_activities::processed_at.is_null().and(inbox_activities::failed_at.is_null())
}

/// What a worker asks of [`claim_senders`].
#[derive(Debug, Clone)]
pub struct SenderClaim {
    pub now: NaiveDateTime,
    /// The claimed activities are reserved for the caller until then.
    pub until: NaiveDateTime,
    /// How many senders to claim at most.
    pub senders: usize,
    /// How many activities of one sender to claim at most.
    pub per_sender: usize,
    /// Hosts whose senders are not to be claimed now (they already have
    /// all the workers they may use).
    pub skip_hosts: Vec<String>,
}

/// Claims the next activities of up to `claim.senders` senders, each
/// sender's in the order received, at most one sender per host (so the
/// caller can keep each host to its share of the workers). A sender is
/// claimable when none of its waiting activities is claimed or waits for
/// a retry: then all its waiting activities are due, and the first is the
/// oldest.
///
/// On PostgreSQL several processes may claim; a transaction-scoped advisory
/// lock makes their claims take turns (each is a few milliseconds), so two
/// never read the same sender as free. On SQLite the write transaction
/// already admits one claim at a time.
pub fn claim_senders(conn: &mut DbConn, claim: &SenderClaim) -> Result<Vec<Vec<InboxActivityRow>>, DbError> {
    /// Any constant: the key PostgreSQL's advisory lock is taken on.
    const CLAIM_LOCK_KEY: i64 = 0x7465_7274_756c_6961; // "tertulia" in ASCII
    crate::transaction(conn, |conn| {
        if let DbConn::Postgres(pg) = conn {
            diesel::sql_query(format!("SELECT pg_advisory_xact_lock({CLAIM_LOCK_KEY})")).execute(pg)?;
        }
        // An alias: diesel refuses a subquery on the table of the outer query.
        let busy = diesel::alias!(inbox_activities as busy);
        let busy_senders = busy
            .filter(busy.field(inbox_activities::processed_at).is_null())
            .filter(busy.field(inbox_activities::failed_at).is_null())
            .filter(
                busy.field(inbox_activities::locked_until)
                    .gt(claim.now)
                    .or(busy.field(inbox_activities::next_attempt_at).gt(claim.now)),
            )
            .select(busy.field(inbox_activities::actor_uri));
        let candidates = inbox_activities::table
            .filter(waiting())
            .filter(not(inbox_activities::actor_uri.eq_any(busy_senders)))
            .filter(not(inbox_activities::actor_host.eq_any(&claim.skip_hosts)))
            .order((inbox_activities::received_at.asc(), inbox_activities::id.asc()))
            .limit(i64::try_from(claim.senders * claim.per_sender).unwrap_or(i64::MAX))
            .select(InboxActivityRow::as_select())
            .load(conn)?;
        let batches = by_sender(candidates, claim.senders, claim.per_sender);
        let ids: Vec<i64> = batches.iter().flatten().map(|a| a.id).collect();
        diesel::update(inbox_activities::table.filter(inbox_activities::id.eq_any(&ids)))
            .set(inbox_activities::locked_until.eq(Some(claim.until)))
            .execute(conn)?;
        Ok(batches)
    })
}

/// Splits `activities` (oldest first) into per-sender batches: up to
/// `senders` senders, one per host, up to `per_sender` activities each.
fn by_sender(activities: Vec<InboxActivityRow>, senders: usize, per_sender: usize) -> Vec<Vec<InboxActivityRow>> {
    let mut batches: Vec<Vec<InboxActivityRow>> = Vec::new();
    let mut seen_senders = HashSet::new();
    let mut taken_hosts = HashSet::new();
    for activity in activities {
        if let Some(batch) = batches.iter_mut().find(|b| b[0].actor_uri == activity.actor_uri) {
            if batch.len() < per_sender {
                batch.push(activity);
            }
            continue;
        }
        // A sender passed over once stays passed over: starting it from a
        // later activity would break its order.
        let first_sight = seen_senders.insert(activity.actor_uri.clone());
        if first_sight && batches.len() < senders && taken_hosts.insert(activity.actor_host.clone()) {
            batches.push(vec![activity]);
        }
    }
    batches
}

/// The activity was applied.
pub fn mark_processed(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<(), DbError> {
    crate::transaction(conn, |conn| {
        diesel::update(inbox_activities::table.find(id))
            .set((inbox_activities::processed_at.eq(now), inbox_activities::locked_until.eq(None::<NaiveDateTime>)))
            .execute(conn)?;
        Ok(())
    })
}

/// What becomes of an activity whose attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Try again then; the sender's later activities wait until then.
    RetryAt(NaiveDateTime),
    /// Failed for good at this time: kept, marked, with its error.
    GivenUp(NaiveDateTime),
}

/// Records a failed attempt and its `error`.
pub fn record_failure(conn: &mut DbConn, id: i64, failure: Failure, error: &str) -> Result<(), DbError> {
    let (next_attempt_at, failed_at) = match failure {
        Failure::RetryAt(at) => (at, None),
        Failure::GivenUp(at) => (at, Some(at)),
    };
    crate::transaction(conn, |conn| {
        diesel::update(inbox_activities::table.find(id))
            .set((
                inbox_activities::attempts.eq(inbox_activities::attempts + 1),
                inbox_activities::next_attempt_at.eq(next_attempt_at),
                inbox_activities::failed_at.eq(failed_at),
                inbox_activities::locked_until.eq(None::<NaiveDateTime>),
                inbox_activities::last_error.eq(error),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Gives claimed activities back unprocessed.
pub fn release(conn: &mut DbConn, ids: &[i64]) -> Result<(), DbError> {
    crate::transaction(conn, |conn| {
        diesel::update(inbox_activities::table.filter(inbox_activities::id.eq_any(ids)))
            .set(inbox_activities::locked_until.eq(None::<NaiveDateTime>))
            .execute(conn)?;
        Ok(())
    })
}

/// Activities received and still to apply (waiting for a retry included,
/// given up excluded).
pub fn backlog(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(inbox_activities::table.filter(waiting()).count().get_result(conn)?)
}

/// Forgets activities applied before `older_than`; returns how many.
pub fn prune_processed(conn: &mut DbConn, older_than: NaiveDateTime) -> Result<usize, DbError> {
    crate::transaction(conn, |conn| {
        Ok(diesel::delete(inbox_activities::table.filter(inbox_activities::processed_at.lt(older_than)))
            .execute(conn)?)
    })
}

/// Drops every received activity from `domain` or its subdomains, applied
/// or not; returns how many.
pub fn delete_for_domain(conn: &mut DbConn, domain: &str) -> Result<usize, DbError> {
    let subdomains = crate::federation_policy::subdomains_of(domain);
    Ok(diesel::delete(inbox_activities::table.filter(
        inbox_activities::actor_host.eq(domain).or(inbox_activities::actor_host.like(subdomains).escape('\\')),
    ))
    .execute(conn)?)
}
