//! Queries on `quotes` and `quote_policies`: quote posts and who may quote.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::page::{Page, newest_first};
use crate::schema::{quote_policies, quotes};
use crate::{DbConn, DbError, paginate};

tertulia_core::stored_enum! {
    /// The quoted author's answer to a quote (FEP-044f), as `quotes.state`
    /// holds it.
    pub enum QuoteState("quote state") {
        /// Asked, not yet answered.
        Pending = "pending",
        Accepted = "accepted",
        Rejected = "rejected",
        /// Accepted, then withdrawn.
        Revoked = "revoked",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = quotes, treat_none_as_default_value = false)]
pub struct QuoteRow {
    /// The quoting status.
    pub status_id: i64,
    pub quoted_status_id: Option<i64>,
    pub quoted_uri: String,
    pub quoted_account_id: Option<i64>,
    pub state: QuoteState,
    pub authorization_uri: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, quote: &QuoteRow) -> Result<(), DbError> {
    diesel::insert_into(quotes::table).values(quote).execute(conn)?;
    Ok(())
}

/// The quote a status makes, if it makes one.
pub fn find(conn: &mut DbConn, status_id: i64) -> Result<Option<QuoteRow>, DbError> {
    Ok(quotes::table.find(status_id).select(QuoteRow::as_select()).first(conn).optional()?)
}

/// The quotes made by the statuses `status_ids`, one statement.
pub fn of_statuses(conn: &mut DbConn, status_ids: &[i64]) -> Result<Vec<QuoteRow>, DbError> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(quotes::table.filter(quotes::status_id.eq_any(status_ids)).select(QuoteRow::as_select()).load(conn)?)
}

/// The quote proven by the authorization `uri`.
pub fn find_by_authorization(conn: &mut DbConn, uri: &str) -> Result<Option<QuoteRow>, DbError> {
    Ok(quotes::table.filter(quotes::authorization_uri.eq(uri)).select(QuoteRow::as_select()).first(conn).optional()?)
}

/// Sets the state (and, when given, the authorization) of a quote.
pub fn set_state(
    conn: &mut DbConn,
    status_id: i64,
    state: QuoteState,
    authorization_uri: Option<&str>,
) -> Result<(), DbError> {
    match authorization_uri {
        Some(uri) => diesel::update(quotes::table.find(status_id))
            .set((quotes::state.eq(state), quotes::authorization_uri.eq(uri)))
            .execute(conn)?,
        None => diesel::update(quotes::table.find(status_id)).set(quotes::state.eq(state)).execute(conn)?,
    };
    Ok(())
}

/// Links a quote to the quoted status, once that status is stored here.
pub fn set_quoted(
    conn: &mut DbConn,
    status_id: i64,
    quoted_status_id: i64,
    quoted_account_id: i64,
) -> Result<(), DbError> {
    diesel::update(quotes::table.find(status_id))
        .set((quotes::quoted_status_id.eq(quoted_status_id), quotes::quoted_account_id.eq(quoted_account_id)))
        .execute(conn)?;
    Ok(())
}

/// A page of the statuses quoting `quoted` with `state`, newest first.
pub fn quoting(conn: &mut DbConn, quoted: i64, state: QuoteState, page: Page) -> Result<Vec<i64>, DbError> {
    let query = quotes::table
        .filter(quotes::quoted_status_id.eq(quoted))
        .filter(quotes::state.eq(state))
        .select(quotes::status_id)
        .into_boxed();
    let rows: Vec<i64> = paginate!(query, quotes::status_id, page).load(conn)?;
    Ok(newest_first(&page, rows))
}

/// The stored quote policies of `status_ids`, as (status, policy).
pub fn policies_of(conn: &mut DbConn, status_ids: &[i64]) -> Result<Vec<(i64, String)>, DbError> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(quote_policies::table
        .filter(quote_policies::status_id.eq_any(status_ids))
        .select((quote_policies::status_id, quote_policies::policy))
        .load(conn)?)
}

/// Sets who may quote a status.
pub fn set_policy(conn: &mut DbConn, status_id: i64, policy: &str) -> Result<(), DbError> {
    let updated =
        diesel::update(quote_policies::table.find(status_id)).set(quote_policies::policy.eq(policy)).execute(conn)?;
    if updated == 0 {
        diesel::insert_into(quote_policies::table)
            .values((quote_policies::status_id.eq(status_id), quote_policies::policy.eq(policy)))
            .execute(conn)?;
    }
    Ok(())
}
