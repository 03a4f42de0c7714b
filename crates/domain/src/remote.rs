//! What other sites tell us: their actors, posts, follows, likes and
//! boosts, applied with the same rules as local actions (home timelines,
//! notifications, counters, streaming). The federation layer has already
//! checked who sent it and turned the ActivityPub JSON into these calls;
//! ids here are local ids of rows it has resolved.
//!
//! Every function is idempotent: a site may deliver the same activity
//! twice, and applying it again changes nothing.

use chrono::NaiveDateTime;
use tertulia_core::media::MediaKind;
use tertulia_core::visibility::Visibility;
use tertulia_core::{AccountId, Id, StatusId};
use tertulia_db::actors::{self, RemoteActorFields};
use tertulia_db::notifications::NotificationKind;
use tertulia_db::social::{self, FollowRow};
use tertulia_db::statuses::{self, Counter, Revision, StatusRow};
use tertulia_db::{Db, DbConn, DbError, accounts, blocks, conversations, feeds, notifications};

use crate::Context;
use crate::accounts::establish;
use crate::events::{Event, StatusEvent};
use crate::federation_policy::Limits;
use crate::outbox::{self, Outgoing};
use crate::statuses::{NewVersion, notify, remove};
use crate::visibility;
use crate::{DomainError, audience};

/// Stores or refreshes a remote actor under the limits its site's domain
/// block sets (a silenced site's accounts are limited; a site whose media
/// is rejected keeps no avatar or header here); returns its local id. Its
/// username gets a number (`ana_2`) when another actor of the same site
/// already has it: handles are unique per site, and one made up for an
/// actor without `preferredUsername` may well collide.
pub async fn save_actor(
    db: &Db,
    uri: String,
    mut fields: RemoteActorFields,
    limits: Limits,
) -> Result<Id, DomainError> {
    if limits.reject_media {
        (fields.avatar_url, fields.header_url) = (None, None);
    }
    let id = db
        .run(move |conn| {
            tertulia_db::transaction(conn, |conn| {
                fields.username = free_handle(conn, &uri, &fields.username, &fields.domain)?;
                let id = actors::upsert_remote(conn, &uri, &fields)?;
                if let Some(since) = limits.silenced_since {
                    accounts::silence_unless_limited(conn, id, since)?;
                }
                Ok::<_, DbError>(id)
            })
        })
        .await?;
    Ok(Id(id))
}

/// How many numbered variants of a taken handle are tried; past that the
/// unique index reports the clash.
const MAX_HANDLE_VARIANTS: u32 = 100;

/// `wanted`, or the first of `wanted_2`, `wanted_3`, … that no actor of
/// `domain` other than `uri` holds.
fn free_handle(conn: &mut DbConn, uri: &str, wanted: &str, domain: &str) -> Result<String, DbError> {
    for n in 1..=MAX_HANDLE_VARIANTS {
        let candidate = if n == 1 { wanted.to_owned() } else { format!("{wanted}_{n}") };
        match accounts::find_by_handle(conn, &candidate, Some(domain))? {
            Some(holder) if holder.uri != uri => {}
            _ => return Ok(candidate),
        }
    }
    Ok(wanted.to_owned())
}

/// A remote account asks to follow a local one. Unlocked accounts accept
/// at once; locked ones get a follow request to approve. A follow from
/// someone the local account blocks is rejected.
pub async fn follow_received(ctx: &Context, follower: Id, target: Id, follow_uri: String) -> Result<(), DomainError> {
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let Some(target_row) = accounts::find(conn, target.0)?.filter(|a| a.domain.is_none()) else {
                return Err(DomainError::NotFound("account".into()));
            };
            let answer = |conn: &mut DbConn, accepted: bool| {
                let outgoing = Outgoing::FollowAnswered {
                    follower: follower.0,
                    target: target.0,
                    follow_uri: follow_uri.clone(),
                    accepted,
                };
                outbox::record(conn, &outgoing)
            };
            if target_row.suspended_at.is_some() || !blocks::blocking_among(conn, target.0, &[follower.0])?.is_empty() {
                answer(conn, false)?;
                return Ok(((), Vec::new()));
            }
            let follow = FollowRow {
                id: Id::generate().0,
                account_id: follower.0,
                target_account_id: target.0,
                show_reblogs: true,
                notify: false,
                languages: None,
                uri: Some(follow_uri.clone()),
                created_at: tertulia_db::now(),
            };
            let mut pending = Vec::new();
            let already_following = social::find_follow(conn, follower.0, target.0)?.is_some();
            if target_row.locked && !already_following {
                pending.extend(crate::accounts::request_follow(conn, &follow)?);
            } else {
                pending.extend(establish(conn, &follow)?);
                // Answered again when already following: the other site
                // may have lost our first Accept.
                answer(conn, true)?;
                // A site following this one (its own actor followed) gets
                // this site's directory; following again sends it afresh.
                // A LitePub relay following back is no colleague site: it
                // would only pass the directory on to strangers.
                if actors::find(conn, target.0)?.is_some_and(|a| a.actor_type == actors::ActorType::Application)
                    && !is_relay(conn, follower)?
                {
                    crate::directory::introduce_to(conn, follower.0)?;
                }
            }
            Ok(((), pending))
        })
    })
    .await
}

/// Whether `account` is the actor of a relay this site subscribes to. By
/// its inbox too: a Mastodon-protocol relay's actor is only recorded from
/// its Accept, and activityrelay sends its follow back at the same time.
fn is_relay(conn: &mut DbConn, account: Id) -> Result<bool, DbError> {
    let Some(actor) = actors::find(conn, account.0)? else {
        return Ok(false);
    };
    Ok(tertulia_db::relays::find_by_url(conn, &actor.uri)?.is_some()
        || tertulia_db::relays::find_by_inbox(conn, actor.delivery_inbox())?.is_some())
}

/// Who sent the follow request `request` to `target`, if it is still
/// pending: the follower an `Accept` or `Reject` naming only the request
/// answers.
pub async fn requester_of(db: &Db, request: Id, target: Id) -> Result<Option<Id>, DomainError> {
    let found = db.run(move |conn| social::follow_request_by_id(conn, request.0)).await?;
    Ok(found.filter(|r| r.target_account_id == target.0).map(|r| Id(r.account_id)))
}

/// The remote account accepted a local account's follow request.
pub async fn follow_accepted(ctx: &Context, follower: Id, target: Id) -> Result<(), DomainError> {
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let mut pending = Vec::new();
            // The follow keeps the request's id: it names the Follow
            // activity an Undo will refer to.
            if let Some(request) = social::take_follow_request(conn, follower.0, target.0)? {
                pending.extend(establish(conn, &request)?);
            }
            Ok(((), pending))
        })
    })
    .await
}

/// The remote account refused (or later removed) a local follower.
pub async fn follow_rejected(db: &Db, follower: Id, target: Id) -> Result<(), DomainError> {
    db.run(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            social::take_follow_request(conn, follower.0, target.0)?;
            if social::delete_follow(conn, follower.0, target.0)? {
                feeds::remove_author(conn, follower.0, target.0)?;
            }
            Ok(())
        })
    })
    .await
}

/// A remote follower stopped following (or withdrew its request).
pub async fn follow_undone(db: &Db, follower: Id, target: Id) -> Result<(), DomainError> {
    db.run(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            social::take_follow_request(conn, follower.0, target.0)?;
            social::delete_follow(conn, follower.0, target.0)?;
            Ok(())
        })
    })
    .await
}

/// A post written on another site, resolved to local ids.
#[derive(Debug, Clone)]
pub struct RemoteStatus {
    pub uri: String,
    pub url: Option<String>,
    pub author: Id,
    pub in_reply_to: Option<Id>,
    pub visibility: Visibility,
    /// Sanitized HTML.
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub language: Option<String>,
    pub published: NaiveDateTime,
    /// Accounts (local or known remote) the post mentions.
    pub mentioned: Vec<Id>,
    /// Lower-cased hashtag names.
    pub tags: Vec<String>,
    pub attachments: Vec<RemoteAttachment>,
    pub poll: Option<RemotePoll>,
    /// The event, when the post is an ActivityStreams `Event`.
    pub event: Option<crate::calendar::RemoteEvent>,
}

/// A poll on a remote post (an ActivityPub `Question`), as its site counts
/// it; votes cast here are sent there and counted there.
#[derive(Debug, Clone)]
pub struct RemotePoll {
    pub options: Vec<String>,
    pub counts: Vec<i64>,
    pub multiple: bool,
    pub voters_count: i32,
    pub expires_at: Option<NaiveDateTime>,
}

impl RemotePoll {
    fn into_row(self, status: &StatusRow, now: NaiveDateTime) -> tertulia_db::polls::PollRow {
        let votes_count = i32::try_from(self.counts.iter().sum::<i64>()).unwrap_or(i32::MAX);
        tertulia_db::polls::PollRow {
            id: Id::generate().0,
            status_id: status.id,
            account_id: status.account_id,
            options: serde_json::to_string(&self.options).unwrap_or_else(|_| "[]".into()),
            votes: serde_json::to_string(&self.counts).unwrap_or_else(|_| "[]".into()),
            multiple: self.multiple,
            hide_totals: false,
            votes_count,
            voters_count: self.voters_count,
            expires_at: self.expires_at,
            created_at: now,
            updated_at: now,
        }
    }
}

/// A file attached to a remote post. It is linked, not copied: clients
/// load it from the author's site.
#[derive(Debug, Clone)]
pub struct RemoteAttachment {
    pub url: String,
    pub content_type: String,
    pub description: Option<String>,
    pub blurhash: Option<String>,
    pub width: Option<u64>,
    pub height: Option<u64>,
}

impl RemoteAttachment {
    fn into_row(self, account_id: i64, status_id: i64, now: NaiveDateTime) -> tertulia_db::media::MediaRow {
        let kind = match self.content_type.split('/').next() {
            Some("video") => MediaKind::Video,
            Some("audio") => MediaKind::Audio,
            _ => MediaKind::Image,
        };
        let meta = match (self.width, self.height) {
            (Some(width), Some(height)) => serde_json::json!({"original": {"width": width, "height": height}}),
            _ => serde_json::json!({}),
        };
        tertulia_db::media::MediaRow {
            id: Id::generate().0,
            account_id,
            status_id: Some(status_id),
            kind,
            content_type: self.content_type,
            file_path: None,
            preview_path: None,
            remote_url: Some(self.url),
            file_size: 0,
            description: self.description,
            focus: None,
            meta: meta.to_string(),
            blurhash: self.blurhash,
            created_at: now,
            updated_at: now,
        }
    }
}

/// The status known here by `uri` (a remote copy, or a local one by its
/// URI), with its author: `(status, author)`.
pub async fn known_status(db: &Db, uri: String) -> Result<Option<(Id, Id)>, DomainError> {
    let found = db.run(move |conn| statuses::find_by_uri(conn, &uri)).await?;
    Ok(found.map(|status| (Id(status.id), Id(status.account_id))))
}

/// Stores a remote post and gives it to the local readers it is for, with
/// the notifications it calls for, by the rules local posts follow
/// ([`audience::of_post`]). Returns its local id; a post already stored is
/// left as it is.
pub async fn status_received(ctx: &Context, status: RemoteStatus) -> Result<Id, DomainError> {
    let base_url = ctx.config.base_url();
    let kudos = crate::kudos::Rule::new(&ctx.config.communities);
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            if let Some(existing) = statuses::find_by_uri(conn, &status.uri)? {
                return Ok((Id(existing.id), Vec::new()));
            }
            let parent = match status.in_reply_to {
                Some(parent) => statuses::find(conn, parent.0)?,
                None => None,
            };
            let id = Id::generate().0;
            let now = tertulia_db::now();
            let row = StatusRow {
                url: status.url.clone(),
                in_reply_to_id: parent.as_ref().map(|p| p.id),
                in_reply_to_account_id: parent.as_ref().map(|p| p.account_id),
                conversation_id: Some(match parent.as_ref().and_then(|p| p.conversation_id) {
                    Some(thread) => thread,
                    None => conversations::create(conn, now)?,
                }),
                local: false,
                text: tertulia_core::html::to_plain_text(&status.content),
                content: status.content.clone(),
                spoiler_text: status.spoiler_text.clone(),
                sensitive: status.sensitive || !status.spoiler_text.is_empty(),
                language: status.language.clone(),
                ..StatusRow::new_local(id, status.uri.clone(), status.author.0, status.visibility, status.published)
            };
            statuses::insert(conn, &row)?;
            if let Some(poll) = status.poll.clone() {
                tertulia_db::polls::insert(conn, &poll.into_row(&row, now))?;
            }
            if let Some(event) = &status.event {
                event.store(conn, id)?;
            }
            for attachment in status.attachments.iter().cloned() {
                tertulia_db::media::insert(conn, &attachment.into_row(status.author.0, id, now))?;
            }
            let mentioned: Vec<i64> = status.mentioned.iter().map(|m| m.0).filter(|m| *m != status.author.0).collect();
            statuses::insert_mentions(conn, id, &mentioned)?;
            let tag_pairs: Vec<(String, String)> = status.tags.iter().map(|t| (t.clone(), t.clone())).collect();
            statuses::attach_tags(conn, id, &tag_pairs, now)?;
            accounts::adjust_statuses_count(conn, status.author.0, 1, Some(status.published))?;
            if let Some(parent) = &parent {
                statuses::adjust_counter(conn, parent.id, Counter::Replies, 1)?;
            }
            crate::kudos::record(conn, &kudos, &row, &mentioned, &status.tags)?;
            crate::campaigns::record(conn, &row, &status.tags, &mentioned)?;
            let audience = audience::of_post(conn, &row, &AccountId::all(&mentioned))?;
            let author = AccountId(status.author.0);
            feeds::push(conn, &audience.home, StatusId(id), author, None)?;
            let local_mentioned = accounts::local_among(conn, &mentioned)?;
            let mut pending =
                vec![Event::Update(StatusEvent::new(&row, status.tags.clone(), audience.home, mentioned))];
            if status.visibility == Visibility::Direct {
                pending.extend(crate::conversations::record(conn, &row, &local_mentioned)?);
            }
            pending.extend(audience::notify_all(conn, &audience.notices, author, &row)?);
            pending.extend(crate::groups::announce_accepted(conn, &base_url, &row, &local_mentioned)?);
            Ok((Id(id), pending))
        })
    })
    .await
}

/// New content for a remote post its author edited.
#[derive(Debug, Clone)]
pub struct RemoteRevision {
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub language: Option<String>,
    pub edited_at: NaiveDateTime,
}

/// A remote post as its author edited it: the new text and what the new
/// text mentions and tags, read as for a new post ([`RemoteStatus`]).
#[derive(Debug, Clone)]
pub struct RemoteEdit {
    pub text: RemoteRevision,
    /// Accounts (local or known remote) the post now mentions.
    pub mentioned: Vec<Id>,
    /// Lower-cased hashtag names.
    pub tags: Vec<String>,
    /// The event, when the post is an ActivityStreams `Event`.
    pub event: Option<crate::calendar::RemoteEvent>,
}

/// Applies an edit by `author` to their post `uri` as a local edit is
/// applied ([`crate::statuses::apply_edit`]): history, mentions, tags,
/// kudos, notifications; an event takes its new name, times and place.
/// An edit older than the version we hold is ignored.
pub async fn status_updated(ctx: &Context, author: Id, uri: String, edit: RemoteEdit) -> Result<(), DomainError> {
    let kudos = crate::kudos::Rule::new(&ctx.config.communities);
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let Some(row) = statuses::find_by_uri(conn, &uri)?.filter(|s| s.account_id == author.0) else {
                return Ok(((), Vec::new()));
            };
            let text = &edit.text;
            if row.edited_at.is_some_and(|at| at >= text.edited_at) {
                return Ok(((), Vec::new()));
            }
            let revision = Revision {
                text: tertulia_core::html::to_plain_text(&text.content),
                content: text.content.clone(),
                spoiler_text: text.spoiler_text.clone(),
                sensitive: text.sensitive || !text.spoiler_text.is_empty(),
                language: text.language.clone().or(row.language.clone()),
                edited_at: text.edited_at,
            };
            let version = NewVersion {
                revision,
                mentioned: edit.mentioned.iter().map(|m| m.0).filter(|m| *m != author.0).collect(),
                tags: edit.tags.iter().map(|t| (t.clone(), t.clone())).collect(),
                media: None,
            };
            let (_, pending) = crate::statuses::apply_edit(conn, &kudos, &row, version)?;
            if let Some(event) = &edit.event {
                event.store(conn, row.id)?;
            }
            Ok(((), pending))
        })
    })
    .await
}

/// Removes `author`'s post or boost `uri`, wherever it is shown.
pub async fn status_deleted(ctx: &Context, author: Id, uri: String) -> Result<(), DomainError> {
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let row = statuses::find_by_uri(conn, &uri)?.filter(|s| s.account_id == author.0);
            removed(conn, row)
        })
    })
    .await
}

/// A remote account (a group, FEP-1b12: its moderator removed the post)
/// withdrew its boost of `original`, naming the post rather than the boost.
pub async fn boost_withdrawn(ctx: &Context, booster: Id, original: Id) -> Result<(), DomainError> {
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let row = statuses::find_reblog(conn, booster.0, original.0)?;
            removed(conn, row)
        })
    })
    .await
}

/// Removes a remote post or boost, if there is one, with the notification
/// of the boost.
fn removed(conn: &mut DbConn, row: Option<StatusRow>) -> Result<((), Vec<Event>), DomainError> {
    let Some(row) = row else {
        return Ok(((), Vec::new()));
    };
    let event = remove(conn, &row)?;
    if let Some(original) = row.reblog_of_id {
        notifications::retract(conn, row.account_id, NotificationKind::Reblog, original)?;
    }
    Ok(((), vec![event]))
}

/// A remote account liked a post (`like_uri` names the Like activity).
pub async fn favourite_received(ctx: &Context, account: Id, status: Id, like_uri: String) -> Result<(), DomainError> {
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            // A post the liker may not see (site-only, followers-only
            // without following, …) is as good as absent for it.
            let Some(row) = visibility::find_visible_to_other_sites(conn, Some(account.0), status.0)? else {
                return Ok(((), Vec::new()));
            };
            let mut pending = Vec::new();
            if social::insert_favourite(conn, account.0, row.id, Some(&like_uri), tertulia_db::now())? {
                statuses::adjust_counter(conn, row.id, Counter::Favourites, 1)?;
                let group_key = format!("favourite-{}", row.id);
                pending.extend(notify(
                    conn,
                    row.account_id,
                    account.0,
                    NotificationKind::Favourite,
                    Some(row.id),
                    group_key,
                )?);
            }
            Ok(((), pending))
        })
    })
    .await
}

/// A remote account took its like back.
pub async fn favourite_undone(db: &Db, account: Id, status: Id) -> Result<(), DomainError> {
    db.run(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            if social::delete_favourite(conn, account.0, status.0)? {
                statuses::adjust_counter(conn, status.0, Counter::Favourites, -1)?;
                notifications::retract(conn, account.0, NotificationKind::Favourite, status.0)?;
            }
            Ok(())
        })
    })
    .await
}

/// A remote account boosted a post (`announce_uri` names the Announce).
pub async fn boost_received(
    ctx: &Context,
    booster: Id,
    original: Id,
    announce_uri: String,
    published: NaiveDateTime,
) -> Result<(), DomainError> {
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            // A post the booster may not see (site-only, followers-only
            // without following, …) cannot be boosted by it.
            let Some(original) = visibility::find_visible_to_other_sites(conn, Some(booster.0), original.0)? else {
                return Err(DomainError::NotFound("status".into()));
            };
            let visibility: Visibility = original.visibility;
            let Some(booster_row) = accounts::find(conn, booster.0)? else {
                return Err(DomainError::NotFound("account".into()));
            };
            if !crate::groups::may_boost(conn, &booster_row, &original)?
                || statuses::find_by_uri(conn, &announce_uri)?.is_some()
                || statuses::find_reblog(conn, booster.0, original.id)?.is_some()
            {
                return Ok(((), Vec::new()));
            }
            let boost_id = Id::generate().0;
            let boost = StatusRow {
                reblog_of_id: Some(original.id),
                local: false,
                ..StatusRow::new_local(boost_id, announce_uri.clone(), booster.0, visibility, published)
            };
            statuses::insert(conn, &boost)?;
            statuses::adjust_counter(conn, original.id, Counter::Reblogs, 1)?;
            accounts::adjust_statuses_count(conn, booster.0, 1, Some(published))?;
            let booster = AccountId(booster.0);
            let audience = audience::of_boost(conn, booster, &original)?;
            feeds::push(conn, &audience.home, StatusId(boost_id), booster, Some(StatusId(original.id)))?;
            let mut pending = vec![Event::Update(StatusEvent::new(&boost, Vec::new(), audience.home, Vec::new()))];
            pending.extend(audience::notify_all(conn, &audience.notices, booster, &original)?);
            Ok(((), pending))
        })
    })
    .await
}

/// The author's site sent new counts for the poll of their post `uri`.
pub async fn poll_counted(db: &Db, author: Id, uri: String, poll: RemotePoll) -> Result<(), DomainError> {
    db.write(move |conn| {
        let Some(status) = statuses::find_by_uri(conn, &uri)?.filter(|s| s.account_id == author.0) else {
            return Ok(());
        };
        match tertulia_db::polls::of_statuses(conn, &[status.id])?.pop() {
            Some(row) => crate::polls::set_remote_counts(conn, &row, &poll.counts, poll.voters_count),
            None => Ok(()),
        }
    })
    .await?;
    Ok(())
}

/// `voter` (remote) chose the option titled `title` in the poll of the
/// local status `status`. Only a poll of this site that the voter may see
/// counts the vote: a followers-only poll takes votes from followers, a
/// direct one from the accounts it mentions, a site-only one from nobody
/// elsewhere.
pub async fn vote_received(db: &Db, voter: Id, status: Id, title: String) -> Result<(), DomainError> {
    db.run(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let visible = visibility::find_visible_to_other_sites(conn, Some(voter.0), status.0)?;
            let Some(status) = visible.filter(|s| s.local) else {
                return Err(DomainError::NotFound("poll".into()));
            };
            if let Some(poll) = tertulia_db::polls::of_statuses(conn, &[status.id])?.pop() {
                crate::polls::count_remote_vote(conn, &poll, voter.0, &title)?;
            }
            Ok(())
        })
    })
    .await
}

/// A remote account was deleted on its site: it goes here too, with its
/// posts, follows, likes and boosts (through the database's cascades);
/// timelines and streams drop its posts.
pub async fn actor_deleted(ctx: &Context, account: Id) -> Result<(), DomainError> {
    ctx.committed(move |conn| tertulia_db::transaction(conn, |conn| Ok(((), forget_remote_account(conn, account.0)?))))
        .await
}

/// Removes a remote account with its posts, follows, likes and boosts;
/// returns the events that take its posts off timelines and streams. A
/// local account (or none) is left alone.
pub(crate) fn forget_remote_account(conn: &mut DbConn, account: i64) -> Result<Vec<Event>, DbError> {
    let Some(row) = accounts::find(conn, account)?.filter(|a| a.domain.is_some()) else {
        return Ok(Vec::new());
    };
    let mut pending = Vec::new();
    for status in statuses::all_of_account(conn, row.id)? {
        pending.push(remove(conn, &status)?);
    }
    accounts::delete(conn, row.id)?;
    Ok(pending)
}

/// A remote account moved to `new` (whose aliases the federation layer
/// has checked): it is marked moved and local followers follow `new`.
pub async fn moved(ctx: &Context, old: Id, new: Id) -> Result<(), DomainError> {
    ctx.db.write(move |conn| actors::set_moved_to(conn, old.0, Some(new.0))).await?;
    crate::accounts::move_followers(ctx, old, new).await
}

/// Finds accounts on other sites (WebFinger, then the actor document).
/// Declared here, implemented by the federation layer and handed to the
/// API by the binary, so the domain never depends on the network code.
pub trait RemoteResolver: Send + Sync {
    /// The local id of `username@host`, fetched and stored if unknown.
    fn resolve_account<'a>(&'a self, username: &'a str, host: &'a str) -> Resolving<'a>;

    /// The local id of the post at `url` (its ActivityPub id), fetched and
    /// stored if unknown: what a user pasting a link into search expects.
    fn resolve_status<'a>(&'a self, url: &'a str) -> Resolving<'a>;
}

/// What a [`RemoteResolver`] answers.
pub type Resolving<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Id, DomainError>> + Send + 'a>>;
