//! Queries on `tags` and `tag_follows`, and on tag use over time (for
//! history and trends).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use tertulia_core::visibility::Visibility;

use crate::page::{Page, newest_first};
use crate::schema::{status_tags, statuses, tag_follows, tags};
use crate::statuses::TagRow;
use crate::{DbConn, DbError, paginate};

/// The tag's id, creating the tag (name already lower-cased) if needed.
pub fn find_or_create(conn: &mut DbConn, name: &str, display_name: &str, now: NaiveDateTime) -> Result<i64, DbError> {
    let existing: Option<i64> = tags::table.filter(tags::name.eq(name)).select(tags::id).first(conn).optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let id = tertulia_core::Id::generate().0;
    let inserted = crate::insert_unless_duplicate(conn, |conn| {
        diesel::insert_into(tags::table)
            .values((
                tags::id.eq(id),
                tags::name.eq(name),
                tags::display_name.eq(display_name),
                tags::created_at.eq(now),
            ))
            .execute(conn)
    })?;
    if inserted {
        return Ok(id);
    }
    // Two posts with a new hashtag at once (PostgreSQL runs them side by
    // side): the other one created it first.
    Ok(tags::table.filter(tags::name.eq(name)).select(tags::id).first(conn)?)
}

pub fn find_many(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<TagRow>, DbError> {
    Ok(tags::table.filter(tags::id.eq_any(ids)).select(TagRow::as_select()).load(conn)?)
}

/// Follows a tag; following twice is harmless.
pub fn follow(conn: &mut DbConn, account_id: i64, tag_id: i64, now: NaiveDateTime) -> Result<(), DbError> {
    if !following_among(conn, account_id, &[tag_id])?.is_empty() {
        return Ok(());
    }
    diesel::insert_into(tag_follows::table)
        .values((
            tag_follows::id.eq(tertulia_core::Id::generate().0),
            tag_follows::account_id.eq(account_id),
            tag_follows::tag_id.eq(tag_id),
            tag_follows::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn unfollow(conn: &mut DbConn, account_id: i64, tag_id: i64) -> Result<(), DbError> {
    diesel::delete(
        tag_follows::table.filter(tag_follows::account_id.eq(account_id)).filter(tag_follows::tag_id.eq(tag_id)),
    )
    .execute(conn)?;
    Ok(())
}

/// Which of `tag_ids` the account follows.
pub fn following_among(conn: &mut DbConn, account_id: i64, tag_ids: &[i64]) -> Result<Vec<i64>, DbError> {
    Ok(tag_follows::table
        .filter(tag_follows::account_id.eq(account_id))
        .filter(tag_follows::tag_id.eq_any(tag_ids))
        .select(tag_follows::tag_id)
        .load(conn)?)
}

/// The tags an account follows, paged by the follow's id: (follow id, tag).
pub fn followed(conn: &mut DbConn, account_id: i64, page: Page) -> Result<Vec<(i64, TagRow)>, DbError> {
    let query = tag_follows::table
        .inner_join(tags::table)
        .filter(tag_follows::account_id.eq(account_id))
        .select((tag_follows::id, TagRow::as_select()))
        .into_boxed();
    let rows = paginate!(query, tag_follows::id, page).load(conn)?;
    Ok(newest_first(&page, rows))
}

/// Accounts following any tag of the status (for fan-out).
pub fn followers_of_status_tags(conn: &mut DbConn, status_id: i64) -> Result<Vec<i64>, DbError> {
    let tag_ids = status_tags::table.filter(status_tags::status_id.eq(status_id)).select(status_tags::tag_id);
    Ok(tag_follows::table.filter(tag_follows::tag_id.eq_any(tag_ids)).select(tag_follows::account_id).load(conn)?)
}

/// Every use of a tag since `since` in statuses of the given visibilities:
/// (tag id, account id, posted at). `tag_ids` `None` means any tag.
pub fn uses_since(
    conn: &mut DbConn,
    tag_ids: Option<&[i64]>,
    visibilities: &[Visibility],
    since: NaiveDateTime,
) -> Result<Vec<(i64, i64, NaiveDateTime)>, DbError> {
    let mut query = status_tags::table
        .inner_join(statuses::table)
        .filter(statuses::created_at.ge(since))
        .filter(statuses::visibility.eq_any(visibilities))
        .filter(statuses::deleted_at.is_null())
        .filter(statuses::reblog_of_id.is_null())
        .select((status_tags::tag_id, statuses::account_id, statuses::created_at))
        .into_boxed();
    if let Some(ids) = tag_ids {
        query = query.filter(status_tags::tag_id.eq_any(ids.to_vec()));
    }
    Ok(query.load(conn)?)
}

/// Tags whose name starts with `prefix` (lower-cased), by name.
pub fn with_prefix(conn: &mut DbConn, prefix: &str, limit: i64, offset: i64) -> Result<Vec<TagRow>, DbError> {
    Ok(tags::table
        .filter(tags::name.like(format!("{}%", crate::escape_like(prefix))).escape('\\'))
        .order(tags::name.asc())
        .limit(limit)
        .offset(offset)
        .select(TagRow::as_select())
        .load(conn)?)
}

/// A tag's standing as a trend.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tags)]
pub struct TrendReviewRow {
    pub id: i64,
    pub usable: bool,
    pub trendable: bool,
    pub reviewed_at: Option<NaiveDateTime>,
}

pub fn trend_reviews(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<TrendReviewRow>, DbError> {
    Ok(tags::table.filter(tags::id.eq_any(ids)).select(TrendReviewRow::as_select()).load(conn)?)
}

/// Records a moderator's decision that the tag may (`trendable`) or may not
/// trend; the tag, or `None` if there is no such tag.
pub fn review_trend(
    conn: &mut DbConn,
    id: i64,
    trendable: bool,
    now: NaiveDateTime,
) -> Result<Option<TagRow>, DbError> {
    diesel::update(tags::table.find(id))
        .set((tags::trendable.eq(trendable), tags::reviewed_at.eq(now)))
        .execute(conn)?;
    Ok(tags::table.find(id).select(TagRow::as_select()).first(conn).optional()?)
}
