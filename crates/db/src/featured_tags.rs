//! Queries on `featured_tags`: hashtags a user shows on their profile.

use chrono::NaiveDateTime;
use diesel::dsl::{count_star, max};
use diesel::prelude::*;
use tertulia_core::visibility::Visibility;

use crate::schema::{featured_tags, status_tags, statuses, tags};
use crate::statuses::TagRow;
use crate::{DbConn, DbError};

/// Features the tag; returns the featured tag's id (the existing one if
/// it was featured already).
pub fn insert(conn: &mut DbConn, account_id: i64, tag_id: i64, now: NaiveDateTime) -> Result<i64, DbError> {
    if let Some((id, _)) = of_account(conn, account_id)?.into_iter().find(|(_, tag)| tag.id == tag_id) {
        return Ok(id);
    }
    let id = tertulia_core::Id::generate().0;
    diesel::insert_into(featured_tags::table)
        .values((
            featured_tags::id.eq(id),
            featured_tags::account_id.eq(account_id),
            featured_tags::tag_id.eq(tag_id),
            featured_tags::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Stops featuring, by the featured tag's id; returns whether it existed.
pub fn delete(conn: &mut DbConn, account_id: i64, id: i64) -> Result<bool, DbError> {
    let deleted = diesel::delete(
        featured_tags::table.filter(featured_tags::account_id.eq(account_id)).filter(featured_tags::id.eq(id)),
    )
    .execute(conn)?;
    Ok(deleted > 0)
}

/// Stops featuring, by the tag's id.
pub fn delete_tag(conn: &mut DbConn, account_id: i64, tag_id: i64) -> Result<(), DbError> {
    diesel::delete(
        featured_tags::table.filter(featured_tags::account_id.eq(account_id)).filter(featured_tags::tag_id.eq(tag_id)),
    )
    .execute(conn)?;
    Ok(())
}

/// The account's featured tags, oldest first: (featured tag id, tag).
pub fn of_account(conn: &mut DbConn, account_id: i64) -> Result<Vec<(i64, TagRow)>, DbError> {
    Ok(featured_tags::table
        .inner_join(tags::table)
        .filter(featured_tags::account_id.eq(account_id))
        .order(featured_tags::id.asc())
        .select((featured_tags::id, TagRow::as_select()))
        .load(conn)?)
}

/// Which of `tag_ids` the account features.
pub fn featured_among(conn: &mut DbConn, account_id: i64, tag_ids: &[i64]) -> Result<Vec<i64>, DbError> {
    Ok(featured_tags::table
        .filter(featured_tags::account_id.eq(account_id))
        .filter(featured_tags::tag_id.eq_any(tag_ids))
        .select(featured_tags::tag_id)
        .load(conn)?)
}

/// For each of `tag_ids` the account used: (tag id, number of its
/// statuses of `visibilities` with it, when the newest was posted).
/// Boosts and deleted statuses do not count.
pub fn usage(
    conn: &mut DbConn,
    account_id: i64,
    tag_ids: &[i64],
    visibilities: &[Visibility],
) -> Result<Vec<(i64, i64, Option<NaiveDateTime>)>, DbError> {
    Ok(status_tags::table
        .inner_join(statuses::table)
        .filter(statuses::account_id.eq(account_id))
        .filter(status_tags::tag_id.eq_any(tag_ids))
        .filter(statuses::visibility.eq_any(visibilities))
        .filter(statuses::deleted_at.is_null())
        .filter(statuses::reblog_of_id.is_null())
        .group_by(status_tags::tag_id)
        .select((status_tags::tag_id, count_star(), max(statuses::created_at)))
        .load(conn)?)
}

/// The tags the account used most in its `recent` newest statuses, most
/// used first: (tag, uses).
pub fn most_used(conn: &mut DbConn, account_id: i64, recent: i64, limit: i64) -> Result<Vec<(TagRow, i64)>, DbError> {
    let recent_ids: Vec<i64> = statuses::table
        .filter(statuses::account_id.eq(account_id))
        .filter(statuses::deleted_at.is_null())
        .filter(statuses::reblog_of_id.is_null())
        .order(statuses::id.desc())
        .limit(recent)
        .select(statuses::id)
        .load(conn)?;
    let counts: Vec<(i64, i64)> = status_tags::table
        .filter(status_tags::status_id.eq_any(&recent_ids))
        .group_by(status_tags::tag_id)
        .select((status_tags::tag_id, count_star()))
        .load(conn)?;
    let mut counts = counts;
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counts.truncate(usize::try_from(limit).unwrap_or(0));
    let ids: Vec<i64> = counts.iter().map(|(id, _)| *id).collect();
    let rows = crate::tags::find_many(conn, &ids)?;
    Ok(counts.into_iter().filter_map(|(id, n)| rows.iter().find(|t| t.id == id).map(|t| (t.clone(), n))).collect())
}
