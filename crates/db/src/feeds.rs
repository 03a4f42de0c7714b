//! Home timelines, materialised on write: one row per (reader, status).

use diesel::prelude::*;
use tertulia_core::visibility::Visibility;

use crate::bulk::{self, NewHomeEntry};
use crate::page::{Page, newest_first};
use crate::schema::home_feed_entries;
use crate::{DbConn, DbError, paginate};

/// Adds `status_id` to each reader's home timeline (existing entries are
/// left alone, so fan-out can be retried). One statement per few hundred
/// readers: a post to a thousand followers is a handful of statements.
pub fn push(
    conn: &mut DbConn,
    readers: &[i64],
    status_id: i64,
    author_account_id: i64,
    reblog_of_id: Option<i64>,
) -> Result<(), DbError> {
    let entries: Vec<NewHomeEntry> = readers
        .iter()
        .map(|&account_id| NewHomeEntry { account_id, status_id, author_account_id, reblog_of_id })
        .collect();
    bulk::insert_new_home_entries(conn, &entries)
}

/// The newest entry of `reader`'s home timeline beyond its `keep` newest,
/// if it has more: trimming removes it and everything older.
pub fn trim_point(conn: &mut DbConn, reader: i64, keep: u32) -> Result<Option<i64>, DbError> {
    Ok(home_feed_entries::table
        .filter(home_feed_entries::account_id.eq(reader))
        .order(home_feed_entries::status_id.desc())
        .offset(i64::from(keep))
        .select(home_feed_entries::status_id)
        .first(conn)
        .optional()?)
}

/// Removes `status_id` and every older entry from `reader`'s home
/// timeline, returning how many went. The statuses themselves stay.
pub fn remove_from(conn: &mut DbConn, reader: i64, status_id: i64) -> Result<usize, DbError> {
    Ok(diesel::delete(
        home_feed_entries::table
            .filter(home_feed_entries::account_id.eq(reader))
            .filter(home_feed_entries::status_id.le(status_id)),
    )
    .execute(conn)?)
}

/// Up to `limit` accounts that have a home timeline (local users), in id
/// order after `after`: a cursor over every home timeline.
pub fn readers_after(conn: &mut DbConn, after: i64, limit: i64) -> Result<Vec<i64>, DbError> {
    use crate::schema::users;
    Ok(users::table
        .filter(users::account_id.gt(after))
        .order(users::account_id.asc())
        .limit(limit)
        .select(users::account_id)
        .load(conn)?)
}

/// Status ids of one page of `reader`'s home timeline, newest first.
pub fn page(conn: &mut DbConn, reader: i64, page: Page) -> Result<Vec<i64>, DbError> {
    let query = home_feed_entries::table
        .filter(home_feed_entries::account_id.eq(reader))
        .select(home_feed_entries::status_id)
        .into_boxed();
    let ids = paginate!(query, home_feed_entries::status_id, page).load(conn)?;
    Ok(newest_first(&page, ids))
}

/// Removes `author`'s entries from `reader`'s home timeline (after an
/// unfollow).
pub fn remove_author(conn: &mut DbConn, reader: i64, author: i64) -> Result<(), DbError> {
    diesel::delete(
        home_feed_entries::table
            .filter(home_feed_entries::account_id.eq(reader))
            .filter(home_feed_entries::author_account_id.eq(author)),
    )
    .execute(conn)?;
    Ok(())
}

/// Copies `author`'s most recent statuses of the given visibilities into
/// `reader`'s home timeline (after a new follow).
pub fn backfill(
    conn: &mut DbConn,
    reader: i64,
    author: i64,
    visibilities: &[Visibility],
    count: i64,
) -> Result<(), DbError> {
    use crate::schema::statuses;
    let recent: Vec<(i64, Option<i64>)> = statuses::table
        .filter(statuses::account_id.eq(author))
        .filter(statuses::visibility.eq_any(visibilities))
        .filter(statuses::deleted_at.is_null())
        .order(statuses::id.desc())
        .limit(count)
        .select((statuses::id, statuses::reblog_of_id))
        .load(conn)?;
    for (status_id, reblog_of_id) in recent {
        push(conn, &[reader], status_id, author, reblog_of_id)?;
    }
    Ok(())
}
