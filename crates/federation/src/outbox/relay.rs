//! The site actor's `Follow` of a relay, and its `Undo` when the site
//! leaves the relay.
//!
//! LitePub relays (Pleroma, Akkoma) are followed like any actor: the
//! Follow names the relay's actor. Mastodon's relay protocol names the
//! public collection instead, sent to the relay's inbox.

use tertulia_db::actors;
use tertulia_db::relays::{self, RelayProtocol};
use tertulia_db::{DbConn, DbError};

use super::recipients::{Plan, Planned};
use crate::activities;
use crate::protocol::PUBLIC;
use crate::urls::Urls;

/// `Follow` of relay `relay`, if the site still subscribes to it.
pub(super) fn followed(conn: &mut DbConn, urls: &Urls, relay: i64) -> Result<Planned, DbError> {
    let (Some(relay), Some(site)) = (relays::find(conn, relay)?, actors::find_by_uri(conn, &urls.instance_actor())?)
    else {
        return Ok(None);
    };
    let object = match (relay.protocol, &relay.actor_uri) {
        (RelayProtocol::Litepub, Some(actor)) => actor.as_str(),
        _ => PUBLIC,
    };
    let follow = activities::follow(urls.relay_follow(relay.id), &site.uri, object);
    Ok(Some(Plan { activity: follow, signer: site.id, inboxes: vec![relay.inbox_url] }))
}

/// `Undo(Follow)` of the relay the site left: the record keeps what the
/// Follow named.
pub(super) fn unfollowed(
    conn: &mut DbConn,
    urls: &Urls,
    relay: i64,
    inbox: &str,
    followed_actor: Option<&str>,
) -> Result<Planned, DbError> {
    let Some(site) = actors::find_by_uri(conn, &urls.instance_actor())? else {
        return Ok(None);
    };
    let follow = activities::follow(urls.relay_follow(relay), &site.uri, followed_actor.unwrap_or(PUBLIC));
    let undo = activities::undo(&site.uri, follow);
    Ok(Some(Plan { activity: undo, signer: site.id, inboxes: vec![inbox.to_owned()] }))
}
