//! Queries on `groups` and `group_moderators`: what only a group (a local
//! account of type `Group`, FEP-1b12) has.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::page::{Page, newest_first};
use crate::paginate;
use crate::schema::{group_moderators, groups};
use crate::{DbConn, DbError};

/// Makes the local account `account` a group with `rules`, moderated by
/// `moderator`.
pub fn insert(
    conn: &mut DbConn,
    account: i64,
    rules: &str,
    moderator: Option<i64>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(groups::table)
        .values((groups::account_id.eq(account), groups::rules.eq(rules), groups::created_at.eq(now)))
        .execute(conn)?;
    if let Some(moderator) = moderator {
        add_moderator(conn, account, moderator, now)?;
    }
    Ok(())
}

/// Adds a moderator; adding one twice is no error.
pub fn add_moderator(conn: &mut DbConn, group: i64, account: i64, now: NaiveDateTime) -> Result<(), DbError> {
    if is_moderator(conn, group, account)? {
        return Ok(());
    }
    diesel::insert_into(group_moderators::table)
        .values((
            group_moderators::group_id.eq(group),
            group_moderators::account_id.eq(account),
            group_moderators::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The groups of this site among `accounts`.
pub fn among(conn: &mut DbConn, accounts: &[i64]) -> Result<Vec<i64>, DbError> {
    if accounts.is_empty() {
        return Ok(Vec::new());
    }
    Ok(groups::table.filter(groups::account_id.eq_any(accounts)).select(groups::account_id).load(conn)?)
}

/// A group's rules; `None` if `account` is no group of this site.
pub fn rules_of(conn: &mut DbConn, account: i64) -> Result<Option<String>, DbError> {
    Ok(groups::table.find(account).select(groups::rules).first(conn).optional()?)
}

pub fn is_moderator(conn: &mut DbConn, group: i64, account: i64) -> Result<bool, DbError> {
    let found = group_moderators::table.find((group, account)).select(group_moderators::account_id).first::<i64>(conn);
    Ok(found.optional()?.is_some())
}

/// A group's moderators, the earliest first.
pub fn moderators(conn: &mut DbConn, group: i64) -> Result<Vec<i64>, DbError> {
    Ok(group_moderators::table
        .filter(group_moderators::group_id.eq(group))
        .order(group_moderators::created_at.asc())
        .select(group_moderators::account_id)
        .load(conn)?)
}

/// A page of this site's groups, newest first.
pub fn page(conn: &mut DbConn, page: Page) -> Result<Vec<i64>, DbError> {
    let query = groups::table.select(groups::account_id).into_boxed();
    let ids = paginate!(query, groups::account_id, page).load(conn)?;
    Ok(newest_first(&page, ids))
}
