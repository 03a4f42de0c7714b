//! Queries on `notifications`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::page::{Page, newest_first};
use crate::schema::notifications;
use crate::{DbConn, DbError, paginate};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: i64,
    pub account_id: i64,
    pub from_account_id: i64,
    pub kind: String,
    pub status_id: Option<i64>,
    pub group_key: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &NotificationRow) -> Result<(), DbError> {
    diesel::insert_into(notifications::table).values(row).execute(conn)?;
    Ok(())
}

/// One page of `account_id`'s notifications, optionally only of `kinds` and
/// never of `excluded` kinds.
pub fn page(
    conn: &mut DbConn,
    account_id: i64,
    kinds: Option<&[String]>,
    excluded: &[String],
    page: Page,
) -> Result<Vec<NotificationRow>, DbError> {
    let mut query = notifications::table
        .filter(notifications::account_id.eq(account_id))
        .select(NotificationRow::as_select())
        .into_boxed();
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
pub fn retract(conn: &mut DbConn, from_account_id: i64, kind: &str, status_id: i64) -> Result<(), DbError> {
    diesel::delete(
        notifications::table
            .filter(notifications::from_account_id.eq(from_account_id))
            .filter(notifications::kind.eq(kind))
            .filter(notifications::status_id.eq(status_id)),
    )
    .execute(conn)?;
    Ok(())
}

/// Notifications newer than `after` (the read marker), capped at `cap`.
pub fn count_after(conn: &mut DbConn, account_id: i64, after: i64, cap: i64) -> Result<i64, DbError> {
    let ids: Vec<i64> = notifications::table
        .filter(notifications::account_id.eq(account_id))
        .filter(notifications::id.gt(after))
        .select(notifications::id)
        .limit(cap)
        .load(conn)?;
    Ok(ids.len() as i64)
}
