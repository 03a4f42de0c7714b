//! The ActivityPub side of `accounts`: addresses, keys and the remote
//! copies of other sites' actors. Kept apart from `accounts` so the rows the
//! client API loads stay small.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{accounts, follows, relays};
use crate::{DbConn, DbError};

tertulia_core::stored_enum! {
    /// What kind of actor an account is, as `accounts.actor_type` holds it
    /// (ActivityStreams actor types, plus the tombstone a deleted local
    /// account leaves).
    pub enum ActorType("actor type") {
        Person = "Person",
        /// A bot.
        Service = "Service",
        /// A site's own actor.
        Application = "Application",
        Group = "Group",
        Organization = "Organization",
        /// What is left of a deleted local account: its address and key.
        Tombstone = "Tombstone",
    }
}

impl ActorType {
    /// A local account's type: `Service` for a bot, else `Person`.
    pub fn of_local(bot: bool) -> ActorType {
        if bot { ActorType::Service } else { ActorType::Person }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct ActorRow {
    pub id: i64,
    pub username: String,
    pub domain: Option<String>,
    pub uri: String,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub public_key_pem: String,
    pub private_key_pem: Option<String>,
    pub public_key_id: Option<String>,
    pub also_known_as: String,
    pub moved_to_account_id: Option<i64>,
    pub actor_type: ActorType,
    pub suspended_at: Option<NaiveDateTime>,
    pub fetched_at: Option<NaiveDateTime>,
    /// When the profile last changed: names the `Update` that says so.
    pub updated_at: NaiveDateTime,
}

impl ActorRow {
    /// Where to deliver to this actor: its site's shared inbox if it has
    /// one, so one post reaches all followers there in one request.
    pub fn delivery_inbox(&self) -> &str {
        self.shared_inbox_url.as_deref().filter(|s| !s.is_empty()).unwrap_or(&self.inbox_url)
    }
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<ActorRow>, DbError> {
    Ok(accounts::table.find(id).select(ActorRow::as_select()).first(conn).optional()?)
}

pub fn find_many(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<ActorRow>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(accounts::table.filter(accounts::id.eq_any(ids)).select(ActorRow::as_select()).load(conn)?)
}

pub fn find_by_uri(conn: &mut DbConn, uri: &str) -> Result<Option<ActorRow>, DbError> {
    Ok(accounts::table.filter(accounts::uri.eq(uri)).select(ActorRow::as_select()).first(conn).optional()?)
}

/// The remote actor whose key has this id.
pub fn find_by_key_id(conn: &mut DbConn, key_id: &str) -> Result<Option<ActorRow>, DbError> {
    Ok(accounts::table
        .filter(accounts::public_key_id.eq(key_id))
        .select(ActorRow::as_select())
        .first(conn)
        .optional()?)
}

/// Stores a local account's key pair, unless another request stored one
/// first; returns whether this one was kept.
pub fn set_keypair(conn: &mut DbConn, id: i64, private_pem: &str, public_pem: &str) -> Result<bool, DbError> {
    let changed = diesel::update(accounts::table.find(id).filter(accounts::private_key_pem.is_null()))
        .set((accounts::private_key_pem.eq(private_pem), accounts::public_key_pem.eq(public_pem)))
        .execute(conn)?;
    Ok(changed > 0)
}

/// What another site says about one of its actors.
#[derive(Debug, Clone, AsChangeset, Insertable)]
#[diesel(table_name = accounts, treat_none_as_null = true)]
pub struct RemoteActorFields {
    pub username: String,
    /// Never empty: a row without a domain is a local account.
    pub domain: String,
    pub display_name: String,
    pub note: String,
    pub url: Option<String>,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub outbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub following_url: Option<String>,
    pub featured_url: Option<String>,
    pub public_key_pem: String,
    pub public_key_id: Option<String>,
    pub avatar_url: Option<String>,
    pub header_url: Option<String>,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub fields: String,
    /// JSON of the site identity the actor publishes, if any.
    pub site: Option<String>,
    pub also_known_as: String,
    pub actor_type: ActorType,
    pub fetched_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

impl RemoteActorFields {
    /// A `Person` known by its handle and inboxes alone, fetched `now`:
    /// what tools that stand in for other sites (the benchmark, tests)
    /// store. No key: nothing it signs is ever checked.
    pub fn person(
        username: String,
        domain: String,
        inbox_url: String,
        shared_inbox_url: Option<String>,
        now: NaiveDateTime,
    ) -> RemoteActorFields {
        RemoteActorFields {
            display_name: username.clone(),
            username,
            domain,
            note: String::new(),
            url: None,
            inbox_url,
            shared_inbox_url,
            outbox_url: None,
            followers_url: None,
            following_url: None,
            featured_url: None,
            public_key_pem: String::new(),
            public_key_id: None,
            avatar_url: None,
            header_url: None,
            locked: false,
            bot: false,
            discoverable: false,
            indexable: false,
            fields: "[]".into(),
            site: None,
            also_known_as: "[]".into(),
            actor_type: ActorType::Person,
            fetched_at: Some(now),
            updated_at: now,
        }
    }
}

/// Inserts or refreshes the remote actor with this `uri`; returns its id.
/// Only remote rows are ever touched: a local account with this `uri` (or a
/// remote actor without a domain) is a conflict, whatever the caller checked.
pub fn upsert_remote(conn: &mut DbConn, uri: &str, fields: &RemoteActorFields) -> Result<i64, DbError> {
    if fields.domain.is_empty() {
        return Err(DbError::Conflict { constraint: format!("remote actor {uri} without a domain") });
    }
    if let Some(id) = update_remote(conn, uri, fields)? {
        return Ok(id);
    }
    let id = tertulia_core::Id::generate().0;
    let inserted = crate::insert_unless_duplicate(conn, |conn| {
        diesel::insert_into(accounts::table)
            .values((accounts::id.eq(id), accounts::uri.eq(uri), accounts::created_at.eq(fields.updated_at), fields))
            .execute(conn)
    })?;
    if inserted {
        return Ok(id);
    }
    // Another transaction stored this actor since the lookup above: on
    // PostgreSQL, two requests signed by the same new actor arrive at once
    // and both fetch its key. Refresh the row it stored.
    update_remote(conn, uri, fields)?.ok_or_else(|| DbError::Conflict {
        constraint: format!("another actor of {} already holds the name {}", fields.domain, fields.username),
    })
}

/// Refreshes the remote actor with this `uri`; `None` when there is none.
fn update_remote(conn: &mut DbConn, uri: &str, fields: &RemoteActorFields) -> Result<Option<i64>, DbError> {
    let existing = accounts::table
        .filter(accounts::uri.eq(uri))
        .select((accounts::id, accounts::domain))
        .first::<(i64, Option<String>)>(conn)
        .optional()?;
    match existing {
        None => Ok(None),
        Some((_, None)) => {
            Err(DbError::Conflict { constraint: format!("{uri} is a local account, not a remote actor") })
        }
        Some((id, Some(_))) => {
            let remote_row = accounts::table.find(id).filter(accounts::domain.is_not_null());
            match diesel::update(remote_row).set(fields).execute(conn)? {
                0 => Err(DbError::NotFound),
                _ => Ok(Some(id)),
            }
        }
    }
}

/// Creates the site's own actor (an `Application` without a sign-in, so
/// it never counts as staff); returns its id. It is not locked: other
/// sites that follow it receive this site's public posts, which anyone may
/// read anyway.
pub fn insert_instance_actor(conn: &mut DbConn, username: &str, uri: &str, inbox: &str) -> Result<i64, DbError> {
    let id = tertulia_core::Id::generate().0;
    let now = crate::now();
    diesel::insert_into(accounts::table)
        .values((
            accounts::id.eq(id),
            accounts::username.eq(username),
            accounts::uri.eq(uri),
            accounts::inbox_url.eq(inbox),
            accounts::actor_type.eq(ActorType::Application),
            accounts::locked.eq(false),
            accounts::discoverable.eq(false),
            accounts::indexable.eq(false),
            accounts::created_at.eq(now),
            accounts::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The remote inboxes that know `account`: its followers' and the
/// accounts' it follows, one per site when they share an inbox.
pub fn remote_contact_inboxes(conn: &mut DbConn, account: i64) -> Result<Vec<String>, DbError> {
    let mut inboxes = remote_follower_inboxes(conn, account)?;
    let followed: Vec<i64> =
        follows::table.filter(follows::account_id.eq(account)).select(follows::target_account_id).load(conn)?;
    inboxes.extend(
        find_many(conn, &followed)?.iter().filter(|a| a.domain.is_some()).map(|a| a.delivery_inbox().to_owned()),
    );
    inboxes.sort_unstable();
    inboxes.dedup();
    Ok(inboxes)
}

/// What is left of a deleted local account that other sites knew: its
/// address and key, suspended, with no profile and no sign-in. Returns
/// its id.
pub fn insert_tombstone(
    conn: &mut DbConn,
    actor: &ActorRow,
    private_key: &str,
    now: NaiveDateTime,
) -> Result<i64, DbError> {
    let id = tertulia_core::Id::generate().0;
    diesel::insert_into(accounts::table)
        .values((
            accounts::id.eq(id),
            accounts::username.eq(&actor.username),
            accounts::uri.eq(&actor.uri),
            accounts::inbox_url.eq(&actor.inbox_url),
            accounts::public_key_pem.eq(&actor.public_key_pem),
            accounts::private_key_pem.eq(private_key),
            accounts::actor_type.eq(ActorType::Tombstone),
            accounts::discoverable.eq(false),
            accounts::indexable.eq(false),
            accounts::suspended_at.eq(now),
            accounts::created_at.eq(now),
            accounts::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Replaces the account's aliases (a JSON array of actor URIs).
pub fn set_also_known_as(conn: &mut DbConn, id: i64, json: &str) -> Result<(), DbError> {
    diesel::update(accounts::table.find(id))
        .set((accounts::also_known_as.eq(json), accounts::updated_at.eq(crate::now())))
        .execute(conn)?;
    Ok(())
}

/// Marks `id` as moved to `target` (or clears it).
pub fn set_moved_to(conn: &mut DbConn, id: i64, target: Option<i64>) -> Result<(), DbError> {
    diesel::update(accounts::table.find(id)).set(accounts::moved_to_account_id.eq(target)).execute(conn)?;
    Ok(())
}

/// Whether the account hides who follows it and whom it follows.
pub fn collections_hidden(conn: &mut DbConn, id: i64) -> Result<bool, DbError> {
    Ok(accounts::table.find(id).select(accounts::hide_collections).first(conn).optional()?.unwrap_or(false))
}

/// The inboxes of the sites that follow this one as a site (`site` is the
/// site actor). activityrelay follows the site actor back whatever the
/// protocol, LitePub relays do too, only to be sent the public posts they
/// carry: the directory, profiles and company announcements meant for
/// colleague sites must not reach a relay.
pub fn site_follower_inboxes(conn: &mut DbConn, site: i64) -> Result<Vec<String>, DbError> {
    let relay_inboxes: Vec<String> = relays::table.select(relays::inbox_url).load(conn)?;
    let mut inboxes = remote_follower_inboxes(conn, site)?;
    inboxes.retain(|inbox| !relay_inboxes.contains(inbox));
    Ok(inboxes)
}

/// The inboxes on other sites that must get what `account` publishes to
/// its followers: one per site when it has a shared inbox.
pub fn remote_follower_inboxes(conn: &mut DbConn, account: i64) -> Result<Vec<String>, DbError> {
    let rows: Vec<(String, Option<String>)> = follows::table
        .inner_join(accounts::table.on(accounts::id.eq(follows::account_id)))
        .filter(follows::target_account_id.eq(account))
        .filter(accounts::domain.is_not_null())
        .select((accounts::inbox_url, accounts::shared_inbox_url))
        .load(conn)?;
    let mut inboxes: Vec<String> =
        rows.into_iter().map(|(inbox, shared)| shared.filter(|s| !s.is_empty()).unwrap_or(inbox)).collect();
    inboxes.sort_unstable();
    inboxes.dedup();
    Ok(inboxes)
}
