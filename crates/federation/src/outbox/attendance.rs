//! A local answer to a remote event, to its organiser alone: the
//! organiser's site counts the answers.

use tertulia_db::actors;
use tertulia_db::{DbConn, DbError};
use tertulia_domain::calendar::Answer;
use tertulia_domain::statuses::shared;

use super::recipients::{Plan, Planned, remote_inbox};
use crate::activities;
use crate::render;

/// `account`'s `answer` (`None`: withdrawn) to the event of `status`.
pub(super) fn plan(
    conn: &mut DbConn,
    account: i64,
    status: i64,
    answer: Option<&str>,
    at: i64,
) -> Result<Planned, DbError> {
    // Written by `calendar::attend` from an `Answer`: always one of its names.
    let answer = answer.and_then(|answer| answer.parse::<Answer>().ok());
    let (Some((event_uri, organiser)), Some(attendee)) =
        (shared::uri_and_author(conn, status)?, render::local_actor(conn, account)?)
    else {
        return Ok(None);
    };
    let Some(organiser) = actors::find(conn, organiser)? else {
        return Ok(None);
    };
    let Some(inbox) = remote_inbox(&organiser) else {
        return Ok(None);
    };
    let activity = activities::event_answer(&attendee.uri, answer, &event_uri, &organiser.uri, at);
    Ok(Some(Plan { activity, signer: account, inboxes: vec![inbox] }))
}
