//! Queries on `users`: sign-in identities of local accounts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::{AccountRow, lower};
use crate::schema::{accounts, users};
use crate::{DbConn, DbError};

tertulia_core::stored_enum! {
    /// What a user may do beyond posting.
    pub enum Role("role") {
        User = "user",
        Moderator = "moderator",
        Admin = "admin",
        Owner = "owner",
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub account_id: i64,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub approved: bool,
    pub locale: String,
    pub last_sign_in_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// A moderator disabled sign-in.
    pub disabled: bool,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub id: i64,
    pub account_id: i64,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, user: &NewUser) -> Result<(), DbError> {
    diesel::insert_into(users::table).values(user).execute(conn)?;
    Ok(())
}

/// Every user with their account, oldest first.
pub fn list_with_accounts(conn: &mut DbConn) -> Result<Vec<(UserRow, AccountRow)>, DbError> {
    Ok(users::table
        .inner_join(accounts::table)
        .order(users::id.asc())
        .select((UserRow::as_select(), AccountRow::as_select()))
        .load(conn)?)
}

/// The user whose local account has this username (any case).
pub fn find_by_username(conn: &mut DbConn, username: &str) -> Result<Option<(UserRow, AccountRow)>, DbError> {
    Ok(users::table
        .inner_join(accounts::table)
        .filter(accounts::domain.is_null())
        .filter(lower(accounts::username).eq(username.to_lowercase()))
        .select((UserRow::as_select(), AccountRow::as_select()))
        .first(conn)
        .optional()?)
}

/// Whether some user already has this e-mail address (any case).
pub fn email_exists(conn: &mut DbConn, email: &str) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(users::table.filter(lower(users::email).eq(email.to_lowercase()))))
        .get_result(conn)?)
}

pub fn set_password_hash(conn: &mut DbConn, user_id: i64, hash: &str, now: NaiveDateTime) -> Result<(), DbError> {
    let changed = diesel::update(users::table.find(user_id))
        .set((users::password_hash.eq(hash), users::updated_at.eq(now)))
        .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// The first admin by creation date: the default instance contact.
pub fn first_admin(conn: &mut DbConn) -> Result<Option<(UserRow, AccountRow)>, DbError> {
    Ok(users::table
        .inner_join(accounts::table)
        .filter(users::role.eq_any([Role::Owner, Role::Admin]))
        .filter(accounts::suspended_at.is_null())
        .order(users::id.asc())
        .select((UserRow::as_select(), AccountRow::as_select()))
        .first(conn)
        .optional()?)
}

/// The accounts of this site's staff who handle reports (moderators and
/// admins), suspended ones left out.
pub fn report_handler_account_ids(conn: &mut DbConn) -> Result<Vec<i64>, DbError> {
    Ok(users::table
        .inner_join(accounts::table)
        .filter(users::role.eq_any([Role::Moderator, Role::Admin]))
        .filter(accounts::suspended_at.is_null())
        .select(accounts::id)
        .load(conn)?)
}

/// The users of these accounts (other sites' accounts have none).
pub fn find_by_accounts(conn: &mut DbConn, account_ids: &[i64]) -> Result<Vec<UserRow>, DbError> {
    Ok(users::table.filter(users::account_id.eq_any(account_ids)).select(UserRow::as_select()).load(conn)?)
}

/// The user with this e-mail address (any case).
pub fn find_by_email(conn: &mut DbConn, email: &str) -> Result<Option<(UserRow, AccountRow)>, DbError> {
    Ok(users::table
        .inner_join(accounts::table)
        .filter(lower(users::email).eq(email.to_lowercase()))
        .select((UserRow::as_select(), AccountRow::as_select()))
        .first(conn)
        .optional()?)
}

/// The user with this id and their account.
pub fn find_by_id(conn: &mut DbConn, user_id: i64) -> Result<Option<(UserRow, AccountRow)>, DbError> {
    Ok(users::table
        .inner_join(accounts::table)
        .filter(users::id.eq(user_id))
        .select((UserRow::as_select(), AccountRow::as_select()))
        .first(conn)
        .optional()?)
}

/// Sets what the company directory says of a user: e-mail address and,
/// when the directory decides roles, the role.
pub fn set_directory_facts(
    conn: &mut DbConn,
    user_id: i64,
    email: &str,
    role: Option<Role>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let target = users::table.find(user_id);
    let changed = match role {
        Some(role) => diesel::update(target)
            .set((users::email.eq(email), users::role.eq(role), users::updated_at.eq(now)))
            .execute(conn)?,
        None => diesel::update(target).set((users::email.eq(email), users::updated_at.eq(now))).execute(conn)?,
    };
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

pub fn record_sign_in(conn: &mut DbConn, user_id: i64, now: NaiveDateTime) -> Result<(), DbError> {
    diesel::update(users::table.find(user_id)).set(users::last_sign_in_at.eq(now)).execute(conn)?;
    Ok(())
}

/// Holds a new user back until staff approve them.
pub fn hold_for_approval(conn: &mut DbConn, user_id: i64) -> Result<(), DbError> {
    diesel::update(users::table.find(user_id)).set(users::approved.eq(false)).execute(conn)?;
    Ok(())
}
