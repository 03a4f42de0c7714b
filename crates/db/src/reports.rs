//! Queries on `reports`: what people here, and other sites through
//! `Flag`, ask this site's moderators to look at.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::page::{Page, newest_first};
use crate::schema::reports;
use crate::{DbConn, DbError, paginate};

tertulia_core::stored_enum! {
    /// Why an account was reported (Mastodon's report categories).
    pub enum Category("report category") {
        Spam = "spam",
        /// Against the law of the reporter's or the site's country.
        Legal = "legal",
        /// Breaks one or more of the site's rules.
        Violation = "violation",
        Other = "other",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = reports, treat_none_as_null = true)]
pub struct ReportRow {
    pub id: i64,
    pub account_id: i64,
    pub target_account_id: i64,
    pub category: Category,
    pub comment: String,
    pub forwarded: bool,
    /// JSON array of status ids.
    pub status_ids: String,
    /// JSON array of rule ids.
    pub rule_ids: String,
    pub assigned_account_id: Option<i64>,
    pub action_taken_at: Option<NaiveDateTime>,
    pub action_taken_by_account_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Which reports to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportFilter {
    /// Resolved ones, or (`false`) open ones; `None`: both.
    pub resolved: Option<bool>,
    /// Filed by this account.
    pub account_id: Option<i64>,
    /// About this account.
    pub target_account_id: Option<i64>,
}

pub fn insert(conn: &mut DbConn, row: &ReportRow) -> Result<(), DbError> {
    diesel::insert_into(reports::table).values(row).execute(conn)?;
    Ok(())
}

/// Writes every column of `row` back.
pub fn update(conn: &mut DbConn, row: &ReportRow) -> Result<(), DbError> {
    if diesel::update(reports::table.find(row.id)).set(row).execute(conn)? == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<ReportRow>, DbError> {
    Ok(reports::table.find(id).select(ReportRow::as_select()).first(conn).optional()?)
}

pub fn find_many(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<ReportRow>, DbError> {
    Ok(reports::table.filter(reports::id.eq_any(ids)).select(ReportRow::as_select()).load(conn)?)
}

/// One page of the reports `filter` lets through, newest first.
pub fn page(conn: &mut DbConn, filter: ReportFilter, page: Page) -> Result<Vec<ReportRow>, DbError> {
    let mut query = reports::table.select(ReportRow::as_select()).into_boxed();
    match filter.resolved {
        Some(true) => query = query.filter(reports::action_taken_at.is_not_null()),
        Some(false) => query = query.filter(reports::action_taken_at.is_null()),
        None => {}
    }
    if let Some(account) = filter.account_id {
        query = query.filter(reports::account_id.eq(account));
    }
    if let Some(target) = filter.target_account_id {
        query = query.filter(reports::target_account_id.eq(target));
    }
    let rows = paginate!(query, reports::id, page).load(conn)?;
    Ok(newest_first(&page, rows))
}
