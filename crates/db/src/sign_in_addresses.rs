//! Queries on `sign_in_addresses`: where users signed in from.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::sign_in_addresses;
use crate::{DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sign_in_addresses)]
pub struct SignInAddressRow {
    pub user_id: i64,
    pub ip: String,
    pub used_at: NaiveDateTime,
}

/// Notes that `row.user_id` signed in from `row.ip` at `row.used_at`.
pub fn record(conn: &mut DbConn, row: &SignInAddressRow) -> Result<(), DbError> {
    // Insert-or-keep, then date it: two sign-ins from one address at once
    // both succeed, whichever backend.
    match conn {
        DbConn::Sqlite(c) => {
            diesel::insert_into(sign_in_addresses::table).values(row).on_conflict_do_nothing().execute(c)?
        }
        DbConn::Postgres(c) => {
            diesel::insert_into(sign_in_addresses::table).values(row).on_conflict_do_nothing().execute(c)?
        }
    };
    diesel::update(
        sign_in_addresses::table
            .filter(sign_in_addresses::user_id.eq(row.user_id))
            .filter(sign_in_addresses::ip.eq(&row.ip)),
    )
    .set(sign_in_addresses::used_at.eq(row.used_at))
    .execute(conn)?;
    Ok(())
}

/// Forgets all but the `most` newest addresses of `user_id`.
pub fn keep_newest(conn: &mut DbConn, user_id: i64, most: i64) -> Result<(), DbError> {
    let kept: Vec<String> = sign_in_addresses::table
        .filter(sign_in_addresses::user_id.eq(user_id))
        .order(sign_in_addresses::used_at.desc())
        .limit(most)
        .select(sign_in_addresses::ip)
        .load(conn)?;
    diesel::delete(
        sign_in_addresses::table
            .filter(sign_in_addresses::user_id.eq(user_id))
            .filter(sign_in_addresses::ip.ne_all(kept)),
    )
    .execute(conn)?;
    Ok(())
}

/// Forgets every address last used before `cutoff`, of any user.
pub fn forget_before(conn: &mut DbConn, cutoff: NaiveDateTime) -> Result<(), DbError> {
    diesel::delete(sign_in_addresses::table.filter(sign_in_addresses::used_at.lt(cutoff))).execute(conn)?;
    Ok(())
}

/// The addresses of these users, newest first.
pub fn of_users(conn: &mut DbConn, user_ids: &[i64]) -> Result<Vec<SignInAddressRow>, DbError> {
    Ok(sign_in_addresses::table
        .filter(sign_in_addresses::user_id.eq_any(user_ids))
        .order(sign_in_addresses::used_at.desc())
        .select(SignInAddressRow::as_select())
        .load(conn)?)
}
