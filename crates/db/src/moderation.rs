//! Queries for moderation: the admin list of accounts and its filters, the
//! marks moderators put on accounts and users, and account warnings.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::{AccountRow, lower};
use crate::page::{Page, newest_first};
use crate::paginate;
use crate::schema::{account_warnings, accounts, sign_in_addresses, users};
use crate::users::{Role, UserRow};
use crate::{DbConn, DbError};

tertulia_core::stored_enum! {
    /// What a moderator did to an account (Mastodon's account action and
    /// AccountWarning `action`). `None` only records the warning.
    pub enum AccountAction("account action") {
        None = "none",
        Sensitive = "sensitive",
        Disable = "disable",
        Silence = "silence",
        Suspend = "suspend",
    }
}

/// Which accounts an admin list shows (Mastodon's `Admin::AccountFilter`).
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// `Some(true)`: accounts of this site only; `Some(false)`: of others.
    pub local: Option<bool>,
    pub status: Option<AccountStatus>,
    /// The username starts with this (any case).
    pub username: Option<String>,
    /// The display name contains this (any case).
    pub display_name: Option<String>,
    /// The e-mail address contains this (any case).
    pub email: Option<String>,
    /// The account's site, exactly (any case).
    pub domain: Option<String>,
    /// The user signed in from this address (as stored: `IpAddr` text).
    pub ip: Option<String>,
    /// Only users with one of these roles (`None`: any account; an empty
    /// list matches none, as when no role asked for is a staff role).
    pub roles: Option<Vec<Role>>,
}

/// The state filter of the admin list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    /// Not suspended.
    Active,
    /// Waiting for approval.
    Pending,
    Disabled,
    Silenced,
    Suspended,
    Sensitized,
}

/// One page of accounts (with their user, for local ones) that match
/// `filter`, newest first.
pub fn list(
    conn: &mut DbConn,
    filter: &AccountFilter,
    page: &Page,
) -> Result<Vec<(AccountRow, Option<UserRow>)>, DbError> {
    let mut query = accounts::table
        .left_join(users::table)
        .select((AccountRow::as_select(), Option::<UserRow>::as_select()))
        .into_boxed();
    match filter.local {
        Some(true) => query = query.filter(accounts::domain.is_null()),
        Some(false) => query = query.filter(accounts::domain.is_not_null()),
        None => {}
    }
    // Conditions on the user go through a subquery: the left join's user
    // columns are nullable, and a remote account has no user at all.
    // The query already joins `users`; the subqueries need it again, so
    // under another name.
    let other = diesel::alias!(users as filtered_users);
    let user_accounts = || other.select(other.field(users::account_id));
    query = match filter.status {
        None => query,
        Some(AccountStatus::Active) => query.filter(accounts::suspended_at.is_null()),
        Some(AccountStatus::Pending) => {
            query.filter(accounts::id.eq_any(user_accounts().filter(other.field(users::approved).eq(false))))
        }
        Some(AccountStatus::Disabled) => {
            query.filter(accounts::id.eq_any(user_accounts().filter(other.field(users::disabled))))
        }
        Some(AccountStatus::Silenced) => query.filter(accounts::silenced_at.is_not_null()),
        Some(AccountStatus::Suspended) => query.filter(accounts::suspended_at.is_not_null()),
        Some(AccountStatus::Sensitized) => query.filter(accounts::sensitized_at.is_not_null()),
    };
    if let Some(username) = &filter.username {
        query = query.filter(lower(accounts::username).like(format!("{}%", username.to_lowercase())));
    }
    if let Some(name) = &filter.display_name {
        query = query.filter(lower(accounts::display_name).like(format!("%{}%", name.to_lowercase())));
    }
    if let Some(email) = &filter.email {
        let pattern = format!("%{}%", email.to_lowercase());
        query =
            query.filter(accounts::id.eq_any(user_accounts().filter(lower(other.field(users::email)).like(pattern))));
    }
    if let Some(domain) = &filter.domain {
        query = query.filter(lower(accounts::domain.assume_not_null()).eq(domain.to_lowercase()));
    }
    if let Some(ip) = &filter.ip {
        let users_from =
            sign_in_addresses::table.filter(sign_in_addresses::ip.eq(ip)).select(sign_in_addresses::user_id);
        query = query.filter(accounts::id.eq_any(user_accounts().filter(other.field(users::id).eq_any(users_from))));
    }
    if let Some(roles) = &filter.roles {
        query =
            query.filter(accounts::id.eq_any(user_accounts().filter(other.field(users::role).eq_any(roles.clone()))));
    }
    let rows = paginate!(query, accounts::id, *page).load(conn)?;
    Ok(newest_first(page, rows))
}

/// One account with its user (local accounts have one).
pub fn find(conn: &mut DbConn, account_id: i64) -> Result<Option<(AccountRow, Option<UserRow>)>, DbError> {
    Ok(accounts::table
        .left_join(users::table)
        .filter(accounts::id.eq(account_id))
        .select((AccountRow::as_select(), Option::<UserRow>::as_select()))
        .first(conn)
        .optional()?)
}

/// Marks the account silenced (`Some(time)`) or lifts the mark.
pub fn set_silenced(conn: &mut DbConn, account_id: i64, at: Option<NaiveDateTime>) -> Result<(), DbError> {
    diesel::update(accounts::table.find(account_id)).set(accounts::silenced_at.eq(at)).execute(conn)?;
    Ok(())
}

/// Marks the account's media sensitive (`Some(time)`) or lifts the mark.
pub fn set_sensitized(conn: &mut DbConn, account_id: i64, at: Option<NaiveDateTime>) -> Result<(), DbError> {
    diesel::update(accounts::table.find(account_id)).set(accounts::sensitized_at.eq(at)).execute(conn)?;
    Ok(())
}

/// Disables or enables the sign-in of the user of `account_id`.
pub fn set_disabled(conn: &mut DbConn, account_id: i64, disabled: bool) -> Result<(), DbError> {
    diesel::update(users::table.filter(users::account_id.eq(account_id)))
        .set(users::disabled.eq(disabled))
        .execute(conn)?;
    Ok(())
}

/// Approves the pending user of `account_id`.
pub fn approve(conn: &mut DbConn, account_id: i64) -> Result<(), DbError> {
    diesel::update(users::table.filter(users::account_id.eq(account_id)))
        .set(users::approved.eq(true))
        .execute(conn)?;
    Ok(())
}

/// Sets the role of the user of `account_id`.
pub fn set_role(conn: &mut DbConn, account_id: i64, role: Role) -> Result<(), DbError> {
    let changed = diesel::update(users::table.filter(users::account_id.eq(account_id)))
        .set(users::role.eq(role))
        .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = account_warnings)]
pub struct WarningRow {
    pub id: i64,
    pub account_id: i64,
    pub action: AccountAction,
    pub text: String,
    pub report_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

pub fn insert_warning(conn: &mut DbConn, warning: &WarningRow) -> Result<(), DbError> {
    diesel::insert_into(account_warnings::table).values(warning).execute(conn)?;
    Ok(())
}

/// The warnings with these ids.
pub fn warnings_by_ids(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<WarningRow>, DbError> {
    Ok(account_warnings::table.filter(account_warnings::id.eq_any(ids)).select(WarningRow::as_select()).load(conn)?)
}

/// The warnings an account received, newest first.
pub fn warnings_of(conn: &mut DbConn, account_id: i64) -> Result<Vec<WarningRow>, DbError> {
    Ok(account_warnings::table
        .filter(account_warnings::account_id.eq(account_id))
        .order(account_warnings::id.desc())
        .select(WarningRow::as_select())
        .load(conn)?)
}
