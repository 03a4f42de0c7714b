//! Accounts as others see them, and the relationships between accounts:
//! follow, unfollow, follow requests.

use std::collections::{HashMap, HashSet};

use tertulia_core::{AccountId, Id};
use tertulia_db::notifications::NotificationKind;
use tertulia_db::page::Page;
use tertulia_db::social::{self, FollowRow};
use tertulia_db::{Db, DbConn, DbError, account_notes, accounts, blocks, domain_blocks, feeds, lists};

use crate::Context;
use crate::events::Event;
use crate::outbox::{self, Outgoing};
use crate::statuses::notify;
use crate::{AccountView, DomainError, audience};

/// How one account relates to another (Mastodon's `Relationship`).
#[derive(Debug, Clone)]
pub struct Relationship {
    pub id: Id,
    pub following: bool,
    pub showing_reblogs: bool,
    pub notifying: bool,
    pub followed_by: bool,
    pub requested: bool,
    pub blocking: bool,
    pub blocked_by: bool,
    pub muting: bool,
    pub muting_notifications: bool,
    pub domain_blocking: bool,
    pub endorsed: bool,
    /// The viewer's private note about the account; empty if none.
    pub note: String,
}

/// Options of a follow.
#[derive(Debug, Clone, Copy)]
pub struct FollowOptions {
    pub reblogs: bool,
    pub notify: bool,
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions { reblogs: true, notify: false }
    }
}

pub async fn get(db: &Db, id: Id) -> Result<AccountView, DomainError> {
    db.run(move |conn| {
        let row = accounts::find(conn, id.0)?.filter(|a| a.suspended_at.is_none());
        row.map(|row| profile(conn, row)).transpose()
    })
    .await?
    .ok_or_else(|| DomainError::NotFound("account".into()))
}

/// An account as its profile shows it: with the account it moved to.
fn profile(conn: &mut DbConn, row: accounts::AccountRow) -> Result<AccountView, DbError> {
    let moved = match row.moved_to_account_id {
        Some(target) => accounts::find(conn, target)?.map(|t| Box::new(AccountView::from(t))),
        None => None,
    };
    Ok(AccountView { moved, ..AccountView::from(row) })
}

/// The local account `username` as its profile shows it, suspended or
/// not (callers decide what a suspended one shows); `None` if there is
/// none. What other sites and browsers are shown of a local account.
pub fn local_profile(conn: &mut DbConn, username: &str) -> Result<Option<AccountView>, DbError> {
    accounts::find_local_by_username(conn, username)?.map(|row| profile(conn, row)).transpose()
}

/// Records that the local `account` is also known as the actors `aliases`
/// (its accounts on other sites): the check a `Move` to here needs.
pub async fn add_alias(db: &Db, account: Id, alias: String) -> Result<Vec<String>, DomainError> {
    db.run(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let actor = tertulia_db::actors::find(conn, account.0)?.ok_or(DbError::NotFound)?;
            let mut aliases: Vec<String> = serde_json::from_str(&actor.also_known_as).unwrap_or_default();
            if !aliases.contains(&alias) {
                aliases.push(alias);
            }
            let json = serde_json::to_string(&aliases).unwrap_or_else(|_| "[]".into());
            tertulia_db::actors::set_also_known_as(conn, account.0, &json)?;
            outbox::record(conn, &Outgoing::ProfileUpdated { account: account.0 })?;
            Ok(aliases)
        })
    })
    .await
}

/// Moves the local `account` to `target` (its new account on another
/// site, which must list this one as an alias): marks it moved, tells other
/// sites, and moves this site's followers over.
pub async fn move_to(ctx: &Context, account: Id, target: Id) -> Result<(), DomainError> {
    ctx.db
        .run(move |conn| {
            tertulia_db::transaction(conn, |conn| {
                tertulia_db::actors::set_moved_to(conn, account.0, Some(target.0))?;
                outbox::record(conn, &Outgoing::AccountMoved { account: account.0, target: target.0 })
            })
        })
        .await?;
    move_followers(ctx, account, target).await
}

/// Every local follower of `old` unfollows it and follows `new` instead,
/// as Mastodon does when an account moves.
pub async fn move_followers(ctx: &Context, old: Id, new: Id) -> Result<(), DomainError> {
    let followers = ctx
        .db
        .run(move |conn| {
            let ids: Vec<i64> = social::follower_ids(conn, old.0)?.into_iter().map(|(id, _)| id).collect();
            Ok::<_, DbError>(
                accounts::find_many(conn, &ids)?.into_iter().filter(|a| a.domain.is_none()).collect::<Vec<_>>(),
            )
        })
        .await?;
    for follower in followers {
        let follower = Id(follower.id);
        unfollow(&ctx.db, follower, old).await?;
        if follower != new {
            follow(ctx, follower, new, FollowOptions::default()).await?;
        }
    }
    Ok(())
}

/// Finds `user` or `user@domain` (this site's own domain counts as local).
pub async fn lookup(db: &Db, own_domain: &str, acct: &str) -> Result<AccountView, DomainError> {
    let acct = acct.trim().trim_start_matches('@').to_owned();
    let (username, domain) = match acct.split_once('@') {
        Some((user, domain)) if !domain.eq_ignore_ascii_case(own_domain) => (user.to_owned(), Some(domain.to_owned())),
        Some((user, _)) => (user.to_owned(), None),
        None => (acct.clone(), None),
    };
    db.run(move |conn| {
        let row = accounts::find_by_handle(conn, &username, domain.as_deref())?.filter(|a| a.suspended_at.is_none());
        row.map(|row| profile(conn, row)).transpose()
    })
    .await?
    .ok_or_else(|| DomainError::NotFound("account".into()))
}

/// Follows `target` (or asks to, if the account is locked) and returns
/// the new relationship.
pub async fn follow(
    ctx: &Context,
    follower: Id,
    target: Id,
    options: FollowOptions,
) -> Result<Relationship, DomainError> {
    if follower == target {
        return Err(DomainError::Forbidden("you cannot follow yourself".into()));
    }
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let Some(target_row) = accounts::find(conn, target.0)?.filter(|a| a.suspended_at.is_none()) else {
                return Err(DomainError::NotFound("account".into()));
            };
            let follow = FollowRow {
                id: Id::generate().0,
                account_id: follower.0,
                target_account_id: target.0,
                show_reblogs: options.reblogs,
                notify: options.notify,
                languages: None,
                uri: None,
                created_at: tertulia_db::now(),
            };
            let blocked = !blocks::blocking_among(conn, follower.0, &[target.0])?.is_empty()
                || !blocks::blocked_by_among(conn, follower.0, &[target.0])?.is_empty();
            if blocked {
                return Err(DomainError::Forbidden("you cannot follow an account you block or that blocks you".into()));
            }
            let already_following = social::find_follow(conn, follower.0, target.0)?.is_some();
            let mut pending = Vec::new();
            if target_row.domain.is_some() {
                // The other site answers with Accept or Reject; until then
                // it is a request, as on Mastodon.
                if !already_following && social::insert_follow_request(conn, &follow)? {
                    let outgoing =
                        Outgoing::FollowRequested { follower: follower.0, target: target.0, request: follow.id };
                    outbox::record(conn, &outgoing)?;
                }
            } else if target_row.locked && !already_following {
                pending.extend(request_follow(conn, &follow)?);
            } else {
                pending.extend(establish(conn, &follow)?);
            }
            Ok((relationships_in(conn, follower.0, &[target.0])?.remove(0), pending))
        })
    })
    .await
}

/// Creates the follow, notifies, and fills the follower's home timeline.
/// Returns the notification's event, to publish after the commit.
pub(crate) fn establish(conn: &mut DbConn, follow: &FollowRow) -> Result<Option<Event>, DbError> {
    let mut event = None;
    if social::upsert_follow(conn, follow)? {
        // Follows of one day form one group in grouped notifications.
        let day = follow.created_at.and_utc().timestamp() / 86_400;
        event = notify(
            conn,
            follow.target_account_id,
            follow.account_id,
            NotificationKind::Follow,
            None,
            format!("follow-{day}"),
        )?;
        audience::merge_into_home(conn, AccountId(follow.account_id), AccountId(follow.target_account_id))?;
    }
    Ok(event)
}

pub async fn unfollow(db: &Db, follower: Id, target: Id) -> Result<Relationship, DomainError> {
    db.run(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let Some(target_row) = accounts::find(conn, target.0)? else {
                return Err(DomainError::NotFound("account".into()));
            };
            let follow = social::find_follow(conn, follower.0, target.0)?;
            if social::delete_follow(conn, follower.0, target.0)? {
                feeds::remove_author(conn, follower.0, target.0)?;
                // Lists hold followed accounts only, as on Mastodon.
                lists::remove_from_all(conn, follower.0, target.0)?;
            }
            let request = social::take_follow_request(conn, follower.0, target.0)?;
            // A remote follow keeps the id of the request that named its
            // Follow activity, so the Undo can name it too.
            if target_row.domain.is_some()
                && let Some(undone) = follow.or(request)
            {
                outbox::record(
                    conn,
                    &Outgoing::Unfollowed { follower: follower.0, target: target.0, request: undone.id },
                )?;
            }
            Ok(relationships_in(conn, follower.0, &[target.0])?.remove(0))
        })
    })
    .await
}

/// The other sites' actors `site` follows (`true`) or asked to follow
/// (`false`), by domain.
pub async fn followed_sites(db: &Db, site: Id) -> Result<Vec<(String, bool)>, DomainError> {
    Ok(db
        .run(move |conn| {
            let following = social::following_ids(conn, site.0)?;
            let requested = social::requested_ids(conn, site.0)?;
            let all: Vec<i64> = following.iter().chain(&requested).copied().collect();
            let mut sites: Vec<(String, bool)> = tertulia_db::actors::find_many(conn, &all)?
                .into_iter()
                .filter(|a| a.actor_type == tertulia_db::actors::ActorType::Application)
                .filter_map(|a| a.domain.map(|domain| (domain, following.contains(&a.id))))
                .collect();
            sites.sort();
            Ok::<_, DbError>(sites)
        })
        .await?)
}

/// Whether `follower` follows `target` (accepted, not merely requested).
pub async fn follows(db: &Db, follower: Id, target: Id) -> Result<bool, DomainError> {
    Ok(db.run(move |conn| social::find_follow(conn, follower.0, target.0).map(|follow| follow.is_some())).await?)
}

/// Accepts (`accept`) or rejects a pending follow request to `target`.
pub async fn answer_follow_request(
    ctx: &Context,
    target: Id,
    requester: Id,
    accept: bool,
) -> Result<Relationship, DomainError> {
    ctx.committed(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let Some(request) = social::take_follow_request(conn, requester.0, target.0)? else {
                return Err(DomainError::NotFound("follow request".into()));
            };
            let mut pending = Vec::new();
            if let Some(follow_uri) = request.uri.clone()
                && accounts::find(conn, requester.0)?.is_some_and(|a| a.domain.is_some())
            {
                let outgoing =
                    Outgoing::FollowAnswered { follower: requester.0, target: target.0, follow_uri, accepted: accept };
                outbox::record(conn, &outgoing)?;
            }
            if accept {
                let follow = FollowRow { id: Id::generate().0, created_at: tertulia_db::now(), ..request };
                pending.extend(establish(conn, &follow)?);
            }
            Ok((relationships_in(conn, target.0, &[requester.0])?.remove(0), pending))
        })
    })
    .await
}

pub async fn relationships(db: &Db, viewer: Id, targets: Vec<Id>) -> Result<Vec<Relationship>, DomainError> {
    let ids: Vec<i64> = targets.iter().map(|t| t.0).collect();
    Ok(db.run(move |conn| relationships_in(conn, viewer.0, &ids)).await?)
}

pub(crate) fn relationships_in(conn: &mut DbConn, viewer: i64, targets: &[i64]) -> Result<Vec<Relationship>, DbError> {
    let following = social::following_among(conn, viewer, targets)?;
    let followed_by: HashSet<i64> = social::followers_among(conn, viewer, targets)?.into_iter().collect();
    let requested: HashSet<i64> = social::requested_among(conn, viewer, targets)?.into_iter().collect();
    let blocking: HashSet<i64> = blocks::blocking_among(conn, viewer, targets)?.into_iter().collect();
    let blocked_by: HashSet<i64> = blocks::blocked_by_among(conn, viewer, targets)?.into_iter().collect();
    let muting = blocks::muting_among(conn, viewer, targets, tertulia_db::now())?;
    let domain_blocking: HashSet<i64> =
        domain_blocks::accounts_on_blocked_domains(conn, viewer, targets)?.into_iter().collect();
    let endorsed: HashSet<i64> = account_notes::pinned_among(conn, viewer, targets)?.into_iter().collect();
    let mut notes: HashMap<i64, String> = account_notes::notes_among(conn, viewer, targets)?.into_iter().collect();
    Ok(targets
        .iter()
        .map(|target| {
            let follow = following.iter().find(|f| f.target_account_id == *target);
            Relationship {
                id: Id(*target),
                following: follow.is_some(),
                showing_reblogs: follow.is_some_and(|f| f.show_reblogs),
                notifying: follow.is_some_and(|f| f.notify),
                followed_by: followed_by.contains(target),
                requested: requested.contains(target),
                blocking: blocking.contains(target),
                blocked_by: blocked_by.contains(target),
                muting: muting.iter().any(|(id, _)| id == target),
                muting_notifications: muting.iter().any(|(id, hides)| id == target && *hides),
                domain_blocking: domain_blocking.contains(target),
                endorsed: endorsed.contains(target),
                note: notes.remove(target).unwrap_or_default(),
            }
        })
        .collect())
}

/// Followers (`incoming`) or followed accounts of `account`, with the
/// follow id each page is keyed on.
pub async fn follow_list(
    db: &Db,
    account: Id,
    incoming: bool,
    page: Page,
) -> Result<Vec<(Id, AccountView)>, DomainError> {
    let rows = db.run(move |conn| social::follow_list(conn, account.0, incoming, page)).await?;
    Ok(rows.into_iter().map(|(key, row)| (Id(key), AccountView::from(row))).collect())
}

/// Accounts waiting for `target` to accept their follow request.
pub async fn follow_requests(db: &Db, target: Id, page: Page) -> Result<Vec<(Id, AccountView)>, DomainError> {
    let rows = db.run(move |conn| social::pending_requests(conn, target.0, page)).await?;
    Ok(rows.into_iter().map(|(key, row)| (Id(key), AccountView::from(row))).collect())
}

/// Longest display name and bio accepted (Mastodon's limits).
pub(crate) const MAX_DISPLAY_NAME: usize = 30;
const MAX_NOTE: usize = 500;
const MAX_FIELD_NAME: usize = 255;
const MAX_FIELD_VALUE: usize = 255;

/// Profile changes as a user submits them; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    pub display_name: Option<String>,
    pub note: Option<String>,
    pub locked: Option<bool>,
    pub bot: Option<bool>,
    pub discoverable: Option<bool>,
    /// The complete new list of (name, value) pairs, when given.
    pub fields: Option<Vec<(String, String)>>,
    /// Defaults to `discoverable` when only that is given.
    pub indexable: Option<bool>,
    pub hide_collections: Option<bool>,
    pub show_featured: Option<bool>,
    pub show_media: Option<bool>,
    pub show_media_replies: Option<bool>,
    /// The complete new list, when given.
    pub attribution_domains: Option<Vec<String>>,
    /// Alt text of the current (or just uploaded) avatar and header.
    pub avatar_description: Option<String>,
    pub header_description: Option<String>,
}

/// Whether a submitted profile field is the read-only Site field appended
/// when accounts are shown: a client editing from `account.fields` rather
/// than `source.fields` sends it back (escaped, as it was shown), and it
/// must never become one of the user's own fields.
fn is_site_field(config: &tertulia_core::Config, name: &str, value: &str) -> bool {
    let site = &config.site;
    let shown = site.profile_field_value();
    site.is_published()
        && name.trim() == tertulia_core::config::SITE_FIELD_NAME
        && (value.trim() == shown || value.trim() == tertulia_core::text::escape_html(&shown))
}

/// Whether a submitted profile field is the read-only Kudos field: its count
/// is computed from the recognitions received, so nobody may write one.
fn is_kudos_field(name: &str) -> bool {
    name.trim().eq_ignore_ascii_case(tertulia_core::config::KUDOS_FIELD_NAME)
}

/// Updates the caller's profile and returns the new account.
pub async fn update_profile(ctx: &Context, account: Id, update: ProfileUpdate) -> Result<AccountView, DomainError> {
    use tertulia_core::text;
    let too_long = |field: &'static str, max: usize| DomainError::too_long(field, max);
    let mut changes = accounts::ProfileChanges { updated_at: Some(tertulia_db::now()), ..Default::default() };
    if let Some(name) = update.display_name {
        let name = name.trim().to_owned();
        if name.chars().count() > MAX_DISPLAY_NAME {
            return Err(too_long("display_name", MAX_DISPLAY_NAME));
        }
        changes.display_name = Some(name);
    }
    if let Some(note) = update.note {
        if note.chars().count() > MAX_NOTE {
            return Err(too_long("note", MAX_NOTE));
        }
        let html = text::render_plain_text(&note, |_, _| None, &format!("{}/tags", ctx.config.base_url()));
        changes.note = Some(html);
        changes.note_source = Some(note);
    }
    if let Some(mut fields) = update.fields {
        fields.retain(|(name, value)| !is_site_field(&ctx.config, name, value) && !is_kudos_field(name));
        let max = ctx.config.limits.max_profile_fields as usize;
        if fields.len() > max {
            return Err(DomainError::invalid_as(
                crate::Invalidity::AboveLimit,
                "fields_attributes",
                format!("at most {max} profile fields"),
            ));
        }
        let mut rendered = Vec::new();
        for (name, value) in fields.into_iter().filter(|(n, v)| !n.trim().is_empty() || !v.trim().is_empty()) {
            if name.chars().count() > MAX_FIELD_NAME {
                return Err(too_long("fields_attributes.name", MAX_FIELD_NAME));
            }
            if value.chars().count() > MAX_FIELD_VALUE {
                return Err(too_long("fields_attributes.value", MAX_FIELD_VALUE));
            }
            // Stored as typed; escaped when rendered.
            rendered.push(crate::ProfileField {
                name: name.trim().into(),
                value: value.trim().into(),
                verified_at: None,
            });
        }
        changes.fields = Some(serde_json::to_string(&rendered).map_err(|e| DomainError::Internal(e.to_string()))?);
    }
    changes.locked = update.locked;
    changes.bot = update.bot;
    changes.actor_type = update.bot.map(tertulia_db::actors::ActorType::of_local);
    changes.discoverable = update.discoverable;
    changes.indexable = update.indexable.or(update.discoverable);
    changes.hide_collections = update.hide_collections;
    changes.show_featured = update.show_featured;
    changes.show_media = update.show_media;
    changes.show_media_replies = update.show_media_replies;
    changes.attribution_domains = update.attribution_domains.map(crate::profile::attribution_domains).transpose()?;
    let descriptions =
        crate::profile::ImageDescriptions { avatar: update.avatar_description, header: update.header_description };
    ctx.db
        .run(move |conn| {
            tertulia_db::transaction(conn, |conn| {
                descriptions.check(conn, account.0)?;
                accounts::update_profile(conn, account.0, &changes)?;
                descriptions.apply(conn, account.0)?;
                outbox::record(conn, &Outgoing::ProfileUpdated { account: account.0 })?;
                Ok::<_, DomainError>(())
            })
        })
        .await?;
    get(&ctx.db, account).await
}

/// Blocks `target`: ends follows both ways and pending requests, and hides
/// each from the other.
pub async fn block(db: &Db, actor: Id, target: Id) -> Result<Relationship, DomainError> {
    if actor == target {
        return Err(DomainError::Forbidden("you cannot block yourself".into()));
    }
    db.run(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let Some(target_row) = accounts::find(conn, target.0)? else {
                return Err(DomainError::NotFound("account".into()));
            };
            // The other site hears of it, so its copies of the two accounts
            // stop following each other too.
            if blocks::insert_block(conn, actor.0, target.0, tertulia_db::now())? && target_row.domain.is_some() {
                outbox::record(conn, &Outgoing::Blocked { account: actor.0, target: target.0 })?;
            }
            for (follower, followed) in [(actor.0, target.0), (target.0, actor.0)] {
                if social::delete_follow(conn, follower, followed)? {
                    feeds::remove_author(conn, follower, followed)?;
                }
                social::take_follow_request(conn, follower, followed)?;
            }
            Ok(relationships_in(conn, actor.0, &[target.0])?.remove(0))
        })
    })
    .await
}

/// Mutes `target` (their statuses leave the actor's timelines; with
/// `notifications`, their notifications too), for `duration_secs` or for
/// good. `mute: false` unmutes.
pub async fn mute(
    db: &Db,
    actor: Id,
    target: Id,
    mute: bool,
    notifications: bool,
    duration_secs: Option<i64>,
) -> Result<Relationship, DomainError> {
    if actor == target {
        return Err(DomainError::Forbidden("you cannot mute yourself".into()));
    }
    db.write(move |conn| {
        if accounts::find(conn, target.0)?.is_none() {
            return Err(DomainError::NotFound("account".into()));
        }
        let now = tertulia_db::now();
        if mute {
            let expires_at = duration_secs.filter(|d| *d > 0).map(|d| now + chrono::Duration::seconds(d));
            blocks::upsert_mute(conn, actor.0, target.0, notifications, expires_at, now)?;
        } else {
            blocks::delete_mute(conn, actor.0, target.0)?;
        }
        Ok(relationships_in(conn, actor.0, &[target.0])?.remove(0))
    })
    .await
}

pub async fn unblock(db: &Db, actor: Id, target: Id) -> Result<Relationship, DomainError> {
    db.run(move |conn| {
        tertulia_db::transaction(conn, |conn| {
            let Some(target_row) = accounts::find(conn, target.0)? else {
                return Err(DomainError::NotFound("account".into()));
            };
            let was_blocked = !blocks::blocking_among(conn, actor.0, &[target.0])?.is_empty();
            blocks::delete_block(conn, actor.0, target.0)?;
            if was_blocked && target_row.domain.is_some() {
                outbox::record(conn, &Outgoing::Unblocked { account: actor.0, target: target.0 })?;
            }
            Ok(relationships_in(conn, actor.0, &[target.0])?.remove(0))
        })
    })
    .await
}

/// Accounts the actor blocks (`blocked = true`) or mutes, paged.
pub async fn blocked_or_muted(
    db: &Db,
    actor: Id,
    blocked: bool,
    page: Page,
) -> Result<Vec<(Id, AccountView)>, DomainError> {
    let rows = db.run(move |conn| blocks::list(conn, actor.0, blocked, page)).await?;
    Ok(rows.into_iter().map(|(key, row)| (Id(key), AccountView::from(row))).collect())
}

/// For each target, the accounts `viewer` follows that follow it.
pub async fn familiar_followers(
    db: &Db,
    viewer: Id,
    targets: Vec<Id>,
) -> Result<Vec<(Id, Vec<AccountView>)>, DomainError> {
    /// Mastodon shows a handful of faces; more would not be read.
    const SHOWN: i64 = 40;
    Ok(db
        .run(move |conn| {
            targets
                .into_iter()
                .map(|target| {
                    let known = social::familiar_followers(conn, viewer.0, target.0, SHOWN)?;
                    Ok((target, known.into_iter().map(AccountView::from).collect()))
                })
                .collect::<Result<Vec<_>, DbError>>()
        })
        .await?)
}

/// Longest private note about an account (Mastodon's limit).
const MAX_ACCOUNT_NOTE: usize = 2_000;

/// Sets the `actor`'s private note about `target`; empty removes it.
pub async fn set_note(db: &Db, actor: Id, target: Id, comment: String) -> Result<Relationship, DomainError> {
    if comment.chars().count() > MAX_ACCOUNT_NOTE {
        return Err(DomainError::invalid("comment", format!("is too long: at most {MAX_ACCOUNT_NOTE} characters")));
    }
    db.write(move |conn| {
        if accounts::find(conn, target.0)?.is_none() {
            return Err(DomainError::NotFound("account".into()));
        }
        account_notes::set_note(conn, actor.0, target.0, comment.trim(), tertulia_db::now())?;
        Ok(relationships_in(conn, actor.0, &[target.0])?.remove(0))
    })
    .await
}

/// Endorses (`on`) `target` on the actor's profile, or stops. Only
/// followed accounts can be endorsed, as on Mastodon.
pub async fn endorse(db: &Db, actor: Id, target: Id, on: bool) -> Result<Relationship, DomainError> {
    db.write(move |conn| {
        if accounts::find(conn, target.0)?.filter(|a| a.suspended_at.is_none()).is_none() {
            return Err(DomainError::NotFound("account".into()));
        }
        if on {
            if social::find_follow(conn, actor.0, target.0)?.is_none() {
                return Err(DomainError::invalid("id", "you can only endorse accounts you follow"));
            }
            account_notes::insert_pin(conn, actor.0, target.0, tertulia_db::now())?;
        } else {
            account_notes::delete_pin(conn, actor.0, target.0)?;
        }
        Ok(relationships_in(conn, actor.0, &[target.0])?.remove(0))
    })
    .await
}

/// The accounts `account` endorses, keyed by the endorsement's id.
pub async fn endorsements(db: &Db, account: Id, page: Page) -> Result<Vec<(Id, AccountView)>, DomainError> {
    let rows = db.run(move |conn| account_notes::pins(conn, account.0, page)).await?;
    Ok(rows.into_iter().map(|(key, row)| (Id(key), AccountView::from(row))).collect())
}

/// Makes `follower` stop following `actor`. A follower on another site is
/// sent a `Reject` of its follow, which its site reads as the end of it.
pub async fn remove_from_followers(db: &Db, actor: Id, follower: Id) -> Result<Relationship, DomainError> {
    db.write(move |conn| {
        let Some(follower_row) = accounts::find(conn, follower.0)? else {
            return Err(DomainError::NotFound("account".into()));
        };
        if let Some(follow) = social::find_follow(conn, follower.0, actor.0)? {
            drop_follower(conn, actor.0, &follower_row, &follow)?;
        }
        Ok(relationships_in(conn, actor.0, &[follower.0])?.remove(0))
    })
    .await
}

/// Ends `follow` of `actor` by `follower`, telling the follower's site.
pub(crate) fn drop_follower(
    conn: &mut DbConn,
    actor: i64,
    follower: &accounts::AccountRow,
    follow: &FollowRow,
) -> Result<(), DbError> {
    if social::delete_follow(conn, follower.id, actor)? {
        feeds::remove_author(conn, follower.id, actor)?;
        lists::remove_from_all(conn, follower.id, actor)?;
        if follower.domain.is_some()
            && let Some(follow_uri) = follow.uri.clone()
        {
            let outgoing =
                Outgoing::FollowAnswered { follower: follower.id, target: actor, follow_uri, accepted: false };
            outbox::record(conn, &outgoing)?;
        }
    }
    Ok(())
}

/// Accounts by id (`GET /api/v1/accounts?id[]=`), in the order asked;
/// unknown and suspended ones are left out.
pub async fn many(db: &Db, ids: Vec<Id>) -> Result<Vec<AccountView>, DomainError> {
    let ids: Vec<i64> = ids.into_iter().map(|id| id.0).collect();
    Ok(db
        .run(move |conn| {
            let mut rows: HashMap<i64, accounts::AccountRow> = accounts::find_many(conn, &ids)?
                .into_iter()
                .filter(|a| a.suspended_at.is_none())
                .map(|a| (a.id, a))
                .collect();
            ids.iter().filter_map(|id| rows.remove(id)).map(|row| profile(conn, row)).collect::<Result<Vec<_>, _>>()
        })
        .await?)
}

/// Records `follow` as a request awaiting the target's answer and notifies
/// the target, unless the same request was already pending.
pub(crate) fn request_follow(conn: &mut DbConn, follow: &FollowRow) -> Result<Option<Event>, DbError> {
    if !social::insert_follow_request(conn, follow)? {
        return Ok(None);
    }
    let group_key = format!("ungrouped-{}", follow.id);
    let (target, follower) = (follow.target_account_id, follow.account_id);
    notify(conn, target, follower, NotificationKind::FollowRequest, None, group_key)
}
