//! Home timelines, materialised on write: one row per (reader, status).

use diesel::prelude::*;

use crate::page::{Page, newest_first};
use crate::schema::home_feed_entries;
use crate::{DbConn, DbError, paginate};

/// Adds `status_id` to each reader's home timeline (existing entries are
/// left alone, so fan-out can be retried).
pub fn push(
    conn: &mut DbConn,
    readers: &[i64],
    status_id: i64,
    author_account_id: i64,
    reblog_of_id: Option<i64>,
) -> Result<(), DbError> {
    for reader in readers {
        let exists = diesel::select(diesel::dsl::exists(
            home_feed_entries::table
                .filter(home_feed_entries::account_id.eq(reader))
                .filter(home_feed_entries::status_id.eq(status_id)),
        ))
        .get_result::<bool>(conn)?;
        if !exists {
            diesel::insert_into(home_feed_entries::table)
                .values((
                    home_feed_entries::account_id.eq(reader),
                    home_feed_entries::status_id.eq(status_id),
                    home_feed_entries::author_account_id.eq(author_account_id),
                    home_feed_entries::reblog_of_id.eq(reblog_of_id),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
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
pub fn backfill(conn: &mut DbConn, reader: i64, author: i64, visibilities: &[&str], count: i64) -> Result<(), DbError> {
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
