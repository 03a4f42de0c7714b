//! The inbox worker: applies received activities, oldest first. The
//! routes only verify and store them, so a sender never waits for our
//! processing (nor for the fetches it may need), and an activity that
//! fails for a passing reason (the author's site is briefly down) is tried
//! again.

use std::time::Duration;

use serde_json::Value;
use tertulia_core::Id;
use tertulia_db::actors::{self, ActorRow};
use tertulia_db::inbox::{self, InboxActivityRow};
use tertulia_db::social;
use tertulia_domain::remote;

use crate::protocol::{self, id_of, str_of, type_of};
use crate::urls::host_of;
use crate::{Federation, FederationError};

const POLL: Duration = Duration::from_millis(500);
const BATCH: i64 = 20;
/// Attempts before an activity is left aside (with its last error).
const MAX_ATTEMPTS: i32 = 5;
/// Processed activities are kept this long to recognise redeliveries.
const DEDUPE_WINDOW_DAYS: i64 = 7;

/// Runs until `shutdown` turns true.
pub async fn run(federation: Federation, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut last_prune = std::time::Instant::now();
    loop {
        let handled = match federation.drain_inbox().await {
            Ok(handled) => handled,
            Err(error) => {
                tracing::error!(%error, "federation inbox: cannot read received activities");
                0
            }
        };
        if last_prune.elapsed() > Duration::from_secs(3600) {
            last_prune = std::time::Instant::now();
            let before = tertulia_db::now() - chrono::Duration::days(DEDUPE_WINDOW_DAYS);
            if let Err(error) = federation.db().write(move |conn| inbox::prune_processed(conn, before)).await {
                tracing::warn!(%error, "federation inbox: cannot prune old activities");
            }
        }
        if handled > 0 {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = federation.inner.activities_received.notified() => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
    }
}

impl Federation {
    /// Stores a verified activity for processing; false if it was
    /// received before.
    pub(crate) async fn accept_activity(&self, activity: &Value, signer: &ActorRow) -> Result<bool, FederationError> {
        let row = inbox::NewInboxActivity {
            activity_uri: id_of(Some(activity)).unwrap_or_default().to_owned(),
            actor_uri: signer.uri.clone(),
            kind: type_of(activity).to_owned(),
            payload: activity.to_string(),
            received_at: tertulia_db::now(),
        };
        let new = self.db().write(move |conn| inbox::record(conn, &row)).await?;
        if new {
            self.inner.activities_received.notify_one();
        }
        Ok(new)
    }

    /// Processes one batch; returns how many activities there were.
    pub async fn drain_inbox(&self) -> Result<usize, FederationError> {
        let pending = self.db().run(|conn| inbox::pending(conn, BATCH, MAX_ATTEMPTS)).await?;
        let count = pending.len();
        for row in pending {
            let id = row.id;
            match self.process(&row).await {
                Ok(()) => {
                    let now = tertulia_db::now();
                    self.db().write(move |conn| inbox::mark_processed(conn, id, now)).await?;
                }
                Err(error) => {
                    tracing::warn!(activity = %row.activity_uri, kind = %row.kind, %error, "cannot apply a received activity");
                    let message = error.to_string();
                    self.db().write(move |conn| inbox::mark_failed(conn, id, &message)).await?;
                }
            }
        }
        Ok(count)
    }

    async fn process(&self, row: &InboxActivityRow) -> Result<(), FederationError> {
        let activity: Value = serde_json::from_str(&row.payload)
            .map_err(|e| FederationError::invalid(format!("stored activity is not JSON: {e}")))?;
        let actor = self.actor(&row.actor_uri).await?;
        let object = activity.get("object").cloned().unwrap_or(Value::Null);
        let events = self.events().clone();
        let db = self.db();
        match type_of(&activity) {
            "Follow" => {
                let target = self.local_account(id_of(Some(&object))).await?;
                remote::follow_received(db, &events, Id(actor.id), target, row.activity_uri.clone()).await?;
            }
            kind @ ("Accept" | "Reject") => {
                let Some(follower) = self.follower_of_answer(&object, &actor).await? else {
                    return Ok(());
                };
                if kind == "Accept" {
                    remote::follow_accepted(db, &events, follower, Id(actor.id)).await?;
                } else {
                    remote::follow_rejected(db, follower, Id(actor.id)).await?;
                }
            }
            "Create" if is_vote(&object) => {
                let Some(status) = self.known_status(id_of(object.get("inReplyTo"))).await? else {
                    return Ok(());
                };
                let title = str_of(&object, "name").unwrap_or_default().to_owned();
                remote::vote_received(db, Id(actor.id), status, title).await?;
            }
            "Create" => {
                if !protocol::is_actor(&object) && id_of(object.get("attributedTo")) == Some(actor.uri.as_str()) {
                    let depth = self.config().federation.max_reply_depth;
                    self.save_post(&object, depth).await?;
                } else {
                    return Err(FederationError::Forbidden("a Create must carry a post by its sender".into()));
                }
            }
            "Update" => {
                if protocol::is_actor(&object) {
                    if id_of(Some(&object)) != Some(actor.uri.as_str()) {
                        return Err(FederationError::Forbidden("an actor can only update itself".into()));
                    }
                    self.save_actor(&object, &actor.uri).await?;
                } else if let Some(uri) = id_of(Some(&object)) {
                    if let Some(poll) = crate::resolver::question(&object) {
                        remote::poll_counted(db, Id(actor.id), uri.to_owned(), poll).await?;
                        // New counts alone are not an edit.
                        if object.get("updated").is_none() {
                            return Ok(());
                        }
                    }
                    let revision = crate::resolver::revision(&object);
                    remote::status_updated(db, &events, Id(actor.id), uri.to_owned(), revision).await?;
                }
            }
            "Delete" => {
                let uri = id_of(Some(&object)).unwrap_or_default().to_owned();
                if uri == actor.uri {
                    remote::actor_deleted(db, &events, Id(actor.id)).await?;
                } else {
                    remote::status_deleted(db, &events, Id(actor.id), uri).await?;
                }
            }
            "Block" => {
                let target = self.local_account(id_of(Some(&object))).await?;
                tertulia_domain::accounts::block(db, Id(actor.id), target).await?;
            }
            "Like" => {
                // Likes of posts we never saw are dropped, not fetched.
                if let Some(status) = self.known_status(id_of(Some(&object))).await? {
                    remote::favourite_received(db, &events, Id(actor.id), status, row.activity_uri.clone()).await?;
                }
            }
            "Announce" => {
                let Some(uri) = id_of(Some(&object)) else {
                    return Err(FederationError::invalid("an Announce needs an object"));
                };
                let original = self.status(uri, self.config().federation.max_reply_depth).await?;
                let published = protocol::time_of(&activity, "published").unwrap_or_else(tertulia_db::now);
                remote::boost_received(db, &events, Id(actor.id), original, row.activity_uri.clone(), published)
                    .await?;
            }
            "Undo" => self.undo(&actor, &object).await?,
            "Move" => self.moved(&actor, &activity).await?,
            other => tracing::debug!(kind = other, activity = %row.activity_uri, "activity type not handled; ignored"),
        }
        Ok(())
    }

    /// An account moved: believed only if the new account, fetched afresh
    /// from its own site, lists the old one among its aliases.
    async fn moved(&self, actor: &ActorRow, activity: &Value) -> Result<(), FederationError> {
        if id_of(activity.get("object")) != Some(actor.uri.as_str()) {
            return Err(FederationError::Forbidden("an actor can only move itself".into()));
        }
        let target = id_of(activity.get("target")).ok_or_else(|| FederationError::invalid("a Move needs a target"))?;
        let target =
            if self.urls().is_local(target) { self.actor(target).await? } else { self.refresh_actor(target).await? };
        let aliases: Vec<String> = serde_json::from_str(&target.also_known_as).unwrap_or_default();
        if !aliases.contains(&actor.uri) {
            return Err(FederationError::Forbidden(format!(
                "{} does not list {} among its aliases (alsoKnownAs)",
                target.uri, actor.uri
            )));
        }
        remote::moved(self.db(), self.events(), Id(actor.id), Id(target.id)).await?;
        Ok(())
    }

    async fn undo(&self, actor: &ActorRow, object: &Value) -> Result<(), FederationError> {
        let db = self.db();
        let events = self.events().clone();
        match type_of(object) {
            "Follow" => {
                let target = self.local_account(id_of(object.get("object"))).await?;
                remote::follow_undone(db, Id(actor.id), target).await?;
            }
            "Like" => {
                if let Some(status) = self.known_status(id_of(object.get("object"))).await? {
                    remote::favourite_undone(db, Id(actor.id), status).await?;
                }
            }
            "Announce" => {
                if let Some(uri) = id_of(Some(object)) {
                    remote::status_deleted(db, &events, Id(actor.id), uri.to_owned()).await?;
                }
            }
            "Block" => {
                let target = self.local_account(id_of(object.get("object"))).await?;
                tertulia_domain::accounts::unblock(db, Id(actor.id), target).await?;
            }
            // Only the activity's id was sent: an Announce is the one kind
            // we store by id; follows and likes carry their object.
            _ => {
                if let Some(uri) = id_of(Some(object)) {
                    remote::status_deleted(db, &events, Id(actor.id), uri.to_owned()).await?;
                }
            }
        }
        Ok(())
    }

    /// The local account an activity is about, from its actor URI.
    async fn local_account(&self, uri: Option<&str>) -> Result<Id, FederationError> {
        let uri = uri.ok_or_else(|| FederationError::invalid("the activity names no account"))?.to_owned();
        let found = self.db().run(move |conn| actors::find_by_uri(conn, &uri)).await?;
        found
            .filter(|a| a.domain.is_none())
            .map(|a| Id(a.id))
            .ok_or_else(|| FederationError::NotFound("account".into()))
    }

    /// The local follower an Accept or Reject from `target` answers: named
    /// in the embedded Follow, or found from the id we gave the Follow.
    async fn follower_of_answer(&self, object: &Value, target: &ActorRow) -> Result<Option<Id>, FederationError> {
        if let Some(follower) = id_of(object.get("actor")) {
            return self.local_account(Some(follower)).await.map(Some);
        }
        let Some(request) = id_of(Some(object))
            .and_then(|id| id.strip_prefix(&format!("{}/follows/", self.urls().base())))
            .and_then(|id| id.parse::<i64>().ok())
        else {
            return Ok(None);
        };
        let target = target.id;
        let found = self.db().run(move |conn| social::follow_request_by_id(conn, request)).await?;
        Ok(found.filter(|r| r.target_account_id == target).map(|r| Id(r.account_id)))
    }
}

/// A poll vote: a `Note` with a `name` (the option) replying to a
/// `Question`, and no content of its own.
fn is_vote(object: &Value) -> bool {
    type_of(object) == "Note"
        && str_of(object, "name").is_some()
        && object.get("inReplyTo").is_some()
        && str_of(object, "content").is_none_or(str::is_empty)
}

/// Whether `activity` claims to come from `signer`: its actor must be the
/// signer (no relaying for others here).
pub(crate) fn check_sender(activity: &Value, signer: &ActorRow) -> Result<(), FederationError> {
    let actor = id_of(activity.get("actor")).ok_or_else(|| FederationError::invalid("the activity has no actor"))?;
    if actor != signer.uri {
        return Err(FederationError::Forbidden(format!(
            "the activity's actor {actor} is not the signer {}",
            signer.uri
        )));
    }
    let id = id_of(Some(activity)).ok_or_else(|| FederationError::invalid("the activity has no id"))?;
    if host_of(id) != host_of(actor) {
        return Err(FederationError::Forbidden(format!("activity {id} is not on the site of its actor {actor}")));
    }
    Ok(())
}
