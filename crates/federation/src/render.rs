//! Loading what local documents need, so that a route serving a document
//! and the worker sending it render it the same way; the documents
//! themselves are built in [`crate::activities`].

use tertulia_core::Config;
use tertulia_db::accounts::{self, AccountRow};
use tertulia_db::actors::{self, ActorRow};
use tertulia_db::quotes::{self, QuoteState};
use tertulia_db::statuses::{self, StatusRow};
use tertulia_db::{DbConn, DbError};

use crate::activities::{Note, NoteLinks, to_note};
use crate::urls::Urls;

/// A local status as a `Note` (or `Question`), or `None` if it is gone.
/// The note is rendered from the domain's view of the status; only the
/// URIs it links to are looked up here.
pub fn note(conn: &mut DbConn, config: &Config, urls: &Urls, status: &StatusRow) -> Result<Option<Note>, DbError> {
    let Some(view) = tertulia_domain::statuses::view_of(conn, status.clone())? else {
        return Ok(None);
    };
    let in_reply_to = match status.in_reply_to_id {
        Some(parent) => statuses::find(conn, parent)?.map(|p| p.uri),
        None => None,
    };
    let quote = quotes::find(conn, status.id)?.map(|quote| {
        let authorization = quote.authorization_uri.filter(|_| quote.state == QuoteState::Accepted);
        (quote.quoted_uri, authorization)
    });
    let links = NoteLinks { in_reply_to, conversation: status.conversation_id, quote };
    Ok(Some(to_note(&view, &links, urls, config)))
}

/// The URI of the actor `account` moved to, if it moved.
pub fn moved_to(conn: &mut DbConn, account: &AccountRow) -> Result<Option<String>, DbError> {
    Ok(match account.moved_to_account_id {
        Some(target) => actors::find(conn, target)?.map(|t| t.uri),
        None => None,
    })
}

/// Loads the actor row of a local account, for callers that have an id.
pub fn local_actor(conn: &mut DbConn, id: i64) -> Result<Option<(AccountRow, ActorRow)>, DbError> {
    let account = accounts::find(conn, id)?.filter(|a| a.domain.is_none());
    let actor = actors::find(conn, id)?;
    Ok(account.zip(actor))
}
