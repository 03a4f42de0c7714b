//! A local vote in a remote poll: a `Create(Note)` named after the
//! option, to the poll's author alone.

use tertulia_db::actors;
use tertulia_db::{DbConn, DbError};
use tertulia_domain::polls;
use tertulia_domain::statuses::shared;

use super::recipients::{Plan, Planned, remote_inbox};
use crate::activities;
use crate::render;

/// `account`'s vote for option `choice` (an index) of `poll`.
pub(super) fn plan(conn: &mut DbConn, account: i64, poll: i64, choice: i64) -> Result<Planned, DbError> {
    let Some((question, title)) = polls::choice_of(conn, poll, choice)? else {
        return Ok(None);
    };
    let (Some((question_uri, author)), Some(voter)) =
        (shared::uri_and_author(conn, question)?, render::local_actor(conn, account)?)
    else {
        return Ok(None);
    };
    let Some(author) = actors::find(conn, author)? else {
        return Ok(None);
    };
    let Some(inbox) = remote_inbox(&author) else {
        return Ok(None);
    };
    let activity = activities::vote(&voter.uri, poll, choice, &title, &question_uri, &author.uri);
    Ok(Some(Plan { activity, signer: account, inboxes: vec![inbox] }))
}
