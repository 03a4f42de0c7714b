//! Queries on `status_pins`: statuses people show at the top of their profile.

use diesel::prelude::*;

use crate::schema::{status_pins, statuses};
use crate::{DbConn, DbError};

/// Pins a status; returns false if it was pinned already.
pub fn insert(conn: &mut DbConn, account_id: i64, status_id: i64) -> Result<bool, DbError> {
    if is_pinned(conn, account_id, status_id)? {
        return Ok(false);
    }
    diesel::insert_into(status_pins::table)
        .values((
            status_pins::id.eq(tertulia_core::Id::generate().0),
            status_pins::account_id.eq(account_id),
            status_pins::status_id.eq(status_id),
            status_pins::created_at.eq(crate::now()),
        ))
        .execute(conn)?;
    Ok(true)
}

pub fn delete(conn: &mut DbConn, account_id: i64, status_id: i64) -> Result<(), DbError> {
    diesel::delete(status_pins::table.filter(status_pins::account_id.eq(account_id)))
        .filter(status_pins::status_id.eq(status_id))
        .execute(conn)?;
    Ok(())
}

fn is_pinned(conn: &mut DbConn, account_id: i64, status_id: i64) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        status_pins::table.filter(status_pins::account_id.eq(account_id)).filter(status_pins::status_id.eq(status_id)),
    ))
    .get_result(conn)?)
}

/// How many statuses an account has pinned.
pub fn count(conn: &mut DbConn, account_id: i64) -> Result<i64, DbError> {
    Ok(status_pins::table.filter(status_pins::account_id.eq(account_id)).count().get_result(conn)?)
}

/// The ids of an account's pinned statuses that still exist, most
/// recently pinned first.
pub fn of_account(conn: &mut DbConn, account_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(status_pins::table
        .inner_join(statuses::table.on(statuses::id.eq(status_pins::status_id)))
        .filter(status_pins::account_id.eq(account_id))
        .filter(statuses::deleted_at.is_null())
        .order(status_pins::id.desc())
        .select(status_pins::status_id)
        .load(conn)?)
}
