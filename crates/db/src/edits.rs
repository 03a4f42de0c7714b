//! Queries on `status_edits`: the versions a status went through.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::status_edits;
use crate::{DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = status_edits)]
pub struct EditRow {
    pub id: i64,
    pub status_id: i64,
    pub account_id: i64,
    pub text: String,
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    /// JSON array of the attached media ids.
    pub media_attachments: String,
    /// JSON array of the poll's option titles, if it had a poll.
    pub poll_options: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, edit: &EditRow) -> Result<(), DbError> {
    diesel::insert_into(status_edits::table).values(edit).execute(conn)?;
    Ok(())
}

/// A status's versions, oldest first.
pub fn of_status(conn: &mut DbConn, status_id: i64) -> Result<Vec<EditRow>, DbError> {
    Ok(status_edits::table
        .filter(status_edits::status_id.eq(status_id))
        .order(status_edits::id.asc())
        .select(EditRow::as_select())
        .load(conn)?)
}
