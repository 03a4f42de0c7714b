//! Queries on `notification_policies` and `notification_requests`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::page::{Page, newest_first};
use crate::schema::{notification_policies, notification_requests};
use crate::{DbConn, DbError, paginate};

tertulia_core::stored_enum! {
    /// What a notification policy does with one notification, from the
    /// most to the least welcoming (so the strictest is the greatest).
    #[derive(PartialOrd, Ord)]
    pub enum Decision("notification policy decision") {
        Accept = "accept",
        /// Stored, but held back on a request per sender.
        Filter = "filter",
        /// Not stored.
        Drop = "drop",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = notification_policies)]
pub struct PolicyRow {
    pub account_id: i64,
    pub for_not_following: Decision,
    pub for_not_followers: Decision,
    pub for_new_accounts: Decision,
    pub for_private_mentions: Decision,
    pub for_limited_accounts: Decision,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = notification_requests)]
pub struct RequestRow {
    pub id: i64,
    pub account_id: i64,
    pub from_account_id: i64,
    pub last_status_id: Option<i64>,
    pub notifications_count: i64,
    pub accepted: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn find_policy(conn: &mut DbConn, account_id: i64) -> Result<Option<PolicyRow>, DbError> {
    Ok(notification_policies::table.find(account_id).select(PolicyRow::as_select()).first(conn).optional()?)
}

pub fn save_policy(conn: &mut DbConn, policy: &PolicyRow) -> Result<(), DbError> {
    diesel::delete(notification_policies::table.find(policy.account_id)).execute(conn)?;
    diesel::insert_into(notification_policies::table).values(policy).execute(conn)?;
    Ok(())
}

/// The request of `from_account_id` to `account_id`, pending or accepted.
pub fn find_between(conn: &mut DbConn, account_id: i64, from_account_id: i64) -> Result<Option<RequestRow>, DbError> {
    Ok(notification_requests::table
        .filter(notification_requests::account_id.eq(account_id))
        .filter(notification_requests::from_account_id.eq(from_account_id))
        .select(RequestRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert(conn: &mut DbConn, row: &RequestRow) -> Result<(), DbError> {
    diesel::insert_into(notification_requests::table).values(row).execute(conn)?;
    Ok(())
}

/// Counts one more filtered notification on a pending request.
pub fn add_one(conn: &mut DbConn, id: i64, status_id: Option<i64>, now: NaiveDateTime) -> Result<(), DbError> {
    let target = notification_requests::table.find(id);
    diesel::update(target)
        .set((
            notification_requests::notifications_count.eq(notification_requests::notifications_count + 1),
            notification_requests::updated_at.eq(now),
        ))
        .execute(conn)?;
    if let Some(status_id) = status_id {
        diesel::update(target).set(notification_requests::last_status_id.eq(status_id)).execute(conn)?;
    }
    Ok(())
}

/// One page of `account_id`'s pending requests, newest first.
pub fn pending(conn: &mut DbConn, account_id: i64, page: Page) -> Result<Vec<RequestRow>, DbError> {
    let query = notification_requests::table
        .filter(notification_requests::account_id.eq(account_id))
        .filter(notification_requests::accepted.eq(false))
        .select(RequestRow::as_select())
        .into_boxed();
    let rows = paginate!(query, notification_requests::id, page).load(conn)?;
    Ok(newest_first(&page, rows))
}

/// `account_id`'s pending requests among `ids`.
pub fn pending_among(conn: &mut DbConn, account_id: i64, ids: &[i64]) -> Result<Vec<RequestRow>, DbError> {
    Ok(notification_requests::table
        .filter(notification_requests::account_id.eq(account_id))
        .filter(notification_requests::accepted.eq(false))
        .filter(notification_requests::id.eq_any(ids))
        .select(RequestRow::as_select())
        .load(conn)?)
}

/// Pending requests and the notifications they hold.
pub fn pending_totals(conn: &mut DbConn, account_id: i64) -> Result<(i64, i64), DbError> {
    let counts: Vec<i64> = notification_requests::table
        .filter(notification_requests::account_id.eq(account_id))
        .filter(notification_requests::accepted.eq(false))
        .select(notification_requests::notifications_count)
        .load(conn)?;
    Ok((counts.len() as i64, counts.iter().sum()))
}

pub fn accept(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<(), DbError> {
    diesel::update(notification_requests::table.find(id))
        .set((
            notification_requests::accepted.eq(true),
            notification_requests::notifications_count.eq(0),
            notification_requests::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, id: i64) -> Result<(), DbError> {
    diesel::delete(notification_requests::table.find(id)).execute(conn)?;
    Ok(())
}

/// Whether a moderator limited (silenced) the account.
pub fn is_limited(conn: &mut DbConn, account_id: i64) -> Result<bool, DbError> {
    use crate::schema::accounts;
    let silenced: Option<Option<NaiveDateTime>> =
        accounts::table.find(account_id).select(accounts::silenced_at).first(conn).optional()?;
    Ok(silenced.flatten().is_some())
}
