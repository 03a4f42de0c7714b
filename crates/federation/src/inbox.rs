//! The inbox worker: applies received activities. The routes only verify
//! and store them, so a sender never waits for our processing (nor for the
//! fetches it may need).
//!
//! Several senders are applied at once (`federation.inbox_workers`; one
//! remote host gets at most half of the workers), and each sender's
//! activities one after the other, in the order received. Each activity has
//! a time budget (`federation.inbox_activity_timeout_secs`): one that hangs
//! on a slow server is abandoned and retried, so a "tarpit" holds up its
//! own sender only.
//!
//! A failure that may pass (a site down, a timeout, a busy database) is
//! retried on the delivery queue's schedule (10 s, doubling up to 6 hours,
//! ±25 %) for [`MAX_ATTEMPTS`] attempts, the last about 29 hours after the
//! first, then left aside with its error. Meanwhile the sender's later
//! activities wait, so that a Create and then a Delete of the same post are
//! applied in that order. A refusal (forged, invalid, not allowed) is given
//! up at once: trying again would give the same answer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tertulia_core::Id;
use tertulia_db::actors::{self, ActorRow};
use tertulia_db::inbox::{self, Failure, InboxActivityRow, SenderClaim};
use tertulia_domain::remote;

use crate::activities;
use crate::groups::{Announced, announced};
use crate::protocol::{self, id_of, str_of, type_of};
use crate::urls::host_of;
use crate::{Federation, FederationError};

/// Activities of one sender claimed together (and applied one by one).
const PER_SENDER: usize = 20;
/// Attempts before an activity is left aside: the first and 15 retries.
const MAX_ATTEMPTS: i32 = 16;
/// Processed activities are kept this long to recognise redeliveries.
const DEDUPE_WINDOW_DAYS: i64 = 7;

/// Runs until `shutdown` turns true. Activities being applied when it stops
/// are abandoned; their lease runs out and they are claimed again.
pub async fn run(federation: Federation, shutdown: tokio::sync::watch::Receiver<bool>) {
    let workers = federation.config().federation.inbox_workers as usize;
    let hosts = Arc::new(BusyHosts::new((workers / 2).max(1)));
    let mut last_prune = Instant::now();
    let claim = |free: usize| {
        let prune = last_prune.elapsed() > Duration::from_secs(3600);
        if prune {
            last_prune = Instant::now();
        }
        let (federation, skip_hosts) = (federation.clone(), hosts.full());
        async move {
            if prune {
                federation.prune_processed().await;
            }
            let lease = federation.lease();
            let lease_ends = Instant::now() + lease;
            match federation.claim_senders(free, skip_hosts, lease).await {
                Ok(batches) => batches.into_iter().map(|batch| (batch, lease_ends)).collect(),
                Err(error) => {
                    tracing::error!(%error, "federation inbox: cannot claim received activities");
                    Vec::new()
                }
            }
        }
    };
    // The host's turn is taken before the next claim, which must see it.
    let start = |(batch, lease_ends): (Vec<InboxActivityRow>, Instant)| {
        let turn = hosts.enter(&batch[0].actor_host);
        let federation = federation.clone();
        async move {
            federation.apply_in_order(&batch, lease_ends).await;
            drop(turn);
        }
    };
    crate::worker_pool::run(workers, &federation.inner.activities_received, shutdown, claim, start).await;
}

/// The senders being applied, counted per host, so that one host's
/// activities (a slow site's, or a flood) never take every worker.
struct BusyHosts {
    per_host: usize,
    running: Mutex<HashMap<String, usize>>,
}

/// One sender of `host` being applied; counted until dropped.
struct HostTurn {
    hosts: Arc<BusyHosts>,
    host: String,
}

impl BusyHosts {
    fn new(per_host: usize) -> BusyHosts {
        BusyHosts { per_host, running: Mutex::default() }
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<String, usize>> {
        self.running.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Hosts using all the workers they may.
    fn full(&self) -> Vec<String> {
        self.running().iter().filter(|(_, running)| **running >= self.per_host).map(|(h, _)| h.clone()).collect()
    }

    fn enter(self: &Arc<Self>, host: &str) -> HostTurn {
        *self.running().entry(host.to_owned()).or_default() += 1;
        HostTurn { hosts: self.clone(), host: host.to_owned() }
    }
}

impl Drop for HostTurn {
    fn drop(&mut self) {
        let mut running = self.hosts.running();
        if let Some(count) = running.get_mut(&self.host) {
            *count -= 1;
            if *count == 0 {
                running.remove(&self.host);
            }
        }
    }
}

/// Why an activity could not be applied this time.
#[derive(Debug, thiserror::Error)]
enum ApplyError {
    #[error(transparent)]
    Failed(#[from] FederationError),
    #[error("applying it took longer than {0} seconds (federation.inbox_activity_timeout_secs)")]
    TimedOut(u64),
}

impl ApplyError {
    fn may_pass(&self) -> bool {
        match self {
            ApplyError::Failed(error) => error.may_pass(),
            ApplyError::TimedOut(_) => true,
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
            actor_host: host_of(&signer.uri).unwrap_or_default(),
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

    /// How long claimed activities are reserved for the worker applying
    /// them: two time budgets and a margin, so at least one activity always
    /// fits; a crashed worker's activities come back after that.
    fn lease(&self) -> Duration {
        self.activity_budget() * 2 + Duration::from_secs(30)
    }

    fn activity_budget(&self) -> Duration {
        Duration::from_secs(self.config().federation.inbox_activity_timeout_secs)
    }

    /// Claims the next activities of up to `senders` senders, passing over
    /// `skip_hosts`, for `lease`.
    async fn claim_senders(
        &self,
        senders: usize,
        skip_hosts: Vec<String>,
        lease: Duration,
    ) -> Result<Vec<Vec<InboxActivityRow>>, FederationError> {
        let now = tertulia_db::now();
        let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
        let claim = SenderClaim { now, until, senders, per_sender: PER_SENDER, skip_hosts };
        Ok(self.db().run(move |conn| inbox::claim_senders(conn, &claim)).await?)
    }

    /// Applies one sender's claimed activities in order. Stops at a failure
    /// (the later ones wait for its retry) or when the next activity might
    /// outlast the lease, and gives back what it did not apply.
    async fn apply_in_order(&self, batch: &[InboxActivityRow], lease_ends: Instant) {
        let budget = self.activity_budget();
        for (index, row) in batch.iter().enumerate() {
            if Instant::now() + budget > lease_ends {
                return self.give_back(&batch[index..]).await;
            }
            let applied = match tokio::time::timeout(budget, self.process(row)).await {
                Ok(applied) => applied.map_err(ApplyError::from),
                Err(_) => Err(ApplyError::TimedOut(budget.as_secs())),
            };
            let recorded = match applied {
                Ok(()) => {
                    let (id, now) = (row.id, tertulia_db::now());
                    self.db().run(move |conn| inbox::mark_processed(conn, id, now)).await
                }
                Err(error) => {
                    let recorded = self.record_failure(row, &error).await;
                    self.give_back(&batch[index + 1..]).await;
                    if let Err(db_error) = recorded {
                        tracing::error!(activity = %row.activity_uri, error = %db_error, "federation inbox: cannot record a failure");
                    }
                    return;
                }
            };
            if let Err(error) = recorded {
                // The lease holds the rest back until it runs out; then
                // this activity is applied again, which is harmless.
                tracing::error!(activity = %row.activity_uri, %error, "federation inbox: cannot record an applied activity");
                return;
            }
        }
    }

    /// Schedules the retry of a failed activity, or gives it up.
    async fn record_failure(&self, row: &InboxActivityRow, error: &ApplyError) -> Result<(), tertulia_db::DbError> {
        let (id, now, message) = (row.id, tertulia_db::now(), error.to_string());
        let attempt = row.attempts + 1;
        let failure = if error.may_pass() && attempt < MAX_ATTEMPTS {
            let next = crate::backoff::next_attempt(now, row.attempts);
            tracing::info!(activity = %row.activity_uri, kind = %row.kind, attempt, %error, retry_at = %next, "cannot apply a received activity yet");
            Failure::RetryAt(next)
        } else {
            tracing::warn!(activity = %row.activity_uri, kind = %row.kind, attempt, %error, "cannot apply a received activity; given up");
            Failure::GivenUp(now)
        };
        self.db().run(move |conn| inbox::record_failure(conn, id, failure, &message)).await
    }

    /// Gives claimed activities back unapplied.
    async fn give_back(&self, rows: &[InboxActivityRow]) {
        if rows.is_empty() {
            return;
        }
        let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        if let Err(error) = self.db().run(move |conn| inbox::release(conn, &ids)).await {
            tracing::warn!(%error, "federation inbox: cannot give back claimed activities; their lease will run out");
        }
    }

    /// Forgets activities applied longer ago than the dedupe window.
    async fn prune_processed(&self) {
        let before = tertulia_db::now() - chrono::Duration::days(DEDUPE_WINDOW_DAYS);
        if let Err(error) = self.db().run(move |conn| inbox::prune_processed(conn, before)).await {
            tracing::warn!(%error, "federation inbox: cannot prune old activities");
        }
    }

    async fn process(&self, row: &InboxActivityRow) -> Result<(), FederationError> {
        let activity: Value = serde_json::from_str(&row.payload)
            .map_err(|e| FederationError::invalid(format!("stored activity is not JSON: {e}")))?;
        let actor = self.actor(&row.actor_uri).await?;
        let object = activity.get("object").cloned().unwrap_or(Value::Null);
        let ctx = self.ctx();
        let db = self.db();
        if self.relayed(&actor, &activity).await? {
            return Ok(());
        }
        match type_of(&activity) {
            "Follow" => {
                let target = self.local_account(id_of(Some(&object))).await?;
                remote::follow_received(ctx, Id(actor.id), target, row.activity_uri.clone()).await?;
            }
            kind @ ("Accept" | "Reject") if crate::quotes::answers_request(&object) => {
                self.quote_answered(&actor, &activity, kind == "Accept").await?;
            }
            "QuoteRequest" => self.quote_requested(&actor, &activity).await?,
            kind @ ("Accept" | "Reject")
                if id_of(Some(&object)).is_some_and(|f| self.urls().relay_of_follow(f).is_some()) =>
            {
                self.relay_answered(&actor, &object, kind == "Accept").await?;
            }
            kind @ ("TentativeAccept" | "Join" | "Leave") => {
                self.event_answered(&actor, kind, &object).await?;
            }
            kind @ ("Accept" | "Reject") => {
                if self.event_answered(&actor, kind, &object).await? {
                    return Ok(());
                }
                let Some(follower) = self.follower_of_answer(&object, &actor).await? else {
                    return Ok(());
                };
                if kind == "Accept" {
                    remote::follow_accepted(ctx, follower, Id(actor.id)).await?;
                } else {
                    remote::follow_rejected(db, follower, Id(actor.id)).await?;
                }
            }
            kind @ ("Create" | "Update" | "Delete") if crate::announcements::is_announcement(&object) => {
                self.announcement_received(&actor, kind, &object).await?;
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
                    // Read afresh from its site rather than taken from the
                    // activity: two quick profile changes may arrive in
                    // either order (deliveries run in parallel and retry),
                    // and the older must never win.
                    self.refresh_actor(&actor.uri).await?;
                } else if let Some(uri) = id_of(Some(&object)) {
                    // A new quote authorization or policy, a poll's counts and
                    // an event's answer totals are taken from any `Update`;
                    // without an `updated` time, that is all it says: no edit.
                    let mut unedited = self.quote_updated(&actor, &object).await?;
                    if let Some(totals) = crate::resolver::event(&object).and_then(|event| event.totals) {
                        tertulia_domain::calendar::totals_received(db, Id(actor.id), uri.to_owned(), totals).await?;
                        unedited = true;
                    }
                    if let Some(poll) = crate::resolver::question(&object) {
                        remote::poll_counted(db, Id(actor.id), uri.to_owned(), poll).await?;
                        unedited = true;
                    }
                    if unedited && object.get("updated").is_none() {
                        return Ok(());
                    }
                    let edit = self.edited_post(&object).await?;
                    remote::status_updated(ctx, Id(actor.id), uri.to_owned(), edit).await?;
                }
            }
            "Delete" => {
                let uri = id_of(Some(&object)).unwrap_or_default().to_owned();
                if uri == actor.uri {
                    remote::actor_deleted(ctx, Id(actor.id)).await?;
                } else if !tertulia_domain::quotes::quote_revoked(db, Id(actor.id), uri.clone()).await? {
                    // Not a withdrawn quote authorization (FEP-044f): a post.
                    remote::status_deleted(ctx, Id(actor.id), uri).await?;
                }
            }
            "Block" => {
                let target = self.local_account(id_of(Some(&object))).await?;
                tertulia_domain::accounts::block(db, Id(actor.id), target).await?;
            }
            "Like" => {
                // Likes of posts we never saw are dropped, not fetched.
                if let Some(status) = self.known_status(id_of(Some(&object))).await? {
                    remote::favourite_received(ctx, Id(actor.id), status, row.activity_uri.clone()).await?;
                }
            }
            "Announce" => match announced(&activity) {
                Announced::Post(uri) => {
                    let original = self.status(uri, self.config().federation.max_reply_depth).await?;
                    let published = protocol::time_of(&activity, "published").unwrap_or_else(tertulia_db::now);
                    remote::boost_received(ctx, Id(actor.id), original, row.activity_uri.clone(), published).await?;
                }
                Announced::MembersOnly(post) => {
                    let original = self.shared_in_group(&actor, post).await?;
                    let published = protocol::time_of(&activity, "published").unwrap_or_else(tertulia_db::now);
                    remote::boost_received(ctx, Id(actor.id), original, row.activity_uri.clone(), published).await?;
                }
                Announced::Withdrawn(uri) => {
                    if let Some(original) = self.known_status(Some(uri)).await? {
                        remote::boost_withdrawn(ctx, Id(actor.id), original).await?;
                    }
                }
                Announced::Ignored => {}
                Announced::Invalid => return Err(FederationError::invalid("an Announce needs an object")),
            },
            "Undo" => self.undo(&actor, &object).await?,
            "Move" => self.moved(&actor, &activity).await?,
            "Flag" => self.flagged(&actor, &activity).await?,
            other => tracing::debug!(kind = other, activity = %row.activity_uri, "activity type not handled; ignored"),
        }
        Ok(())
    }

    /// A members-only post a private group shares with its members, stored
    /// as the group sent it (unless already known): its author's site
    /// serves it to nobody but the author's followers, so it cannot be
    /// fetched, and the receiving site trusts the group's copy. Only a
    /// group may share a post this way; whether it may share this one is
    /// the domain's rule, applied to the boost that follows.
    async fn shared_in_group(&self, actor: &ActorRow, post: &Value) -> Result<Id, FederationError> {
        if actor.actor_type != actors::ActorType::Group {
            return Err(FederationError::Forbidden(format!(
                "{} is not a group: only a group may share a members-only post inline",
                actor.uri
            )));
        }
        if let Some(known) = self.known_status(id_of(Some(post))).await? {
            return Ok(known);
        }
        self.save_post(post, self.config().federation.max_reply_depth).await
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
        remote::moved(self.ctx(), Id(actor.id), Id(target.id)).await?;
        Ok(())
    }

    async fn undo(&self, actor: &ActorRow, object: &Value) -> Result<(), FederationError> {
        let db = self.db();
        let ctx = self.ctx();
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
                    remote::status_deleted(ctx, Id(actor.id), uri.to_owned()).await?;
                }
            }
            "Block" => {
                let target = self.local_account(id_of(object.get("object"))).await?;
                tertulia_domain::accounts::unblock(db, Id(actor.id), target).await?;
            }
            // A withdrawn answer to an event, Friendica's way.
            "Accept" | "TentativeAccept" | "Reject" | "Join" => {
                self.event_answered(actor, "Leave", object.get("object").unwrap_or(&Value::Null)).await?;
            }
            // Only the activity's id was sent: an Announce is the one kind
            // we store by id; follows and likes carry their object.
            _ => {
                if let Some(uri) = id_of(Some(object)) {
                    remote::status_deleted(ctx, Id(actor.id), uri.to_owned()).await?;
                }
            }
        }
        Ok(())
    }

    /// An answer of `actor` to the event `object` names, if it names an
    /// event of this site; returns whether it did (an `Accept` or `Reject`
    /// may also answer a follow).
    async fn event_answered(&self, actor: &ActorRow, kind: &str, object: &Value) -> Result<bool, FederationError> {
        let (Some(answer), Some(uri)) = (activities::answer_of(kind), id_of(Some(object))) else {
            return Ok(false);
        };
        Ok(tertulia_domain::calendar::answer_received(self.db(), Id(actor.id), uri.to_owned(), answer).await?)
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
        Ok(remote::requester_of(self.db(), Id(request), Id(target.id)).await?)
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
/// signer (relays, which forward others' activities, are let through by
/// the inbox route; see [`crate::relays`]).
pub(crate) fn check_sender(activity: &Value, signer: &ActorRow) -> Result<(), FederationError> {
    let actor = id_of(activity.get("actor")).ok_or_else(|| FederationError::invalid("the activity has no actor"))?;
    if actor != signer.uri {
        return Err(FederationError::Forbidden(format!(
            "the activity's actor {actor} is not the signer {}",
            signer.uri
        )));
    }
    let id = id_of(Some(activity)).ok_or_else(|| FederationError::invalid("the activity has no id"))?;
    if crate::resolver::web_host(id) != host_of(actor) {
        return Err(FederationError::Forbidden(format!("activity {id} is not on the site of its actor {actor}")));
    }
    Ok(())
}
