//! Trends over a sliding window of the last days: the tags most people
//! use, and the statuses with the most favourites and boosts.

use std::collections::{HashMap, HashSet};
use tertulia_core::visibility::Visibility;

use chrono::Utc;
use tertulia_db::{Db, statuses, tags as tag_queries};

use crate::DomainError;
use crate::present::{self, Reading};
use crate::statuses::StatusView;
use crate::tags::{self, COUNTED_VISIBILITIES, TagView};
use crate::visibility::Viewer;

/// Which slice of a trend list to return.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub limit: i64,
    pub offset: i64,
}

/// Tags used by the most distinct accounts in the window (ties: most
/// uses, then name), with their history.
pub async fn tags(db: &Db, viewer: Viewer, window: Window) -> Result<Vec<TagView>, DomainError> {
    Ok(db
        .run(move |conn| {
            let uses = tag_queries::uses_since(conn, None, COUNTED_VISIBILITIES, tags::window_start(Utc::now()))?;
            let mut per_tag: HashMap<i64, (HashSet<i64>, usize)> = HashMap::new();
            for (tag, account, _) in uses {
                let entry = per_tag.entry(tag).or_default();
                entry.0.insert(account);
                entry.1 += 1;
            }
            let found = tag_queries::find_many(conn, &per_tag.keys().copied().collect::<Vec<_>>())?;
            let mut ranked: Vec<_> = found
                .into_iter()
                .map(|tag| {
                    let (accounts, uses) = per_tag.get(&tag.id).map_or((0, 0), |(a, n)| (a.len(), *n));
                    (accounts, uses, tag)
                })
                .collect();
            ranked.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.name.cmp(&b.2.name)));
            let page: Vec<_> = ranked
                .into_iter()
                .skip(usize::try_from(window.offset).unwrap_or(0))
                .take(usize::try_from(window.limit).unwrap_or(0))
                .map(|(_, _, tag)| tag)
                .collect();
            tags::build(conn, viewer, page)
        })
        .await?)
}

/// Public statuses of the window with the most favourites plus boosts.
pub async fn statuses(db: &Db, viewer: Viewer, window: Window) -> Result<Vec<StatusView>, DomainError> {
    Ok(db
        .run(move |conn| {
            let since = (Utc::now() - chrono::Duration::days(tags::HISTORY_DAYS)).naive_utc();
            let rows = statuses::most_engaged_since(conn, &[Visibility::Public], since, window.limit, window.offset)?;
            present::statuses(conn, viewer, rows, Reading::Public)
        })
        .await?)
}
