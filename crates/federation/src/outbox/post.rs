//! A local post as it now is, to its audience: `Create` when posted (an
//! `Announce` for a boost), `Update` when edited, and an unedited
//! `Update` when its poll counts or its quote changed.

use tertulia_core::Config;
use tertulia_core::visibility::Visibility;
use tertulia_db::actors;
use tertulia_db::{DbConn, DbError, statuses};
use tertulia_domain::audience;
use tertulia_domain::statuses::shared;

use super::recipients::{Plan, Planned, inboxes_of};
use crate::activities;
use crate::render;
use crate::urls::Urls;

/// `Create` of a new post (`edited` false) or `Update` after an edit; a
/// boost's `Announce`.
pub(super) fn created_or_edited(
    conn: &mut DbConn,
    config: &Config,
    urls: &Urls,
    status: i64,
    edited: bool,
) -> Result<Planned, DbError> {
    let Some(row) = statuses::find(conn, status)? else {
        return Ok(None);
    };
    let Some(author) = render::local_actor(conn, row.account_id)? else {
        return Ok(None);
    };
    let to = audience::remote_of_status(conn, &row)?;
    let activity = match row.reblog_of_id {
        Some(original_id) => {
            let Some((original_uri, original_author)) = shared::uri_and_author(conn, original_id)? else {
                return Ok(None);
            };
            let Some(original_author) = actors::find(conn, original_author)? else {
                return Ok(None);
            };
            let boost = activities::Boost { booster: &author.username, uri: &row.uri, published: row.created_at };
            if row.visibility != Visibility::Private {
                activities::announce(urls, &boost, &original_uri, &original_author.uri)
            } else {
                // A private group sharing a members-only post
                // (`tertulia_domain::groups::may_boost`).
                let Some(original) = statuses::find(conn, original_id)? else {
                    return Ok(None);
                };
                let Some(note) = render::note(conn, config, urls, original)? else {
                    return Ok(None);
                };
                activities::announce_members_only(urls, &boost, note, &original_author)
            }
        }
        None => {
            let Some(note) = render::note(conn, config, urls, row)? else {
                return Ok(None);
            };
            activities::create_or_update(&note, edited)
        }
    };
    Ok(Some(Plan { activity, signer: author.id, inboxes: inboxes_of(conn, urls, &to)? }))
}

/// An `Update` that is not an edit, saying `what` changed: `votes` (a
/// poll's counts) or `quote` (its quote or quote policy).
pub(super) fn unedited_update(
    conn: &mut DbConn,
    config: &Config,
    urls: &Urls,
    status: i64,
    what: &str,
) -> Result<Planned, DbError> {
    let Some(row) = statuses::find(conn, status)? else {
        return Ok(None);
    };
    let (author, to) = (row.account_id, audience::remote_of_status(conn, &row)?);
    let Some(note) = render::note(conn, config, urls, row)? else {
        return Ok(None);
    };
    let activity = activities::unedited_update(&note, what);
    Ok(Some(Plan { activity, signer: author, inboxes: inboxes_of(conn, urls, &to)? }))
}
