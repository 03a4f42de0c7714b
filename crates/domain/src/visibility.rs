//! Who may see which status: the one place this is decided. Threads,
//! account pages, notifications and search all filter through
//! [`visible_statuses`]; timelines through [`visible_in_timeline`], which
//! also leaves out muted accounts. A status the caller may not see is
//! reported as not found, so its existence does not leak.

use std::collections::HashSet;

use tertulia_core::visibility::Visibility;
use tertulia_db::statuses::StatusRow;
use tertulia_db::{DbConn, DbError, accounts, blocks, domain_blocks, social, statuses};

/// The account asking, if anyone is signed in.
pub type Viewer = Option<i64>;

/// Whether `viewer` may see `status`, given whether they follow its author
/// and whether the status mentions them.
pub fn can_see(viewer: Viewer, status: &StatusRow, follows_author: bool, mentioned: bool) -> bool {
    let visibility = status.visibility;
    let is_author = viewer == Some(status.account_id);
    match visibility {
        Visibility::Public | Visibility::Unlisted => true,
        // Site-only posts are for this site's signed-in staff.
        Visibility::Local => viewer.is_some(),
        Visibility::Private => is_author || follows_author || mentioned,
        Visibility::Direct => is_author || mentioned,
    }
}

/// The statuses among `rows` that `viewer` may see, order kept. Boosts are
/// judged by the boost's own visibility and the original's. Statuses by
/// suspended accounts, and by accounts the viewer blocks or that block the
/// viewer, are never shown.
pub fn visible_statuses(conn: &mut DbConn, viewer: Viewer, rows: Vec<StatusRow>) -> Result<Vec<StatusRow>, DbError> {
    let rows = without_blocked(conn, viewer, rows)?;
    let restricted: Vec<&StatusRow> = rows
        .iter()
        .filter(|s| !matches!(s.visibility, Visibility::Public | Visibility::Unlisted) || s.reblog_of_id.is_some())
        .collect();
    if restricted.is_empty() {
        return Ok(rows);
    }
    let originals = statuses::find_many(conn, &rows.iter().filter_map(|s| s.reblog_of_id).collect::<Vec<_>>())?;
    let (followed, mentioned) = match viewer {
        Some(viewer) => {
            let authors: Vec<i64> = rows.iter().chain(&originals).map(|s| s.account_id).collect();
            let followed: HashSet<i64> =
                social::following_among(conn, viewer, &authors)?.into_iter().map(|f| f.target_account_id).collect();
            let ids: Vec<i64> = rows.iter().chain(&originals).map(|s| s.id).collect();
            let mentioned: HashSet<i64> = statuses::mentions_of(conn, &ids)?
                .into_iter()
                .filter(|(_, account)| *account == viewer)
                .map(|(status, _)| status)
                .collect();
            (followed, mentioned)
        }
        None => (HashSet::new(), HashSet::new()),
    };
    let allowed = |status: &StatusRow| {
        can_see(viewer, status, followed.contains(&status.account_id), mentioned.contains(&status.id))
    };
    Ok(rows
        .into_iter()
        .filter(|status| {
            allowed(status)
                && status.reblog_of_id.is_none_or(|original| originals.iter().any(|o| o.id == original && allowed(o)))
        })
        .collect())
}

/// Drops statuses (and boosts of statuses) by suspended accounts, and by
/// accounts that the viewer blocks or that block the viewer.
fn without_blocked(conn: &mut DbConn, viewer: Viewer, rows: Vec<StatusRow>) -> Result<Vec<StatusRow>, DbError> {
    without_authors(conn, rows, |conn, authors| {
        let mut hidden: HashSet<i64> = accounts::find_many(conn, authors)?
            .into_iter()
            .filter(|a| a.suspended_at.is_some())
            .map(|a| a.id)
            .collect();
        if let Some(viewer) = viewer {
            hidden.extend(blocks::blocking_among(conn, viewer, authors)?);
            hidden.extend(blocks::blocked_by_among(conn, viewer, authors)?);
        }
        Ok(hidden)
    })
}

/// The statuses among `rows` that `viewer` may see in a timeline (home,
/// lists, public and hashtag timelines, trends): those of
/// [`visible_statuses`] whose author, booster or boosted author the viewer
/// has not muted and whose site the viewer does not block. Threads, direct links, profiles and search still show
/// muted accounts, which people open on purpose.
pub fn visible_in_timeline(conn: &mut DbConn, viewer: Viewer, rows: Vec<StatusRow>) -> Result<Vec<StatusRow>, DbError> {
    let rows = without_muted(conn, viewer, rows)?;
    visible_statuses(conn, viewer, rows)
}

/// Drops statuses whose author (or booster, or boosted author) the viewer
/// has muted, or is on a site the viewer blocks.
fn without_muted(conn: &mut DbConn, viewer: Viewer, rows: Vec<StatusRow>) -> Result<Vec<StatusRow>, DbError> {
    let Some(viewer) = viewer else {
        return Ok(rows);
    };
    without_authors(conn, rows, |conn, authors| {
        let mut hidden: HashSet<i64> =
            blocks::muting_among(conn, viewer, authors, tertulia_db::now())?.into_iter().map(|(id, _)| id).collect();
        hidden.extend(on_blocked_sites(conn, viewer, authors)?);
        Ok(hidden)
    })
}

/// The accounts among `accounts` on a site `viewer` blocks (a user domain
/// block): their statuses leave the viewer's timelines and their
/// notifications the viewer's notifications, as on Mastodon.
pub fn on_blocked_sites(conn: &mut DbConn, viewer: i64, accounts: &[i64]) -> Result<Vec<i64>, DbError> {
    domain_blocks::accounts_on_blocked_domains(conn, viewer, accounts)
}

/// Drops the statuses written or boosted by, or boosting statuses of, the
/// authors that `hidden_among` picks out of all authors involved.
fn without_authors(
    conn: &mut DbConn,
    rows: Vec<StatusRow>,
    hidden_among: impl FnOnce(&mut DbConn, &[i64]) -> Result<HashSet<i64>, DbError>,
) -> Result<Vec<StatusRow>, DbError> {
    let originals = statuses::find_many(conn, &rows.iter().filter_map(|s| s.reblog_of_id).collect::<Vec<_>>())?;
    let authors: Vec<i64> = rows.iter().chain(&originals).map(|s| s.account_id).collect();
    let hidden = hidden_among(conn, &authors)?;
    if hidden.is_empty() {
        return Ok(rows);
    }
    let hidden_originals: HashSet<i64> =
        originals.iter().filter(|o| hidden.contains(&o.account_id)).map(|o| o.id).collect();
    Ok(rows
        .into_iter()
        .filter(|s| !hidden.contains(&s.account_id) && s.reblog_of_id.is_none_or(|o| !hidden_originals.contains(&o)))
        .collect())
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
        // (visibility, anonymous, stranger, follower, mentioned, author)
        let matrix = [
            ("public", true, true, true, true, true),
            ("unlisted", true, true, true, true, true),
            ("local", false, true, true, true, true),
            ("private", false, false, true, true, true),
            ("direct", false, false, false, true, true),
        ];
        for (visibility, anonymous, by_stranger, by_follower, by_mentioned, by_author) in matrix {
            let s = status(visibility, author);
            assert_eq!(can_see(None, &s, false, false), anonymous, "{visibility} anonymous");
            assert_eq!(can_see(stranger, &s, false, false), by_stranger, "{visibility} stranger");
            assert_eq!(can_see(stranger, &s, true, false), by_follower, "{visibility} follower");
            assert_eq!(can_see(stranger, &s, false, true), by_mentioned, "{visibility} mentioned");
            assert_eq!(can_see(Some(author), &s, false, false), by_author, "{visibility} author");
        }
    }
}
