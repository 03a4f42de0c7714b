//! Who may see which status: the one place this is decided. Every read
//! path reaches it through the read pipeline ([`crate::present`]), which
//! calls [`visible`] for a whole batch; single checks before an action use
//! [`find_visible`]. Timelines also leave out muted accounts ([`Mutes`]).
//! A status the caller may not see is reported as not found, so its
//! existence does not leak.

use std::collections::{HashMap, HashSet};

use tertulia_core::visibility::Visibility;
use tertulia_db::accounts::AccountRow;
use tertulia_db::statuses::StatusRow;
use tertulia_db::{DbConn, DbError, blocks, statuses};

/// The account asking, if anyone is signed in.
pub type Viewer = Option<i64>;

/// How the viewer stands to a status: what the rule needs besides the
/// status itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Standing {
    /// The viewer follows the status's author.
    pub follows_author: bool,
    /// The status mentions the viewer.
    pub mentioned: bool,
    /// A private group the viewer is a member of (follows) shared the
    /// members-only status with its members ([`crate::groups`]).
    pub shared_in_group: bool,
}

/// Whether `viewer` may see `status`, standing as `standing` says.
pub fn can_see(viewer: Viewer, status: &StatusRow, standing: Standing) -> bool {
    let visibility = status.visibility;
    let is_author = viewer == Some(status.account_id);
    let Standing { follows_author, mentioned, shared_in_group } = standing;
    match visibility {
        Visibility::Public | Visibility::Unlisted => true,
        // Site-only posts are for this site's signed-in staff.
        Visibility::Local => viewer.is_some(),
        Visibility::Private => is_author || follows_author || mentioned || shared_in_group,
        Visibility::Direct => is_author || mentioned,
    }
}

/// The statuses among `rows` that `viewer` may see, order kept. Boosts are
/// judged by the boost's own visibility and the original's. Statuses by
/// suspended accounts, and by accounts the viewer blocks or that block the
/// viewer, are never shown; those of silenced accounts only to their
/// followers.
pub fn visible_statuses(conn: &mut DbConn, viewer: Viewer, rows: Vec<StatusRow>) -> Result<Vec<StatusRow>, DbError> {
    Ok(visible(conn, viewer, rows, Mutes::Show)?.rows)
}

/// Whether the viewer's mutes and site blocks hide statuses: in timelines
/// (home, lists, public and hashtag timelines, trends) they do; threads,
/// direct links, profiles and search still show muted accounts, which
/// people open on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutes {
    Hide,
    Show,
}

/// What the rule kept, with what it loaded to decide: the boosted
/// originals, the authors' accounts and the authors the viewer follows.
/// The view builder starts from here
/// instead of loading them again.
#[derive(Debug, Default)]
pub struct Visible {
    pub rows: Vec<StatusRow>,
    pub originals: HashMap<i64, StatusRow>,
    pub accounts: HashMap<i64, AccountRow>,
    /// Authors (of the statuses judged and their originals) the viewer
    /// follows.
    pub followed: HashSet<i64>,
}

/// The rule for a batch: the statuses among `rows` that `viewer` may see,
/// order kept, in a fixed number of statements: the boosted originals (if
/// any), the authors with the viewer's relations to them, and whom the
/// statuses mention (only if one is not public).
pub fn visible(conn: &mut DbConn, viewer: Viewer, rows: Vec<StatusRow>, mutes: Mutes) -> Result<Visible, DbError> {
    if rows.is_empty() {
        return Ok(Visible::default());
    }
    let original_ids: Vec<i64> = rows.iter().filter_map(|s| s.reblog_of_id).collect();
    let mut originals: HashMap<i64, StatusRow> =
        statuses::find_many(conn, &original_ids)?.into_iter().map(|s| (s.id, s)).collect();
    let authors: Vec<i64> =
        rows.iter().chain(originals.values()).map(|s| s.account_id).collect::<HashSet<i64>>().into_iter().collect();
    let (mut accounts, mut hidden, mut followed) = (HashMap::new(), HashSet::new(), HashSet::new());
    for author in blocks::seen_by(conn, viewer, &authors, tertulia_db::now())? {
        let id = author.account.id;
        let muted = mutes == Mutes::Hide && author.muted == Some(true);
        // A silenced (Mastodon: limited) account reaches only its followers.
        let limited = author.account.silenced_at.is_some() && !author.followed && viewer != Some(id);
        if author.account.suspended_at.is_some() || author.blocked || muted || limited {
            hidden.insert(id);
        }
        if author.followed {
            followed.insert(id);
        }
        accounts.insert(id, author.account);
    }
    let (mut mentioned, mut shared_in_group) = (HashSet::new(), HashSet::new());
    if let Some(viewer) = viewer {
        let restricted = rows
            .iter()
            .chain(originals.values())
            .any(|s| !matches!(s.visibility, Visibility::Public | Visibility::Unlisted));
        if restricted {
            let ids: Vec<i64> = rows.iter().chain(originals.values()).map(|s| s.id).collect();
            mentioned = statuses::mentions_of(conn, &ids)?
                .into_iter()
                .filter(|&(_, account)| account == viewer)
                .map(|(status, _)| status)
                .collect();
        }
        // Members-only posts of authors the viewer does not follow may
        // still reach them through a group: asked only when there are some.
        let unfollowed_private: Vec<i64> = rows
            .iter()
            .chain(originals.values())
            .filter(|s| s.visibility == Visibility::Private && !followed.contains(&s.account_id))
            .map(|s| s.id)
            .collect();
        if !unfollowed_private.is_empty() {
            shared_in_group = statuses::shared_with_member(conn, viewer, &unfollowed_private)?.into_iter().collect();
        }
    }
    let allowed = |status: &StatusRow| {
        let standing = Standing {
            follows_author: followed.contains(&status.account_id),
            mentioned: mentioned.contains(&status.id),
            shared_in_group: shared_in_group.contains(&status.id),
        };
        !hidden.contains(&status.account_id) && can_see(viewer, status, standing)
    };
    let rows: Vec<StatusRow> = rows
        .into_iter()
        .filter(|status| {
            allowed(status) && status.reblog_of_id.is_none_or(|original| originals.get(&original).is_some_and(allowed))
        })
        .collect();
    let kept: HashSet<i64> = rows.iter().filter_map(|s| s.reblog_of_id).collect();
    originals.retain(|id, _| kept.contains(id));
    Ok(Visible { rows, originals, accounts, followed })
}

/// One status, if it exists and `viewer` may see it.
pub fn find_visible(conn: &mut DbConn, viewer: Viewer, id: i64) -> Result<Option<StatusRow>, DbError> {
    let Some(row) = statuses::find(conn, id)? else {
        return Ok(None);
    };
    Ok(visible_statuses(conn, viewer, vec![row])?.into_iter().next())
}

/// One status, if it exists and another site may show it to `viewer` (one
/// of its accounts, or anyone for an unsigned request): the same rule,
/// except that site-only statuses never leave this site, whoever asks.
pub fn find_visible_to_other_sites(conn: &mut DbConn, viewer: Viewer, id: i64) -> Result<Option<StatusRow>, DbError> {
    let found = find_visible(conn, viewer, id)?;
    Ok(found.filter(|row| row.visibility.federates()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(visibility: &str, author: i64) -> StatusRow {
        StatusRow::new_local(1, String::new(), author, visibility.parse().unwrap(), chrono::Utc::now().naive_utc())
    }

    #[test]
    fn the_visibility_matrix() {
        let author = 1;
        let stranger = Some(2);
        let follower = Standing { follows_author: true, ..Default::default() };
        let mentioned = Standing { mentioned: true, ..Default::default() };
        let group_member = Standing { shared_in_group: true, ..Default::default() };
        // (visibility, anonymous, stranger, follower, mentioned, member of a group that shared it, author)
        let matrix = [
            ("public", true, true, true, true, true, true),
            ("unlisted", true, true, true, true, true, true),
            ("local", false, true, true, true, true, true),
            ("private", false, false, true, true, true, true),
            ("direct", false, false, false, true, false, true),
        ];
        for (visibility, anonymous, by_stranger, by_follower, by_mentioned, by_member, by_author) in matrix {
            let s = status(visibility, author);
            assert_eq!(can_see(None, &s, Standing::default()), anonymous, "{visibility} anonymous");
            assert_eq!(can_see(stranger, &s, Standing::default()), by_stranger, "{visibility} stranger");
            assert_eq!(can_see(stranger, &s, follower), by_follower, "{visibility} follower");
            assert_eq!(can_see(stranger, &s, mentioned), by_mentioned, "{visibility} mentioned");
            assert_eq!(can_see(stranger, &s, group_member), by_member, "{visibility} group member");
            assert_eq!(can_see(Some(author), &s, Standing::default()), by_author, "{visibility} author");
        }
    }
}
