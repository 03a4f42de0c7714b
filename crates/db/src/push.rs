//! Queries on `push_subscriptions`: one Web Push subscription per access
//! token, as Mastodon keeps them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::push_subscriptions;
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
