//! Who a status reaches, decided in one place: which local accounts get it
//! in their home timeline (and on their `user` stream), who is notified
//! and of what, and whom on other sites the federation worker sends it to.
//! Local posts, remote arrivals, boosts, edits, deletions, the merge after
//! a follow and the outbox all ask here. `docs/architecture.md` ("Who
//! receives a status") has these rules as a table, and `tests` below test
//! that table row by row.

use tertulia_core::visibility::Visibility;
use tertulia_core::{AccountId, StatusId};
use tertulia_db::notifications::NotificationKind;
use tertulia_db::social::LocalFollower;
use tertulia_db::statuses::StatusRow;
use tertulia_db::{DbConn, DbError, accounts, feeds, social, statuses, tags};

use crate::events::Event;
use crate::statuses::notify;

/// A boost is left out of a home timeline whose newest this many entries
/// already hold the boosted status or another boost of it: Mastodon's
/// `FeedManager::REBLOG_FALLOFF`, so home never shows "X boosted" just
/// above the original.
pub const BOOST_FALLOFF: i64 = 40;

/// Statuses of a newly followed account merged into the follower's home.
const MERGE_ON_FOLLOW: i64 = 40;

/// What a follower may read of the accounts they follow.
const FOLLOWER_VISIBILITIES: [Visibility; 4] =
    [Visibility::Public, Visibility::Unlisted, Visibility::Local, Visibility::Private];

/// The local accounts a status reaches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audience {
    /// Accounts whose home timeline (and `user` stream) gets the status.
    pub home: Vec<AccountId>,
    /// Accounts to notify, and of what.
    pub notices: Vec<Notice>,
}

/// One notification a status calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice {
    pub recipient: AccountId,
    /// A status calls for `Mention` (it mentions them), `Status` (they
    /// rang the bell on its author), `Reblog` (someone boosted their
    /// status) or `Update` (a status they boosted was edited).
    pub kind: NotificationKind,
}

/// Who a new status (not a boost), local or remote, reaches here: see
/// [`home_readers`] for the home timelines. Mentioned local accounts are
/// notified of the mention; followers who rang the bell, of the post,
/// unless it replies to someone else or mentions them already.
pub(crate) fn of_post(conn: &mut DbConn, status: &StatusRow, mentioned: &[AccountId]) -> Result<Audience, DbError> {
    let followers = reading_followers(conn, status)?;
    let home = readers(conn, status, &followers, mentioned)?;
    let mentioned_here = accounts::local_among(conn, &AccountId::raw(mentioned))?;
    let mut notices = notices_to(&mentioned_here, NotificationKind::Mention);
    if status.in_reply_to_account_id.is_none_or(|to| to == status.account_id) {
        let ringing: Vec<i64> = followers
            .iter()
            .filter(|f| f.notify && !mentioned_here.contains(&f.account_id))
            .map(|f| f.account_id)
            .collect();
        notices.extend(notices_to(&ringing, NotificationKind::Status));
    }
    Ok(Audience { home, notices })
}

/// Who gets a status in their home timeline, as on Mastodon: the author;
/// followers (for a reply to someone else, only those who also follow the
/// person replied to) unless it is direct; for public and site-only
/// statuses, those who follow one of its tags (so tags must be attached
/// first); and, for private and direct statuses, the mentioned accounts.
/// Only accounts of this site: one elsewhere reads the status on its own
/// site, and a row here would never be read nor trimmed (the trim walks
/// local users). Public so that the benchmark seeder can check its own
/// fan-out against this rule.
pub fn home_readers(conn: &mut DbConn, status: &StatusRow, mentioned: &[AccountId]) -> Result<Vec<AccountId>, DbError> {
    let followers = reading_followers(conn, status)?;
    readers(conn, status, &followers, mentioned)
}

/// The local followers a status is for.
fn reading_followers(conn: &mut DbConn, status: &StatusRow) -> Result<Vec<LocalFollower>, DbError> {
    if status.visibility == Visibility::Direct {
        return Ok(Vec::new());
    }
    let mut followers = social::local_followers(conn, status.account_id)?;
    if let Some(replied_to) = status.in_reply_to_account_id.filter(|id| *id != status.account_id) {
        let ids: Vec<i64> = followers.iter().map(|f| f.account_id).collect();
        let also_follow = social::followers_among(conn, replied_to, &ids)?;
        followers.retain(|f| also_follow.contains(&f.account_id) || f.account_id == replied_to);
    }
    Ok(followers)
}

fn readers(
    conn: &mut DbConn,
    status: &StatusRow,
    followers: &[LocalFollower],
    mentioned: &[AccountId],
) -> Result<Vec<AccountId>, DbError> {
    let visibility = status.visibility;
    // Followers are local already; the others may not be.
    let mut others = vec![status.account_id];
    if matches!(visibility, Visibility::Public | Visibility::Local) {
        others.extend(tags::followers_of_status_tags(conn, status.id)?);
    }
    if matches!(visibility, Visibility::Private | Visibility::Direct) {
        others.extend(AccountId::raw(mentioned));
    }
    others.sort_unstable();
    others.dedup();
    let mut readers = accounts::local_among(conn, &others)?;
    readers.extend(followers.iter().map(|f| f.account_id));
    readers.sort_unstable();
    readers.dedup();
    Ok(AccountId::all(&readers))
}

/// Who a new boost of `original` by `booster` reaches here: the booster
/// and their local followers who want boosts, except the original's
/// author and anyone whose newest [`BOOST_FALLOFF`] home entries already
/// hold the original or another boost of it. The original's author, if
/// local, is notified.
pub(crate) fn of_boost(conn: &mut DbConn, booster: AccountId, original: &StatusRow) -> Result<Audience, DbError> {
    let readers = boost_readers(conn, booster, AccountId(original.account_id))?;
    let home = not_shown_yet(conn, readers, StatusId(original.id))?;
    let notices = notices_to(&accounts::local_among(conn, &[original.account_id])?, NotificationKind::Reblog);
    Ok(Audience { home, notices })
}

/// Everyone a boost may have reached, before the de-duplication: who
/// must hear that it is gone.
pub(crate) fn boost_readers(
    conn: &mut DbConn,
    booster: AccountId,
    original_author: AccountId,
) -> Result<Vec<AccountId>, DbError> {
    let mut readers = accounts::local_among(conn, &[booster.0])?;
    readers.extend(
        social::local_followers(conn, booster.0)?
            .into_iter()
            .filter(|f| f.show_reblogs && f.account_id != original_author.0)
            .map(|f| f.account_id),
    );
    readers.sort_unstable();
    readers.dedup();
    Ok(AccountId::all(&readers))
}

/// `readers` less those whose newest [`BOOST_FALLOFF`] home entries hold
/// `original` or a boost of it.
fn not_shown_yet(
    conn: &mut DbConn,
    mut readers: Vec<AccountId>,
    original: StatusId,
) -> Result<Vec<AccountId>, DbError> {
    let mut shown = Vec::new();
    for (reader, newest) in feeds::newest_entries_of(conn, &AccountId::raw(&readers), original.0)? {
        if feeds::newer_entries(conn, reader, newest, BOOST_FALLOFF)? < BOOST_FALLOFF as usize {
            shown.push(AccountId(reader));
        }
    }
    readers.retain(|reader| !shown.contains(reader));
    Ok(readers)
}

/// A notice of `kind` to each of `recipients`.
fn notices_to(recipients: &[i64], kind: NotificationKind) -> Vec<Notice> {
    recipients.iter().map(|&recipient| Notice { recipient: AccountId(recipient), kind }).collect()
}

/// Who hears of an edit: the status's home readers (on their streams) and
/// the local accounts that boosted it, notified as Mastodon does, whether
/// the status was written here or elsewhere.
/// Local accounts the new text mentions for the first time
/// (`newly_mentioned`) are notified of the mention, so a colleague added
/// by an edit hears of it (Mastodon does not: mastodon/mastodon#20543);
/// those mentioned before are not notified again.
pub(crate) fn of_edit(
    conn: &mut DbConn,
    status: &StatusRow,
    mentioned: &[AccountId],
    newly_mentioned: &[AccountId],
) -> Result<Audience, DbError> {
    let home = home_readers(conn, status, mentioned)?;
    let boosters = statuses::booster_ids(conn, status.id)?;
    let mut notices = notices_to(&accounts::local_among(conn, &boosters)?, NotificationKind::Update);
    let mentioned_here = accounts::local_among(conn, &AccountId::raw(newly_mentioned))?;
    notices.extend(notices_to(&mentioned_here, NotificationKind::Mention));
    Ok(Audience { home, notices })
}

/// Sends `notices` from `from` about `subject` (for a boost, the boosted
/// status). Returns the events to publish after the commit.
pub(crate) fn notify_all(
    conn: &mut DbConn,
    notices: &[Notice],
    from: AccountId,
    subject: &StatusRow,
) -> Result<Vec<Event>, DbError> {
    let mut events = Vec::new();
    for notice in notices {
        let group_key = match notice.kind {
            NotificationKind::Reblog => format!("reblog-{}", subject.id),
            NotificationKind::Update => {
                let at = subject.edited_at.unwrap_or(subject.created_at);
                format!("ungrouped-update-{}-{}", subject.id, at.and_utc().timestamp_millis())
            }
            _ => format!("ungrouped-{}", subject.id),
        };
        events.extend(notify(conn, notice.recipient.0, from.0, notice.kind, Some(subject.id), group_key)?);
    }
    Ok(events)
}

/// Merges `author`'s recent statuses into `reader`'s home timeline after a
/// new follow, oldest first, with the boost rule of [`of_boost`]. Only an
/// account of this site has a home timeline here.
pub(crate) fn merge_into_home(conn: &mut DbConn, reader: AccountId, author: AccountId) -> Result<(), DbError> {
    if accounts::local_among(conn, &[reader.0])?.is_empty() {
        return Ok(());
    }
    for (status, boost_of) in feeds::recent_of(conn, author.0, &FOLLOWER_VISIBILITIES, MERGE_ON_FOLLOW)? {
        let boost_of = boost_of.map(StatusId);
        let readers = match boost_of {
            Some(original) => not_shown_yet(conn, vec![reader], original)?,
            None => vec![reader],
        };
        feeds::push(conn, &readers, StatusId(status), author, boost_of)?;
    }
    Ok(())
}

/// Whom on other sites a local status goes to. Federation turns this into
/// inboxes (one per site where a shared inbox serves several).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteAudience {
    /// The account whose followers on other sites get it.
    pub followers_of: Option<AccountId>,
    /// Whether the sites that follow this whole site (its instance actor)
    /// get it.
    pub site_followers: bool,
    /// Whether the relays this site subscribes to get it: public posts
    /// only, with their edits and deletions (never boosts or profiles).
    pub relays: bool,
    /// Accounts it is addressed to; those on other sites get it.
    pub accounts: Vec<AccountId>,
}

/// What decides where a status (not a boost) goes on other sites. The
/// outbox builds it from a deletion record once the row is gone.
#[derive(Debug, Clone, Copy)]
pub struct Addressing<'a> {
    pub author: AccountId,
    pub visibility: Visibility,
    pub in_reply_to_account: Option<AccountId>,
    pub quoted_account: Option<AccountId>,
    pub mentioned: &'a [AccountId],
}

/// As Mastodon's `StatusReachFinder`: followers, unless direct; for public
/// statuses, the sites following this one and the relays (Mastodon's
/// `relay_inboxes`); the mentioned accounts, and,
/// unless direct, the accounts replied to and quoted. Site-only statuses
/// reach nobody elsewhere.
pub fn remote_of_post(post: &Addressing<'_>) -> RemoteAudience {
    let visibility = post.visibility;
    if !visibility.federates() {
        return RemoteAudience::default();
    }
    let mut addressed = post.mentioned.to_vec();
    if visibility != Visibility::Direct {
        addressed.extend(post.in_reply_to_account);
        addressed.extend(post.quoted_account);
    }
    addressed.retain(|account| *account != post.author);
    addressed.sort_unstable();
    addressed.dedup();
    RemoteAudience {
        followers_of: (visibility != Visibility::Direct).then_some(post.author),
        site_followers: visibility == Visibility::Public,
        relays: visibility == Visibility::Public,
        accounts: addressed,
    }
}

/// A boost (its `Announce`, or the `Undo`) goes to the booster's followers
/// and to the boosted status's author.
pub fn remote_of_boost(booster: AccountId, visibility: Visibility, original_author: AccountId) -> RemoteAudience {
    if !visibility.federates() {
        return RemoteAudience::default();
    }
    RemoteAudience {
        followers_of: Some(booster),
        site_followers: false,
        relays: false,
        accounts: vec![original_author],
    }
}

/// A change to a local person's profile (an edit, a move, the account's
/// deletion) goes to their followers and
/// to the sites that follow this one, whose directories list this site's
/// people. The receiving site honours `discoverable`, so an account
/// leaving the directory must reach them too; what is sent is the public
/// actor document anyone may fetch.
pub fn remote_of_profile(account: AccountId) -> RemoteAudience {
    RemoteAudience { followers_of: Some(account), site_followers: true, relays: false, accounts: Vec::new() }
}

/// A directory entry goes to `site` alone when it has just started
/// following this site (see [`crate::directory`]), and a new colleague's
/// (`None`) to every site that follows this one: a new account has no
/// followers of its own yet, and whoever follows it later fetches its
/// profile when following.
pub fn remote_of_directory_entry(site: Option<AccountId>) -> RemoteAudience {
    match site {
        Some(site) => RemoteAudience { followers_of: None, site_followers: false, relays: false, accounts: vec![site] },
        None => RemoteAudience { followers_of: None, site_followers: true, relays: false, accounts: Vec::new() },
    }
}

/// Whom on other sites `status` (a status or a boost, still stored) goes to.
pub fn remote_of_status(conn: &mut DbConn, status: &StatusRow) -> Result<RemoteAudience, DbError> {
    let visibility = status.visibility;
    if let Some(original) = status.reblog_of_id {
        return Ok(match statuses::find(conn, original)? {
            Some(original) => remote_of_boost(AccountId(status.account_id), visibility, AccountId(original.account_id)),
            None => RemoteAudience::default(),
        });
    }
    let mentioned: Vec<AccountId> =
        statuses::mentions_of(conn, &[status.id])?.into_iter().map(|(_, account)| AccountId(account)).collect();
    let quoted_account = tertulia_db::quotes::find(conn, status.id)?.and_then(|q| q.quoted_account_id);
    Ok(remote_of_post(&Addressing {
        author: AccountId(status.account_id),
        visibility,
        in_reply_to_account: status.in_reply_to_account_id.map(AccountId),
        quoted_account: quoted_account.map(AccountId),
        mentioned: &mentioned,
    }))
}

#[cfg(test)]
mod tests;
