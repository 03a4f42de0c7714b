//! Quote consent between sites (FEP-044f, see [`crate::quotes`]): our
//! `QuoteRequest` to a quoted remote author, our answer to theirs, and
//! the withdrawal of a consent we gave.

use tertulia_core::Config;
use tertulia_db::actors;
use tertulia_db::{DbConn, DbError, statuses};

use super::recipients::{Plan, Planned, remote_inbox};
use crate::activities;
use crate::render;
use crate::urls::Urls;

/// `QuoteRequest` for the local post `status`, to the quoted author.
pub(super) fn requested(conn: &mut DbConn, config: &Config, urls: &Urls, status: i64) -> Result<Planned, DbError> {
    let Some(row) = statuses::find(conn, status)?.filter(|row| row.local) else {
        return Ok(None);
    };
    let (author, quoted) = (row.account_id, crate::quotes::quoted_of(conn, row.id)?);
    let (Some(note), Some((quoted_uri, quoted_author))) = (render::note(conn, config, urls, row)?, quoted) else {
        return Ok(None);
    };
    let activity = activities::quote_request(&note, &quoted_uri, &quoted_author.uri);
    Ok(remote_inbox(&quoted_author).map(|inbox| Plan { activity, signer: author, inboxes: vec![inbox] }))
}

/// The local `quoted_author`'s `Accept` (with the authorization made, if
/// any) or `Reject` of `requester`'s `QuoteRequest`, to the requester.
pub(super) fn answered(
    conn: &mut DbConn,
    quoted_author: i64,
    requester: i64,
    request_uri: &str,
    quoting_uri: &str,
    quoted_uri: &str,
    authorization: Option<&str>,
) -> Result<Planned, DbError> {
    let (Some(actor), Some(requester)) = (render::local_actor(conn, quoted_author)?, actors::find(conn, requester)?)
    else {
        return Ok(None);
    };
    let activity =
        activities::quote_answer(&actor.uri, &requester.uri, request_uri, quoting_uri, quoted_uri, authorization);
    Ok(remote_inbox(&requester).map(|inbox| Plan { activity, signer: quoted_author, inboxes: vec![inbox] }))
}

/// `Delete` of the `authorization` the local `author` gave for a quote by
/// `quoting_author`, to everyone who may have seen the quote as accepted.
pub(super) fn revoked(
    conn: &mut DbConn,
    author: i64,
    authorization: &str,
    quoting_author: i64,
) -> Result<Planned, DbError> {
    let (Some(actor), Some(quoting)) = (render::local_actor(conn, author)?, actors::find(conn, quoting_author)?) else {
        return Ok(None);
    };
    let mut inboxes = actors::remote_follower_inboxes(conn, author)?;
    inboxes.extend(remote_inbox(&quoting));
    if quoting.domain.is_none() {
        inboxes.extend(actors::remote_follower_inboxes(conn, quoting.id)?);
    }
    let activity = activities::quote_revocation(&actor.uri, authorization, &quoting.uri);
    Ok(Some(Plan { activity, signer: author, inboxes }))
}
