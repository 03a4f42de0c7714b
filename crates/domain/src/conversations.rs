//! Direct-message threads (`/api/v1/conversations`) and muted threads.
//!
//! Every status belongs to a thread (`statuses.conversation_id`): a reply
//! joins its parent's, anything else starts one. For direct statuses each
//! participant (the author and the local accounts mentioned) also has their
//! own row in `account_conversations`, with the other participants, the
//! last status and whether they have read it.

use std::collections::HashSet;

use tertulia_core::Id;
use tertulia_db::conversations::{self, AccountConversationRow};
use tertulia_db::page::Page;
use tertulia_db::statuses::StatusRow;
use tertulia_db::{Db, DbConn, DbError, accounts};

use crate::events::Event;
use crate::present::{self, Reading};
use crate::statuses::{StatusView, act};
use crate::{AccountView, DomainError};

/// One participant's view of a direct-message thread.
#[derive(Debug, Clone)]
pub struct ConversationView {
    pub id: Id,
    pub unread: bool,
    /// The other participants.
    pub accounts: Vec<AccountView>,
    pub last_status: Option<StatusView>,
    /// The id that pages the list: the last status's.
    pub key: Id,
}

fn not_found() -> DomainError {
    DomainError::NotFound("conversation".into())
}

/// Records a new direct status in each participant's thread: unread for
/// all but the author. Returns the `conversation` events to publish.
pub(crate) fn record(conn: &mut DbConn, status: &StatusRow, mentioned: &[i64]) -> Result<Vec<Event>, DbError> {
    let Some(thread) = status.conversation_id else {
        return Ok(Vec::new());
    };
    let mut participants = vec![status.account_id];
    participants.extend(mentioned.iter().filter(|a| **a != status.account_id));
    let now = tertulia_db::now();
    let mut pending = Vec::new();
    for &account in &participants {
        let others: Vec<i64> = participants.iter().copied().filter(|p| *p != account).collect();
        let unread = account != status.account_id;
        let row = match conversations::find_for(conn, account, thread)? {
            Some(mut row) => {
                let mut known: Vec<i64> = serde_json::from_str(&row.participant_account_ids).unwrap_or_default();
                for other in &others {
                    if !known.contains(other) {
                        known.push(*other);
                    }
                }
                row.participant_account_ids = serde_json::to_string(&known).unwrap_or_else(|_| "[]".into());
                row.last_status_id = Some(status.id);
                row.unread = unread;
                row.updated_at = now;
                conversations::update(conn, &row)?;
                row
            }
            None => {
                let row = AccountConversationRow {
                    id: Id::generate().0,
                    account_id: account,
                    conversation_id: thread,
                    participant_account_ids: serde_json::to_string(&others).unwrap_or_else(|_| "[]".into()),
                    last_status_id: Some(status.id),
                    unread,
                    updated_at: now,
                };
                conversations::insert(conn, &row)?;
                row
            }
        };
        pending.push(Event::Conversation { recipient: Id(account), id: Id(row.id) });
    }
    Ok(pending)
}

/// `reader`'s direct-message threads, most recently active first.
pub async fn list(db: &Db, reader: Id, page: Page) -> Result<Vec<ConversationView>, DomainError> {
    Ok(db
        .run(move |conn| {
            let rows = conversations::page(conn, reader.0, page)?;
            build(conn, reader.0, rows)
        })
        .await?)
}

/// One of `reader`'s threads.
pub async fn get(db: &Db, reader: Id, id: Id) -> Result<ConversationView, DomainError> {
    db.run(move |conn| {
        let rows = conversations::find(conn, reader.0, id.0)?.into_iter().collect();
        Ok::<_, DomainError>(build(conn, reader.0, rows)?.pop())
    })
    .await?
    .ok_or_else(not_found)
}

/// Marks a thread read.
pub async fn read(db: &Db, reader: Id, id: Id) -> Result<ConversationView, DomainError> {
    let changed = db.write(move |conn| conversations::mark_read(conn, reader.0, id.0)).await?;
    if changed == 0 {
        return Err(not_found());
    }
    get(db, reader, id).await
}

/// Removes a thread from `reader`'s list; a new message brings it back.
pub async fn remove(db: &Db, reader: Id, id: Id) -> Result<(), DomainError> {
    let removed = db.write(move |conn| conversations::remove(conn, reader.0, id.0)).await?;
    if removed == 0 {
        return Err(not_found());
    }
    Ok(())
}

fn build(conn: &mut DbConn, reader: i64, rows: Vec<AccountConversationRow>) -> Result<Vec<ConversationView>, DbError> {
    let status_ids: Vec<i64> = rows.iter().filter_map(|r| r.last_status_id).collect();
    let statuses = present::by_ids(conn, Some(reader), &status_ids, Reading::Asked)?;
    let participants: Vec<Vec<i64>> =
        rows.iter().map(|r| serde_json::from_str(&r.participant_account_ids).unwrap_or_default()).collect();
    let everyone: HashSet<i64> = participants.iter().flatten().copied().collect();
    let accounts: Vec<AccountView> = accounts::find_many(conn, &everyone.into_iter().collect::<Vec<_>>())?
        .into_iter()
        .map(AccountView::from)
        .collect();
    Ok(rows
        .into_iter()
        .zip(participants)
        .map(|(row, others)| ConversationView {
            id: Id(row.id),
            unread: row.unread,
            accounts: others.iter().filter_map(|o| accounts.iter().find(|a| a.id.0 == *o).cloned()).collect(),
            last_status: statuses.iter().find(|s| Some(s.id.0) == row.last_status_id).cloned(),
            key: Id(row.last_status_id.unwrap_or_default()),
        })
        .collect())
}

/// Mutes (`on`) or unmutes the thread of a status `actor` can see: no more
/// notifications about it.
pub async fn mute(db: &Db, actor: Id, status: Id, on: bool) -> Result<StatusView, DomainError> {
    let (view, _) = act(db, actor, status, move |conn, status| {
        let thread = match status.conversation_id {
            Some(thread) => thread,
            None => {
                let thread = conversations::create(conn, tertulia_db::now())?;
                conversations::set_status_conversation(conn, status.id, thread)?;
                thread
            }
        };
        conversations::set_muted(conn, actor.0, thread, on)?;
        Ok((status.id, Vec::new()))
    })
    .await?;
    Ok(view)
}
