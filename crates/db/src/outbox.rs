//! Queries on `federation_outbox`: changes waiting to be turned into
//! deliveries. Written by domain services inside their own transactions;
//! each record is claimed, turned into deliveries and removed in one
//! transaction (see [`crate::leased`]), so even several processes handle
//! it once.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::leased::load_skip_locked;
use crate::schema::federation_outbox;
use crate::{DbConn, DbError};

tertulia_core::stored_enum! {
    /// What kind of change a record is, as `federation_outbox.kind` holds it
    /// (the domain's `Outgoing` names, for an admin reading the table).
    pub enum OutboxKind("outbox record kind") {
        StatusCreated = "status_created",
        StatusUpdated = "status_updated",
        StatusDeleted = "status_deleted",
        Favourited = "favourited",
        Unfavourited = "unfavourited",
        FollowRequested = "follow_requested",
        Unfollowed = "unfollowed",
        FollowAnswered = "follow_answered",
        ProfileUpdated = "profile_updated",
        ListedInDirectory = "listed_in_directory",
        AccountMoved = "account_moved",
        AccountDeleted = "account_deleted",
        PollCounted = "poll_counted",
        Voted = "voted",
        Blocked = "blocked",
        Unblocked = "unblocked",
        QuoteRequested = "quote_requested",
        QuoteAnswered = "quote_answered",
        QuoteUpdated = "quote_updated",
        QuoteRevoked = "quote_revoked",
        AnnouncementShown = "announcement_shown",
        AnnouncementWithdrawn = "announcement_withdrawn",
        RelayFollowed = "relay_followed",
        RelayUnfollowed = "relay_unfollowed",
        ReportForwarded = "report_forwarded",
        EventAnswered = "event_answered",
        EventCounted = "event_counted",
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = federation_outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: OutboxKind,
    pub payload: String,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
    pub last_error: Option<String>,
}

/// Records a change; returns the record's id.
pub fn push(conn: &mut DbConn, kind: OutboxKind, payload: &impl Serialize, now: NaiveDateTime) -> Result<i64, DbError> {
    let payload = serialized(payload)?;
    let id = tertulia_core::Id::generate().0;
    diesel::insert_into(federation_outbox::table)
        .values((
            federation_outbox::id.eq(id),
            federation_outbox::kind.eq(kind),
            federation_outbox::payload.eq(payload),
            federation_outbox::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Whether a record of `kind` with this `payload` waits to be handled:
/// not given up on, and not claimed by a worker right now (on PostgreSQL
/// a claimed row is locked and skipped here; on SQLite the caller's write
/// transaction cannot run while a worker's claim is open). The record
/// found stays locked until the caller's transaction ends, so no worker
/// claims it before the caller's change is committed.
pub fn waiting(conn: &mut DbConn, kind: OutboxKind, payload: &impl Serialize) -> Result<bool, DbError> {
    let payload = serialized(payload)?;
    let found = load_skip_locked!(
        conn,
        federation_outbox::table
            .filter(federation_outbox::kind.eq(kind))
            .filter(federation_outbox::payload.eq(&payload))
            .filter(federation_outbox::attempts.lt(MAX_ATTEMPTS))
            .limit(1)
            .select(federation_outbox::id),
        i64
    )?;
    Ok(!found.is_empty())
}

fn serialized(payload: &impl Serialize) -> Result<String, DbError> {
    serde_json::to_string(payload).map_err(|e| DbError::Query(diesel::result::Error::SerializationError(Box::new(e))))
}

/// A record that fails this often (a bug, not a network problem: nothing
/// done with a record talks to the network) is left for the admin to
/// inspect; the worker claims with this limit and the queue depth counts
/// by it.
pub const MAX_ATTEMPTS: i32 = 5;

/// Claims the oldest record not given up on (failed fewer than
/// `max_attempts` times) and not claimed by another transaction, for the
/// caller's transaction to handle and [`remove`].
pub fn claim_next(conn: &mut DbConn, max_attempts: i32) -> Result<Option<OutboxRow>, DbError> {
    let oldest = load_skip_locked!(
        conn,
        federation_outbox::table
            .filter(federation_outbox::attempts.lt(max_attempts))
            .order(federation_outbox::id.asc())
            .limit(1)
            .select(OutboxRow::as_select()),
        OutboxRow
    )?;
    Ok(oldest.into_iter().next())
}

pub fn remove(conn: &mut DbConn, id: i64) -> Result<(), DbError> {
    diesel::delete(federation_outbox::table.find(id)).execute(conn)?;
    Ok(())
}

pub fn mark_failed(conn: &mut DbConn, id: i64, error: &str) -> Result<(), DbError> {
    diesel::update(federation_outbox::table.find(id))
        .set((federation_outbox::attempts.eq(federation_outbox::attempts + 1), federation_outbox::last_error.eq(error)))
        .execute(conn)?;
    Ok(())
}
