//! Queries on `announcements`, `announcement_dismissals` and
//! `announcement_reactions`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{announcement_dismissals, announcement_reactions, announcements};
use crate::{DbConn, DbError};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = announcements, treat_none_as_null = true)]
pub struct AnnouncementRow {
    pub id: i64,
    pub text: String,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    pub all_day: bool,
    pub published: bool,
    pub published_at: Option<NaiveDateTime>,
    pub scheduled_at: Option<NaiveDateTime>,
    pub company_wide: bool,
    pub origin_domain: Option<String>,
    pub remote_uri: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// One emoji's reactions to an announcement.
#[derive(Debug, Clone, PartialEq)]
pub struct ReactionCount {
    pub announcement_id: i64,
    pub name: String,
    pub count: i64,
    /// Whether the viewer is among them.
    pub me: bool,
}

pub fn insert(conn: &mut DbConn, row: &AnnouncementRow) -> Result<(), DbError> {
    diesel::insert_into(announcements::table).values(row).execute(conn)?;
    Ok(())
}

/// Overwrites every column of the row with `row.id`.
pub fn update(conn: &mut DbConn, row: &AnnouncementRow) -> Result<(), DbError> {
    if diesel::update(announcements::table.find(row.id)).set(row).execute(conn)? == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// Publishes a draft or scheduled announcement at `now`; false if it was
/// published already (so two publishers never announce it twice).
pub fn publish(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<bool, DbError> {
    let changed = diesel::update(announcements::table.find(id).filter(announcements::published.eq(false)))
        .set((
            announcements::published.eq(true),
            announcements::published_at.eq(now),
            announcements::scheduled_at.eq(None::<NaiveDateTime>),
            announcements::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(changed > 0)
}

pub fn delete(conn: &mut DbConn, id: i64) -> Result<(), DbError> {
    if diesel::delete(announcements::table.find(id)).execute(conn)? == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<AnnouncementRow>, DbError> {
    Ok(announcements::table.find(id).select(AnnouncementRow::as_select()).first(conn).optional()?)
}

/// A company-wide announcement received from another site, by the URI its
/// origin gave it.
pub fn find_by_remote_uri(conn: &mut DbConn, uri: &str) -> Result<Option<AnnouncementRow>, DbError> {
    Ok(announcements::table
        .filter(announcements::remote_uri.eq(uri))
        .select(AnnouncementRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every announcement, newest first (the admin's list).
pub fn list_all(conn: &mut DbConn) -> Result<Vec<AnnouncementRow>, DbError> {
    Ok(announcements::table.order(announcements::id.desc()).select(AnnouncementRow::as_select()).load(conn)?)
}

/// Published announcements not yet over at `now`, in publication order
/// (Mastodon's order: the oldest first).
pub fn current(conn: &mut DbConn, now: NaiveDateTime) -> Result<Vec<AnnouncementRow>, DbError> {
    Ok(announcements::table
        .filter(announcements::published.eq(true))
        .filter(announcements::ends_at.is_null().or(announcements::ends_at.gt(now)))
        .order((announcements::published_at.asc(), announcements::id.asc()))
        .select(AnnouncementRow::as_select())
        .load(conn)?)
}

/// Unpublished announcements whose scheduled time has come.
pub fn due(conn: &mut DbConn, now: NaiveDateTime) -> Result<Vec<AnnouncementRow>, DbError> {
    Ok(announcements::table
        .filter(announcements::published.eq(false))
        .filter(announcements::scheduled_at.le(now))
        .order(announcements::scheduled_at.asc())
        .select(AnnouncementRow::as_select())
        .load(conn)?)
}

/// Which of `ids` `account` dismissed.
pub fn dismissed_of(conn: &mut DbConn, account: i64, ids: &[i64]) -> Result<Vec<i64>, DbError> {
    Ok(announcement_dismissals::table
        .filter(announcement_dismissals::account_id.eq(account))
        .filter(announcement_dismissals::announcement_id.eq_any(ids))
        .select(announcement_dismissals::announcement_id)
        .load(conn)?)
}

/// Records that `account` dismissed the announcement; dismissing twice is
/// no change.
pub fn dismiss(conn: &mut DbConn, announcement: i64, account: i64) -> Result<(), DbError> {
    crate::insert_unless_duplicate(conn, |conn| {
        diesel::insert_into(announcement_dismissals::table)
            .values((
                announcement_dismissals::announcement_id.eq(announcement),
                announcement_dismissals::account_id.eq(account),
            ))
            .execute(conn)
    })?;
    Ok(())
}

/// Adds `account`'s reaction `name`; false if it was there already.
pub fn add_reaction(
    conn: &mut DbConn,
    announcement: i64,
    account: i64,
    name: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    crate::insert_unless_duplicate(conn, |conn| {
        diesel::insert_into(announcement_reactions::table)
            .values((
                announcement_reactions::announcement_id.eq(announcement),
                announcement_reactions::account_id.eq(account),
                announcement_reactions::name.eq(name),
                announcement_reactions::created_at.eq(now),
            ))
            .execute(conn)
    })
}

/// Removes `account`'s reaction `name`; false if there was none.
pub fn remove_reaction(conn: &mut DbConn, announcement: i64, account: i64, name: &str) -> Result<bool, DbError> {
    let removed = diesel::delete(
        announcement_reactions::table
            .filter(announcement_reactions::announcement_id.eq(announcement))
            .filter(announcement_reactions::account_id.eq(account))
            .filter(announcement_reactions::name.eq(name)),
    )
    .execute(conn)?;
    Ok(removed > 0)
}

/// The reactions to `ids`, per announcement and emoji in the order each
/// emoji was first used, with whether `viewer` is among them.
pub fn reactions_of(conn: &mut DbConn, ids: &[i64], viewer: Option<i64>) -> Result<Vec<ReactionCount>, DbError> {
    let rows: Vec<(i64, String, i64)> = announcement_reactions::table
        .filter(announcement_reactions::announcement_id.eq_any(ids))
        .order((announcement_reactions::created_at.asc(), announcement_reactions::account_id.asc()))
        .select((
            announcement_reactions::announcement_id,
            announcement_reactions::name,
            announcement_reactions::account_id,
        ))
        .load(conn)?;
    let mut counts: Vec<ReactionCount> = Vec::new();
    for (announcement_id, name, account) in rows {
        let me = viewer == Some(account);
        match counts.iter_mut().find(|c| c.announcement_id == announcement_id && c.name == name) {
            Some(count) => {
                count.count += 1;
                count.me |= me;
            }
            None => counts.push(ReactionCount { announcement_id, name, count: 1, me }),
        }
    }
    Ok(counts)
}
