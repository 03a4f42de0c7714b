//! Loading what local documents need, so that a route serving a document
//! and the worker sending it render it the same way; the documents
//! themselves are built in [`crate::activities`].

use tertulia_core::Config;
use tertulia_db::accounts::{self, AccountRow};
use tertulia_db::actors::{self, ActorRow};
use tertulia_db::statuses::StatusRow;
use tertulia_db::{DbConn, DbError};
use tertulia_domain::statuses::shared;

use crate::activities::{Note, to_note};
use crate::urls::Urls;

/// A local status as a `Note` (or `Question`), or `None` if its author
/// is gone.
pub fn note(conn: &mut DbConn, config: &Config, urls: &Urls, status: StatusRow) -> Result<Option<Note>, DbError> {
    Ok(shared::of_rows(conn, vec![status])?.pop().map(|status| to_note(&status, urls, config)))
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
