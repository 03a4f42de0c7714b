//! Groups, as FEP-1b12 ("Group federation") describes them: a group is an
//! actor of type `Group`. Joining is following it (a private group, locked,
//! approves each request through the usual follow requests); posting to it
//! is mentioning it, or replying to a post it announced. The group then
//! boosts (`Announce`s) each accepted post, so it reaches every member on
//! every site in their home timeline, in any client. Only members' posts
//! are accepted; group moderators remove posts (the boost is withdrawn:
//! `Undo` of the `Announce`) and members. A private group also shares its
//! members' members-only (followers-only) posts, with its members alone:
//! see [`may_boost`].
//!
//! Who then receives the group's boost is [`crate::audience`]'s rule for
//! boosts, like any other.

use tertulia_core::Id;
use tertulia_core::visibility::Visibility;
use tertulia_db::accounts::{self, AccountRow, ProfileChanges};
use tertulia_db::actors::ActorType;
use tertulia_db::statuses::{self, StatusRow};
use tertulia_db::{Db, DbConn, DbError, groups, social};

use crate::audit::{self, Actor, Target};
use crate::events::Event;
use crate::outbox::{self, Outgoing};
use crate::users::{new_local_account, taken_username, validate_username};
use crate::{AccountView, Context, DomainError, Page};

/// The longest rules text, as long as a profile note may be.
const MAX_RULES: usize = 500;

/// A group to create.
#[derive(Debug, Clone)]
pub struct NewGroup {
    /// Its handle: the group is `@name@<this site>`.
    pub name: String,
    pub display_name: String,
    /// Whether a moderator approves each member.
    pub private: bool,
    /// What members agree to; shown as the group's profile note.
    pub rules: String,
    /// The first moderator: the staff member creating it, or the one named.
    pub moderator: Id,
}

/// A group of this site, with its rules and moderators.
#[derive(Debug, Clone)]
pub struct GroupView {
    pub account: AccountView,
    pub rules: String,
    pub moderators: Vec<AccountView>,
}

/// Creates a group (an account of type `Group` without a sign-in).
pub async fn create(ctx: &Context, by: Actor, group: NewGroup) -> Result<GroupView, DomainError> {
    validate_username(&group.name)?;
    let display_name = group.display_name.trim().to_owned();
    if display_name.chars().count() > crate::accounts::MAX_DISPLAY_NAME {
        return Err(DomainError::too_long("display_name", crate::accounts::MAX_DISPLAY_NAME));
    }
    if group.rules.chars().count() > MAX_RULES {
        return Err(DomainError::too_long("rules", MAX_RULES));
    }
    let base_url = ctx.config.base_url();
    let rules_html = tertulia_core::text::render_plain_text(&group.rules, |_, _| None, &format!("{base_url}/tags"));
    let id = ctx
        .db
        .run(move |conn| {
            tertulia_db::transaction(conn, |conn| {
                if accounts::find_local_by_username(conn, &group.name)?.is_some() {
                    return Err(taken_username(&group.name));
                }
                if accounts::find(conn, group.moderator.0)?.is_none_or(|m| m.domain.is_some()) {
                    return Err(DomainError::NotFound("moderator (a local account)".into()));
                }
                let now = tertulia_db::now();
                let id = Id::generate().0;
                accounts::insert(conn, &new_local_account(&base_url, id, &group.name, now)).map_err(|e| {
                    // Two creations racing past the check: the unique index decides.
                    if e.is_conflict_on("username") { taken_username(&group.name) } else { e.into() }
                })?;
                let profile = ProfileChanges {
                    display_name: Some(if display_name.is_empty() { group.name.clone() } else { display_name }),
                    note: Some(rules_html),
                    note_source: Some(group.rules.clone()),
                    locked: Some(group.private),
                    actor_type: Some(ActorType::Group),
                    ..Default::default()
                };
                accounts::update_profile(conn, id, &profile)?;
                groups::insert(conn, id, &group.rules, Some(group.moderator.0), now)?;
                // Listed in the other sites' directories, as a new colleague is.
                outbox::record(conn, &Outgoing::ListedInDirectory { account: id, site: None })?;
                audit::record(conn, &by, "create_group", &Target::new("account", id, format!("@{}", group.name)))?;
                Ok(id)
            })
        })
        .await?;
    find(&ctx.db, Id(id)).await
}

/// A group of this site; not found for any other account.
pub async fn find(db: &Db, group: Id) -> Result<GroupView, DomainError> {
    db.run(move |conn| view(conn, group)?.ok_or_else(|| DomainError::NotFound("group".into()))).await
}

/// A page of this site's groups, newest first, for anyone to read: a
/// suspended group is left out.
pub async fn list(db: &Db, page: Page) -> Result<Vec<GroupView>, DomainError> {
    Ok(db
        .read(move |conn| {
            let mut views = Vec::new();
            for id in groups::page(conn, page)? {
                views.extend(view(conn, Id(id))?.filter(|group| !group.account.suspended));
            }
            Ok::<_, DbError>(views)
        })
        .await?)
}

fn view(conn: &mut DbConn, group: Id) -> Result<Option<GroupView>, DbError> {
    let (Some(rules), Some(account)) = (groups::rules_of(conn, group.0)?, accounts::find(conn, group.0)?) else {
        return Ok(None);
    };
    let moderator_ids = groups::moderators(conn, group.0)?;
    let moderators = accounts::find_many(conn, &moderator_ids)?;
    Ok(Some(GroupView {
        account: account.into(),
        rules,
        moderators: moderators.into_iter().map(AccountView::from).collect(),
    }))
}

/// The local groups that accept `status` and announce it now, in the
/// caller's transaction: those it mentions or whose boost it replies to,
/// if its author is a member (follows the group). Others' posts are
/// ignored, as FEP-1b12 lets a group decide what it announces. Returns the
/// events to publish after the commit.
pub(crate) fn announce_accepted(
    conn: &mut DbConn,
    base_url: &str,
    status: &StatusRow,
    mentioned: &[i64],
) -> Result<Vec<Event>, DbError> {
    if status.reblog_of_id.is_some() {
        return Ok(Vec::new());
    }
    let mut addressed = mentioned.to_vec();
    if let Some(parent) = status.in_reply_to_id {
        addressed.extend(statuses::booster_ids(conn, parent)?);
    }
    addressed.sort_unstable();
    addressed.dedup();
    let mut pending = Vec::new();
    for group in groups::among(conn, &addressed)? {
        if !is_member(conn, group, status.account_id)? || statuses::find_reblog(conn, group, status.id)?.is_some() {
            continue;
        }
        let Some(group) = accounts::find(conn, group)?.filter(|g| g.suspended_at.is_none()) else {
            continue;
        };
        if may_boost(conn, &group, status)? {
            pending.extend(crate::statuses::insert_boost(conn, base_url, &group, status)?.1);
        }
    }
    Ok(pending)
}

/// Whether `booster` may boost `original`: anyone may boost what anyone
/// may see; a private group (a locked `Group`) also shares a followers-only
/// post that mentions it, so that it reaches the group's members and nobody
/// else (see `crate::visibility`'s `shared_in_group`). Applied by the
/// group's own site before announcing, and by each member's site when the
/// group's `Announce` arrives. Direct posts are never shared: they are for
/// the people they name.
pub(crate) fn may_boost(conn: &mut DbConn, booster: &AccountRow, original: &StatusRow) -> Result<bool, DbError> {
    if original.visibility.is_boostable() {
        return Ok(true);
    }
    if original.visibility != Visibility::Private || booster.actor_type != ActorType::Group || !booster.locked {
        return Ok(false);
    }
    Ok(statuses::mentions_of(conn, &[original.id])?.iter().any(|&(_, mentioned)| mentioned == booster.id))
}

fn is_member(conn: &mut DbConn, group: i64, account: i64) -> Result<bool, DbError> {
    Ok(group != account && social::find_follow(conn, account, group)?.is_some())
}

/// A group moderator removes a post from the group: the group's boost of
/// it goes, here and (through the `Undo` of its `Announce`) on every
/// member's site. `status` is the post or the group's boost of it.
pub async fn remove_post(ctx: &Context, moderator: Id, group: Id, status: Id) -> Result<(), DomainError> {
    let pending = ctx
        .db
        .run(move |conn| {
            tertulia_db::transaction(conn, |conn| {
                check_moderator(conn, group, moderator)?;
                let original = match statuses::find(conn, status.0)? {
                    Some(row) => row.reblog_of_id.unwrap_or(row.id),
                    None => return Err(DomainError::NotFound("status".into())),
                };
                let Some(boost) = statuses::find_reblog(conn, group.0, original)? else {
                    return Err(DomainError::NotFound("post in this group".into()));
                };
                Ok(vec![crate::statuses::remove(conn, &boost)?])
            })
        })
        .await?;
    ctx.events.publish(pending);
    Ok(())
}

/// A group moderator removes a member: their follow of the group ends (a
/// member on another site is sent a `Reject`, as when anyone removes a
/// follower), so the group no longer accepts nor sends them posts.
pub async fn remove_member(db: &Db, moderator: Id, group: Id, member: Id) -> Result<(), DomainError> {
    moderated(db, group, moderator).await?;
    crate::accounts::remove_from_followers(db, group, member).await?;
    Ok(())
}

/// Who asks to join a private group (their follow requests), for its
/// moderators: the group itself has no sign-in to see them.
pub async fn join_requests(
    db: &Db,
    moderator: Id,
    group: Id,
    page: Page,
) -> Result<Vec<(Id, AccountView)>, DomainError> {
    moderated(db, group, moderator).await?;
    crate::accounts::follow_requests(db, group, page).await
}

/// A group moderator accepts (`accept`) or rejects a request to join,
/// answered as the group's own follow request (the requester's site hears
/// an `Accept` or `Reject`).
pub async fn answer_join_request(
    ctx: &Context,
    moderator: Id,
    group: Id,
    requester: Id,
    accept: bool,
) -> Result<(), DomainError> {
    moderated(&ctx.db, group, moderator).await?;
    crate::accounts::answer_follow_request(ctx, group, requester, accept).await?;
    Ok(())
}

/// A group moderator makes `account`, a person of this site, a moderator
/// too; returns the group as it now is.
pub async fn add_moderator(db: &Db, moderator: Id, group: Id, account: Id) -> Result<GroupView, DomainError> {
    db.run(move |conn| {
        check_moderator(conn, group, moderator)?;
        let person =
            accounts::find(conn, account.0)?.filter(|a| a.domain.is_none() && a.actor_type != ActorType::Group);
        if person.is_none() {
            return Err(DomainError::NotFound("account (a person of this site)".into()));
        }
        groups::add_moderator(conn, group.0, account.0, tertulia_db::now())?;
        Ok(())
    })
    .await?;
    find(db, group).await
}

async fn moderated(db: &Db, group: Id, moderator: Id) -> Result<(), DomainError> {
    db.run(move |conn| check_moderator(conn, group, moderator)).await
}

/// Refuses anyone but a moderator of `group`, a group of this site.
fn check_moderator(conn: &mut DbConn, group: Id, account: Id) -> Result<(), DomainError> {
    check_moderator_to(conn, group, account, "remove its posts and members")
}

/// Refuses anyone but a moderator of `group`, a group of this site, who
/// asks to `action` (words that follow "only the moderators of @group can").
pub(crate) fn check_moderator_to(conn: &mut DbConn, group: Id, account: Id, action: &str) -> Result<(), DomainError> {
    let group_row = find_local(conn, group)?;
    if !groups::is_moderator(conn, group.0, account.0)? {
        return Err(DomainError::Forbidden(format!(
            "only the moderators of @{} can {action}; ask one of them or a site administrator",
            group_row.username
        )));
    }
    Ok(())
}

/// The account of `group`, a group of this site; not found otherwise.
pub(crate) fn find_local(conn: &mut DbConn, group: Id) -> Result<accounts::AccountRow, DomainError> {
    let found = accounts::find(conn, group.0)?.filter(|g| g.domain.is_none() && g.actor_type == ActorType::Group);
    found.ok_or_else(|| DomainError::NotFound("group".into()))
}
