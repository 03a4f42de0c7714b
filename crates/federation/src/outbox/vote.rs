//! A local vote in a remote poll: a `Create(Note)` named after the
//! option, to the poll's author alone.

use tertulia_db::actors;
use tertulia_db::{DbConn, DbError, statuses};

use super::recipients::{Plan, Planned, remote_inbox};
use crate::activities;
use crate::render;

/// `account`'s vote for option `choice` (an index) of `poll`.
pub(super) fn plan(conn: &mut DbConn, account: i64, poll: i64, choice: i64) -> Result<Planned, DbError> {
    let Some(poll) = tertulia_db::polls::find(conn, poll)? else {
        return Ok(None);
    };
    let (Some(question), Some(voter)) = (statuses::find(conn, poll.status_id)?, render::local_actor(conn, account)?)
    else {
        return Ok(None);
    };
    let Some(author) = actors::find(conn, question.account_id)? else {
        return Ok(None);
    };
    let titles = poll.titles();
    let Some(title) = usize::try_from(choice).ok().and_then(|c| titles.get(c)) else {
        return Ok(None);
    };
    let Some(inbox) = remote_inbox(&author) else {
        return Ok(None);
    };
    let activity = activities::vote(&voter.uri, poll.id, choice, title, &question.uri, &author.uri);
    Ok(Some(Plan { activity, signer: account, inboxes: vec![inbox] }))
}
