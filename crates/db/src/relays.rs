//! Queries on `relays`: the ActivityPub relays the site actor subscribes
//! to, and where each subscription stands.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::relays;
use crate::{DbConn, DbError};

tertulia_core::stored_enum! {
    /// How a relay is spoken to. LitePub (Pleroma, Akkoma relays): the site
    /// actor follows the relay's actor, which forwards posts as `Announce`.
    /// Mastodon: the site actor follows the public collection at the
    /// relay's inbox, which forwards the original activities.
    pub enum RelayProtocol("relay protocol") { Litepub = "litepub", Mastodon = "mastodon" }
}

tertulia_core::stored_enum! {
    /// Where a subscription stands: sent and not answered, accepted (posts
    /// flow both ways), or refused by the relay.
    pub enum RelayState("relay state") { Pending = "pending", Accepted = "accepted", Rejected = "rejected" }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = relays)]
pub struct RelayRow {
    pub id: i64,
    pub inbox_url: String,
    pub actor_uri: Option<String>,
    pub protocol: RelayProtocol,
    pub state: RelayState,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, relay: &RelayRow) -> Result<(), DbError> {
    diesel::insert_into(relays::table).values(relay).execute(conn)?;
    Ok(())
}

/// Every relay, oldest subscription first.
pub fn all(conn: &mut DbConn) -> Result<Vec<RelayRow>, DbError> {
    Ok(relays::table.order(relays::id).select(RelayRow::as_select()).load(conn)?)
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<RelayRow>, DbError> {
    Ok(relays::table.find(id).select(RelayRow::as_select()).first(conn).optional()?)
}

pub fn find_by_inbox(conn: &mut DbConn, inbox_url: &str) -> Result<Option<RelayRow>, DbError> {
    Ok(relays::table.filter(relays::inbox_url.eq(inbox_url)).select(RelayRow::as_select()).first(conn).optional()?)
}

/// The relay whose inbox or actor is `url`.
pub fn find_by_url(conn: &mut DbConn, url: &str) -> Result<Option<RelayRow>, DbError> {
    Ok(relays::table
        .filter(relays::inbox_url.eq(url).or(relays::actor_uri.eq(url)))
        .select(RelayRow::as_select())
        .first(conn)
        .optional()?)
}

/// The accepted relay whose actor is `actor_uri`, if any.
pub fn accepted_by_actor(conn: &mut DbConn, actor_uri: &str) -> Result<Option<RelayRow>, DbError> {
    Ok(relays::table
        .filter(relays::actor_uri.eq(actor_uri))
        .filter(relays::state.eq(RelayState::Accepted))
        .select(RelayRow::as_select())
        .first(conn)
        .optional()?)
}

/// The inboxes of the accepted relays.
pub fn accepted_inboxes(conn: &mut DbConn) -> Result<Vec<String>, DbError> {
    Ok(relays::table.filter(relays::state.eq(RelayState::Accepted)).select(relays::inbox_url).load(conn)?)
}

/// Records the relay's answer, and its actor (the signer of the answer).
pub fn set_state(
    conn: &mut DbConn,
    id: i64,
    state: RelayState,
    actor_uri: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(relays::table.find(id))
        .set((relays::state.eq(state), relays::actor_uri.eq(actor_uri), relays::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, id: i64) -> Result<(), DbError> {
    diesel::delete(relays::table.find(id)).execute(conn)?;
    Ok(())
}
