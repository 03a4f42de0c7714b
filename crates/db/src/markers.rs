//! Read positions: where a user stopped reading a timeline.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::markers;
use crate::{DbConn, DbError};

tertulia_core::stored_enum! {
    /// The timelines that have read markers.
    pub enum MarkerTimeline("marker timeline") {
        Home = "home",
        Notifications = "notifications",
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = markers)]
pub struct MarkerRow {
    pub account_id: i64,
    pub timeline: MarkerTimeline,
    pub last_read_id: i64,
    pub version: i32,
    pub updated_at: NaiveDateTime,
}

/// The account's markers for these timelines (those that exist).
pub fn find(conn: &mut DbConn, account_id: i64, timelines: &[MarkerTimeline]) -> Result<Vec<MarkerRow>, DbError> {
    Ok(markers::table
        .filter(markers::account_id.eq(account_id))
        .filter(markers::timeline.eq_any(timelines))
        .select(MarkerRow::as_select())
        .load(conn)?)
}

/// Sets the marker, creating it at version 1 or bumping its version.
pub fn save(
    conn: &mut DbConn,
    account_id: i64,
    timeline: MarkerTimeline,
    last_read_id: i64,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let updated = diesel::update(
        markers::table.filter(markers::account_id.eq(account_id)).filter(markers::timeline.eq(timeline)),
    )
    .set((
        markers::last_read_id.eq(last_read_id),
        markers::version.eq(markers::version + 1),
        markers::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(markers::table)
            .values((
                markers::account_id.eq(account_id),
                markers::timeline.eq(timeline),
                markers::last_read_id.eq(last_read_id),
                markers::version.eq(1),
                markers::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}
