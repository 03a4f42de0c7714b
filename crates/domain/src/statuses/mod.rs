//! Statuses: posting, reading, threads, and the actions people take on
//! them (favourite, boost, bookmark, delete).

mod create;
mod edit;
mod pins;
mod reactions;
pub mod shared;
mod view;

pub use create::{NewStatus, create};
pub use edit::{EditView, StatusChanges, edit, history, source};
pub use pins::{MAX_PINS, pin, pinned};
pub use reactions::{favourited_by, reblogged_by};
pub use tertulia_db::statuses::ViewerStanding;
pub use view::StatusView;

pub(crate) use create::{Checked, deliver, deliver_row, load_one, new_notification, notify, notify_with, publish};
pub(crate) use edit::{NewVersion, apply as apply_edit, edit_in};
pub(crate) use view::build as build_views;

use tertulia_core::{AccountId, Id, StatusId};
use tertulia_db::notifications::NotificationKind;
use tertulia_db::statuses::{self, Counter, StatusRow};
use tertulia_db::{Db, DbConn, DbError, accounts, feeds, notifications, social};

use crate::Context;
use crate::events::{Event, StatusEvent};
use crate::outbox::{self, Outgoing};
use crate::present::{self, Reading};
use crate::visibility::{self, Viewer};
use crate::{DomainError, audience};

/// Replies shown in a thread, at most, each way.
const MAX_ANCESTORS: i64 = 40;
const MAX_DESCENDANTS: i64 = 200;

fn not_found() -> DomainError {
    DomainError::NotFound("status".into())
}

/// A status as `viewer` sees it; not found if they may not see it.
pub async fn get(db: &Db, viewer: Viewer, id: Id) -> Result<StatusView, DomainError> {
    present::status(db, viewer, id.0, Reading::Asked).await
}

/// Statuses by id (`GET /api/v1/statuses?id[]=`), those `viewer` may
/// see, in the order asked.
pub async fn many(db: &Db, viewer: Viewer, ids: Vec<Id>) -> Result<Vec<StatusView>, DomainError> {
    let ids: Vec<i64> = ids.into_iter().map(|id| id.0).collect();
    Ok(db.run(move |conn| present::by_ids(conn, viewer, &ids, Reading::Asked)).await?)
}

/// The thread around a status: its ancestors (oldest first) and its
/// descendants (depth first, oldest first).
pub type Thread = (Vec<StatusView>, Vec<StatusView>);

/// The [`Thread`] around a status, the statuses `viewer` may see.
pub async fn context(db: &Db, viewer: Viewer, id: Id) -> Result<Thread, DomainError> {
    db.read(move |conn| thread(conn, viewer, id)).await?.ok_or_else(not_found)
}

/// [`context`] on a connection already held; `None` if the viewer may
/// not see the status.
pub fn thread(conn: &mut DbConn, viewer: Viewer, id: Id) -> Result<Option<Thread>, DbError> {
    let Some(status) = visibility::find_visible(conn, viewer, id.0)? else {
        return Ok(None);
    };
    let mut ancestors = statuses::ancestors_of(conn, status.id, MAX_ANCESTORS)?;
    ancestors.reverse();
    let descendants = in_reading_order(status.id, statuses::descendants_of(conn, status.id, MAX_DESCENDANTS)?);
    // One batch for both sides, split again after presenting.
    let ancestor_ids: Vec<i64> = ancestors.iter().map(|r| r.id).collect();
    let mut thread = present::statuses(conn, viewer, [ancestors, descendants].concat(), Reading::Thread)?;
    let descendants = thread.split_off(thread.iter().take_while(|v| ancestor_ids.contains(&v.id.0)).count());
    Ok(Some((thread, descendants)))
}

/// Replies below `root` in reading order: each reply followed by its own
/// replies, oldest first.
fn in_reading_order(root: i64, replies: Vec<StatusRow>) -> Vec<StatusRow> {
    let mut by_parent: std::collections::HashMap<i64, Vec<StatusRow>> = Default::default();
    for reply in replies {
        by_parent.entry(reply.in_reply_to_id.unwrap_or_default()).or_default().push(reply);
    }
    let mut ordered = Vec::new();
    let mut stack: Vec<StatusRow> = by_parent.remove(&root).unwrap_or_default().into_iter().rev().collect();
    while let Some(next) = stack.pop() {
        let children = by_parent.remove(&next.id).unwrap_or_default();
        ordered.push(next);
        stack.extend(children.into_iter().rev());
    }
    ordered
}

/// Deletes the caller's own status. Returns it as it was, with its source
/// text, so clients can offer "delete and redraft".
pub async fn delete(ctx: &Context, author: Id, id: Id) -> Result<StatusView, DomainError> {
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let Some(row) = visibility::find_visible(conn, Some(author.0), id.0)? else {
                return Err(not_found());
            };
            if row.account_id != author.0 {
                return Err(DomainError::Forbidden("you can only delete your own statuses".into()));
            }
            let Some(view) = present::one(conn, Some(author.0), row.id, Reading::Asked)? else {
                return Err(not_found());
            };
            let deleted = remove(conn, &row)?;
            Ok((view, vec![deleted]))
        })
    })
    .await
}

/// Removes a status or boost and undoes the counts it added. Returns the
/// event that tells its readers, to publish after the commit.
pub(crate) fn remove(conn: &mut DbConn, row: &StatusRow) -> Result<Event, DbError> {
    // Who saw it, worked out before the mentions and feeds go.
    let deleted = removal_event(conn, row)?;
    if row.local {
        record_deletion(conn, row)?;
    }
    // The uploads stay, free to attach again: clients redraft with them.
    tertulia_db::media::detach_all(conn, row.id)?;
    crate::kudos::forget(conn, row.id)?;
    statuses::delete(conn, row.id)?;
    accounts::adjust_statuses_count(conn, row.account_id, -1, None)?;
    if let Some(parent) = row.in_reply_to_id {
        statuses::adjust_counter(conn, parent, Counter::Replies, -1)?;
    }
    if let Some(original) = row.reblog_of_id {
        statuses::adjust_counter(conn, original, Counter::Reblogs, -1)?;
    }
    Ok(deleted)
}

/// Tells other sites a status or boost is going, while its mentions and
/// the boosted status can still be read.
fn record_deletion(conn: &mut DbConn, row: &StatusRow) -> Result<(), DbError> {
    if !row.visibility.federates() {
        return Ok(());
    }
    let boost_of = match row.reblog_of_id {
        Some(original) => statuses::find(conn, original)?.map(|o| (o.uri, o.account_id)),
        None => None,
    };
    let mentioned = statuses::mentions_of(conn, &[row.id])?.into_iter().map(|(_, account)| account).collect();
    let quoted_account = tertulia_db::quotes::find(conn, row.id)?.and_then(|q| q.quoted_account_id);
    outbox::record(
        conn,
        &Outgoing::StatusDeleted {
            author: row.account_id,
            uri: row.uri.clone(),
            visibility: row.visibility,
            boost_of,
            mentioned,
            in_reply_to_account: row.in_reply_to_account_id,
            quoted_account,
        },
    )
}

/// The `delete` event of a status about to be removed: it goes where the
/// status went when it was posted.
fn removal_event(conn: &mut DbConn, row: &StatusRow) -> Result<Event, DbError> {
    let tags = statuses::tags_of(conn, &[row.id])?.into_iter().map(|(_, tag)| tag.name).collect();
    let mentioned: Vec<i64> = statuses::mentions_of(conn, &[row.id])?.into_iter().map(|(_, account)| account).collect();
    let readers = match row.reblog_of_id {
        Some(original) => match statuses::find(conn, original)? {
            Some(original) => audience::boost_readers(conn, AccountId(row.account_id), AccountId(original.account_id))?,
            None => vec![AccountId(row.account_id)],
        },
        None => audience::home_readers(conn, row, &AccountId::all(&mentioned))?,
    };
    Ok(Event::Delete(StatusEvent::new(row, tags, readers, mentioned)))
}

/// Favourites (`on`) or unfavourites a status the caller can see.
pub async fn favourite(ctx: &Context, actor: Id, id: Id, on: bool) -> Result<StatusView, DomainError> {
    let (view, pending) = act(&ctx.db, actor, id, move |conn, status| {
        let mut pending = Vec::new();
        if on {
            if social::insert_favourite(conn, actor.0, status.id, None, tertulia_db::now())? {
                statuses::adjust_counter(conn, status.id, Counter::Favourites, 1)?;
                if federates(&status) {
                    outbox::record(conn, &Outgoing::Favourited { account: actor.0, status: status.id })?;
                }
                pending.extend(notify(
                    conn,
                    status.account_id,
                    actor.0,
                    NotificationKind::Favourite,
                    Some(status.id),
                    format!("favourite-{}", status.id),
                )?);
            }
        } else if social::delete_favourite(conn, actor.0, status.id)? {
            statuses::adjust_counter(conn, status.id, Counter::Favourites, -1)?;
            if federates(&status) {
                outbox::record(conn, &Outgoing::Unfavourited { account: actor.0, status: status.id })?;
            }
            notifications::retract(conn, actor.0, NotificationKind::Favourite, status.id)?;
        }
        Ok((status.id, pending))
    })
    .await?;
    ctx.events.publish(pending);
    Ok(view)
}

/// Bookmarks (`on`) or removes the bookmark of a status the caller can see.
pub async fn bookmark(db: &Db, actor: Id, id: Id, on: bool) -> Result<StatusView, DomainError> {
    let (view, _) = act(db, actor, id, move |conn, status| {
        if on {
            social::insert_bookmark(conn, actor.0, status.id, tertulia_db::now())?;
        } else {
            social::delete_bookmark(conn, actor.0, status.id)?;
        }
        Ok((status.id, Vec::new()))
    })
    .await?;
    Ok(view)
}

/// Boosts a status: a new status pointing at the original, shown to the
/// booster's followers. Boosting twice returns the existing boost.
pub async fn reblog(ctx: &Context, actor: Id, id: Id) -> Result<StatusView, DomainError> {
    let base_url = ctx.config.base_url();
    let (view, pending) = act(&ctx.db, actor, id, move |conn, original| {
        let visibility = original.visibility;
        if !visibility.is_boostable() {
            return Err(DomainError::Forbidden("private and direct statuses cannot be boosted".into()));
        }
        if let Some(existing) = statuses::find_reblog(conn, actor.0, original.id)? {
            return Ok((existing.id, Vec::new()));
        }
        let Some(booster) = accounts::find(conn, actor.0)? else {
            return Err(DomainError::NotFound("account".into()));
        };
        Ok(insert_boost(conn, &base_url, &booster, &original)?)
    })
    .await?;
    ctx.events.publish(pending);
    Ok(view)
}

/// Stores `booster`'s new boost of `original` (boostable, not boosted by
/// them yet) and fans it out: a person's boost, or a group's `Announce` of
/// a member's post ([`crate::groups`]). Returns the boost's id and the
/// events to publish after the commit.
pub(crate) fn insert_boost(
    conn: &mut DbConn,
    base_url: &str,
    booster: &accounts::AccountRow,
    original: &StatusRow,
) -> Result<(i64, Vec<Event>), DbError> {
    let visibility = original.visibility;
    let boost_id = Id::generate().0;
    let now = tertulia_db::now();
    let boost = StatusRow {
        reblog_of_id: Some(original.id),
        ..StatusRow::new_local(
            boost_id,
            format!("{base_url}/users/{}/statuses/{boost_id}/activity", booster.username),
            booster.id,
            visibility,
            now,
        )
    };
    statuses::insert(conn, &boost)?;
    statuses::adjust_counter(conn, original.id, Counter::Reblogs, 1)?;
    accounts::adjust_statuses_count(conn, booster.id, 1, Some(now))?;
    let booster = AccountId(booster.id);
    let audience = audience::of_boost(conn, booster, original)?;
    feeds::push(conn, &audience.home, StatusId(boost_id), booster, Some(StatusId(original.id)))?;
    if visibility.federates() {
        outbox::record(conn, &Outgoing::StatusCreated { status: boost_id })?;
    }
    let mut pending = vec![Event::Update(StatusEvent::new(&boost, Vec::new(), audience.home, Vec::new()))];
    pending.extend(audience::notify_all(conn, &audience.notices, booster, original)?);
    Ok((boost_id, pending))
}

/// Removes the caller's boost of a status; returns the original.
pub async fn unreblog(ctx: &Context, actor: Id, id: Id) -> Result<StatusView, DomainError> {
    let (view, pending) = act(&ctx.db, actor, id, move |conn, original| {
        let mut pending = Vec::new();
        if let Some(boost) = statuses::find_reblog(conn, actor.0, original.id)? {
            pending.push(remove(conn, &boost)?);
            notifications::retract(conn, actor.0, NotificationKind::Reblog, original.id)?;
        }
        Ok((original.id, pending))
    })
    .await?;
    ctx.events.publish(pending);
    Ok(view)
}

/// Whether what happens to `status` concerns other sites.
fn federates(status: &StatusRow) -> bool {
    status.visibility.federates()
}

/// What an action returns: the id of the status to show, and the events to
/// publish after the commit.
pub(crate) type ActionResult = Result<(i64, Vec<Event>), DomainError>;

/// Runs `action` in a transaction on a status `actor` can see (a boost is
/// resolved to its original), then returns the status named by the
/// action's result as `actor` now sees it, with the action's events.
pub(crate) async fn act(
    db: &Db,
    actor: Id,
    id: Id,
    action: impl FnOnce(&mut DbConn, StatusRow) -> ActionResult + Send + 'static,
) -> Result<(StatusView, Vec<Event>), DomainError> {
    db.run(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let Some(mut status) = visibility::find_visible(conn, Some(actor.0), id.0)? else {
                return Err(not_found());
            };
            if let Some(original) = status.reblog_of_id {
                match visibility::find_visible(conn, Some(actor.0), original)? {
                    Some(row) => status = row,
                    None => return Err(not_found()),
                }
            }
            let (result_id, pending) = action(conn, status)?;
            create::load_one(conn, actor.0, result_id)?.ok_or_else(not_found).map(|view| (view, pending))
        })
    })
    .await
}

/// The id of a hashtag, if anyone has used it.
pub async fn tag_id(db: &Db, name: &str) -> Result<Option<i64>, DomainError> {
    let name = name.trim_start_matches('#').to_lowercase();
    db.run(move |conn| Ok(statuses::find_tags(conn, &[name])?.first().map(|t| t.id))).await
}

/// The statuses `reader` bookmarked (`bookmarks = true`) or favourited,
/// each keyed by the bookmark or favourite id that pages the list.
pub async fn saved(
    db: &Db,
    reader: Id,
    bookmarks: bool,
    page: tertulia_db::page::Page,
) -> Result<Vec<(Id, StatusView)>, DomainError> {
    db.run(move |conn| {
        let pairs = social::saved_statuses(conn, reader.0, bookmarks, page)?;
        let ids: Vec<i64> = pairs.iter().map(|(_, status)| *status).collect();
        let views = present::by_ids(conn, Some(reader.0), &ids, Reading::Asked)?;
        Ok(pairs
            .into_iter()
            .filter_map(|(key, status)| views.iter().find(|v| v.id.0 == status).map(|v| (Id(key), v.clone())))
            .collect())
    })
    .await
}

/// How each of `viewers` stands to a status, for renders shared among
/// viewers who stand alike ([`statuses::ViewerStanding`]): one statement
/// however many viewers.
pub async fn viewer_standings(
    db: &Db,
    status: Id,
    viewers: Vec<i64>,
) -> Result<Vec<statuses::ViewerStanding>, DomainError> {
    Ok(db.read(move |conn| statuses::viewer_standings(conn, status.0, &viewers)).await?)
}
