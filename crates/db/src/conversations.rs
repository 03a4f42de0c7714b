//! Queries on threads: `conversations`, the direct-message threads each
//! participant sees (`account_conversations`) and muted threads
//! (`conversation_mutes`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::page::{Page, newest_first};
use crate::schema::{account_conversations, conversation_mutes, conversations, statuses};
use crate::{DbConn, DbError, paginate};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = account_conversations)]
pub struct AccountConversationRow {
    pub id: i64,
    pub account_id: i64,
    pub conversation_id: i64,
    /// JSON array of the other participants' account ids.
    pub participant_account_ids: String,
    pub last_status_id: Option<i64>,
    pub unread: bool,
    pub updated_at: NaiveDateTime,
}

/// Starts a new thread; returns its id.
pub fn create(conn: &mut DbConn, now: NaiveDateTime) -> Result<i64, DbError> {
    let id = tertulia_core::Id::generate().0;
    diesel::insert_into(conversations::table)
        .values((conversations::id.eq(id), conversations::created_at.eq(now)))
        .execute(conn)?;
    Ok(id)
}

/// Puts a status into a thread (for statuses stored before threads were kept).
pub fn set_status_conversation(conn: &mut DbConn, status_id: i64, conversation_id: i64) -> Result<(), DbError> {
    diesel::update(statuses::table.find(status_id)).set(statuses::conversation_id.eq(conversation_id)).execute(conn)?;
    Ok(())
}

/// `account_id`'s view of a direct-message thread, if they take part.
pub fn find_for(
    conn: &mut DbConn,
    account_id: i64,
    conversation_id: i64,
) -> Result<Option<AccountConversationRow>, DbError> {
    Ok(account_conversations::table
        .filter(account_conversations::account_id.eq(account_id))
        .filter(account_conversations::conversation_id.eq(conversation_id))
        .select(AccountConversationRow::as_select())
        .first(conn)
        .optional()?)
}

/// One of `account_id`'s conversations by its own id.
pub fn find(conn: &mut DbConn, account_id: i64, id: i64) -> Result<Option<AccountConversationRow>, DbError> {
    Ok(account_conversations::table
        .find(id)
        .filter(account_conversations::account_id.eq(account_id))
        .select(AccountConversationRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert(conn: &mut DbConn, row: &AccountConversationRow) -> Result<(), DbError> {
    diesel::insert_into(account_conversations::table)
        .values((
            account_conversations::id.eq(row.id),
            account_conversations::account_id.eq(row.account_id),
            account_conversations::conversation_id.eq(row.conversation_id),
            account_conversations::participant_account_ids.eq(&row.participant_account_ids),
            account_conversations::last_status_id.eq(row.last_status_id),
            account_conversations::unread.eq(row.unread),
            account_conversations::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a new status in an existing row.
pub fn update(conn: &mut DbConn, row: &AccountConversationRow) -> Result<(), DbError> {
    diesel::update(account_conversations::table.find(row.id))
        .set((
            account_conversations::participant_account_ids.eq(&row.participant_account_ids),
            account_conversations::last_status_id.eq(row.last_status_id),
            account_conversations::unread.eq(row.unread),
            account_conversations::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// One page of `account_id`'s conversations, most recently active first,
/// paged by the id of their last status.
pub fn page(conn: &mut DbConn, account_id: i64, page: Page) -> Result<Vec<AccountConversationRow>, DbError> {
    let query = account_conversations::table
        .filter(account_conversations::account_id.eq(account_id))
        .filter(account_conversations::last_status_id.is_not_null())
        .select(AccountConversationRow::as_select())
        .into_boxed();
    let rows = paginate!(query, account_conversations::last_status_id, page).load(conn)?;
    Ok(newest_first(&page, rows))
}

pub fn mark_read(conn: &mut DbConn, account_id: i64, id: i64) -> Result<usize, DbError> {
    Ok(diesel::update(account_conversations::table.find(id))
        .filter(account_conversations::account_id.eq(account_id))
        .set(account_conversations::unread.eq(false))
        .execute(conn)?)
}

pub fn remove(conn: &mut DbConn, account_id: i64, id: i64) -> Result<usize, DbError> {
    Ok(diesel::delete(account_conversations::table.find(id))
        .filter(account_conversations::account_id.eq(account_id))
        .execute(conn)?)
}

/// Mutes (`on`) or unmutes a thread for `account_id`.
pub fn set_muted(conn: &mut DbConn, account_id: i64, conversation_id: i64, on: bool) -> Result<(), DbError> {
    let existing = conversation_mutes::table
        .filter(conversation_mutes::account_id.eq(account_id))
        .filter(conversation_mutes::conversation_id.eq(conversation_id));
    if !on {
        diesel::delete(existing).execute(conn)?;
        return Ok(());
    }
    if diesel::select(diesel::dsl::exists(existing)).get_result::<bool>(conn)? {
        return Ok(());
    }
    diesel::insert_into(conversation_mutes::table)
        .values((
            conversation_mutes::id.eq(tertulia_core::Id::generate().0),
            conversation_mutes::account_id.eq(account_id),
            conversation_mutes::conversation_id.eq(conversation_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether `account_id` muted the thread `status_id` belongs to.
pub fn is_thread_muted(conn: &mut DbConn, account_id: i64, status_id: i64) -> Result<bool, DbError> {
    let thread = statuses::table.find(status_id).select(statuses::conversation_id.assume_not_null());
    Ok(diesel::select(diesel::dsl::exists(
        conversation_mutes::table
            .filter(conversation_mutes::account_id.eq(account_id))
            .filter(conversation_mutes::conversation_id.eq_any(thread)),
    ))
    .get_result(conn)?)
}
