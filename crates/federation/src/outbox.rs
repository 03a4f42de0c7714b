//! The outbox worker: turns each recorded [`Outgoing`] into an activity and
//! one delivery job per remote inbox, then forgets the record — all in one
//! transaction, so a crash either leaves the record to redo or the jobs
//! to send, never neither.

use std::time::Duration;

use serde_json::Value;
use tertulia_core::Config;
use tertulia_core::visibility::Visibility;
use tertulia_db::actors::{self, ActorRow};
use tertulia_db::delivery::{self, NewDeliveryJob};
use tertulia_db::outbox::{self as records, OutboxRow};
use tertulia_db::{DbConn, DbError, statuses};
use tertulia_domain::outbox::{self, Outgoing};

use crate::protocol::addressing;
use crate::render;
use crate::urls::{Urls, host_of};
use crate::{Federation, FederationError};

/// How often the outbox is looked at when no committed change woke the
/// worker (changes made outside the event hub, or by an admin command).
const POLL: Duration = Duration::from_millis(500);
/// Records handled per transaction.
const BATCH: i64 = 50;
/// A record that fails this often (a bug, not a network problem: nothing
/// here talks to the network) is left for the admin to inspect.
const MAX_ATTEMPTS: i32 = 5;

/// Runs until `shutdown` turns true.
pub async fn run(federation: Federation, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        let handled = match federation.drain_outbox().await {
            Ok(handled) => handled,
            Err(error) => {
                tracing::error!(%error, "federation outbox: cannot read pending changes");
                0
            }
        };
        if handled > 0 {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = federation.events().changed() => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
    }
}

impl Federation {
    /// Handles one batch of records; returns how many there were.
    pub async fn drain_outbox(&self) -> Result<usize, FederationError> {
        let pending = self.db().run(|conn| records::next_batch(conn, BATCH, MAX_ATTEMPTS)).await?;
        let count = pending.len();
        let mut queued = 0;
        for record in pending {
            let (config, urls) = (self.inner.config.clone(), self.urls().clone());
            let allowed = self.inner.config.federation.clone();
            let id = record.id;
            let result = self
                .db()
                .run(move |conn| {
                    tertulia_db::transaction(conn, |conn| {
                        let jobs = plan(conn, &config, &urls, &record)?;
                        // With federation off, changes are dropped, not hoarded.
                        let jobs: Vec<NewDeliveryJob> = jobs
                            .into_iter()
                            .filter(|job| allowed.enabled && allowed.allows_domain(&job.inbox_host))
                            .collect();
                        let added = delivery::enqueue(conn, &jobs, tertulia_db::now())?;
                        records::remove(conn, record.id)?;
                        Ok::<_, DbError>(added)
                    })
                })
                .await;
            match result {
                Ok(added) => queued += added,
                Err(error) => {
                    tracing::error!(record = id, %error, "federation outbox: cannot queue a change for delivery");
                    let message = error.to_string();
                    self.db().write(move |conn| records::mark_failed(conn, id, &message)).await?;
                }
            }
        }
        if queued > 0 {
            self.inner.deliveries_queued.notify_one();
        }
        Ok(count)
    }
}

/// The deliveries one record needs.
fn plan(conn: &mut DbConn, config: &Config, urls: &Urls, record: &OutboxRow) -> Result<Vec<NewDeliveryJob>, DbError> {
    let outgoing = match outbox::parse(&record.payload) {
        Ok(outgoing) => outgoing,
        Err(error) => {
            tracing::error!(record = record.id, %error, "federation outbox: unreadable record dropped");
            return Ok(Vec::new());
        }
    };
    let Some((activity, signer, inboxes)) = activity_for(conn, config, urls, &outgoing)? else {
        return Ok(Vec::new());
    };
    let activity_id = crate::protocol::id_of(Some(&activity)).unwrap_or_default().to_owned();
    let payload = activity.to_string();
    let now = tertulia_db::now();
    let mut inboxes: Vec<String> = inboxes.into_iter().filter(|inbox| !urls.is_local(inbox)).collect();
    inboxes.sort_unstable();
    inboxes.dedup();
    Ok(inboxes
        .into_iter()
        .filter_map(|inbox| {
            Some(NewDeliveryJob {
                activity_id: activity_id.clone(),
                actor_account_id: signer,
                inbox_host: host_of(&inbox)?,
                inbox_url: inbox,
                payload: payload.clone(),
                next_attempt_at: now,
            })
        })
        .collect())
}

/// The activity, the local account that signs it, and its inboxes.
type Planned = Option<(Value, i64, Vec<String>)>;

fn activity_for(conn: &mut DbConn, config: &Config, urls: &Urls, outgoing: &Outgoing) -> Result<Planned, DbError> {
    Ok(match outgoing {
        Outgoing::StatusCreated { status } | Outgoing::StatusUpdated { status } => {
            let Some(row) = statuses::find(conn, *status)? else {
                return Ok(None);
            };
            let Some((author, _)) = render::local_actor(conn, row.account_id)? else {
                return Ok(None);
            };
            if let Some(original_id) = row.reblog_of_id {
                let Some(original) = statuses::find(conn, original_id)? else {
                    return Ok(None);
                };
                let Some(original_author) = actors::find(conn, original.account_id)? else {
                    return Ok(None);
                };
                let boost = render::Boost { booster: &author.username, uri: &row.uri, published: row.created_at };
                let activity = render::announce(urls, &boost, &original.uri, &original_author.uri);
                let mut inboxes = actors::remote_follower_inboxes(conn, author.id)?;
                inboxes.extend(remote_inbox(&original_author));
                return Ok(Some((activity, author.id, inboxes)));
            }
            let update = matches!(outgoing, Outgoing::StatusUpdated { .. });
            let Some(activity) = render::create_or_update(conn, config, urls, &row, update)? else {
                return Ok(None);
            };
            let visibility: Visibility = row.visibility;
            let mentioned: Vec<i64> = statuses::mentions_of(conn, &[row.id])?.into_iter().map(|(_, a)| a).collect();
            let mut audience = mentioned;
            if visibility != Visibility::Direct {
                audience.extend(row.in_reply_to_account_id);
            }
            Some((activity, author.id, post_inboxes(conn, urls, author.id, visibility, &audience)?))
        }
        Outgoing::StatusDeleted { author, uri, visibility, boost_of, mentioned } => {
            let Some((account, actor)) = render::local_actor(conn, *author)? else {
                return Ok(None);
            };
            if let Some((original_uri, original_author)) = boost_of {
                let Some(original_actor) = actors::find(conn, *original_author)? else {
                    return Ok(None);
                };
                // Receivers match the Undo by the Announce's id alone.
                let boost = render::Boost { booster: &account.username, uri, published: tertulia_db::now() };
                let announce = render::announce(urls, &boost, original_uri, &original_actor.uri);
                let mut inboxes = actors::remote_follower_inboxes(conn, *author)?;
                inboxes.extend(remote_inbox(&original_actor));
                return Ok(Some((render::undo(&actor.uri, announce), *author, inboxes)));
            }
            let visibility: Visibility = visibility.parse().unwrap_or(Visibility::Direct);
            let mentioned_uris: Vec<String> = actors::find_many(conn, mentioned)?.into_iter().map(|a| a.uri).collect();
            let (to, cc) = addressing(visibility, &urls.followers(&account.username), &mentioned_uris);
            let activity = render::delete(&actor.uri, uri, to, cc);
            Some((activity, *author, post_inboxes(conn, urls, *author, visibility, mentioned)?))
        }
        Outgoing::Favourited { account, status } | Outgoing::Unfavourited { account, status } => {
            let Some(row) = statuses::find(conn, *status)? else {
                return Ok(None);
            };
            let Some(author) = actors::find(conn, row.account_id)? else {
                return Ok(None);
            };
            let undo = matches!(outgoing, Outgoing::Unfavourited { .. });
            one_to_one(conn, *account, &author, "Like", |actor| urls.like(actor, row.id), &row.uri, undo)?
        }
        Outgoing::FollowRequested { follower, target, request }
        | Outgoing::Unfollowed { follower, target, request } => {
            let Some(target) = actors::find(conn, *target)? else {
                return Ok(None);
            };
            let undo = matches!(outgoing, Outgoing::Unfollowed { .. });
            one_to_one(conn, *follower, &target, "Follow", |_| urls.follow(*request), &target.uri, undo)?
        }
        Outgoing::FollowAnswered { follower, target, follow_uri, accepted } => {
            let (Some(follower), Some((_, actor))) =
                (actors::find(conn, *follower)?, render::local_actor(conn, *target)?)
            else {
                return Ok(None);
            };
            // The follower's own inbox: the answer concerns one account.
            if follower.domain.is_none() {
                return Ok(None);
            }
            let activity = render::answer_follow(*accepted, &actor.uri, &follower.uri, follow_uri);
            Some((activity, *target, vec![follower.inbox_url.clone()]))
        }
        Outgoing::AccountMoved { account, target } => {
            let (Some((account, actor)), Some(target)) =
                (render::local_actor(conn, *account)?, actors::find(conn, *target)?)
            else {
                return Ok(None);
            };
            let activity = render::move_account(urls, &account, &actor, &target.uri);
            Some((activity, account.id, actors::remote_follower_inboxes(conn, account.id)?))
        }
        Outgoing::PollCounted { status } => {
            let Some(row) = statuses::find(conn, *status)? else {
                return Ok(None);
            };
            let Some(activity) = render::unedited_update(conn, config, urls, &row, "votes")? else {
                return Ok(None);
            };
            let visibility: Visibility = row.visibility;
            Some((activity, row.account_id, post_inboxes(conn, urls, row.account_id, visibility, &[])?))
        }
        Outgoing::Voted { account, poll, choice } => {
            let Some(poll) = tertulia_db::polls::find(conn, *poll)? else {
                return Ok(None);
            };
            let (Some(question), Some((_, voter))) =
                (statuses::find(conn, poll.status_id)?, render::local_actor(conn, *account)?)
            else {
                return Ok(None);
            };
            let Some(author) = actors::find(conn, question.account_id)? else {
                return Ok(None);
            };
            let titles = poll.titles();
            let Some(title) = usize::try_from(*choice).ok().and_then(|c| titles.get(c)) else {
                return Ok(None);
            };
            let Some(inbox) = remote_inbox(&author) else {
                return Ok(None);
            };
            let activity = render::vote(&voter.uri, poll.id, *choice, title, &question.uri, &author.uri);
            Some((activity, *account, vec![inbox]))
        }
        Outgoing::AccountDeleted { account, inboxes } => {
            let Some(actor) = actors::find(conn, *account)? else {
                return Ok(None);
            };
            Some((render::delete_actor(&actor.uri), *account, inboxes.clone()))
        }
        Outgoing::Blocked { account, target } | Outgoing::Unblocked { account, target } => {
            let Some(target) = actors::find(conn, *target)? else {
                return Ok(None);
            };
            let undo = matches!(outgoing, Outgoing::Unblocked { .. });
            // Named after the pair, so the Undo can name it without storing it.
            let id = |actor: &str| format!("{actor}#blocks/{}", target.id);
            one_to_one(conn, *account, &target, "Block", id, &target.uri, undo)?
        }
        Outgoing::QuoteRequested { status } => {
            let Some(row) = statuses::find(conn, *status)? else {
                return Ok(None);
            };
            let (Some((author, actor)), Some(note)) =
                (render::local_actor(conn, row.account_id)?, render::note(conn, config, urls, &row)?)
            else {
                return Ok(None);
            };
            let Some((activity, quoted_author)) = crate::quotes::request(conn, &row, &actor.uri, note)? else {
                return Ok(None);
            };
            remote_inbox(&quoted_author).map(|inbox| (activity, author.id, vec![inbox]))
        }
        Outgoing::QuoteAnswered { quoted_author, requester, request_uri, quoting_uri, quoted_uri, authorization } => {
            let (Some((_, actor)), Some(requester)) =
                (render::local_actor(conn, *quoted_author)?, actors::find(conn, *requester)?)
            else {
                return Ok(None);
            };
            let activity = crate::quotes::answer(
                &actor.uri,
                &requester.uri,
                request_uri,
                quoting_uri,
                quoted_uri,
                authorization.as_deref(),
            );
            remote_inbox(&requester).map(|inbox| (activity, *quoted_author, vec![inbox]))
        }
        Outgoing::QuoteUpdated { status } => {
            let Some(row) = statuses::find(conn, *status)? else {
                return Ok(None);
            };
            let Some(activity) = render::unedited_update(conn, config, urls, &row, "quote")? else {
                return Ok(None);
            };
            let visibility: Visibility = row.visibility;
            let mut audience: Vec<i64> = statuses::mentions_of(conn, &[row.id])?.into_iter().map(|(_, a)| a).collect();
            audience.extend(tertulia_db::quotes::find(conn, row.id)?.and_then(|q| q.quoted_account_id));
            Some((activity, row.account_id, post_inboxes(conn, urls, row.account_id, visibility, &audience)?))
        }
        Outgoing::QuoteRevoked { author, authorization, quoting_author } => {
            let (Some((_, actor)), Some(quoting)) =
                (render::local_actor(conn, *author)?, actors::find(conn, *quoting_author)?)
            else {
                return Ok(None);
            };
            // Everyone who may have seen the quote as accepted.
            let mut inboxes = actors::remote_follower_inboxes(conn, *author)?;
            inboxes.extend(remote_inbox(&quoting));
            if quoting.domain.is_none() {
                inboxes.extend(actors::remote_follower_inboxes(conn, quoting.id)?);
            }
            Some((crate::quotes::revocation(&actor.uri, authorization, &quoting.uri), *author, inboxes))
        }
        Outgoing::ProfileUpdated { account } => {
            let Some((account, actor)) = render::local_actor(conn, *account)? else {
                return Ok(None);
            };
            let moved_to = render::moved_to(conn, &account)?;
            let activity = render::update_person(urls, &account, &actor, moved_to);
            Some((activity, account.id, actors::remote_follower_inboxes(conn, account.id)?))
        }
    })
}

/// `kind` (or, with `undo`, its `Undo`) by the local `actor` about
/// `object`, for `recipient`'s inbox alone: likes, follows and blocks. The
/// activity's id is made from the actor's URI by `id`.
fn one_to_one(
    conn: &mut DbConn,
    actor: i64,
    recipient: &ActorRow,
    kind: &str,
    id: impl FnOnce(&str) -> String,
    object: &str,
    undo: bool,
) -> Result<Planned, DbError> {
    let (Some((_, local)), Some(inbox)) = (render::local_actor(conn, actor)?, remote_inbox(recipient)) else {
        return Ok(None);
    };
    let activity = render::simple(kind, &id(&local.uri), &local.uri, object);
    let activity = if undo { render::undo(&local.uri, activity) } else { activity };
    Ok(Some((activity, actor, vec![inbox])))
}

/// Where a post by `author` goes: remote followers unless it is direct,
/// the remote accounts in `audience` (mentioned, replied to), and, for
/// public posts, the sites that follow this whole site.
fn post_inboxes(
    conn: &mut DbConn,
    urls: &Urls,
    author: i64,
    visibility: Visibility,
    audience: &[i64],
) -> Result<Vec<String>, DbError> {
    let mut inboxes = match visibility {
        Visibility::Public | Visibility::Unlisted | Visibility::Private => {
            actors::remote_follower_inboxes(conn, author)?
        }
        Visibility::Direct | Visibility::Local => Vec::new(),
    };
    if visibility == Visibility::Public
        && let Some(site) = actors::find_by_uri(conn, &urls.instance_actor())?
    {
        inboxes.extend(actors::remote_follower_inboxes(conn, site.id)?);
    }
    if visibility.federates() {
        inboxes.extend(actors::find_many(conn, audience)?.iter().filter_map(remote_inbox));
    }
    Ok(inboxes)
}

/// The inbox to reach a remote actor at; `None` for local ones.
fn remote_inbox(actor: &ActorRow) -> Option<String> {
    actor.domain.as_ref().map(|_| actor.delivery_inbox().to_owned())
}
