//! What every outgoing kind hands back (the activity, its signer, its
//! inboxes), and the ways of finding inboxes they share.

use serde_json::Value;
use tertulia_core::AccountId;
use tertulia_db::actors::{self, ActorRow};
use tertulia_db::{DbConn, DbError};
use tertulia_domain::audience::RemoteAudience;

use crate::activities;
use crate::render;
use crate::urls::Urls;

/// An activity, the local account that signs it, and the inboxes it goes
/// to (local ones among them are dropped by the worker).
pub(super) struct Plan {
    pub(super) activity: Value,
    pub(super) signer: i64,
    pub(super) inboxes: Vec<String>,
}

/// A [`Plan`], or `None` when what the record names is gone (or there is
/// nobody to tell): the record is then dropped.
pub(super) type Planned = Option<Plan>;

/// The activity `render` makes from the local `actor`'s URI (or, with
/// `undo`, its `Undo`), for `recipient`'s inbox alone: likes, follows and
/// blocks.
pub(super) fn one_to_one(
    conn: &mut DbConn,
    actor: i64,
    recipient: &ActorRow,
    render: impl FnOnce(&str) -> Value,
    undo: bool,
) -> Result<Planned, DbError> {
    let (Some(local), Some(inbox)) = (render::local_actor(conn, actor)?, remote_inbox(recipient)) else {
        return Ok(None);
    };
    let activity = render(&local.uri);
    let activity = if undo { activities::undo(&local.uri, activity) } else { activity };
    Ok(Some(Plan { activity, signer: actor, inboxes: vec![inbox] }))
}

/// The inboxes of whom [`tertulia_domain::audience`] says a status goes
/// to on other sites: one per site for followers that share an inbox, and
/// the instance actor's followers standing for the sites that follow this
/// whole site, and the relays that accepted this site.
pub(super) fn inboxes_of(conn: &mut DbConn, urls: &Urls, to: &RemoteAudience) -> Result<Vec<String>, DbError> {
    let mut inboxes = match to.followers_of {
        Some(account) => actors::remote_follower_inboxes(conn, account.0)?,
        None => Vec::new(),
    };
    if to.site_followers
        && let Some(site) = actors::find_by_uri(conn, &urls.instance_actor())?
    {
        inboxes.extend(actors::site_follower_inboxes(conn, site.id)?);
    }
    if to.relays {
        inboxes.extend(tertulia_db::relays::accepted_inboxes(conn)?);
    }
    inboxes.extend(actors::find_many(conn, &AccountId::raw(&to.accounts))?.iter().filter_map(remote_inbox));
    Ok(inboxes)
}

/// The inbox to reach a remote actor at; `None` for local ones.
pub(super) fn remote_inbox(actor: &ActorRow) -> Option<String> {
    actor.domain.as_ref().map(|_| actor.delivery_inbox().to_owned())
}
