//! Queries on `account_notes` (what a user wrote for themselves about an
//! account) and `account_pins` (accounts a user endorses on their profile).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::AccountRow;
use crate::page::{Page, newest_first};
use crate::schema::{account_notes, account_pins, accounts};
use crate::{DbConn, DbError, paginate};

/// Sets the note; an empty comment removes it.
pub fn set_note(
    conn: &mut DbConn,
    account_id: i64,
    target: i64,
    comment: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let existing = account_notes::table
        .filter(account_notes::account_id.eq(account_id))
        .filter(account_notes::target_account_id.eq(target));
    if comment.is_empty() {
        diesel::delete(existing).execute(conn)?;
        return Ok(());
    }
    let updated = diesel::update(existing)
        .set((account_notes::comment.eq(comment), account_notes::updated_at.eq(now)))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(account_notes::table)
            .values((
                account_notes::id.eq(tertulia_core::Id::generate().0),
                account_notes::account_id.eq(account_id),
                account_notes::target_account_id.eq(target),
                account_notes::comment.eq(comment),
                account_notes::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The notes `account_id` keeps about any of `targets`: (target, comment).
pub fn notes_among(conn: &mut DbConn, account_id: i64, targets: &[i64]) -> Result<Vec<(i64, String)>, DbError> {
    Ok(account_notes::table
        .filter(account_notes::account_id.eq(account_id))
        .filter(account_notes::target_account_id.eq_any(targets))
        .select((account_notes::target_account_id, account_notes::comment))
        .load(conn)?)
}

/// Endorses `target`; returns false if it already was.
pub fn insert_pin(conn: &mut DbConn, account_id: i64, target: i64, now: NaiveDateTime) -> Result<bool, DbError> {
    if !pinned_among(conn, account_id, &[target])?.is_empty() {
        return Ok(false);
    }
    crate::insert_unless_duplicate(conn, |conn| {
        diesel::insert_into(account_pins::table)
            .values((
                account_pins::id.eq(tertulia_core::Id::generate().0),
                account_pins::account_id.eq(account_id),
                account_pins::target_account_id.eq(target),
                account_pins::created_at.eq(now),
            ))
            .execute(conn)
    })
}

pub fn delete_pin(conn: &mut DbConn, account_id: i64, target: i64) -> Result<(), DbError> {
    diesel::delete(
        account_pins::table
            .filter(account_pins::account_id.eq(account_id))
            .filter(account_pins::target_account_id.eq(target)),
    )
    .execute(conn)?;
    Ok(())
}

/// Which of `targets` `account_id` endorses.
pub fn pinned_among(conn: &mut DbConn, account_id: i64, targets: &[i64]) -> Result<Vec<i64>, DbError> {
    Ok(account_pins::table
        .filter(account_pins::account_id.eq(account_id))
        .filter(account_pins::target_account_id.eq_any(targets))
        .select(account_pins::target_account_id)
        .load(conn)?)
}

/// The accounts `account_id` endorses, paged by the endorsement's id.
pub fn pins(conn: &mut DbConn, account_id: i64, page: Page) -> Result<Vec<(i64, AccountRow)>, DbError> {
    let query = account_pins::table
        .inner_join(accounts::table.on(accounts::id.eq(account_pins::target_account_id)))
        .filter(account_pins::account_id.eq(account_id))
        .filter(accounts::suspended_at.is_null())
        .select((account_pins::id, AccountRow::as_select()))
        .into_boxed();
    let rows = paginate!(query, account_pins::id, page).load(conn)?;
    Ok(newest_first(&page, rows))
}
