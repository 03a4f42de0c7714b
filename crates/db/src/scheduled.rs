//! Queries on `scheduled_statuses`: posts to publish later. Each row is also
//! the durable job that publishes it; there is no separate queue.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::leased::load_skip_locked;
use crate::page::{Page, newest_first};
use crate::paginate;
use crate::schema::{media_attachments, scheduled_statuses};
use crate::{DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = scheduled_statuses)]
pub struct ScheduledStatusRow {
    pub id: i64,
    pub account_id: i64,
    pub scheduled_at: NaiveDateTime,
    /// The post as the client sent it, as JSON written by the domain.
    pub params: String,
    pub application_id: Option<i64>,
    pub idempotency_key: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &ScheduledStatusRow) -> Result<(), DbError> {
    diesel::insert_into(scheduled_statuses::table).values(row).execute(conn)?;
    Ok(())
}

/// The scheduled status with this id, if it belongs to `account_id`.
pub fn find_own(conn: &mut DbConn, account_id: i64, id: i64) -> Result<Option<ScheduledStatusRow>, DbError> {
    Ok(scheduled_statuses::table
        .find(id)
        .filter(scheduled_statuses::account_id.eq(account_id))
        .select(ScheduledStatusRow::as_select())
        .first(conn)
        .optional()?)
}

/// The account's scheduled status made with this `Idempotency-Key`.
pub fn find_by_idempotency_key(
    conn: &mut DbConn,
    account_id: i64,
    key: &str,
) -> Result<Option<ScheduledStatusRow>, DbError> {
    Ok(scheduled_statuses::table
        .filter(scheduled_statuses::account_id.eq(account_id))
        .filter(scheduled_statuses::idempotency_key.eq(key))
        .select(ScheduledStatusRow::as_select())
        .first(conn)
        .optional()?)
}

/// The account's scheduled statuses, paged by id.
pub fn list(conn: &mut DbConn, account_id: i64, page: Page) -> Result<Vec<ScheduledStatusRow>, DbError> {
    let query = scheduled_statuses::table
        .filter(scheduled_statuses::account_id.eq(account_id))
        .select(ScheduledStatusRow::as_select())
        .into_boxed();
    let rows = paginate!(query, scheduled_statuses::id, page).load(conn)?;
    Ok(newest_first(&page, rows))
}

/// How many statuses the account has scheduled in all, and how many of
/// them fall in `[from, to)`, leaving out `except`.
pub fn count(
    conn: &mut DbConn,
    account_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
    except: Option<i64>,
) -> Result<(i64, i64), DbError> {
    let mine = || {
        scheduled_statuses::table
            .filter(scheduled_statuses::account_id.eq(account_id))
            .filter(scheduled_statuses::id.ne(except.unwrap_or(0)))
    };
    let total = mine().count().get_result(conn)?;
    let in_range = mine()
        .filter(scheduled_statuses::scheduled_at.ge(from))
        .filter(scheduled_statuses::scheduled_at.lt(to))
        .count()
        .get_result(conn)?;
    Ok((total, in_range))
}

/// Moves a scheduled status to `at`.
pub fn reschedule(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> Result<(), DbError> {
    diesel::update(scheduled_statuses::table.find(id)).set(scheduled_statuses::scheduled_at.eq(at)).execute(conn)?;
    Ok(())
}

/// Removes a scheduled status and frees the uploads reserved for it.
/// False if it was already gone.
pub fn delete(conn: &mut DbConn, id: i64) -> Result<bool, DbError> {
    diesel::update(media_attachments::table.filter(media_attachments::scheduled_status_id.eq(id)))
        .set(media_attachments::scheduled_status_id.eq(None::<i64>))
        .execute(conn)?;
    Ok(diesel::delete(scheduled_statuses::table.find(id)).execute(conn)? == 1)
}

/// When the earliest scheduled status is due.
pub fn next_due_at(conn: &mut DbConn) -> Result<Option<NaiveDateTime>, DbError> {
    Ok(scheduled_statuses::table.select(diesel::dsl::min(scheduled_statuses::scheduled_at)).first(conn)?)
}

/// Claims the earliest scheduled status due at `now`, for the caller to
/// publish it and [`delete`] it in its transaction: the post and the
/// removal of its job commit together or not at all, so a crash publishes
/// nothing and loses nothing. Two processes never claim the same row: see
/// [`crate::leased`] (a second process passes over it and, after the
/// commit, no longer finds it).
pub fn claim_due(conn: &mut DbConn, now: NaiveDateTime) -> Result<Option<ScheduledStatusRow>, DbError> {
    let earliest = load_skip_locked!(
        conn,
        scheduled_statuses::table
            .filter(scheduled_statuses::scheduled_at.le(now))
            .order((scheduled_statuses::scheduled_at.asc(), scheduled_statuses::id.asc()))
            .limit(1)
            .select(ScheduledStatusRow::as_select()),
        ScheduledStatusRow
    )?;
    Ok(earliest.into_iter().next())
}
