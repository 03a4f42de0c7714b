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
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::schema::{accounts, favourites, follows, home_feed_entries, mentions, notifications, status_tags, statuses};
use crate::statuses::StatusRow;
use crate::{DbConn, DbError};

/// Rows per `INSERT`: keeps the widest row type (7 columns) well below
/// SQLite's limit of 32,766 bound parameters and PostgreSQL's 65,535.
pub(crate) const ROWS_PER_STATEMENT: usize = 500;

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
        for chunk in $rows.chunks($crate::bulk::ROWS_PER_STATEMENT) {
            match &mut *$conn {
                DbConn::Sqlite(c) => diesel::insert_into($table).values(chunk)$(.$on_conflict())?.execute(c)?,
                DbConn::Postgres(c) => diesel::insert_into($table).values(chunk)$(.$on_conflict())?.execute(c)?,
            };
        }
        Ok(())
    }};
}
pub(crate) use insert_chunked;

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

/// A long load under way on one connection: what [`finish_loading`]
/// builds again and checks.
pub struct Loading {
    tables: Vec<&'static str>,
    /// `CREATE INDEX` statements of the secondary indexes dropped (SQLite).
    dropped_indexes: Vec<String>,
}

#[derive(QueryableByName)]
struct IndexDefinition {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    sql: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
}

/// Prepares `conn` for a long load into empty `tables`, by a loader that
/// is the database's only user and whose data are consistent by
/// construction (the benchmark seeder); [`finish_loading`] puts it back.
///
/// SQLite: a 256 MiB page cache (the default 2 MiB cannot hold the indexes
/// a load touches, so it rereads and rewrites pages all the time); the
/// secondary indexes of `tables` dropped, to be built once from the loaded
/// rows (sorting them once instead of scattering every row over every
/// index); foreign keys checked once at the end instead of three lookups
/// per row; no `fsync` at checkpoints (a crash mid-load leaves a database
/// to seed again either way). PostgreSQL: commits without waiting for
/// the log to reach the disk (a crash loses the last commits, never
/// consistency).
pub fn start_loading(conn: &mut DbConn, tables: &[&'static str]) -> Result<Loading, DbError> {
    let mut loading = Loading { tables: tables.to_vec(), dropped_indexes: Vec::new() };
    match conn {
        DbConn::Sqlite(conn) => {
            conn.batch_execute("PRAGMA cache_size = -262144; PRAGMA foreign_keys = OFF; PRAGMA synchronous = OFF")?;
            let tables_json = serde_json::to_string(tables).map_err(|e| DbError::Unreadable(e.to_string()))?;
            // `sql` is NULL for the indexes of UNIQUE and PRIMARY KEY
            // constraints, which stay.
            let indexes: Vec<IndexDefinition> = diesel::sql_query(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
                 AND tbl_name IN (SELECT value FROM json_each(?))",
            )
            .bind::<diesel::sql_types::Text, _>(tables_json)
            .load(conn)?;
            for index in indexes {
                conn.batch_execute(&format!("DROP INDEX \"{}\"", index.name))?;
                loading.dropped_indexes.push(index.sql);
            }
        }
        DbConn::Postgres(conn) => conn.batch_execute("SET synchronous_commit = off")?,
    }
    Ok(loading)
}

/// Ends a load begun with [`start_loading`]: builds the dropped indexes
/// again (a unique one refuses duplicates then), checks every foreign key
/// of the loaded tables, and gives the connection back its usual settings.
pub fn finish_loading(conn: &mut DbConn, loading: Loading) -> Result<(), DbError> {
    match conn {
        DbConn::Sqlite(conn) => {
            for index in &loading.dropped_indexes {
                conn.batch_execute(index)?;
            }
            for table in &loading.tables {
                let broken: Count = diesel::sql_query("SELECT count(*) AS count FROM pragma_foreign_key_check(?)")
                    .bind::<diesel::sql_types::Text, _>(*table)
                    .get_result(conn)?;
                if broken.count > 0 {
                    let message = format!("{} rows of {table} refer to rows that do not exist", broken.count);
                    return Err(DbError::Query(diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                        Box::new(message),
                    )));
                }
            }
            // -2000 (2 MiB) is SQLite's default, which pooled connections keep.
            conn.batch_execute(&format!("PRAGMA cache_size = -2000; {}", crate::conn::SQLITE_PRAGMAS))?;
        }
        DbConn::Postgres(conn) => conn.batch_execute("RESET synchronous_commit")?,
    }
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
