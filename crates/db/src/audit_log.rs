//! Queries on `audit_log`: the record of moderation and admin actions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::page::{Page, newest_first};
use crate::paginate;
use crate::schema::audit_log;
use crate::{DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i64,
    pub actor_account_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub human_identifier: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &AuditRow) -> Result<(), DbError> {
    diesel::insert_into(audit_log::table).values(row).execute(conn)?;
    Ok(())
}

/// One page of entries, newest first.
pub fn page(conn: &mut DbConn, page: &Page) -> Result<Vec<AuditRow>, DbError> {
    let query = audit_log::table.select(AuditRow::as_select()).into_boxed();
    let rows = paginate!(query, audit_log::id, *page).load(conn)?;
    Ok(newest_first(page, rows))
}
