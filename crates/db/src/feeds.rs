//! Home timelines, materialised on write: one row per (reader, status).

use diesel::prelude::*;
use tertulia_core::visibility::Visibility;
use tertulia_core::{AccountId, StatusId};

use crate::bulk::{self, NewHomeEntry};
use crate::page::{Page, newest_first};
use crate::schema::{home_feed_entries, statuses};
use crate::statuses::StatusRow;
use crate::{DbConn, DbError, paginate};

/// Adds `status` to each reader's home timeline (existing entries are
/// left alone, so fan-out can be retried). One statement per few hundred
/// readers: a post to a thousand followers is a handful of statements.
pub fn push(
    conn: &mut DbConn,
    readers: &[AccountId],
    status: StatusId,
    author: AccountId,
    reblog_of: Option<StatusId>,
) -> Result<(), DbError> {
    let entries: Vec<NewHomeEntry> = readers
        .iter()
        .map(|reader| NewHomeEntry {
            account_id: reader.0,
            status_id: status.0,
            author_account_id: author.0,
            reblog_of_id: reblog_of.map(|original| original.0),
        })
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

/// A page of `reader`'s home timeline as status rows, newest first, in
/// one statement (entries whose status was deleted are skipped).
pub fn page_statuses(conn: &mut DbConn, reader: i64, page: Page) -> Result<Vec<StatusRow>, DbError> {
    let query = home_feed_entries::table
        .inner_join(statuses::table)
        .filter(home_feed_entries::account_id.eq(reader))
        .filter(statuses::deleted_at.is_null())
        .select(StatusRow::as_select())
        .into_boxed();
    let rows = paginate!(query, home_feed_entries::status_id, page).load(conn)?;
    Ok(newest_first(&page, rows))
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

/// `author`'s most recent statuses of the given visibilities, oldest
/// first, as (status id, boosted status id): what a new follow merges into
/// the follower's home timeline.
pub fn recent_of(
    conn: &mut DbConn,
    author: i64,
    visibilities: &[Visibility],
    count: i64,
) -> Result<Vec<(i64, Option<i64>)>, DbError> {
    use crate::schema::statuses;
    let mut recent: Vec<(i64, Option<i64>)> = statuses::table
        .filter(statuses::account_id.eq(author))
        .filter(statuses::visibility.eq_any(visibilities))
        .filter(statuses::deleted_at.is_null())
        .order(statuses::id.desc())
        .limit(count)
        .select((statuses::id, statuses::reblog_of_id))
        .load(conn)?;
    recent.reverse();
    Ok(recent)
}

/// For each of `readers` whose home timeline holds `original` or a boost
/// of it: the newest such entry, as (reader, status id). Boosts are newer
/// than what they boost, so only entries from `original` on are read.
pub fn newest_entries_of(conn: &mut DbConn, readers: &[i64], original: i64) -> Result<Vec<(i64, i64)>, DbError> {
    let mut newest: Vec<(i64, i64)> = Vec::new();
    for chunk in readers.chunks(crate::accounts::IDS_PER_STATEMENT) {
        let found: Vec<(i64, i64)> = home_feed_entries::table
            .filter(home_feed_entries::account_id.eq_any(chunk))
            .filter(home_feed_entries::status_id.ge(original))
            .filter(home_feed_entries::status_id.eq(original).or(home_feed_entries::reblog_of_id.eq(original)))
            .select((home_feed_entries::account_id, home_feed_entries::status_id))
            .load(conn)?;
        newest.extend(found);
    }
    newest.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    newest.dedup_by_key(|(reader, _)| *reader);
    Ok(newest)
}

/// How many entries of `reader`'s home timeline are newer than
/// `status_id`, counting no further than `cap`.
pub fn newer_entries(conn: &mut DbConn, reader: i64, status_id: i64, cap: i64) -> Result<usize, DbError> {
    Ok(home_feed_entries::table
        .filter(home_feed_entries::account_id.eq(reader))
        .filter(home_feed_entries::status_id.gt(status_id))
        .select(home_feed_entries::status_id)
        .limit(cap)
        .load::<i64>(conn)?
        .len())
}
