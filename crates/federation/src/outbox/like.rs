//! A local favourite of a post: `Like` (or `Undo(Like)`) to its author.

use tertulia_db::actors;
use tertulia_db::{DbConn, DbError};
use tertulia_domain::statuses::shared;

use super::recipients::{Planned, one_to_one};
use crate::activities;
use crate::urls::Urls;

pub(super) fn plan(conn: &mut DbConn, urls: &Urls, account: i64, status: i64, undo: bool) -> Result<Planned, DbError> {
    let Some((uri, author)) = shared::uri_and_author(conn, status)? else {
        return Ok(None);
    };
    let Some(author) = actors::find(conn, author)? else {
        return Ok(None);
    };
    let like = |actor: &str| activities::like(urls.like(actor, status), actor, &uri);
    one_to_one(conn, account, &author, like, undo)
}
