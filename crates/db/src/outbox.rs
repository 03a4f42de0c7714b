//! Queries on `federation_outbox`: changes waiting to be turned into
//! deliveries. Written by domain services inside their own transactions;
//! each record is claimed, turned into deliveries and removed in one
//! transaction (see [`crate::leased`]), so even several processes handle
//! it once.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use tertulia_core::stored::UnknownName;

use crate::leased::load_skip_locked;
use crate::schema::federation_outbox;
use crate::{DbConn, DbError};

/// What kind of change a record is, as `federation_outbox.kind` holds it
/// (the domain's `Outgoing` names, for an admin reading the table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum OutboxKind {
    StatusCreated,
    StatusUpdated,
    StatusDeleted,
    Favourited,
    Unfavourited,
    FollowRequested,
    Unfollowed,
    FollowAnswered,
    ProfileUpdated,
    AccountMoved,
    AccountDeleted,
    PollCounted,
    Voted,
    Blocked,
    Unblocked,
    QuoteRequested,
    QuoteAnswered,
    QuoteUpdated,
    QuoteRevoked,
}

impl OutboxKind {
    pub const ALL: [OutboxKind; 19] = [
        OutboxKind::StatusCreated,
        OutboxKind::StatusUpdated,
        OutboxKind::StatusDeleted,
        OutboxKind::Favourited,
        OutboxKind::Unfavourited,
        OutboxKind::FollowRequested,
        OutboxKind::Unfollowed,
        OutboxKind::FollowAnswered,
        OutboxKind::ProfileUpdated,
        OutboxKind::AccountMoved,
        OutboxKind::AccountDeleted,
        OutboxKind::PollCounted,
        OutboxKind::Voted,
        OutboxKind::Blocked,
        OutboxKind::Unblocked,
        OutboxKind::QuoteRequested,
        OutboxKind::QuoteAnswered,
        OutboxKind::QuoteUpdated,
        OutboxKind::QuoteRevoked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OutboxKind::StatusCreated => "status_created",
            OutboxKind::StatusUpdated => "status_updated",
            OutboxKind::StatusDeleted => "status_deleted",
            OutboxKind::Favourited => "favourited",
            OutboxKind::Unfavourited => "unfavourited",
            OutboxKind::FollowRequested => "follow_requested",
            OutboxKind::Unfollowed => "unfollowed",
            OutboxKind::FollowAnswered => "follow_answered",
            OutboxKind::ProfileUpdated => "profile_updated",
            OutboxKind::AccountMoved => "account_moved",
            OutboxKind::AccountDeleted => "account_deleted",
            OutboxKind::PollCounted => "poll_counted",
            OutboxKind::Voted => "voted",
            OutboxKind::Blocked => "blocked",
            OutboxKind::Unblocked => "unblocked",
            OutboxKind::QuoteRequested => "quote_requested",
            OutboxKind::QuoteAnswered => "quote_answered",
            OutboxKind::QuoteUpdated => "quote_updated",
            OutboxKind::QuoteRevoked => "quote_revoked",
        }
    }
}

impl std::str::FromStr for OutboxKind {
    type Err = UnknownName;
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        OutboxKind::ALL.into_iter().find(|kind| kind.as_str() == name).ok_or_else(|| UnknownName {
            kind: "outbox record kind",
            name: name.to_owned(),
            expected: "one of the domain's outgoing changes, such as status_created",
        })
    }
}

tertulia_core::text_column!(OutboxKind);

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
    let payload = serde_json::to_string(payload)
        .map_err(|e| DbError::Query(diesel::result::Error::SerializationError(Box::new(e))))?;
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
