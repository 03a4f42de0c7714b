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
use tertulia_domain::audience::{self, Addressing, RemoteAudience};
use tertulia_domain::outbox::{self, Outgoing};

use crate::activities;
use crate::protocol::addressing;
use crate::render;
use crate::urls::{Urls, host_of};
use crate::{Federation, FederationError};

/// How often the outbox is looked at when no committed change woke the
/// worker (changes made outside the event hub, or by an admin command).
const POLL: Duration = Duration::from_millis(500);
/// Records handled before the worker looks at its other duties.
const BATCH: usize = 50;
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
    /// Handles up to a batch of records, each in one transaction that
    /// claims it (another process skips it), queues its deliveries and
    /// removes it; returns how many there were.
    pub async fn drain_outbox(&self) -> Result<usize, FederationError> {
        let (mut handled, mut queued) = (0, 0);
        while handled < BATCH {
            let (config, urls) = (self.inner.ctx.config.clone(), self.urls().clone());
            let allowed = self.inner.ctx.config.federation.clone();
            let outcome = self
                .db()
                .run(move |conn| {
                    tertulia_db::transaction(conn, |conn| {
                        let Some(record) = records::claim_next(conn, MAX_ATTEMPTS)? else {
                            return Ok::<_, DbError>(None);
                        };
                        // Nested (a savepoint): a failure undoes this record's
                        // jobs, not the claim, so it is marked under the claim.
                        let planned = tertulia_db::transaction(conn, |conn| {
                            let jobs = plan(conn, &config, &urls, &record)?;
                            // With federation off, changes are dropped, not hoarded.
                            let jobs: Vec<NewDeliveryJob> = jobs
                                .into_iter()
                                .filter(|job| allowed.enabled && allowed.allows_domain(&job.inbox_host))
                                .collect();
                            let added = delivery::enqueue(conn, &jobs, tertulia_db::now())?;
                            records::remove(conn, record.id)?;
                            Ok::<_, DbError>(added)
                        });
                        match planned {
                            Ok(added) => Ok(Some(added)),
                            Err(error) => {
                                tracing::error!(record = record.id, %error, "federation outbox: cannot queue a change for delivery");
                                records::mark_failed(conn, record.id, &error.to_string())?;
                                Ok(Some(0))
                            }
                        }
                    })
                })
                .await?;
            let Some(added) = outcome else { break };
            handled += 1;
            queued += added;
        }
        if queued > 0 {
            self.inner.deliveries_queued.notify_one();
        }
        Ok(handled)
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
            let to = audience::remote_of_status(conn, &row)?;
            if let Some(original_id) = row.reblog_of_id {
                let Some(original) = statuses::find(conn, original_id)? else {
                    return Ok(None);
                };
                let Some(original_author) = actors::find(conn, original.account_id)? else {
                    return Ok(None);
                };
                let boost = activities::Boost { booster: &author.username, uri: &row.uri, published: row.created_at };
                let activity = activities::announce(urls, &boost, &original.uri, &original_author.uri);
                return Ok(Some((activity, author.id, inboxes_of(conn, urls, &to)?)));
            }
            let update = matches!(outgoing, Outgoing::StatusUpdated { .. });
            let Some(note) = render::note(conn, config, urls, &row)? else {
                return Ok(None);
            };
            let activity = activities::create_or_update(&note, update);
            Some((activity, author.id, inboxes_of(conn, urls, &to)?))
        }
        Outgoing::StatusDeleted {
            author,
            uri,
            visibility,
            boost_of,
            mentioned,
            in_reply_to_account,
            quoted_account,
        } => {
            let Some((account, actor)) = render::local_actor(conn, *author)? else {
                return Ok(None);
            };
            let visibility: Visibility = visibility.parse().unwrap_or(Visibility::Direct);
            if let Some((original_uri, original_author)) = boost_of {
                let Some(original_actor) = actors::find(conn, *original_author)? else {
                    return Ok(None);
                };
                // Receivers match the Undo by the Announce's id alone.
                let boost = activities::Boost { booster: &account.username, uri, published: tertulia_db::now() };
                let announce = activities::announce(urls, &boost, original_uri, &original_actor.uri);
                let to = audience::remote_of_boost(*author, visibility, *original_author);
                return Ok(Some((activities::undo(&actor.uri, announce), *author, inboxes_of(conn, urls, &to)?)));
            }
            let mentioned_uris: Vec<String> = actors::find_many(conn, mentioned)?.into_iter().map(|a| a.uri).collect();
            let (to, cc) = addressing(visibility, &urls.followers(&account.username), &mentioned_uris);
            let activity = activities::delete(&actor.uri, uri, to, cc);
            let to = audience::remote_of_post(&Addressing {
                author: *author,
                visibility,
                in_reply_to_account: *in_reply_to_account,
                quoted_account: *quoted_account,
                mentioned,
            });
            Some((activity, *author, inboxes_of(conn, urls, &to)?))
        }
        Outgoing::Favourited { account, status } | Outgoing::Unfavourited { account, status } => {
            let Some(row) = statuses::find(conn, *status)? else {
                return Ok(None);
            };
            let Some(author) = actors::find(conn, row.account_id)? else {
                return Ok(None);
            };
            let undo = matches!(outgoing, Outgoing::Unfavourited { .. });
            let like = |actor: &str| activities::like(urls.like(actor, row.id), actor, &row.uri);
            one_to_one(conn, *account, &author, like, undo)?
        }
        Outgoing::FollowRequested { follower, target, request }
        | Outgoing::Unfollowed { follower, target, request } => {
            let Some(target) = actors::find(conn, *target)? else {
                return Ok(None);
            };
            let undo = matches!(outgoing, Outgoing::Unfollowed { .. });
            let follow = |actor: &str| activities::follow(urls.follow(*request), actor, &target.uri);
            one_to_one(conn, *follower, &target, follow, undo)?
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
            let activity = activities::answer_follow(*accepted, &actor.uri, &follower.uri, follow_uri);
            Some((activity, *target, vec![follower.inbox_url.clone()]))
        }
        Outgoing::AccountMoved { account, target } => {
            let (Some((account, actor)), Some(target)) =
                (render::local_actor(conn, *account)?, actors::find(conn, *target)?)
            else {
                return Ok(None);
            };
            let activity = activities::move_account(urls, &account.username, &actor.uri, &target.uri);
            Some((activity, account.id, actors::remote_follower_inboxes(conn, account.id)?))
        }
        Outgoing::PollCounted { status } => {
            let Some(row) = statuses::find(conn, *status)? else {
                return Ok(None);
            };
            let Some(note) = render::note(conn, config, urls, &row)? else {
                return Ok(None);
            };
            let activity = activities::unedited_update(&note, "votes");
            let to = audience::remote_of_status(conn, &row)?;
            Some((activity, row.account_id, inboxes_of(conn, urls, &to)?))
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
            let activity = activities::vote(&voter.uri, poll.id, *choice, title, &question.uri, &author.uri);
            Some((activity, *account, vec![inbox]))
        }
        Outgoing::AccountDeleted { account, inboxes } => {
            let Some(actor) = actors::find(conn, *account)? else {
                return Ok(None);
            };
            Some((activities::delete_actor(&actor.uri), *account, inboxes.clone()))
        }
        Outgoing::Blocked { account, target } | Outgoing::Unblocked { account, target } => {
            let Some(target) = actors::find(conn, *target)? else {
                return Ok(None);
            };
            let undo = matches!(outgoing, Outgoing::Unblocked { .. });
            let block = |actor: &str| activities::block(actor, target.id, &target.uri);
            one_to_one(conn, *account, &target, block, undo)?
        }
        Outgoing::QuoteRequested { status } => {
            let Some(row) = statuses::find(conn, *status)?.filter(|row| row.local) else {
                return Ok(None);
            };
            let (Some(note), Some((quoted_uri, quoted_author))) =
                (render::note(conn, config, urls, &row)?, crate::quotes::quoted_of(conn, row.id)?)
            else {
                return Ok(None);
            };
            let activity = activities::quote_request(&note, &quoted_uri, &quoted_author.uri);
            remote_inbox(&quoted_author).map(|inbox| (activity, row.account_id, vec![inbox]))
        }
        Outgoing::QuoteAnswered { quoted_author, requester, request_uri, quoting_uri, quoted_uri, authorization } => {
            let (Some((_, actor)), Some(requester)) =
                (render::local_actor(conn, *quoted_author)?, actors::find(conn, *requester)?)
            else {
                return Ok(None);
            };
            let activity = activities::quote_answer(
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
            let Some(note) = render::note(conn, config, urls, &row)? else {
                return Ok(None);
            };
            let activity = activities::unedited_update(&note, "quote");
            let to = audience::remote_of_status(conn, &row)?;
            Some((activity, row.account_id, inboxes_of(conn, urls, &to)?))
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
            Some((activities::quote_revocation(&actor.uri, authorization, &quoting.uri), *author, inboxes))
        }
        Outgoing::ProfileUpdated { account } => {
            let Some((account, actor)) = render::local_actor(conn, *account)? else {
                return Ok(None);
            };
            let moved_to = render::moved_to(conn, &account)?;
            let view = tertulia_domain::AccountView::from(account.clone());
            let activity = activities::update_person(urls, &view, account.updated_at, &actor, moved_to);
            Some((activity, account.id, actors::remote_follower_inboxes(conn, account.id)?))
        }
    })
}

/// The activity `render` makes from the local `actor`'s URI (or, with
/// `undo`, its `Undo`), for `recipient`'s inbox alone: likes, follows and
/// blocks.
fn one_to_one(
    conn: &mut DbConn,
    actor: i64,
    recipient: &ActorRow,
    render: impl FnOnce(&str) -> Value,
    undo: bool,
) -> Result<Planned, DbError> {
    let (Some((_, local)), Some(inbox)) = (render::local_actor(conn, actor)?, remote_inbox(recipient)) else {
        return Ok(None);
    };
    let activity = render(&local.uri);
    let activity = if undo { activities::undo(&local.uri, activity) } else { activity };
    Ok(Some((activity, actor, vec![inbox])))
}

/// The inboxes of whom [`audience`] says a status goes to on other sites:
/// one per site for followers that share an inbox, and the instance
/// actor's followers standing for the sites that follow this whole site.
fn inboxes_of(conn: &mut DbConn, urls: &Urls, to: &RemoteAudience) -> Result<Vec<String>, DbError> {
    let mut inboxes = match to.followers_of {
        Some(account) => actors::remote_follower_inboxes(conn, account)?,
        None => Vec::new(),
    };
    if to.site_followers
        && let Some(site) = actors::find_by_uri(conn, &urls.instance_actor())?
    {
        inboxes.extend(actors::remote_follower_inboxes(conn, site.id)?);
    }
    inboxes.extend(actors::find_many(conn, &to.accounts)?.iter().filter_map(remote_inbox));
    Ok(inboxes)
}

/// The inbox to reach a remote actor at; `None` for local ones.
fn remote_inbox(actor: &ActorRow) -> Option<String> {
    actor.domain.as_ref().map(|_| actor.delivery_inbox().to_owned())
}
