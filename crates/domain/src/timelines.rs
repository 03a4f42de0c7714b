//! Timelines: home, public (site and federated), hashtag, and one
//! account's statuses.

use std::time::Duration;

use tertulia_core::Id;
use tertulia_core::visibility::Visibility;
use tertulia_db::page::Page;
use tertulia_db::statuses::{self, AccountStatusFilter, PublicFilter, TagFilter};
use tertulia_db::{Db, DbConn, DbError, feeds, social};

use crate::DomainError;
use crate::present::{self, Reading};
use crate::statuses::StatusView;
use crate::visibility::Viewer;

/// The reader's home timeline: their own statuses, those of accounts they
/// follow, and boosts by them.
pub async fn home(db: &Db, reader: Id, page: Page) -> Result<Vec<StatusView>, DomainError> {
    Ok(db.read(move |conn| home_page(conn, reader, page)).await?)
}

/// [`home`] on a connection already held.
pub fn home_page(conn: &mut DbConn, reader: Id, page: Page) -> Result<Vec<StatusView>, DbError> {
    let rows = feeds::page_statuses(conn, reader.0, page)?;
    present::statuses(conn, Some(reader.0), rows, Reading::Home)
}

/// Timelines trimmed per transaction: short write locks on SQLite.
const TRIM_BATCH: i64 = 200;
/// How often the server trims home timelines back to their length.
pub const TRIM_INTERVAL: Duration = Duration::from_secs(10 * 60);

/// Cuts every home timeline back to its `keep` newest entries (config
/// `limits.home_timeline_length`) and returns how many entries went. Fan-out
/// adds an entry per follower for every post; without this the table grows
/// with followers × posts forever. Older posts stay on profiles, in tag
/// timelines and in search, as on Mastodon.
pub async fn trim_home_timelines(db: &Db, keep: u32) -> Result<usize, DomainError> {
    let mut removed = 0;
    let mut after = i64::MIN;
    loop {
        // Finding what to trim only reads; the write transaction (a lock
        // on the whole SQLite database) covers just the deletes.
        let (last, batch_removed) = db
            .run(move |conn| {
                let readers = feeds::readers_after(conn, after, TRIM_BATCH)?;
                let mut trims = Vec::new();
                for &reader in &readers {
                    if let Some(point) = feeds::trim_point(conn, reader, keep)? {
                        trims.push((reader, point));
                    }
                }
                let removed = if trims.is_empty() {
                    0
                } else {
                    tertulia_db::transaction(conn, |conn| {
                        trims.iter().try_fold(0, |sum, &(reader, point)| {
                            Ok::<_, DbError>(sum + feeds::remove_from(conn, reader, point)?)
                        })
                    })?
                };
                Ok::<_, DbError>((readers.last().copied(), removed))
            })
            .await?;
        removed += batch_removed;
        match last {
            Some(last) => after = last,
            None => return Ok(removed),
        }
    }
}

/// Trims home timelines at start and then every [`TRIM_INTERVAL`] until
/// `stop` turns true.
pub async fn keep_home_timelines_trimmed(db: Db, keep: u32, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        match trim_home_timelines(&db, keep).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, keep, "home timelines trimmed to limits.home_timeline_length"),
            Err(error) => tracing::warn!(%error, "cannot trim home timelines; will try again"),
        }
        tokio::select! {
            _ = tokio::time::sleep(TRIM_INTERVAL) => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// Public statuses that are not replies. Signed-in staff also see this
/// site's site-only posts.
pub async fn public(db: &Db, viewer: Viewer, filter: PublicFilter, page: Page) -> Result<Vec<StatusView>, DomainError> {
    let visibilities = public_visibilities(viewer);
    Ok(db
        .run(move |conn| {
            let rows = statuses::public_timeline(conn, visibilities, &filter, None, page)?;
            present::statuses(conn, viewer, rows, Reading::Public)
        })
        .await?)
}

/// Public statuses with any of the hashtags `any_of` (lower-cased names).
/// Hashtags a tag timeline asks for, lower-cased names (`any`, `all` and
/// `none` as in Mastodon's `/api/v1/timelines/tag/:hashtag`).
#[derive(Debug, Clone, Default)]
pub struct TagQuery {
    pub any: Vec<String>,
    pub all: Vec<String>,
    pub none: Vec<String>,
}

/// Public statuses with any of the `any` hashtags, all of the `all` ones and
/// none of the `none` ones.
pub async fn hashtag(
    db: &Db,
    viewer: Viewer,
    query: TagQuery,
    filter: PublicFilter,
    page: Page,
) -> Result<Vec<StatusView>, DomainError> {
    let visibilities = public_visibilities(viewer);
    Ok(db
        .run(move |conn| {
            let ids = |conn: &mut tertulia_db::DbConn, names: &[String]| -> Result<Vec<i64>, tertulia_db::DbError> {
                Ok(statuses::find_tags(conn, names)?.into_iter().map(|t| t.id).collect())
            };
            let tags =
                TagFilter { any: ids(conn, &query.any)?, all: ids(conn, &query.all)?, none: ids(conn, &query.none)? };
            // A required tag nobody has used matches nothing.
            if tags.any.is_empty() || tags.all.len() < query.all.len() {
                return Ok(Vec::new());
            }
            let rows = statuses::public_timeline(conn, visibilities, &filter, Some(&tags), page)?;
            present::statuses(conn, viewer, rows, Reading::Public)
        })
        .await?)
}

fn public_visibilities(viewer: Viewer) -> &'static [Visibility] {
    if viewer.is_some() { &[Visibility::Public, Visibility::Local] } else { &[Visibility::Public] }
}

/// An account's statuses as `viewer` may see them: followers also see
/// followers-only posts; only the author sees their direct messages here.
pub async fn account_statuses(
    db: &Db,
    viewer: Viewer,
    account: Id,
    filter: AccountStatusFilter,
    page: Page,
) -> Result<Vec<StatusView>, DomainError> {
    Ok(db
        .run(move |conn| {
            let follows = match viewer {
                Some(viewer) => !social::following_among(conn, viewer, &[account.0])?.is_empty(),
                None => false,
            };
            let visibilities: &'static [Visibility] = match viewer {
                Some(viewer) if viewer == account.0 => &[
                    Visibility::Public,
                    Visibility::Unlisted,
                    Visibility::Local,
                    Visibility::Private,
                    Visibility::Direct,
                ],
                Some(_) if follows => {
                    &[Visibility::Public, Visibility::Unlisted, Visibility::Local, Visibility::Private]
                }
                Some(_) => &[Visibility::Public, Visibility::Unlisted, Visibility::Local],
                None => &[Visibility::Public, Visibility::Unlisted],
            };
            let rows = statuses::by_account(conn, account.0, visibilities, filter, page)?;
            present::statuses(conn, viewer, rows, Reading::Account)
        })
        .await?)
}
