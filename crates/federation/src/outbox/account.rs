//! Changes to a local account, to its remote followers: `Update(Person)`
//! after a profile change, `Move` to another site, and `Delete` of the
//! actor.

use tertulia_core::Config;
use tertulia_db::actors;
use tertulia_db::{DbConn, DbError};

use super::recipients::{Plan, Planned};
use crate::activities;
use crate::render;
use crate::urls::Urls;

/// `Update(Person)` with the profile as it now is.
pub(super) fn profile_updated(
    conn: &mut DbConn,
    config: &Config,
    urls: &Urls,
    account: i64,
) -> Result<Planned, DbError> {
    let Some(actor) = render::local_actor(conn, account)? else {
        return Ok(None);
    };
    let Some(profile) = tertulia_domain::accounts::local_profile(conn, &actor.username)? else {
        return Ok(None);
    };
    let activity = activities::update_person(urls, &profile, &actor, profile.site(config));
    Ok(Some(Plan { activity, signer: account, inboxes: actors::remote_follower_inboxes(conn, account)? }))
}

/// `Move` of `account` to the actor `target`.
pub(super) fn moved(conn: &mut DbConn, urls: &Urls, account: i64, target: i64) -> Result<Planned, DbError> {
    let (Some(actor), Some(target)) = (render::local_actor(conn, account)?, actors::find(conn, target)?) else {
        return Ok(None);
    };
    let activity = activities::move_account(urls, &actor.username, &actor.uri, &target.uri);
    Ok(Some(Plan { activity, signer: account, inboxes: actors::remote_follower_inboxes(conn, account)? }))
}

/// `Delete` of a deleted account's actor, to the `inboxes` listed before
/// its follows went.
pub(super) fn deleted(conn: &mut DbConn, account: i64, inboxes: &[String]) -> Result<Planned, DbError> {
    let Some(actor) = actors::find(conn, account)? else {
        return Ok(None);
    };
    Ok(Some(Plan { activity: activities::delete_actor(&actor.uri), signer: account, inboxes: inboxes.to_vec() }))
}
