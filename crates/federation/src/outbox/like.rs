//! A local favourite of a post: `Like` (or `Undo(Like)`) to its author.

use tertulia_db::actors;
use tertulia_db::{DbConn, DbError, statuses};

use super::recipients::{Planned, one_to_one};
use crate::activities;
use crate::urls::Urls;

pub(super) fn plan(conn: &mut DbConn, urls: &Urls, account: i64, status: i64, undo: bool) -> Result<Planned, DbError> {
    let Some(row) = statuses::find(conn, status)? else {
        return Ok(None);
    };
    let Some(author) = actors::find(conn, row.account_id)? else {
        return Ok(None);
    };
    let like = |actor: &str| activities::like(urls.like(actor, row.id), actor, &row.uri);
    one_to_one(conn, account, &author, like, undo)
}
