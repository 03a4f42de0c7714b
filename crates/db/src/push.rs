//! Queries on `push_subscriptions` (one Web Push subscription per access
//! token, as Mastodon keeps them) and `vapid_keys` (the server's key pair).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{oauth_access_tokens, push_subscriptions, users, vapid_keys};
use crate::{DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = push_subscriptions)]
pub struct PushSubscriptionRow {
    pub id: i64,
    pub access_token_id: i64,
    pub endpoint: String,
    pub key_p256dh: String,
    pub key_auth: String,
    /// JSON object: alert name → enabled.
    pub alerts: String,
    pub policy: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConn, access_token_id: i64) -> Result<Option<PushSubscriptionRow>, DbError> {
    Ok(push_subscriptions::table
        .filter(push_subscriptions::access_token_id.eq(access_token_id))
        .select(PushSubscriptionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Replaces the token's subscription: subscribing again starts afresh.
pub fn replace(conn: &mut DbConn, row: &PushSubscriptionRow) -> Result<(), DbError> {
    delete(conn, row.access_token_id)?;
    diesel::insert_into(push_subscriptions::table).values(row).execute(conn)?;
    Ok(())
}

/// Changes the alerts and policy; returns false if there is no subscription.
pub fn update(
    conn: &mut DbConn,
    access_token_id: i64,
    alerts: &str,
    policy: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let changed =
        diesel::update(push_subscriptions::table.filter(push_subscriptions::access_token_id.eq(access_token_id)))
            .set((
                push_subscriptions::alerts.eq(alerts),
                push_subscriptions::policy.eq(policy),
                push_subscriptions::updated_at.eq(now),
            ))
            .execute(conn)?;
    Ok(changed > 0)
}

pub fn delete(conn: &mut DbConn, access_token_id: i64) -> Result<(), DbError> {
    diesel::delete(push_subscriptions::table.filter(push_subscriptions::access_token_id.eq(access_token_id)))
        .execute(conn)?;
    Ok(())
}

/// The subscriptions of `account_id`'s tokens that still work (neither
/// revoked nor expired), each with the user's locale.
pub fn for_account(
    conn: &mut DbConn,
    account_id: i64,
    now: NaiveDateTime,
) -> Result<Vec<(PushSubscriptionRow, String)>, DbError> {
    Ok(push_subscriptions::table
        .inner_join(oauth_access_tokens::table.inner_join(users::table))
        .filter(users::account_id.eq(account_id))
        .filter(oauth_access_tokens::revoked_at.is_null())
        .filter(oauth_access_tokens::expires_at.is_null().or(oauth_access_tokens::expires_at.gt(now)))
        .select((PushSubscriptionRow::as_select(), users::locale))
        .load(conn)?)
}

/// One subscription by id, with the account and locale of its token's user.
pub fn find_by_id(conn: &mut DbConn, id: i64) -> Result<Option<(PushSubscriptionRow, i64, String)>, DbError> {
    Ok(push_subscriptions::table
        .inner_join(oauth_access_tokens::table.inner_join(users::table))
        .filter(push_subscriptions::id.eq(id))
        .select((PushSubscriptionRow::as_select(), users::account_id, users::locale))
        .first(conn)
        .optional()?)
}

/// The push service said the subscription is gone (404 or 410).
pub fn delete_by_id(conn: &mut DbConn, id: i64) -> Result<(), DbError> {
    diesel::delete(push_subscriptions::table.find(id)).execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = vapid_keys)]
pub struct VapidKeyRow {
    pub id: i32,
    pub private_key: String,
    pub public_key: String,
    pub created_at: NaiveDateTime,
}

/// Stores the key pair unless one exists; returns whether it was stored.
/// Processes starting together race here; the loser's key is dropped.
pub fn insert_vapid_key(conn: &mut DbConn, row: &VapidKeyRow) -> Result<bool, DbError> {
    crate::insert_unless_duplicate(conn, |conn| diesel::insert_into(vapid_keys::table).values(row).execute(conn))
}

pub fn vapid_key(conn: &mut DbConn) -> Result<Option<VapidKeyRow>, DbError> {
    Ok(vapid_keys::table.select(VapidKeyRow::as_select()).first(conn).optional()?)
}
