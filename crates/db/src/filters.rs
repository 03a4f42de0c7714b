//! Queries on `filters`, `filter_keywords` and `filter_statuses`: what a
//! user does not want to see, and where.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{filter_keywords, filter_statuses, filters};
use crate::{DbConn, DbError};

tertulia_core::stored_enum! {
    /// What a filter does to a status it matches.
    pub enum FilterAction("filter action") {
        /// Shown behind a warning naming the filter.
        Warn = "warn",
        /// Left out.
        Hide = "hide",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = filters)]
pub struct FilterRow {
    pub id: i64,
    pub account_id: i64,
    pub title: String,
    /// JSON array of contexts.
    pub context: String,
    pub action: FilterAction,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = filter_keywords)]
pub struct KeywordRow {
    pub id: i64,
    pub filter_id: i64,
    pub keyword: String,
    pub whole_word: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = filter_statuses)]
pub struct FilterStatusRow {
    pub id: i64,
    pub filter_id: i64,
    pub status_id: i64,
}

/// A filter with its keywords and statuses.
pub type FullFilter = (FilterRow, Vec<KeywordRow>, Vec<FilterStatusRow>);

pub fn insert(conn: &mut DbConn, filter: &FilterRow) -> Result<(), DbError> {
    diesel::insert_into(filters::table).values(filter).execute(conn)?;
    Ok(())
}

pub fn update(conn: &mut DbConn, filter: &FilterRow) -> Result<(), DbError> {
    diesel::update(filters::table.find(filter.id))
        .set((
            filters::title.eq(&filter.title),
            filters::context.eq(&filter.context),
            filters::action.eq(filter.action),
            filters::expires_at.eq(filter.expires_at),
            filters::updated_at.eq(filter.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The filter, if it belongs to `owner`.
pub fn find(conn: &mut DbConn, owner: i64, id: i64) -> Result<Option<FilterRow>, DbError> {
    Ok(filters::table
        .find(id)
        .filter(filters::account_id.eq(owner))
        .select(FilterRow::as_select())
        .first(conn)
        .optional()?)
}

/// Deletes the filter with its keywords and statuses.
pub fn delete(conn: &mut DbConn, id: i64) -> Result<(), DbError> {
    diesel::delete(filter_keywords::table.filter(filter_keywords::filter_id.eq(id))).execute(conn)?;
    diesel::delete(filter_statuses::table.filter(filter_statuses::filter_id.eq(id))).execute(conn)?;
    diesel::delete(filters::table.find(id)).execute(conn)?;
    Ok(())
}

/// `owner`'s filters, oldest first, with keywords and statuses; only those
/// not expired at `now` when `now` is given.
pub fn of_owner(conn: &mut DbConn, owner: i64, now: Option<NaiveDateTime>) -> Result<Vec<FullFilter>, DbError> {
    let mut query = filters::table.filter(filters::account_id.eq(owner)).into_boxed();
    if let Some(now) = now {
        query = query.filter(filters::expires_at.is_null().or(filters::expires_at.gt(now)));
    }
    let rows: Vec<FilterRow> = query.order(filters::id.asc()).select(FilterRow::as_select()).load(conn)?;
    with_parts(conn, rows)
}

/// Keywords and statuses for each filter, in two queries (none without
/// filters: most readers have none, and every page asks).
pub fn with_parts(conn: &mut DbConn, rows: Vec<FilterRow>) -> Result<Vec<FullFilter>, DbError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|f| f.id).collect();
    let keywords: Vec<KeywordRow> = filter_keywords::table
        .filter(filter_keywords::filter_id.eq_any(&ids))
        .order(filter_keywords::id.asc())
        .select(KeywordRow::as_select())
        .load(conn)?;
    let statuses: Vec<FilterStatusRow> = filter_statuses::table
        .filter(filter_statuses::filter_id.eq_any(&ids))
        .order(filter_statuses::id.asc())
        .select(FilterStatusRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|f| {
            let k = keywords.iter().filter(|k| k.filter_id == f.id).cloned().collect();
            let s = statuses.iter().filter(|s| s.filter_id == f.id).cloned().collect();
            (f, k, s)
        })
        .collect())
}

pub fn keywords_of(conn: &mut DbConn, filter_id: i64) -> Result<Vec<KeywordRow>, DbError> {
    Ok(filter_keywords::table
        .filter(filter_keywords::filter_id.eq(filter_id))
        .order(filter_keywords::id.asc())
        .select(KeywordRow::as_select())
        .load(conn)?)
}

/// The keyword, if its filter belongs to `owner`.
pub fn find_keyword(conn: &mut DbConn, owner: i64, id: i64) -> Result<Option<KeywordRow>, DbError> {
    let owned = filters::table.filter(filters::account_id.eq(owner)).select(filters::id);
    Ok(filter_keywords::table
        .find(id)
        .filter(filter_keywords::filter_id.eq_any(owned))
        .select(KeywordRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert_keyword(conn: &mut DbConn, keyword: &KeywordRow) -> Result<(), DbError> {
    diesel::insert_into(filter_keywords::table).values(keyword).execute(conn)?;
    Ok(())
}

pub fn update_keyword(conn: &mut DbConn, keyword: &KeywordRow) -> Result<(), DbError> {
    diesel::update(filter_keywords::table.find(keyword.id))
        .set((filter_keywords::keyword.eq(&keyword.keyword), filter_keywords::whole_word.eq(keyword.whole_word)))
        .execute(conn)?;
    Ok(())
}

pub fn delete_keyword(conn: &mut DbConn, id: i64) -> Result<(), DbError> {
    diesel::delete(filter_keywords::table.find(id)).execute(conn)?;
    Ok(())
}

pub fn statuses_of(conn: &mut DbConn, filter_id: i64) -> Result<Vec<FilterStatusRow>, DbError> {
    Ok(filter_statuses::table
        .filter(filter_statuses::filter_id.eq(filter_id))
        .order(filter_statuses::id.asc())
        .select(FilterStatusRow::as_select())
        .load(conn)?)
}

/// The filtered status entry, if its filter belongs to `owner`.
pub fn find_status(conn: &mut DbConn, owner: i64, id: i64) -> Result<Option<FilterStatusRow>, DbError> {
    let owned = filters::table.filter(filters::account_id.eq(owner)).select(filters::id);
    Ok(filter_statuses::table
        .find(id)
        .filter(filter_statuses::filter_id.eq_any(owned))
        .select(FilterStatusRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert_status(conn: &mut DbConn, row: &FilterStatusRow) -> Result<(), DbError> {
    diesel::insert_into(filter_statuses::table).values(row).execute(conn)?;
    Ok(())
}

pub fn delete_status(conn: &mut DbConn, id: i64) -> Result<(), DbError> {
    diesel::delete(filter_statuses::table.find(id)).execute(conn)?;
    Ok(())
}
