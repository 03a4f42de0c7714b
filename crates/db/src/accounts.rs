//! Queries on `accounts`: local and remote actors.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::accounts;
use crate::{DbConn, DbError};

diesel::define_sql_function!(
    /// SQL `lower()`, available on both backends.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text
);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub domain: Option<String>,
    pub display_name: String,
    pub note: String,
    pub note_source: String,
    pub uri: String,
    pub url: Option<String>,
    pub avatar_url: Option<String>,
    pub header_url: Option<String>,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub fields: String,
    pub suspended_at: Option<NaiveDateTime>,
    pub followers_count: i32,
    pub following_count: i32,
    pub statuses_count: i32,
    pub last_status_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = accounts)]
pub struct NewAccount {
    pub id: i64,
    pub username: String,
    pub domain: Option<String>,
    pub display_name: String,
    pub uri: String,
    pub url: Option<String>,
    pub inbox_url: String,
    pub outbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub following_url: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, account: &NewAccount) -> Result<(), DbError> {
    diesel::insert_into(accounts::table).values(account).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<AccountRow>, DbError> {
    Ok(accounts::table.find(id).select(AccountRow::as_select()).first(conn).optional()?)
}

/// The local account with this username, compared without regard to case
/// (handles are case-insensitive, as on Mastodon).
pub fn find_local_by_username(conn: &mut DbConn, username: &str) -> Result<Option<AccountRow>, DbError> {
    Ok(accounts::table
        .filter(accounts::domain.is_null())
        .filter(lower(accounts::username).eq(username.to_lowercase()))
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?)
}

/// Marks the account suspended (`Some(time)`) or lifts the suspension.
pub fn set_suspended(conn: &mut DbConn, id: i64, at: Option<NaiveDateTime>) -> Result<(), DbError> {
    let changed = diesel::update(accounts::table.find(id)).set(accounts::suspended_at.eq(at)).execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// Deletes the account and, through foreign-key cascades, everything it owns.
pub fn delete(conn: &mut DbConn, id: i64) -> Result<(), DbError> {
    let deleted = diesel::delete(accounts::table.find(id)).execute(conn)?;
    if deleted == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}
