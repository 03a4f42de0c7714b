//! The outbox worker: turns each recorded [`Outgoing`] into an activity and
//! one delivery job per remote inbox, then forgets the record — all in one
//! transaction, so a crash either leaves the record to redo or the jobs
//! to send, never neither.
//!
//! Each outgoing kind decides its document and its recipients in a module
//! of its own; this one only dispatches to them.

use std::time::Duration;

mod account;
mod announcement;
mod attendance;
mod block;
mod directory;
mod follow;
mod like;
mod post;
mod post_deleted;
mod quote;
mod recipients;
mod relay;
mod report;
mod vote;

use tertulia_core::{AccountId, Config};
use tertulia_db::delivery::{self, NewDeliveryJob};
use tertulia_db::outbox::{self as records, OutboxRow};
use tertulia_db::{DbConn, DbError};
use tertulia_domain::audience::Addressing;
use tertulia_domain::outbox::{self, Outgoing};

use crate::urls::{Urls, host_of};
use crate::{Federation, FederationError};
use recipients::{Plan, Planned};

/// How often the outbox is looked at when no committed change woke the
/// worker (changes made outside the event hub, or by an admin command).
const POLL: Duration = Duration::from_millis(500);
/// Records handled before the worker looks at its other duties.
const BATCH: usize = 50;

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
            let enabled = self.inner.ctx.config.federation.enabled;
            let policy = self.inner.ctx.policy.clone();
            let outcome = self
                .db()
                .run(move |conn| {
                    tertulia_db::transaction(conn, |conn| {
                        let Some(record) = records::claim_next(conn, records::MAX_ATTEMPTS)? else {
                            return Ok::<_, DbError>(None);
                        };
                        // Nested (a savepoint): a failure undoes this record's
                        // jobs, not the claim, so it is marked under the claim.
                        let planned = tertulia_db::transaction(conn, |conn| {
                            let jobs = plan(conn, &config, &urls, &record)?;
                            // With federation off, changes are dropped, not hoarded.
                            let jobs: Vec<NewDeliveryJob> = jobs
                                .into_iter()
                                .filter(|job| enabled && policy.allows(&job.inbox_host))
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
    let Some(Plan { activity, signer, inboxes }) = activity_for(conn, config, urls, &outgoing)? else {
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

/// The module that decides `outgoing`'s activity and recipients.
fn activity_for(conn: &mut DbConn, config: &Config, urls: &Urls, outgoing: &Outgoing) -> Result<Planned, DbError> {
    match outgoing {
        Outgoing::StatusCreated { status } => post::created_or_edited(conn, config, urls, *status, false),
        Outgoing::StatusUpdated { status } => post::created_or_edited(conn, config, urls, *status, true),
        Outgoing::PollCounted { status } => post::unedited_update(conn, config, urls, *status, "votes"),
        Outgoing::QuoteUpdated { status } => post::unedited_update(conn, config, urls, *status, "quote"),
        Outgoing::StatusDeleted {
            author,
            uri,
            visibility,
            boost_of,
            mentioned,
            in_reply_to_account,
            quoted_account,
        } => {
            let post = Addressing {
                author: AccountId(*author),
                visibility: *visibility,
                in_reply_to_account: in_reply_to_account.map(AccountId),
                quoted_account: quoted_account.map(AccountId),
                mentioned: &AccountId::all(mentioned),
            };
            post_deleted::plan(conn, urls, uri, boost_of.as_ref(), &post)
        }
        Outgoing::Favourited { account, status } => like::plan(conn, urls, *account, *status, false),
        Outgoing::Unfavourited { account, status } => like::plan(conn, urls, *account, *status, true),
        Outgoing::FollowRequested { follower, target, request } => {
            follow::requested(conn, urls, *follower, *target, *request, false)
        }
        Outgoing::Unfollowed { follower, target, request } => {
            follow::requested(conn, urls, *follower, *target, *request, true)
        }
        Outgoing::FollowAnswered { follower, target, follow_uri, accepted } => {
            follow::answered(conn, *follower, *target, follow_uri, *accepted)
        }
        Outgoing::Blocked { account, target } => block::plan(conn, *account, *target, false),
        Outgoing::Unblocked { account, target } => block::plan(conn, *account, *target, true),
        Outgoing::Voted { account, poll, choice } => vote::plan(conn, *account, *poll, *choice),
        Outgoing::QuoteRequested { status } => quote::requested(conn, config, urls, *status),
        Outgoing::QuoteAnswered { quoted_author, requester, request_uri, quoting_uri, quoted_uri, authorization } => {
            quote::answered(
                conn,
                *quoted_author,
                *requester,
                request_uri,
                quoting_uri,
                quoted_uri,
                authorization.as_deref(),
            )
        }
        Outgoing::QuoteRevoked { author, authorization, quoting_author } => {
            quote::revoked(conn, *author, authorization, *quoting_author)
        }
        Outgoing::ProfileUpdated { account } => account::profile_updated(conn, config, urls, *account),
        Outgoing::ListedInDirectory { account, site } => directory::listed(conn, config, urls, *account, *site),
        Outgoing::AccountMoved { account, target } => account::moved(conn, urls, *account, *target),
        Outgoing::AccountDeleted { account, inboxes } => account::deleted(conn, urls, *account, inboxes),
        Outgoing::AnnouncementShown { announcement } => announcement::plan(conn, config, urls, *announcement, false),
        Outgoing::AnnouncementWithdrawn { announcement } => announcement::plan(conn, config, urls, *announcement, true),
        Outgoing::RelayFollowed { relay } => relay::followed(conn, urls, *relay),
        Outgoing::RelayUnfollowed { relay, inbox, followed_actor } => {
            relay::unfollowed(conn, urls, *relay, inbox, followed_actor.as_deref())
        }
        Outgoing::ReportForwarded { report } => report::forwarded(conn, urls, *report),
        Outgoing::EventAnswered { account, status, answer, at } => {
            attendance::plan(conn, *account, *status, answer.as_deref(), *at)
        }
        Outgoing::EventCounted { status } => post::unedited_update(conn, config, urls, *status, "attendance"),
    }
}
