//! Subscriptions to ActivityPub relays. A relay is one more receiver of
//! this site's public posts (see [`crate::audience`]), and one more source
//! of other sites' public posts, each checked against its origin by the
//! federation crate before it is stored.

use tertulia_core::Id;
use tertulia_db::relays::{self, RelayProtocol, RelayRow, RelayState};
use tertulia_db::{Db, DbError};

use crate::DomainError;
use crate::outbox::{self, Outgoing};

/// A relay to subscribe to, as the federation crate found it.
#[derive(Debug, Clone)]
pub struct NewRelay {
    pub inbox_url: String,
    /// Known up front for LitePub (the relay's actor is what is followed).
    pub actor_uri: Option<String>,
    pub protocol: RelayProtocol,
}

/// Subscribes: stores the relay as pending and records the site actor's
/// `Follow`, which the running server sends.
pub async fn subscribe(db: &Db, relay: NewRelay) -> Result<RelayRow, DomainError> {
    let now = tertulia_db::now();
    let row = RelayRow {
        id: Id::generate().0,
        inbox_url: relay.inbox_url,
        actor_uri: relay.actor_uri,
        protocol: relay.protocol,
        state: RelayState::Pending,
        created_at: now,
        updated_at: now,
    };
    db.write(move |conn| {
        if let Some(existing) = relays::find_by_inbox(conn, &row.inbox_url)? {
            return Err(DomainError::Conflict(format!(
                "this site already subscribes to the relay at {} ({}); remove it first to subscribe again",
                existing.inbox_url, existing.state
            )));
        }
        relays::insert(conn, &row)?;
        outbox::record(conn, &Outgoing::RelayFollowed { relay: row.id })?;
        Ok(row)
    })
    .await
}

/// Unsubscribes from the relay whose inbox or actor is `url`: forgets it and records the
/// `Undo(Follow)` (unless the relay refused the follow: then there is
/// nothing to undo).
pub async fn unsubscribe(db: &Db, url: String) -> Result<RelayRow, DomainError> {
    db.write(move |conn| {
        let relay = relays::find_by_url(conn, url.trim())?.ok_or_else(|| {
            DomainError::NotFound(format!("relay {url} (see `tertulia admin federation relays list`)"))
        })?;
        relays::delete(conn, relay.id)?;
        if relay.state != RelayState::Rejected {
            let followed_actor = (relay.protocol == RelayProtocol::Litepub).then(|| relay.actor_uri.clone()).flatten();
            let unfollowed =
                Outgoing::RelayUnfollowed { relay: relay.id, inbox: relay.inbox_url.clone(), followed_actor };
            outbox::record(conn, &unfollowed)?;
        }
        Ok(relay)
    })
    .await
}

/// The relay `relay` accepted or refused the site's follow; `actor_uri`
/// signed the answer. An answer to a subscription since removed is
/// ignored; `false` then.
pub async fn answered(db: &Db, relay: Id, accepted: bool, actor_uri: String) -> Result<bool, DomainError> {
    let state = if accepted { RelayState::Accepted } else { RelayState::Rejected };
    Ok(db
        .write(move |conn| {
            if relays::find(conn, relay.0)?.is_none() {
                return Ok::<_, DbError>(false);
            }
            relays::set_state(conn, relay.0, state, &actor_uri, tertulia_db::now())?;
            Ok(true)
        })
        .await?)
}

/// The relay `relay`, if this site subscribes to it.
pub async fn find(db: &Db, relay: Id) -> Result<Option<RelayRow>, DomainError> {
    Ok(db.read(move |conn| relays::find(conn, relay.0)).await?)
}

/// The accepted relay whose actor is `actor_uri`: whose forwarded posts are
/// taken (after checking them against their origin).
pub async fn accepted_by_actor(db: &Db, actor_uri: String) -> Result<Option<RelayRow>, DomainError> {
    Ok(db.read(move |conn| relays::accepted_by_actor(conn, &actor_uri)).await?)
}

/// Every relay, oldest subscription first.
pub async fn all(db: &Db) -> Result<Vec<RelayRow>, DomainError> {
    Ok(db.read(relays::all).await?)
}
