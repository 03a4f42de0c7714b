//! Loading what local documents need, so that a route serving a document
//! and the worker sending it render it the same way; the documents
//! themselves are built in [`crate::activities`].

use tertulia_core::Config;
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

/// The actor row of a local account, for callers that have an id; `None`
/// for a remote or unknown one.
pub fn local_actor(conn: &mut DbConn, id: i64) -> Result<Option<ActorRow>, DbError> {
    Ok(actors::find(conn, id)?.filter(|actor| actor.domain.is_none()))
}
