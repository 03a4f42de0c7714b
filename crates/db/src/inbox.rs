//! Queries on `inbox_activities`: activities received from other sites,
//! kept until applied and then for a while to recognise redeliveries.

use chrono::NaiveDateTime;
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
}

#[derive(Debug, Clone)]
pub struct NewInboxActivity {
    pub activity_uri: String,
    pub actor_uri: String,
    pub kind: String,
    pub payload: String,
    pub received_at: NaiveDateTime,
}

/// Stores a received activity; false (and nothing stored) if one with the
/// same id came before.
pub fn record(conn: &mut DbConn, activity: &NewInboxActivity) -> Result<bool, DbError> {
    crate::insert_unless_duplicate(conn, |conn| {
        diesel::insert_into(inbox_activities::table)
            .values((
                inbox_activities::id.eq(tertulia_core::Id::generate().0),
                inbox_activities::activity_uri.eq(&activity.activity_uri),
                inbox_activities::actor_uri.eq(&activity.actor_uri),
                inbox_activities::kind.eq(&activity.kind),
                inbox_activities::payload.eq(&activity.payload),
                inbox_activities::received_at.eq(activity.received_at),
            ))
            .execute(conn)
    })
}

/// Activities not yet applied, oldest first, leaving aside those that
/// failed `max_attempts` times.
pub fn pending(conn: &mut DbConn, limit: i64, max_attempts: i32) -> Result<Vec<InboxActivityRow>, DbError> {
    Ok(inbox_activities::table
        .filter(inbox_activities::processed_at.is_null())
        .filter(inbox_activities::attempts.lt(max_attempts))
        .order((inbox_activities::received_at.asc(), inbox_activities::id.asc()))
        .limit(limit)
        .select(InboxActivityRow::as_select())
        .load(conn)?)
}

/// Activities received and not yet applied (failed ones included until
/// they run out of attempts).
pub fn backlog(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(inbox_activities::table.filter(inbox_activities::processed_at.is_null()).count().get_result(conn)?)
}

pub fn mark_processed(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<(), DbError> {
    diesel::update(inbox_activities::table.find(id)).set(inbox_activities::processed_at.eq(now)).execute(conn)?;
    Ok(())
}

pub fn mark_failed(conn: &mut DbConn, id: i64, error: &str) -> Result<(), DbError> {
    diesel::update(inbox_activities::table.find(id))
        .set((inbox_activities::attempts.eq(inbox_activities::attempts + 1), inbox_activities::last_error.eq(error)))
        .execute(conn)?;
    Ok(())
}

/// Forgets activities applied before `older_than`; returns how many.
pub fn prune_processed(conn: &mut DbConn, older_than: NaiveDateTime) -> Result<usize, DbError> {
    Ok(diesel::delete(inbox_activities::table.filter(inbox_activities::processed_at.lt(older_than))).execute(conn)?)
}
