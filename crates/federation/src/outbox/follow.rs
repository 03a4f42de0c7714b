//! Follows between a local and a remote account: the local one's
//! `Follow` (or `Undo(Follow)`), and its `Accept` or `Reject` of a remote
//! follower.

use tertulia_db::actors;
use tertulia_db::{DbConn, DbError};

use super::recipients::{Plan, Planned, one_to_one};
use crate::activities;
use crate::render;
use crate::urls::Urls;

/// `Follow` of `target`, named after the follow request `request`; with
/// `undo`, its `Undo`.
pub(super) fn requested(
    conn: &mut DbConn,
    urls: &Urls,
    follower: i64,
    target: i64,
    request: i64,
    undo: bool,
) -> Result<Planned, DbError> {
    let Some(target) = actors::find(conn, target)? else {
        return Ok(None);
    };
    let follow = |actor: &str| activities::follow(urls.follow(request), actor, &target.uri);
    one_to_one(conn, follower, &target, follow, undo)
}

/// `Accept` or `Reject` by the local `target` of `follower`'s `Follow`
/// (`follow_uri`), to the follower's own inbox: the answer concerns one
/// account.
pub(super) fn answered(
    conn: &mut DbConn,
    follower: i64,
    target: i64,
    follow_uri: &str,
    accepted: bool,
) -> Result<Planned, DbError> {
    let (Some(follower), Some(actor)) = (actors::find(conn, follower)?, render::local_actor(conn, target)?) else {
        return Ok(None);
    };
    if follower.domain.is_none() {
        return Ok(None);
    }
    let activity = activities::answer_follow(accepted, &actor.uri, &follower.uri, follow_uri);
    Ok(Some(Plan { activity, signer: target, inboxes: vec![follower.inbox_url.clone()] }))
}
