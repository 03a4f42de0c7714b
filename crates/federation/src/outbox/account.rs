//! Changes to a local account, to its remote followers and the sites that
//! follow this one (as [`audience::remote_of_profile`] decides):
//! `Update(Person)` after a profile change (or for a new account),
//! `Move` to another site, and `Delete` of the actor.

use tertulia_core::{AccountId, Config};
use tertulia_db::actors;
use tertulia_db::{DbConn, DbError};
use tertulia_domain::audience::{self, RemoteAudience};

use super::recipients::{Plan, Planned, inboxes_of};
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
    update_person(conn, config, urls, account, &audience::remote_of_profile(AccountId(account)))
}

/// `Update(Person)` with the profile as it now is, for `to`.
pub(super) fn update_person(
    conn: &mut DbConn,
    config: &Config,
    urls: &Urls,
    account: i64,
    to: &RemoteAudience,
) -> Result<Planned, DbError> {
    let inboxes = inboxes_of(conn, urls, to)?;
    // Nobody to tell (a new account on a site no other site follows).
    if inboxes.is_empty() {
        return Ok(None);
    }
    let Some(actor) = render::local_actor(conn, account)? else {
        return Ok(None);
    };
    let Some(profile) = tertulia_domain::accounts::local_profile(conn, &actor.username)? else {
        return Ok(None);
    };
    let activity = activities::update_person(urls, &profile, &actor, profile.site(config));
    Ok(Some(Plan { activity, signer: account, inboxes }))
}

/// `Move` of `account` to the actor `target`.
pub(super) fn moved(conn: &mut DbConn, urls: &Urls, account: i64, target: i64) -> Result<Planned, DbError> {
    let (Some(actor), Some(target)) = (render::local_actor(conn, account)?, actors::find(conn, target)?) else {
        return Ok(None);
    };
    let activity = activities::move_account(urls, &actor.username, &actor.uri, &target.uri);
    let inboxes = inboxes_of(conn, urls, &audience::remote_of_profile(AccountId(account)))?;
    Ok(Some(Plan { activity, signer: account, inboxes }))
}

/// `Delete` of a deleted account's actor, to the `inboxes` listed before
/// its follows went and to the sites that follow this one (the tombstone
/// `account` has no followers of its own).
pub(super) fn deleted(conn: &mut DbConn, urls: &Urls, account: i64, inboxes: &[String]) -> Result<Planned, DbError> {
    let Some(actor) = actors::find(conn, account)? else {
        return Ok(None);
    };
    let mut inboxes = inboxes.to_vec();
    inboxes.extend(inboxes_of(conn, urls, &audience::remote_of_profile(AccountId(account)))?);
    Ok(Some(Plan { activity: activities::delete_actor(&actor.uri), signer: account, inboxes }))
}
