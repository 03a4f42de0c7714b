//! Queries on `notifications`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::page::{Page, newest_first};
use crate::schema::notifications;
use crate::{DbConn, DbError, paginate};

tertulia_core::stored_enum! {
    /// What a notification is about: its `type` in the Mastodon API.
    pub enum NotificationKind("notification type") {
        Mention = "mention",
        /// A followed account with the bell rung posted.
        Status = "status",
        Reblog = "reblog",
        Follow = "follow",
        FollowRequest = "follow_request",
        Favourite = "favourite",
        /// A poll voted in or created has ended.
        Poll = "poll",
        /// A boosted status was edited.
        Update = "update",
        Quote = "quote",
        AdminSignUp = "admin.sign_up",
        AdminReport = "admin.report",
        /// A moderator acted on the reader's account and told them why.
        ModerationWarning = "moderation_warning",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: i64,
    pub account_id: i64,
    pub from_account_id: i64,
    pub kind: NotificationKind,
    pub status_id: Option<i64>,
    pub group_key: String,
    pub created_at: NaiveDateTime,
    pub filtered: bool,
    /// The report an `admin.report` notification is about.
    pub report_id: Option<i64>,
    /// The warning a `moderation_warning` notification is about.
    pub account_warning_id: Option<i64>,
}

pub fn insert(conn: &mut DbConn, row: &NotificationRow) -> Result<(), DbError> {
    diesel::insert_into(notifications::table).values(row).execute(conn)?;
    Ok(())
}

/// One page of `account_id`'s notifications, optionally only of `kinds` and
/// never of `excluded` kinds; filtered ones only when `include_filtered`.
pub fn page(
    conn: &mut DbConn,
    account_id: i64,
    kinds: Option<&[NotificationKind]>,
    excluded: &[NotificationKind],
    include_filtered: bool,
    page: Page,
) -> Result<Vec<NotificationRow>, DbError> {
    let mut query = notifications::table
        .filter(notifications::account_id.eq(account_id))
        .select(NotificationRow::as_select())
        .into_boxed();
    if !include_filtered {
        query = query.filter(notifications::filtered.eq(false));
    }
    if let Some(kinds) = kinds {
        query = query.filter(notifications::kind.eq_any(kinds.to_vec()));
    }
    if !excluded.is_empty() {
        query = query.filter(notifications::kind.ne_all(excluded.to_vec()));
    }
    let rows = paginate!(query, notifications::id, page).load(conn)?;
    Ok(newest_first(&page, rows))
}

pub fn find(conn: &mut DbConn, account_id: i64, id: i64) -> Result<Option<NotificationRow>, DbError> {
    Ok(notifications::table
        .filter(notifications::account_id.eq(account_id))
        .filter(notifications::id.eq(id))
        .select(NotificationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Deletes one notification (`Some(id)`) or all of them.
pub fn dismiss(conn: &mut DbConn, account_id: i64, id: Option<i64>) -> Result<usize, DbError> {
    let mut query = diesel::delete(notifications::table).filter(notifications::account_id.eq(account_id)).into_boxed();
    if let Some(id) = id {
        query = query.filter(notifications::id.eq(id));
    }
    Ok(query.execute(conn)?)
}

/// Removes notifications about a status by one account (an undone
/// favourite or boost must not keep notifying).
pub fn retract(conn: &mut DbConn, from_account_id: i64, kind: NotificationKind, status_id: i64) -> Result<(), DbError> {
    diesel::delete(
        notifications::table
            .filter(notifications::from_account_id.eq(from_account_id))
            .filter(notifications::kind.eq(kind))
            .filter(notifications::status_id.eq(status_id)),
    )
    .execute(conn)?;
    Ok(())
}

/// Of `keys`, the groups that have a notification at or above `id` (and
/// so were shown on an earlier, newer page of grouped notifications).
pub fn keys_reaching(conn: &mut DbConn, account_id: i64, keys: &[String], id: i64) -> Result<Vec<String>, DbError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    Ok(notifications::table
        .filter(notifications::account_id.eq(account_id))
        .filter(notifications::group_key.eq_any(keys))
        .filter(notifications::filtered.eq(false))
        .filter(notifications::id.ge(id))
        .select(notifications::group_key)
        .distinct()
        .load(conn)?)
}

/// Per group key: how many notifications it holds and its oldest id.
pub fn group_sizes(conn: &mut DbConn, account_id: i64, keys: &[String]) -> Result<Vec<(String, i64, i64)>, DbError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, i64, Option<i64>)> = notifications::table
        .filter(notifications::account_id.eq(account_id))
        .filter(notifications::group_key.eq_any(keys))
        .filter(notifications::filtered.eq(false))
        .group_by(notifications::group_key)
        .select((notifications::group_key, diesel::dsl::count_star(), diesel::dsl::min(notifications::id)))
        .load(conn)?;
    Ok(rows.into_iter().map(|(key, count, oldest)| (key, count, oldest.unwrap_or_default())).collect())
}

/// The newest `limit` notifications of one group.
pub fn of_group(conn: &mut DbConn, account_id: i64, key: &str, limit: i64) -> Result<Vec<NotificationRow>, DbError> {
    Ok(notifications::table
        .filter(notifications::account_id.eq(account_id))
        .filter(notifications::group_key.eq(key))
        .filter(notifications::filtered.eq(false))
        .order(notifications::id.desc())
        .limit(limit)
        .select(NotificationRow::as_select())
        .load(conn)?)
}

/// Deletes every notification of one group.
pub fn dismiss_group(conn: &mut DbConn, account_id: i64, key: &str) -> Result<usize, DbError> {
    Ok(diesel::delete(
        notifications::table.filter(notifications::account_id.eq(account_id)).filter(notifications::group_key.eq(key)),
    )
    .execute(conn)?)
}

/// Id, kind and group key of notifications newer than `after` (the read
/// marker), newest first, at most `limit`, optionally only of `kinds` and
/// never of `excluded` kinds.
pub fn unread(
    conn: &mut DbConn,
    account_id: i64,
    after: i64,
    kinds: Option<&[NotificationKind]>,
    excluded: &[NotificationKind],
    limit: i64,
) -> Result<Vec<(i64, NotificationKind, String)>, DbError> {
    let mut query = notifications::table
        .filter(notifications::account_id.eq(account_id))
        .filter(notifications::id.gt(after))
        .filter(notifications::filtered.eq(false))
        .select((notifications::id, notifications::kind, notifications::group_key))
        .into_boxed();
    if let Some(kinds) = kinds {
        query = query.filter(notifications::kind.eq_any(kinds.to_vec()));
    }
    if !excluded.is_empty() {
        query = query.filter(notifications::kind.ne_all(excluded.to_vec()));
    }
    Ok(query.order(notifications::id.desc()).limit(limit).load(conn)?)
}

/// Lets a sender's filtered notifications through (their request was
/// accepted).
pub fn unfilter_from(conn: &mut DbConn, account_id: i64, from_account_id: i64) -> Result<(), DbError> {
    diesel::update(
        notifications::table
            .filter(notifications::account_id.eq(account_id))
            .filter(notifications::from_account_id.eq(from_account_id))
            .filter(notifications::filtered.eq(true)),
    )
    .set(notifications::filtered.eq(false))
    .execute(conn)?;
    Ok(())
}

/// Deletes a sender's filtered notifications (their request was dismissed).
pub fn delete_filtered_from(conn: &mut DbConn, account_id: i64, from_account_id: i64) -> Result<(), DbError> {
    diesel::delete(
        notifications::table
            .filter(notifications::account_id.eq(account_id))
            .filter(notifications::from_account_id.eq(from_account_id))
            .filter(notifications::filtered.eq(true)),
    )
    .execute(conn)?;
    Ok(())
}
