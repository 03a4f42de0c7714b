//! Multi-row inserts: no existence checks, ids and times chosen by the
//! caller, counters left alone. Loaders that generate consistent data
//! themselves (the benchmark seeder) use them directly and set counters
//! once at the end; the other modules use them for rows that come many at
//! a time (a post's home timeline entries and mentions) and keep the
//! counters and notifications right themselves.
//!
//! Diesel's `MultiConnection` has no batch insert, so each function matches
//! on the backend and inserts through the concrete connection, a few
//! hundred rows per statement. Row by row, a fan-out or a million-status
//! seed would spend most of its time on statement overhead (and, on
//! PostgreSQL, on round trips).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{accounts, favourites, follows, home_feed_entries, mentions, notifications, status_tags, statuses};
use crate::statuses::StatusRow;
use crate::{DbConn, DbError};

/// Rows per `INSERT`: keeps the widest row type (7 columns) well below
/// SQLite's limit of 32,766 bound parameters and PostgreSQL's 65,535.
const ROWS_PER_STATEMENT: usize = 500;

// `treat_none_as_default_value = false` writes `None` as NULL, which every
// column here defaults to anyway; it lets SQLite take all rows in one
// statement (it has no DEFAULT keyword inside a multi-row VALUES list).

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = follows, treat_none_as_default_value = false)]
pub struct NewFollow {
    pub id: i64,
    pub account_id: i64,
    pub target_account_id: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = favourites, treat_none_as_default_value = false)]
pub struct NewFavourite {
    pub id: i64,
    pub account_id: i64,
    pub status_id: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = status_tags, treat_none_as_default_value = false)]
pub struct NewStatusTag {
    pub status_id: i64,
    pub tag_id: i64,
}

/// One row of a home timeline; see `feeds::push` for the meaning.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = home_feed_entries, treat_none_as_default_value = false)]
pub struct NewHomeEntry {
    pub account_id: i64,
    pub status_id: i64,
    pub author_account_id: i64,
    pub reblog_of_id: Option<i64>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = mentions, treat_none_as_default_value = false)]
pub struct NewMention {
    pub id: i64,
    pub status_id: i64,
    pub account_id: i64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = notifications, treat_none_as_default_value = false)]
pub struct NewNotification {
    pub id: i64,
    pub account_id: i64,
    pub from_account_id: i64,
    pub kind: String,
    pub status_id: Option<i64>,
    pub group_key: String,
    pub created_at: NaiveDateTime,
}

/// Inserts `$rows` (a slice) into `$table`, a statement per chunk, on
/// whichever backend `$conn` is; `on_conflict_do_nothing` after the rows
/// leaves out those that would repeat a unique key.
macro_rules! insert_chunked {
    ($conn:expr, $table:expr, $rows:expr $(, $on_conflict:ident)?) => {{
        for chunk in $rows.chunks(ROWS_PER_STATEMENT) {
            match &mut *$conn {
                DbConn::Sqlite(c) => diesel::insert_into($table).values(chunk)$(.$on_conflict())?.execute(c)?,
                DbConn::Postgres(c) => diesel::insert_into($table).values(chunk)$(.$on_conflict())?.execute(c)?,
            };
        }
        Ok(())
    }};
}

pub fn insert_statuses(conn: &mut DbConn, rows: &[StatusRow]) -> Result<(), DbError> {
    insert_chunked!(conn, statuses::table, rows)
}

pub fn insert_mentions(conn: &mut DbConn, rows: &[NewMention]) -> Result<(), DbError> {
    insert_chunked!(conn, mentions::table, rows)
}

pub fn insert_follows(conn: &mut DbConn, rows: &[NewFollow]) -> Result<(), DbError> {
    insert_chunked!(conn, follows::table, rows)
}

pub fn insert_favourites(conn: &mut DbConn, rows: &[NewFavourite]) -> Result<(), DbError> {
    insert_chunked!(conn, favourites::table, rows)
}

pub fn insert_status_tags(conn: &mut DbConn, rows: &[NewStatusTag]) -> Result<(), DbError> {
    insert_chunked!(conn, status_tags::table, rows)
}

pub fn insert_home_entries(conn: &mut DbConn, rows: &[NewHomeEntry]) -> Result<(), DbError> {
    insert_chunked!(conn, home_feed_entries::table, rows)
}

/// Like [`insert_home_entries`], leaving out entries a timeline already
/// has (so a fan-out can be retried).
pub(crate) fn insert_new_home_entries(conn: &mut DbConn, rows: &[NewHomeEntry]) -> Result<(), DbError> {
    insert_chunked!(conn, home_feed_entries::table, rows, on_conflict_do_nothing)
}

pub fn insert_notifications(conn: &mut DbConn, rows: &[NewNotification]) -> Result<(), DbError> {
    insert_chunked!(conn, notifications::table, rows)
}

/// Prepares `conn` for a long load: SQLite gets a 256 MiB page cache (the
/// default 2 MiB cannot hold the indexes a load touches, so it rereads and
/// rewrites pages all the time); PostgreSQL commits without waiting for
/// its log to reach the disk (a crash loses the last commits, never
/// consistency). Both last as long as this connection.
pub fn tune_for_loading(conn: &mut DbConn) -> Result<(), DbError> {
    let setting = match conn {
        DbConn::Sqlite(_) => "PRAGMA cache_size = -262144",
        DbConn::Postgres(_) => "SET synchronous_commit = off",
    };
    diesel::sql_query(setting).execute(conn)?;
    Ok(())
}

/// An account's counters, as a loader computed them.
#[derive(Debug, Clone, Copy)]
pub struct AccountCounts {
    pub followers: i32,
    pub following: i32,
    pub statuses: i32,
    pub last_status_at: Option<NaiveDateTime>,
}

pub fn set_account_counts(conn: &mut DbConn, id: i64, counts: AccountCounts) -> Result<(), DbError> {
    diesel::update(accounts::table.find(id))
        .set((
            accounts::followers_count.eq(counts.followers),
            accounts::following_count.eq(counts.following),
            accounts::statuses_count.eq(counts.statuses),
            accounts::last_status_at.eq(counts.last_status_at),
        ))
        .execute(conn)?;
    Ok(())
}
